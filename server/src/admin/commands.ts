import type { AuditAction, AuditVerifyResult } from '@vitrine/protocol';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';
import { inviteOwner, issueSetupLink, type InvitationDeps } from '../auth/owner-invitations.ts';

/** The operator's commands act through the invitation rules that live in auth/ (admin → auth only). */
export type AdminDeps = InvitationDeps;

/**
 * The operator's commands (CLI, admin socket, the setup link printed at start-up), each on the
 * audit trail as the system's doing, saying where it came from. The admin page's invitations are
 * recorded by the API's own hook instead.
 */
export function operatorCommands(deps: AdminDeps, audit: { log: AuditLog; store: AuditStore }, via: string) {
  const record = (action: AuditAction, detail: Record<string, unknown>) =>
    audit.log.record({ actor: { id: null, role: 'system' }, action, outcome: 'ok', detail: { via, ...detail } });
  return {
    async inviteOwner(email: string): Promise<{ link: string; expiresAt: Date }> {
      const link = await inviteOwner(deps, email);
      await record('invitation.create', { kind: 'owner', email });
      return link;
    },
    async issueSetupLink(): Promise<{ link: string; expiresAt: Date } | undefined> {
      const link = await issueSetupLink(deps);
      if (link) await record('invitation.create', { kind: 'setup', expiresAt: link.expiresAt.toISOString() });
      return link;
    },
    async verifyAudit(): Promise<AuditVerifyResult> {
      const result = await audit.store.verify();
      await record('audit.verify', { result: result.ok ? 'whole' : `broken at ${result.brokenAt}` });
      return result;
    },
  };
}
