import { createHash } from 'node:crypto';
import type { AuditAction, AuditActorRole, AuditOutcome, AuditVerifyResult } from '@vitrine/protocol';

/**
 * The audit trail's domain core: what an event is, its canonical form, and the hash chain that
 * makes editing, removing or reordering a stored event evident. Knows nothing of SQL.
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
  prevHash: string;
  hash: string;
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
export function flatten(entry: AuditEntry, at: Date): Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash'> {
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

/** The hash of an event: over the previous event's hash and every field of its own. */
export function eventHash(e: Omit<ChainedEvent, 'hash'>): string {
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
  return createHash('sha256').update(e.prevHash).update('\n').update(content).digest('hex');
}

/** Gives flattened events their sequence numbers and hashes, continuing from `start`. */
export function chain(
  events: Array<Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash'>>,
  start: ChainStart,
): ChainedEvent[] {
  let { nextSeq, prevHash } = start;
  return events.map((e) => {
    const linked = { ...e, seq: nextSeq++, prevHash };
    const hash = eventHash(linked);
    prevHash = hash;
    return { ...linked, hash };
  });
}

/**
 * Checks a stored chain in order. Reports the first event that is missing (a gap in the
 * sequence), does not link to its predecessor, or whose content no longer matches its hash.
 */
export async function verifyChain(
  events: AsyncIterable<ChainedEvent>,
  start: ChainStart,
): Promise<Omit<AuditVerifyResult, 'checkpoint'>> {
  let expectedSeq = start.nextSeq;
  let prevHash = start.prevHash;
  let checked = 0;
  let lastSeq: number | null = null;
  const broken = (at: number, problem: string) => ({
    ok: false,
    checked,
    fromSeq: start.nextSeq,
    lastSeq,
    brokenAt: at,
    problem,
  });
  for await (const e of events) {
    if (e.seq !== expectedSeq) {
      return broken(
        expectedSeq,
        e.seq > expectedSeq
          ? `event ${expectedSeq}${e.seq - expectedSeq > 1 ? `–${e.seq - 1}` : ''} is missing`
          : `event ${e.seq} is out of order`,
      );
    }
    if (e.prevHash !== prevHash) return broken(e.seq, `event ${e.seq} does not follow event ${e.seq - 1}`);
    if (eventHash(e) !== e.hash) return broken(e.seq, `event ${e.seq} was changed after it was recorded`);
    prevHash = e.hash;
    expectedSeq++;
    checked++;
    lastSeq = e.seq;
  }
  return { ok: true, checked, fromSeq: start.nextSeq, lastSeq, brokenAt: null, problem: null };
}
