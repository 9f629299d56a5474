import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { InvitationsTable, Tables } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { hashSecret, newSecret } from './tokens.ts';

export type InvitationKind = InvitationsTable['kind'];
type Db = Kysely<Tables> | Transaction<Tables>;

export interface Invitation {
  id: string;
  kind: InvitationKind;
  email: string | null;
  shareId: string | null;
  expiresAt: Date;
}

export const SETUP_LINK_TTL_MS = 60 * 60_000;

/** Where a person opens an invitation; the secret is in the fragment so it never reaches a log. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/invite#${token}`;
}

/**
 * Single-use, expiring invitations: the first admin's setup link, owner invitations and a
 * client's invitation to a share. Only the SHA-256 of a token is stored.
 */
export class Invitations {
  private readonly db: Kysely<Tables>;
  private readonly now: () => number;

  constructor(db: Kysely<Tables>, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  /**
   * A new invitation valid for `ttlMs`, never beyond `notAfter` (a client's invitation ends with
   * its share at the latest).
   */
  async create(
    spec: {
      kind: InvitationKind;
      email: string | null;
      shareId?: string;
      createdBy?: string;
      ttlMs: number;
      notAfter?: Date;
    },
    db: Db = this.db,
  ): Promise<{ token: string; invitation: Invitation }> {
    const token = newSecret();
    const now = this.now();
    const ends = Math.min(now + spec.ttlMs, spec.notAfter?.getTime() ?? Infinity);
    const invitation: Invitation = {
      id: randomUUID(),
      kind: spec.kind,
      email: spec.email,
      shareId: spec.shareId ?? null,
      expiresAt: new Date(ends),
    };
    await db
      .insertInto('invitations')
      .values({
        id: invitation.id,
        token_hash: hashSecret(token),
        kind: spec.kind,
        email: spec.email,
        share_id: invitation.shareId,
        created_by: spec.createdBy ?? null,
        created_at: new Date(now),
        expires_at: invitation.expiresAt,
      })
      .execute();
    return { token, invitation };
  }

  /** A usable invitation for a token, or a refusal that says why. */
  async find(token: string, db: Db = this.db): Promise<Invitation> {
    const row = await db
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!row || row.revoked_at) {
      throw new DomainError(
        404,
        'invalid-invitation',
        'This invitation link is not valid (it may have been replaced).',
      );
    }
    if (row.used_at) throw new DomainError(410, 'invitation-used', 'This invitation has already been used.');
    if (new Date(row.expires_at).getTime() <= this.now()) {
      throw new DomainError(410, 'invitation-expired', 'This invitation has expired; ask for a new one.');
    }
    return {
      id: row.id,
      kind: row.kind,
      email: row.email,
      shareId: row.share_id,
      expiresAt: new Date(row.expires_at),
    };
  }

  /** Marks an invitation used; fails if someone else used it first (single use under races). */
  async consume(id: string, userId: string, db: Db): Promise<void> {
    const now = new Date(this.now());
    const res = await db
      .updateTable('invitations')
      .set({ used_at: now, used_by: userId })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new DomainError(410, 'invitation-used', 'This invitation has already been used or has expired.');
    }
  }

  /** A share now ends at `notAfter`: its unused invitations end then at the latest (never later than it). */
  async clampOpen(shareId: string, notAfter: Date, db: Db = this.db): Promise<void> {
    await db
      .updateTable('invitations')
      .set({ expires_at: notAfter })
      .where('share_id', '=', shareId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', notAfter)
      .execute();
  }

  /** Unused invitations of a kind (or of one share) stop working, e.g. when a new link replaces them. */
  async revokeOpen(where: { kind: InvitationKind; shareId?: string }, db: Db = this.db): Promise<void> {
    let q = db
      .updateTable('invitations')
      .set({ revoked_at: new Date(this.now()) })
      .where('kind', '=', where.kind)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null);
    if (where.shareId) q = q.where('share_id', '=', where.shareId);
    await q.execute();
  }
}
