import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { Actor } from '../policies/policies.ts';
import { hashSecret, newSecret } from './tokens.ts';

export interface SignInLimits {
  idleTimeoutMs: number;
  maxAgeMs: number;
}

/** Last-seen is written at most this often, so reading pages is not a write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Server-side sign-ins ("sessions" of a browser, not streamed sessions): an opaque token in a
 * cookie, its hash in the database, an idle timeout and an absolute lifetime.
 */
export class SignIns {
  private readonly db: Kysely<Tables>;
  private readonly limits: SignInLimits;
  private readonly now: () => number;

  constructor(db: Kysely<Tables>, limits: SignInLimits, now: () => number = Date.now) {
    this.db = db;
    this.limits = limits;
    this.now = now;
  }

  async create(userId: string, userAgent: string): Promise<{ token: string; id: string; expiresAt: Date }> {
    const token = newSecret();
    const id = randomUUID();
    const now = new Date(this.now());
    const expiresAt = new Date(now.getTime() + this.limits.maxAgeMs);
    await this.db
      .insertInto('sign_ins')
      .values({
        id,
        user_id: userId,
        token_hash: hashSecret(token),
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        user_agent: userAgent.slice(0, 300),
      })
      .execute();
    return { token, id, expiresAt };
  }

  /** The actor behind a cookie token, or undefined if it is unknown, revoked, idle or too old. */
  async resolve(token: string): Promise<Actor | undefined> {
    if (token.length > 100) return undefined;
    const row = await this.db
      .selectFrom('sign_ins')
      .innerJoin('users', 'users.id', 'sign_ins.user_id')
      .select([
        'sign_ins.id as signInId',
        'sign_ins.last_seen_at',
        'sign_ins.expires_at',
        'sign_ins.revoked_at',
        'users.id as userId',
        'users.role',
        'users.admin',
      ])
      .where('sign_ins.token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!row || row.revoked_at) return undefined;
    const now = this.now();
    const lastSeen = new Date(row.last_seen_at).getTime();
    if (now >= new Date(row.expires_at).getTime() || now - lastSeen >= this.limits.idleTimeoutMs) return undefined;
    if (now - lastSeen >= TOUCH_EVERY_MS) {
      await this.db
        .updateTable('sign_ins')
        .set({ last_seen_at: new Date(now) })
        .where('id', '=', row.signInId)
        .execute();
    }
    return { id: row.userId, role: row.role, admin: row.admin, signInId: row.signInId };
  }

  async list(
    userId: string,
  ): Promise<Array<{ id: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date; userAgent: string }>> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('sign_ins')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date(now))
      .where('last_seen_at', '>', new Date(now - this.limits.idleTimeoutMs))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: new Date(r.created_at),
      lastSeenAt: new Date(r.last_seen_at),
      expiresAt: new Date(r.expires_at),
      userAgent: r.user_agent,
    }));
  }

  async owner(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('sign_ins').select('user_id').where('id', '=', id).executeTakeFirst();
    return row?.user_id;
  }

  async revoke(id: string): Promise<void> {
    await this.db
      .updateTable('sign_ins')
      .set({ revoked_at: new Date(this.now()) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Drops rows that can never sign anyone in again (keeps the table small). */
  async purgeDead(): Promise<number> {
    const res = await this.db
      .deleteFrom('sign_ins')
      // Expired ones stay until their expiry is on the audit trail (audit/expiry-sweep.ts).
      .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('end_audited_at', 'is not', null)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
