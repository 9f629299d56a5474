import type { Users } from '../auth/users.ts';
import { invitationLink, SETUP_LINK_TTL_MS, type Invitations } from '../auth/invitations.ts';
import { DomainError } from '../errors.ts';
import type { AuditVerifyResult } from '@vitrine/protocol';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';

export interface AdminDeps {
  users: Users;
  invitations: Invitations;
  publicUrl: () => string;
  invitationTtlMs: number;
}

/**
 * The one-time link that creates the first (admin) account. Only while nobody has an account;
 * each new link replaces the previous one.
 */
export async function issueSetupLink(deps: AdminDeps): Promise<{ link: string; expiresAt: Date } | undefined> {
  if ((await deps.users.count()) > 0) return undefined;
  await deps.invitations.revokeOpen({ kind: 'setup' });
  const { token, invitation } = await deps.invitations.create({ kind: 'setup', email: null, ttlMs: SETUP_LINK_TTL_MS });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}

/** An invitation link for a new owner (what the CLI and the admin page hand out). */
export async function inviteOwner(deps: AdminDeps, email: string): Promise<{ link: string; expiresAt: Date }> {
  if (await deps.users.findByEmail(email)) {
    throw new DomainError(409, 'account-exists', `An account for ${email} already exists.`);
  }
  const { token, invitation } = await deps.invitations.create({ kind: 'owner', email, ttlMs: deps.invitationTtlMs });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}

/**
 * The operator's commands (CLI, admin socket, the setup link printed at start-up), each on the
 * audit trail as the system's doing, saying where it came from. The admin page's invitations are
 * recorded by the API's own hook instead.
 */
export function operatorCommands(deps: AdminDeps, audit: { log: AuditLog; store: AuditStore }, via: string) {
  const record = (action: string, detail: Record<string, unknown>) =>
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
