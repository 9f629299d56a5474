import { randomUUID } from 'node:crypto';
import type { InferResult, Kysely, Transaction } from 'kysely';
import { DEFAULT_SHARE_APPS, type SharePath, type ShareStatus, type WatermarkDensity } from '@vitrine/protocol';
import type { Tables } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import type { TermsState } from './terms.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

/** A share as the domain sees it (no HTTP, no host paths). */
export interface ShareRecord {
  id: string;
  ownerId: string;
  ownerName: string;
  ownerEmail: string;
  clientEmail: string;
  client: { id: string; displayName: string; email: string } | null;
  label: string;
  paths: SharePath[];
  expiresAt: Date;
  maxSessionMinutes: number | null;
  watermark: boolean;
  watermarkDensity: WatermarkDensity;
  watermarkOpacity: number;
  /** The owner records the client's sessions. */
  recording: boolean;
  /** The owner may watch the client's live sessions. */
  liveView: boolean;
  /** The terms the client must accept (`currentTerms` of it: what is in force). */
  terms: TermsState;
  /** The apps the client may open (ids, never empty). */
  apps: string[];
  createdAt: Date;
  revokedAt: Date | null;
  /** Hidden from the owner's default list (only a share that is over). */
  archivedAt: Date | null;
}

export function shareStatus(s: Pick<ShareRecord, 'revokedAt' | 'expiresAt' | 'client'>, now: number): ShareStatus {
  if (s.revokedAt) return 'revoked';
  if (s.expiresAt.getTime() <= now) return 'expired';
  return s.client ? 'active' : 'pending';
}

export interface NewShare {
  ownerId: string;
  clientEmail: string;
  label: string;
  paths: SharePath[];
  expiresAt: Date;
  maxSessionMinutes: number | null;
  watermark: boolean;
  /** The defaults (normal, 0.12) when not given. */
  watermarkDensity?: WatermarkDensity | undefined;
  watermarkOpacity?: number | undefined;
  recording?: boolean | undefined;
  liveView?: boolean | undefined;
  /** None when not given. */
  terms?: TermsState | undefined;
  /** `DEFAULT_SHARE_APPS` when not given. */
  apps?: readonly string[] | undefined;
}

export class ShareStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  async create(s: NewShare, db: Db = this.db): Promise<string> {
    const id = randomUUID();
    const now = new Date();
    await db
      .insertInto('shares')
      .values({
        id,
        owner_id: s.ownerId,
        client_email: s.clientEmail,
        client_id: null,
        label: s.label,
        paths: JSON.stringify(s.paths),
        expires_at: s.expiresAt,
        max_session_minutes: s.maxSessionMinutes,
        watermark: s.watermark,
        ...(s.watermarkDensity !== undefined ? { watermark_density: s.watermarkDensity } : {}),
        ...(s.watermarkOpacity !== undefined ? { watermark_opacity: s.watermarkOpacity } : {}),
        recording: s.recording ?? false,
        live_view: s.liveView ?? false,
        terms_text: s.terms?.text ?? null,
        terms_version: s.terms?.version ?? null,
        apps: JSON.stringify(s.apps ?? DEFAULT_SHARE_APPS),
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async get(id: string, db: Db = this.db): Promise<ShareRecord | undefined> {
    const row = await selectShares(db).where('shares.id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** An owner's shares, newest first; archived ones only when asked for. */
  async byOwner(ownerId: string, opts: { includeArchived?: boolean } = {}): Promise<ShareRecord[]> {
    let q = selectShares(this.db).where('shares.owner_id', '=', ownerId);
    if (!opts.includeArchived) q = q.where('shares.archived_at', 'is', null);
    const rows = await q.orderBy('shares.created_at', 'desc').execute();
    return rows.map(toRecord);
  }

  /** Hides a share from (or returns it to) its owner's list; the routes allow it only once the share is over. */
  async setArchived(id: string, archived: boolean): Promise<void> {
    await this.db
      .updateTable('shares')
      .set({ archived_at: archived ? new Date() : null, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  /** Shares a client has accepted that are neither revoked nor expired. */
  async forClient(clientId: string, now: Date): Promise<ShareRecord[]> {
    const rows = await selectShares(this.db)
      .where('shares.client_id', '=', clientId)
      .where('shares.revoked_at', 'is', null)
      .where('shares.expires_at', '>', now)
      .orderBy('shares.created_at', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  async update(id: string, patch: Partial<Omit<NewShare, 'ownerId' | 'clientEmail'>>): Promise<void> {
    await this.db
      .updateTable('shares')
      .set({
        updated_at: new Date(),
        ...(patch.label !== undefined ? { label: patch.label } : {}),
        ...(patch.paths !== undefined ? { paths: JSON.stringify(patch.paths) } : {}),
        // A new expiry (always in the future) brings an archived, expired share back to life: list it again.
        ...(patch.expiresAt !== undefined ? { expires_at: patch.expiresAt, archived_at: null } : {}),
        ...(patch.maxSessionMinutes !== undefined ? { max_session_minutes: patch.maxSessionMinutes } : {}),
        ...(patch.watermark !== undefined ? { watermark: patch.watermark } : {}),
        ...(patch.watermarkDensity !== undefined ? { watermark_density: patch.watermarkDensity } : {}),
        ...(patch.watermarkOpacity !== undefined ? { watermark_opacity: patch.watermarkOpacity } : {}),
        ...(patch.recording !== undefined ? { recording: patch.recording } : {}),
        ...(patch.liveView !== undefined ? { live_view: patch.liveView } : {}),
        ...(patch.terms !== undefined ? { terms_text: patch.terms.text, terms_version: patch.terms.version } : {}),
        ...(patch.apps !== undefined ? { apps: JSON.stringify(patch.apps) } : {}),
      })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revoke(id: string): Promise<void> {
    await this.db
      .updateTable('shares')
      .set({ revoked_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Binds a share to the client who accepted its invitation; a share has one client, once. */
  async claim(shareId: string, clientId: string, db: Db): Promise<void> {
    const share = await this.get(shareId, db);
    if (!share || share.revokedAt) throw new DomainError(410, 'invitation-used', 'This share has been revoked.');
    if (share.ownerId === clientId) throw new DomainError(409, 'own-share', 'You cannot accept your own share.');
    const res = await db
      .updateTable('shares')
      .set({ client_id: clientId, updated_at: new Date() })
      .where('id', '=', shareId)
      .where('client_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new DomainError(409, 'share-taken', 'This share has already been accepted by someone else.');
    }
  }

  /** Revoked or expired shares among these ids (how live sessions learn their share is gone). */
  async inactive(ids: string[], now: Date): Promise<Array<{ id: string; reason: 'share revoked' | 'share expired' }>> {
    if (ids.length === 0) return [];
    // One query every second for all live sessions' shares (this runs on a timer).
    const rows = await this.db
      .selectFrom('shares')
      .select(['id', 'revoked_at', 'expires_at'])
      .where('id', 'in', ids)
      .execute();
    const gone: Array<{ id: string; reason: 'share revoked' | 'share expired' }> = [];
    for (const id of ids) {
      const row = rows.find((r) => r.id === id);
      // A share deleted outright (its owner deleted) is as gone as a revoked one.
      if (!row || row.revoked_at) gone.push({ id, reason: 'share revoked' });
      else if (new Date(row.expires_at).getTime() <= now.getTime()) gone.push({ id, reason: 'share expired' });
    }
    return gone;
  }
}

/** Every share with its owner and (once accepted) its client, as one row each. */
function selectShares(db: Db) {
  return db
    .selectFrom('shares')
    .innerJoin('users as owner', 'owner.id', 'shares.owner_id')
    .leftJoin('users as client', 'client.id', 'shares.client_id')
    .select([
      'shares.id',
      'shares.owner_id as ownerId',
      'owner.display_name as ownerName',
      'owner.email as ownerEmail',
      'shares.client_email as clientEmail',
      'client.id as clientId',
      'client.display_name as clientName',
      'client.email as clientAddress',
      'shares.label',
      'shares.paths',
      'shares.expires_at as expiresAt',
      'shares.max_session_minutes as maxSessionMinutes',
      'shares.watermark',
      'shares.watermark_density as watermarkDensity',
      'shares.watermark_opacity as watermarkOpacity',
      'shares.recording',
      'shares.live_view as liveView',
      'shares.terms_text as termsText',
      'shares.terms_version as termsVersion',
      'shares.apps',
      'shares.created_at as createdAt',
      'shares.revoked_at as revokedAt',
      'shares.archived_at as archivedAt',
    ]);
}

type Row = InferResult<ReturnType<typeof selectShares>>[number];

function toRecord(r: Row): ShareRecord {
  return {
    id: r.id,
    ownerId: r.ownerId,
    ownerName: r.ownerName,
    ownerEmail: r.ownerEmail,
    clientEmail: r.clientEmail,
    client:
      r.clientId && r.clientName && r.clientAddress
        ? { id: r.clientId, displayName: r.clientName, email: r.clientAddress }
        : null,
    label: r.label,
    paths: r.paths,
    expiresAt: new Date(r.expiresAt),
    maxSessionMinutes: r.maxSessionMinutes,
    watermark: r.watermark,
    watermarkDensity: r.watermarkDensity,
    watermarkOpacity: Number(r.watermarkOpacity),
    recording: r.recording,
    liveView: r.liveView,
    terms: { text: r.termsText, version: r.termsVersion },
    apps: r.apps,
    createdAt: new Date(r.createdAt),
    revokedAt: r.revokedAt ? new Date(r.revokedAt) : null,
    archivedAt: r.archivedAt ? new Date(r.archivedAt) : null,
  };
}
