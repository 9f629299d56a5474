import fs from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';

/** Claims kept waiting at most; beyond it they go to the trail unjournaled (the audit log counts its own losses). */
const MAX_PENDING = 10_000;
const SESSION_ID = /^[\w-]{1,64}$/;

/** Where the server keeps claim journals (one file per session with claims not yet stored). */
export function claimJournalDir(dataDir: string): string {
  return path.join(dataDir, 'journal', 'claims');
}

interface Line {
  n?: number;
  at?: string;
  entry?: AuditEntry;
  stored?: number;
}

/**
 * A session's app claims from the moment they are received until they are on the audit trail.
 * The trail batches claims for a moment before writing them, and a server killed in that moment
 * lost them silently (10 of 40 in issue 16). Each claim is written to this file first, with one
 * write(2) that the kernel keeps even if the process dies right after; once stored on the trail
 * it is marked so, and the file is emptied whenever nothing is waiting. The next start puts what
 * was still waiting on the trail (`replayClaimJournals`). It survives a killed server, not a lost
 * machine (no fsync: the trail's own batching has the same exposure).
 */
export class ClaimJournal {
  private readonly file: string;
  private fd: number | undefined;
  private next = 1;
  private readonly pending = new Set<number>();
  private closing = false;

  constructor(dir: string, sessionId: string) {
    if (!SESSION_ID.test(sessionId)) throw new Error(`not a session id: ${sessionId}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, `${sessionId}.jsonl`);
    this.fd = fs.openSync(this.file, 'a', 0o600);
  }

  /** Keeps the claim until `stored(n)`; returns n, or undefined when it could not be kept. */
  write(entry: AuditEntry, at: string): number | undefined {
    if (this.fd === undefined || this.pending.size >= MAX_PENDING) return undefined;
    const n = this.next++;
    try {
      fs.writeSync(this.fd, JSON.stringify({ n, at, entry }) + '\n');
    } catch {
      return undefined;
    }
    this.pending.add(n);
    return n;
  }

  /** The claim is on the trail (or in the audit log's own hands): it need not be replayed. */
  stored(n: number | undefined): void {
    if (n === undefined || !this.pending.delete(n) || this.fd === undefined) return;
    try {
      if (this.pending.size > 0) fs.writeSync(this.fd, JSON.stringify({ stored: n }) + '\n');
      // Nothing waiting: the file starts over (appends go to the new end), so it never grows.
      else fs.ftruncateSync(this.fd, 0);
    } catch {
      // A claim marked nowhere is replayed after a crash, flagged as recovered: better than lost.
    }
    if (this.closing && this.pending.size === 0) this.remove();
  }

  /** The session ended: the file goes once every claim is stored. */
  close(): void {
    this.closing = true;
    if (this.pending.size === 0) this.remove();
  }

  private remove(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * At start-up, before anything else is recorded: puts on the trail every claim a killed server
 * had received but not stored (as `app.claim`, with `recovered` and the time it was received),
 * then removes the journals. A line cut short (a lost machine) is recorded as events lost.
 */
export async function replayClaimJournals(deps: {
  dir: string;
  audit: { record(entry: AuditEntry): Promise<void> };
  log: { warn(obj: object, msg: string): void };
}): Promise<number> {
  let names: string[];
  try {
    names = fs.readdirSync(deps.dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return 0;
  }
  let replayed = 0;
  for (const name of names) {
    const file = path.join(deps.dir, name);
    const { waiting, unreadable } = readJournal(fs.readFileSync(file, 'utf8'));
    for (const { at, entry } of waiting) {
      await deps.audit.record({ ...entry, detail: { ...entry.detail, recovered: 'server crash', receivedAt: at } });
      replayed++;
    }
    if (unreadable) {
      await deps.audit.record({
        actor: { id: null, role: 'system' },
        action: 'audit.events-lost',
        outcome: 'failed',
        reason: 'claims journal damaged',
        sessionId: name.slice(0, -'.jsonl'.length),
        detail: { count: unreadable },
      });
    }
    fs.rmSync(file, { force: true });
  }
  if (replayed) deps.log.warn({ claims: replayed }, 'recorded app claims a crashed run had not stored');
  return replayed;
}

function readJournal(text: string): { waiting: Array<{ at: string; entry: AuditEntry }>; unreadable: number } {
  const claims = new Map<number, { at: string; entry: AuditEntry }>();
  let unreadable = 0;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      unreadable++;
      continue;
    }
    if (typeof line.stored === 'number') claims.delete(line.stored);
    else if (typeof line.n === 'number' && line.entry && typeof line.at === 'string')
      claims.set(line.n, { at: line.at, entry: line.entry });
  }
  return { waiting: [...claims.values()], unreadable };
}
