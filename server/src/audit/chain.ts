import { createHash, createHmac } from 'node:crypto';
import type { AuditAction, AuditActorRole, AuditOutcome, AuditProblemKind } from '@vitrine/protocol';

/**
 * The audit trail's domain core: what an event is, its canonical form, and the chain that makes
 * editing, removing or reordering a stored event evident. Each event is sealed over the previous
 * seal and its own content: a keyed MAC (HMAC-SHA-256, `SCHEME_HMAC`) whose key lives outside the
 * database, or, for events recorded before the trail had a key, a plain SHA-256 hash
 * (`SCHEME_SHA256`: anyone with write access could recompute those). Knows nothing of SQL or files.
 */

/** One thing that happened, as its recorder describes it. */
export interface AuditEntry {
  actor: { id: string | null; role: AuditActorRole };
  /** One of the protocol's AUDIT_ACTIONS. */
  action: AuditAction;
  target?: { type: string; id?: string | null; path?: string | null } | undefined;
  outcome: AuditOutcome;
  reason?: string | null | undefined;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  correlationId?: string | null | undefined;
  /** The owner whose files, shares or clients this is about (what scopes an owner's view). */
  ownerId?: string | null | undefined;
  shareId?: string | null | undefined;
  sessionId?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** An event as stored: flat, every field present, chained to the one before it. */
export interface ChainedEvent {
  seq: number;
  at: Date;
  actorId: string | null;
  actorRole: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetPath: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  correlationId: string | null;
  ownerId: string | null;
  shareId: string | null;
  sessionId: string | null;
  /** Canonical JSON text. */
  detail: string;
  /** How `hash` was made: SCHEME_SHA256 (before the trail had a key) or SCHEME_HMAC. */
  scheme: number;
  prevHash: string;
  hash: string;
}

/** An event before it has its place in the chain (what the writer queues). */
export type FlatEvent = Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash' | 'scheme'>;

/** Plain SHA-256 over the previous hash and the content: events recorded before the trail had a key. */
export const SCHEME_SHA256 = 1;
/** HMAC-SHA-256 under the trail's chain key: what every event gets once the trail is keyed. */
export const SCHEME_HMAC = 2;

/**
 * The trail's key as the chain sees it: a MAC under the chain key, and the first event that must
 * carry one (every event before it was recorded under SCHEME_SHA256).
 */
export interface ChainSeal {
  keyedFrom: number;
  mac(data: string): string;
}

/** A ChainSeal from a chain key (derived from the key file by the caller). */
export function hmacSeal(chainKey: Buffer, keyedFrom: number): ChainSeal {
  return { keyedFrom, mac: (data) => createHmac('sha256', chainKey).update(data).digest('hex') };
}

/** A head of the chain exported outside the database (the checkpoint file), as verify reads it back. */
export interface Anchor {
  seq: number;
  hash: string;
  /** When it was exported (ISO text, for messages). */
  at: string;
}

/** Where a chain starts: nothing before it, or the last event a retention purge removed. */
export interface ChainStart {
  nextSeq: number;
  prevHash: string;
}

export const GENESIS: ChainStart = { nextSeq: 1, prevHash: '0'.repeat(64) };

const MAX_TEXT = 1000;
const MAX_PATH = 4096;
const MAX_DETAIL_BYTES = 16 * 1024;

/** JSON with object keys sorted at every level, so equal content always has equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Text as PostgreSQL stores it unchanged (no NUL, no lone surrogates), so its hash still matches when read back. */
const clip = (s: string | null | undefined, max = MAX_TEXT) =>
  s == null ? null : s.slice(0, max).toWellFormed().replaceAll('\0', '\uFFFD');

/** The stored form of an entry, before it gets its place in the chain. */
export function flatten(entry: AuditEntry, at: Date): FlatEvent {
  let detail = canonicalJson(entry.detail ?? {});
  if (Buffer.byteLength(detail) > MAX_DETAIL_BYTES) {
    detail = canonicalJson({ truncated: true, bytes: Buffer.byteLength(detail) });
  }
  return {
    at: new Date(at.getTime()),
    actorId: clip(entry.actor.id),
    actorRole: entry.actor.role,
    action: entry.action,
    targetType: clip(entry.target?.type),
    targetId: clip(entry.target?.id),
    targetPath: clip(entry.target?.path, MAX_PATH),
    outcome: entry.outcome,
    reason: clip(entry.reason),
    ip: clip(entry.ip, 64),
    userAgent: clip(entry.userAgent, 300),
    correlationId: clip(entry.correlationId, 100),
    ownerId: clip(entry.ownerId),
    shareId: clip(entry.shareId),
    sessionId: clip(entry.sessionId),
    detail,
  };
}

/** What is sealed: the previous seal, then every field of the event, its place in the chain included. */
function sealedText(e: Omit<ChainedEvent, 'hash' | 'scheme'>): string {
  const content = JSON.stringify([
    e.seq,
    e.at.toISOString(),
    e.actorId,
    e.actorRole,
    e.action,
    e.targetType,
    e.targetId,
    e.targetPath,
    e.outcome,
    e.reason,
    e.ip,
    e.userAgent,
    e.correlationId,
    e.ownerId,
    e.shareId,
    e.sessionId,
    e.detail,
  ]);
  return `${e.prevHash}\n${content}`;
}

/** The old rule, kept to check events recorded before the trail had a key: anyone can recompute it. */
export function eventHash(e: Omit<ChainedEvent, 'hash' | 'scheme'>): string {
  return createHash('sha256').update(sealedText(e)).digest('hex');
}

/** The keyed seal of an event: only a holder of the chain key can make it. */
export function eventMac(e: Omit<ChainedEvent, 'hash' | 'scheme'>, seal: ChainSeal): string {
  return seal.mac(sealedText(e));
}

/** Gives flattened events their sequence numbers and keyed seals, continuing from `start`. */
export function chain(events: FlatEvent[], start: ChainStart, seal: ChainSeal): ChainedEvent[] {
  let { nextSeq, prevHash } = start;
  return events.map((e) => {
    const linked = { ...e, seq: nextSeq++, prevHash };
    const hash = eventMac(linked, seal);
    prevHash = hash;
    return { ...linked, scheme: SCHEME_HMAC, hash };
  });
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  fromSeq: number;
  lastSeq: number | null;
  brokenAt: number | null;
  problem: string | null;
  problemKind: AuditProblemKind | null;
  /** Exported checkpoints found in the chain as they were exported. */
  anchorsMatched: number;
}

/**
 * Checks a stored chain in order, then against the checkpoints exported outside the database.
 * Reports the first event that is missing (a gap), out of order, not linked to its predecessor,
 * sealed under the wrong scheme, or whose content no longer matches its seal; then an exported
 * checkpoint the chain no longer holds (rewritten up to there), or one beyond its end (its newest
 * events were removed). Without `seal` (a trail never keyed) every event must be SCHEME_SHA256.
 */
export async function verifyChain(
  events: AsyncIterable<ChainedEvent>,
  opts: { start: ChainStart; seal: ChainSeal | null; anchors?: readonly Anchor[] },
): Promise<ChainVerdict> {
  const { start, seal } = opts;
  const anchors = new Map<number, Anchor>();
  for (const a of opts.anchors ?? []) {
    // Two exports of one head agree; keep the first, the later one is checked through it.
    if (!anchors.has(a.seq)) anchors.set(a.seq, a);
  }
  let expectedSeq = start.nextSeq;
  let prevHash = start.prevHash;
  let checked = 0;
  let anchorsMatched = 0;
  let lastSeq: number | null = null;
  const verdict = (brokenAt: number | null, problemKind: AuditProblemKind | null, problem: string | null) => ({
    ok: problemKind === null,
    checked,
    fromSeq: start.nextSeq,
    lastSeq,
    brokenAt,
    problem,
    problemKind,
    anchorsMatched,
  });
  // A checkpoint of the event just before the start (the last one a retention purge removed).
  const before = anchors.get(start.nextSeq - 1);
  if (before && before.hash !== start.prevHash) {
    return verdict(
      before.seq,
      'anchor-mismatch',
      `event ${before.seq} does not match the checkpoint exported at ${before.at}`,
    );
  }
  for await (const e of events) {
    if (e.seq !== expectedSeq) {
      return e.seq > expectedSeq
        ? verdict(
            expectedSeq,
            'gap',
            `event ${expectedSeq}${e.seq - expectedSeq > 1 ? `–${e.seq - 1}` : ''} is missing`,
          )
        : verdict(expectedSeq, 'order', `event ${e.seq} is out of order`);
    }
    if (e.prevHash !== prevHash) {
      return verdict(e.seq, 'link', `event ${e.seq} does not follow event ${e.seq - 1}`);
    }
    const keyed = seal !== null && e.seq >= seal.keyedFrom;
    if (e.scheme !== (keyed ? SCHEME_HMAC : SCHEME_SHA256)) {
      return verdict(
        e.seq,
        'unkeyed',
        keyed
          ? `event ${e.seq} was changed after it was recorded: it carries a plain hash, but every event from ${seal.keyedFrom} on is sealed with the key`
          : `event ${e.seq} claims a keyed seal, but ${seal ? `the trail was keyed only from event ${seal.keyedFrom}` : 'the trail has no key record'}`,
      );
    }
    if ((keyed ? eventMac(e, seal) : eventHash(e)) !== e.hash) {
      return verdict(
        e.seq,
        'rewritten',
        keyed
          ? `event ${e.seq} was changed after it was recorded (its keyed MAC does not match: the chain was rewritten)`
          : `event ${e.seq} was changed after it was recorded`,
      );
    }
    const anchor = anchors.get(e.seq);
    if (anchor) {
      if (anchor.hash !== e.hash) {
        return verdict(
          e.seq,
          'anchor-mismatch',
          `event ${e.seq} does not match the checkpoint exported at ${anchor.at}: the trail was rewritten or cut back to before it, then continued`,
        );
      }
      anchorsMatched++;
    }
    prevHash = e.hash;
    expectedSeq++;
    checked++;
    lastSeq = e.seq;
  }
  const end = expectedSeq - 1;
  let newest: Anchor | undefined;
  for (const a of anchors.values()) if (a.seq > end && (!newest || a.seq > newest.seq)) newest = a;
  if (newest) {
    return verdict(
      end + 1,
      'truncated',
      `the newest events were removed: the checkpoint exported at ${newest.at} covers event ${newest.seq}, the trail ends at ${end > 0 ? `event ${end}` : 'no event'} (event ${end + 1}${newest.seq > end + 1 ? `–${newest.seq}` : ''} missing)`,
    );
  }
  return verdict(null, null, null);
}
