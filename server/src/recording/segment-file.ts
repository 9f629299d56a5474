import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What a finished segment is: its files and the SHA-256 of each, as the audit chain keeps them. */
export interface FinishedSegment {
  index: number;
  /** The run of the stream it belongs to: a new clip starts with a keyframe (a new picture size, a new viewer). */
  clip: number;
  file: string;
  bytes: number;
  sha256: string;
  eventsFile: string;
  eventsSha256: string;
  /** Unix ms of its first and last picture; `startPts`: its first picture's 90 kHz timestamp (unwrapped). */
  startedAt: number;
  endedAt: number;
  startPts: number;
  keyframe: boolean;
  pictures: number;
}

export const segmentName = (index: number) => `seg-${String(index).padStart(6, '0')}.ts`;
export const eventsName = (index: number) => `seg-${String(index).padStart(6, '0')}.events.jsonl`;

/** The index of a segment's video or events file (`seg-000003.ts` → 3); undefined for any other name. */
export function segmentIndexOf(name: string): number | undefined {
  const m = /^seg-(\d{6})\.(ts|events\.jsonl)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * One segment being written: the video bytes are hashed as they are written (never read back)
 * and reach the disk before the segment counts as finished; its timed events are written at the
 * end, beside it. Until `finish` resolves the segment is not on the trail: a crash loses it only.
 */
export class SegmentFile {
  readonly index: number;
  readonly clip: number;
  private readonly dir: string;
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private readonly events: string[] = [];
  bytes = 0;
  pictures = 0;
  startedAt = 0;
  endedAt = 0;
  startPts = 0;
  keyframe = false;

  constructor(dir: string, index: number, clip: number) {
    this.dir = dir;
    this.index = index;
    this.clip = clip;
    this.fd = fs.openSync(path.join(dir, segmentName(index)), 'wx', 0o600);
  }

  write(bytes: Buffer): void {
    fs.writeSync(this.fd, bytes);
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  event(line: string): void {
    this.events.push(line);
  }

  async finish(): Promise<FinishedSegment> {
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (err) => (err ? reject(err) : resolve())));
    fs.closeSync(this.fd);
    const text = this.events.map((l) => `${l}\n`).join('');
    const eventsFile = eventsName(this.index);
    await fs.promises.writeFile(path.join(this.dir, eventsFile), text, { mode: 0o600, flag: 'wx' });
    return {
      index: this.index,
      clip: this.clip,
      file: segmentName(this.index),
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      eventsFile,
      eventsSha256: createHash('sha256').update(text).digest('hex'),
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      startPts: this.startPts,
      keyframe: this.keyframe,
      pictures: this.pictures,
    };
  }

  /** Closes without finishing (the recorder failed): the file stays as an unfinished segment. */
  abandon(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** SHA-256 of a file on disk (what `audit verify` compares with the trail). */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
