import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TermsAcceptance } from '@vitrine/protocol';
import type { Tables } from '../db/schema.ts';

export interface NewAcceptance {
  /** Chosen by the caller, so the trail can name the row before it is written. */
  id: string;
  shareId: string;
  userId: string;
  version: number;
  typedName: string;
  ip: string | null;
  userAgent: string | null;
}

/** Clients' acceptances of shares' terms: kept as given (never changed), one row per acceptance. */
export class TermsAcceptanceStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  static newId(): string {
    return randomUUID();
  }

  async record(a: NewAcceptance, at = new Date()): Promise<void> {
    await this.db
      .insertInto('terms_acceptances')
      .values({
        id: a.id,
        share_id: a.shareId,
        user_id: a.userId,
        version: a.version,
        typed_name: a.typedName,
        accepted_at: at,
        ip: a.ip,
        user_agent: a.userAgent,
      })
      .execute();
  }

  /** When this person accepted this version of the share's terms (the first time), if they did. */
  async acceptedAt(shareId: string, userId: string, version: number): Promise<Date | null> {
    const row = await this.db
      .selectFrom('terms_acceptances')
      .select('accepted_at')
      .where('share_id', '=', shareId)
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .orderBy('accepted_at')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.accepted_at) : null;
  }

  /** The newest version of each of these shares' terms this person accepted (absent: none). */
  async latestVersions(userId: string, shareIds: string[]): Promise<Map<string, number>> {
    if (shareIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('terms_acceptances')
      .select(['share_id', (eb) => eb.fn.max('version').as('version')])
      .where('user_id', '=', userId)
      .where('share_id', 'in', shareIds)
      .groupBy('share_id')
      .execute();
    return new Map(rows.map((r) => [r.share_id, Number(r.version)]));
  }

  /** Every acceptance of a share's terms, newest first, with who it was. */
  async ofShare(shareId: string): Promise<TermsAcceptance[]> {
    const rows = await this.db
      .selectFrom('terms_acceptances')
      .leftJoin('users', 'users.id', 'terms_acceptances.user_id')
      .select([
        'terms_acceptances.id',
        'terms_acceptances.user_id as userId',
        'users.display_name as name',
        'users.email',
        'terms_acceptances.version',
        'terms_acceptances.typed_name as typedName',
        'terms_acceptances.accepted_at as acceptedAt',
        'terms_acceptances.ip',
        'terms_acceptances.user_agent as userAgent',
      ])
      .where('terms_acceptances.share_id', '=', shareId)
      .orderBy('terms_acceptances.accepted_at', 'desc')
      .orderBy('terms_acceptances.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      person: { id: r.userId, name: r.name, email: r.email },
      version: r.version,
      typedName: r.typedName,
      acceptedAt: new Date(r.acceptedAt).toISOString(),
      ip: r.ip,
      userAgent: r.userAgent,
    }));
  }
}
