import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditTrail } from './audit-trail.ts';
import type { Anchor } from './chain.ts';

/**
 * Signed checkpoints of the chain's head, appended to a file outside the database and DATA_DIR
 * (AUDIT_CHECKPOINT_FILE). Whoever rewrites the database cannot take back what was exported: verify
 * finds each exported head in the chain, or reports the rewrite, and reports a trail that ends
 * before its newest exported head as truncated. One JSON line each:
 * `{"trail":…,"seq":…,"head":…,"at":…,"sig":…}`, signed with a key derived from the key file.
 */

interface Line {
  trail: string;
  seq: number;
  head: string;
  at: string;
  sig: string;
}

/** What verify gets from the file: this trail's checkpoints, and the first thing wrong with the file. */
export interface ExportedCheckpoints {
  anchors: Anchor[];
  problem: string | null;
}

const signed = (l: Omit<Line, 'sig'>) => `${l.trail}\n${l.seq}\n${l.head}\n${l.at}`;
const HEX64 = /^[0-9a-f]{64}$/;

function parseLine(text: string): Line | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const l = v as Partial<Line> | null;
  const ok =
    typeof l === 'object' &&
    l !== null &&
    typeof l.trail === 'string' &&
    Number.isSafeInteger(l.seq) &&
    (l.seq ?? 0) > 0 &&
    typeof l.head === 'string' &&
    HEX64.test(l.head) &&
    typeof l.at === 'string' &&
    typeof l.sig === 'string';
  return ok ? (l as Line) : undefined;
}

export class CheckpointFile {
  readonly path: string;
  private readonly trail: AuditTrail;

  constructor(file: string, trail: AuditTrail) {
    this.path = file;
    this.trail = trail;
  }

  /** Appends one signed checkpoint (O_APPEND: lines from the server and the CLI never interleave). */
  async append(head: { seq: number; hash: string }, at = new Date()): Promise<void> {
    const line: Omit<Line, 'sig'> = { trail: this.trail.id, seq: head.seq, head: head.hash, at: at.toISOString() };
    const sig = createHmac('sha256', this.trail.checkpointKey(line.trail)).update(signed(line)).digest('hex');
    await fs.promises.mkdir(path.dirname(this.path), { recursive: true, mode: 0o700 });
    await fs.promises.appendFile(this.path, `${JSON.stringify({ ...line, sig })}\n`, { mode: 0o600 });
  }

  /**
   * Reads every line back. This trail's correctly signed lines become anchors; a line that is no
   * checkpoint, one with a bad signature, or checkpoints of another trail (this database was
   * replaced, or the file is shared) make the first problem. A last line without its newline was
   * cut short by a crash while it was written: it is skipped.
   */
  async read(): Promise<ExportedCheckpoints> {
    const anchors: Anchor[] = [];
    const others = new Map<string, { count: number; newest: Line }>();
    let problem: string | null = null;
    let lineNo = 0;
    const take = (text: string) => {
      lineNo++;
      if (!text.trim()) return;
      const l = parseLine(text);
      if (!l) {
        problem ??= `line ${lineNo} of ${this.path} is not a checkpoint: the file was edited`;
        return;
      }
      const sig = createHmac('sha256', this.trail.checkpointKey(l.trail)).update(signed(l)).digest('hex');
      if (sig !== l.sig) {
        problem ??= `line ${lineNo} of ${this.path} has a bad signature: it was edited, or written with another key`;
      } else if (l.trail === this.trail.id) {
        anchors.push({ seq: l.seq, hash: l.head, at: l.at });
      } else {
        const o = others.get(l.trail) ?? { count: 0, newest: l };
        o.count++;
        if (l.seq >= o.newest.seq) o.newest = l;
        others.set(l.trail, o);
      }
    };
    let rest = '';
    try {
      for await (const chunk of fs.createReadStream(this.path, { encoding: 'utf8' })) {
        const lines = (rest + (chunk as string)).split('\n');
        rest = lines.pop()!;
        lines.forEach(take);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { anchors: [], problem: null };
      return { anchors, problem: `${this.path} cannot be read: ${(err as Error).message}` };
    }
    const [otherId, other] = [...others.entries()][0] ?? [];
    if (other && !problem) {
      problem =
        `${this.path} also holds ${other.count} checkpoint(s) of another audit trail (${otherId}; the newest covers ` +
        `event ${other.newest.seq}, exported at ${other.newest.at}): this database is not the one they were taken ` +
        'from (it was replaced or started afresh), or the file is shared with another server';
    }
    return { anchors, problem };
  }
}

/**
 * Exports the committed head: after every `everyEvents` events the writer reports, on the
 * scheduler's interval, and at a clean shutdown. Only heads already committed are exported (a
 * head that was rolled back would look like a truncation later). Failures are logged, never thrown:
 * the trail goes on being written, only less anchored.
 */
export class CheckpointExporter {
  private readonly file: CheckpointFile;
  private readonly head: () => Promise<{ seq: number; hash: string } | undefined>;
  private readonly everyEvents: number;
  private readonly log: { error(obj: object, msg: string): void };
  private last: { seq: number; hash: string } | undefined;
  private running: Promise<void> | undefined;
  private failing = false;

  constructor(
    file: CheckpointFile,
    head: () => Promise<{ seq: number; hash: string } | undefined>,
    opts: { everyEvents: number },
    log: { error(obj: object, msg: string): void },
  ) {
    this.file = file;
    this.head = head;
    this.everyEvents = opts.everyEvents;
    this.log = log;
  }

  /** The writer committed events up to `seq`. */
  afterAppend(seq: number): void {
    if (!this.running && seq - (this.last?.seq ?? 0) >= this.everyEvents) void this.export();
  }

  /** Exports the head unless it is the one exported last; resolves when done (or logged as failed). */
  export(): Promise<void> {
    // After the one under way, never instead of it: at shutdown the newest head must go out.
    const next = (this.running ?? Promise.resolve()).then(() => this.exportHead());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  private async exportHead(): Promise<void> {
    try {
      const head = await this.head();
      if (!head || (head.seq === this.last?.seq && head.hash === this.last.hash)) return;
      await this.file.append(head);
      this.last = head;
      this.failing = false;
    } catch (err) {
      // Once per failing streak: a full disk would otherwise log on every batch.
      if (!this.failing)
        this.log.error({ file: this.file.path, err: (err as Error).message }, 'could not export an audit checkpoint');
      this.failing = true;
    }
  }
}
