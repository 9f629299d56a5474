import type { AppReload, AuditAction, AuditVerifyResult } from '@vitrine/protocol';
import { appReloadDetail } from '../apps/app-catalog.ts';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';
import { inviteOwner, issueSetupLink, type InvitationDeps } from '../auth/owner-invitations.ts';
import type { Tables } from '../db/schema.ts';
import type { EncryptedAtRest } from '../encryption/at-rest.ts';
import { rotateOwnerKey, type RotationProgress } from '../encryption/owner-rotation.ts';
import { DomainError } from '../errors.ts';
import { makeBackup, type BackupSources } from '../backup/backup-service.ts';
import { removeOwner } from './owner-removal.ts';

/**
 * What the operator's commands act on: the invitation rules that live in auth/, the database, the
 * encrypted volume's keys, and what a backup takes. A running server adds how to end an owner's
 * sessions and hold their storage still; the CLI alone (no server) has neither to do.
 */
export type AdminDeps = InvitationDeps & {
  db: Kysely<Tables>;
  atRest: EncryptedAtRest | null;
  storageDir: string;
  recordingsDir: string;
  backup: BackupSources;
  endOwnerSessions?: (ownerId: string) => Promise<number>;
  /** Rescans APPS_ROOT (apps/app-catalog.ts); only a running server has apps loaded. */
  reloadApps?: () => Promise<AppReload>;
  holdOwner?: (ownerId: string, waiting: (sessions: number) => void) => Promise<{ release(): void }>;
};

const encryptionOff = () =>
  new DomainError(409, 'encryption-off', 'data is stored in the clear (ENCRYPTION=off): there are no keys to rotate');

/**
 * The operator's commands (CLI, admin socket, the setup link printed at start-up), each on the
 * audit trail as the system's doing, saying where it came from. The admin page's invitations are
 * recorded by the API's own hook instead.
 */
export function operatorCommands(deps: AdminDeps, audit: { log: AuditLog; store: AuditStore }, via: string) {
  const record = (action: AuditAction, detail: Record<string, unknown>, ownerId?: string) =>
    audit.log.record({
      actor: { id: null, role: 'system' },
      action,
      outcome: 'ok',
      ...(ownerId ? { ownerId, target: { type: 'user', id: ownerId } } : {}),
      detail: { via, ...detail },
    });
  const ownerIdOf = async (email: string) => {
    const user = await deps.users.findByEmail(email);
    if (!user || user.role !== 'owner') throw new DomainError(404, 'not-found', `there is no owner ${email}`);
    return user.id;
  };
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
    async deleteOwner(email: string) {
      const removed = await removeOwner(
        {
          db: deps.db,
          atRest: deps.atRest,
          storageDir: deps.storageDir,
          recordingsDir: deps.recordingsDir,
          ...(deps.endOwnerSessions && { endSessions: deps.endOwnerSessions }),
        },
        email,
      );
      const { ownerId, ...counts } = removed;
      await record('account.delete', { email, ...counts, cryptoShredded: deps.atRest !== null }, ownerId);
      return removed;
    },
    async rotateMasterKey() {
      if (!deps.atRest) throw encryptionOff();
      const rotated = deps.atRest.master.rotate();
      await record('key.master-rotate', rotated);
      return rotated;
    },
    async rotateOwnerKey(email: string, progress?: (p: RotationProgress) => void) {
      const atRest = deps.atRest;
      if (!atRest) throw encryptionOff();
      const ownerId = await ownerIdOf(email);
      await record('key.owner-rotate-start', { email }, ownerId);
      const hold = deps.holdOwner ?? (async () => ({ release: () => {} }));
      const rotated = await rotateOwnerKey({ atRest, hold }, ownerId, progress);
      await record('key.owner-rotate', { email, ...rotated }, ownerId);
      return rotated;
    },
    async reloadApps(): Promise<AppReload> {
      if (!deps.reloadApps) {
        throw new DomainError(400, 'bad-request', 'no server is running: it reads the apps when it starts');
      }
      const changes = await deps.reloadApps();
      await record('app.reload', appReloadDetail(changes));
      return changes;
    },
    async backup(file: string) {
      const made = await makeBackup({ db: deps.db, atRest: deps.atRest, ...deps.backup }, file);
      await record('backup.create', { file, ...made.summary });
      return made.summary;
    },
  };
}
