import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './chain.ts';

const SYSTEM = { id: null, role: 'system' } as const;

/**
 * Records what expired on its own: shares, unused invitations and sign-ins that ran out. Each
 * row is marked in the same transaction as its event, so every expiry is recorded exactly once,
 * even with several server processes.
 */
export async function sweepExpirations(
  db: Kysely<Tables>,
  audit: AuditLog,
  limits: { idleTimeoutMs: number },
  now = new Date(),
): Promise<number> {
  await audit.flush();
  return db.transaction().execute(async (tx) => {
    const shares = await tx
      .updateTable('shares')
      .set({ expiry_audited_at: now })
      .where('expiry_audited_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '<=', now)
      .returning(['id', 'owner_id', 'client_id', 'label', 'expires_at'])
      .execute();
    const invitations = await tx
      .updateTable('invitations')
      .set({ expiry_audited_at: now })
      .where('expiry_audited_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('used_at', 'is', null)
      .where('expires_at', '<=', now)
      .returning(['id', 'kind', 'email', 'share_id', 'created_by', 'expires_at'])
      .execute();
    const signIns = await tx
      .updateTable('sign_ins')
      .set({ end_audited_at: now })
      .where('end_audited_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', new Date(now.getTime() - limits.idleTimeoutMs))]),
      )
      .returning(['id', 'user_id', 'expires_at', 'last_seen_at'])
      .execute();
    await audit.recordIn(tx, [
      ...shares.map((s): AuditEntry => ({
        actor: SYSTEM,
        action: 'share.expired',
        target: { type: 'share', id: s.id, path: s.label },
        outcome: 'ok',
        ownerId: s.owner_id,
        shareId: s.id,
        detail: { expiresAt: new Date(s.expires_at).toISOString(), client: s.client_id },
      })),
      ...invitations.map((i): AuditEntry => ({
        actor: SYSTEM,
        action: 'invitation.expired',
        target: { type: 'invitation', id: i.id, path: i.email },
        outcome: 'ok',
        // A share's invitation is its owner's business; owner invitations are the admins'.
        ownerId: i.kind === 'client' ? i.created_by : null,
        shareId: i.share_id,
        detail: { kind: i.kind, expiresAt: new Date(i.expires_at).toISOString() },
      })),
      ...signIns.map((s): AuditEntry => ({
        actor: SYSTEM,
        action: 'auth.sign-in-expired',
        target: { type: 'user', id: s.user_id },
        outcome: 'ok',
        detail: {
          signIn: s.id,
          why: new Date(s.expires_at) <= now ? 'maximum age reached' : 'idle too long',
        },
      })),
    ]);
    return shares.length + invitations.length + signIns.length;
  });
}
