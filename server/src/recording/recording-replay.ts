import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordingDetail, RecordingSummary } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { authorize, can, type Actor } from '../policies/policies.ts';
import type { RecordingRecord, RecordingStore, SegmentRecord } from './recording-store.ts';
import { eventsName, segmentName, sha256Of } from './segment-file.ts';
import { timelineOf } from './timeline.ts';

/** Events the time line lists at most (the earliest): an hour of clicking stays readable. */
const MAX_EVENTS = 5000;
/** Played clips kept in memory for seeking (each is a few MB): bytes at most. */
const CACHE_BYTES = 128 * 2 ** 20;

export interface ReplayDeps {
  store: RecordingStore;
  dirOf: (r: RecordingRecord) => string;
  ffmpegPath: string;
  person: (userId: string) => Promise<{ displayName: string; email: string } | undefined>;
  shareLabel: (shareId: string) => Promise<string | undefined>;
  usage: (ownerId: string) => Promise<{ usedBytes: number; budgetBytes: number }>;
}

/**
 * What an owner (or an admin) sees of recordings: the list, one recording's clips and time line,
 * and a clip as MP4 for the browser, made from its segments only after each one's SHA-256 still
 * matches what was recorded (a changed segment is refused, never played as evidence).
 */
export class RecordingReplay {
  private readonly deps: ReplayDeps;
  private readonly cache = new Map<string, Buffer>();

  constructor(deps: ReplayDeps) {
    this.deps = deps;
  }

  async list(actor: Actor, filter: { shareId?: string | undefined; sessionId?: string | undefined }) {
    authorize(actor, 'list', 'Recording', { ownerId: actor.id });
    // Admins list their own here too: the whole server's are in the audit trail.
    const rows = await this.deps.store.list({ ownerId: actor.id, ...filter });
    return {
      recordings: await Promise.all(rows.map((r) => this.summary(r))),
      usage: await this.deps.usage(actor.id),
    };
  }

  /** The recording if `actor` may see it; otherwise it does not exist (no hint to a client or another owner). */
  async get(actor: Actor, id: string, action: 'view' | 'delete' = 'view'): Promise<RecordingRecord> {
    const r = await this.deps.store.get(id);
    if (!r || !can(actor, 'view', 'Recording', { ownerId: r.ownerId })) {
      throw new DomainError(404, 'unknown-recording', 'no such recording');
    }
    authorize(actor, action, 'Recording', { ownerId: r.ownerId });
    return r;
  }

  async detail(r: RecordingRecord): Promise<RecordingDetail> {
    const segments = await this.deps.store.segments(r.id);
    const lines: Array<{ at: number; kind: 'input' | 'claim' | 'viewer' | 'control'; [k: string]: unknown }> = [];
    for (const s of segments) {
      const file = path.join(this.deps.dirOf(r), eventsName(s.index));
      const text = await fs.promises.readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          lines.push(JSON.parse(line) as (typeof lines)[number]);
        } catch {
          /* a damaged line is left out; `audit verify` names the file */
        }
      }
    }
    const { events, truncated, moves } = timelineOf(lines, MAX_EVENTS);
    return {
      ...(await this.summary(r)),
      clips: clipsOf(segments),
      events,
      eventsTruncated: truncated,
      pointerMoves: moves,
    };
  }

  /** One clip as an MP4 the browser plays and seeks in (kept a while in memory). */
  async clip(r: RecordingRecord, clip: number): Promise<Buffer> {
    const segments = (await this.deps.store.segments(r.id)).filter((s) => s.clip === clip);
    if (segments.length === 0) throw new DomainError(404, 'unknown-recording', 'no such part of the recording');
    const dir = this.deps.dirOf(r);
    for (const s of segments) {
      const file = path.join(dir, segmentName(s.index));
      const sha = await sha256Of(file).catch(() => 'missing');
      if (sha !== s.sha256) {
        throw new DomainError(
          409,
          'rejected',
          `segment ${s.index} of this recording ${sha === 'missing' ? 'is missing' : 'was changed since it was recorded'}; run "audit verify"`,
        );
      }
    }
    // Checked on every request (a few milliseconds a megabyte); only the remuxing is kept.
    const key = `${r.id}/${clip}/${segments.map((s) => s.sha256).join('')}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const mp4 = await remux(
      this.deps.ffmpegPath,
      segments.map((s) => path.join(dir, segmentName(s.index))),
    );
    this.cache.set(key, mp4);
    let total = [...this.cache.values()].reduce((n, b) => n + b.length, 0);
    for (const k of this.cache.keys()) {
      if (total <= CACHE_BYTES) break;
      total -= this.cache.get(k)!.length;
      this.cache.delete(k);
    }
    return mp4;
  }

  forget(id: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${id}/`)) this.cache.delete(k);
  }

  private async summary(r: RecordingRecord): Promise<RecordingSummary> {
    const client = await this.deps.person(r.clientId);
    return {
      id: r.id,
      sessionId: r.sessionId,
      shareId: r.shareId,
      shareLabel: r.shareId ? ((await this.deps.shareLabel(r.shareId)) ?? null) : null,
      client: client ? { displayName: client.displayName, email: client.email } : null,
      state: r.state,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      segments: r.segments,
      bytes: r.bytes,
    };
  }
}

/** Segments grouped into clips (each starts with a keyframe), with their times. */
export function clipsOf(segments: SegmentRecord[]): RecordingDetail['clips'] {
  const clips = new Map<number, { clip: number; startedAt: Date; endedAt: Date; segments: number }>();
  for (const s of segments) {
    const c = clips.get(s.clip);
    if (!c) clips.set(s.clip, { clip: s.clip, startedAt: s.startedAt, endedAt: s.endedAt, segments: 1 });
    else {
      c.endedAt = s.endedAt;
      c.segments++;
    }
  }
  return [...clips.values()].map((c) => ({
    ...c,
    startedAt: c.startedAt.toISOString(),
    endedAt: c.endedAt.toISOString(),
  }));
}

/**
 * The clip's transport-stream segments, in order, as one MP4 (no re-encoding: the bytes the
 * client was sent). FFmpeg needs a seekable file to put the index first, so it writes into a
 * private temporary folder that is removed at once.
 */
async function remux(ffmpegPath: string, files: string[]): Promise<Buffer> {
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vitrine-clip-'));
  const out = path.join(tmp, 'clip.mp4');
  try {
    const ff = spawn(
      ffmpegPath,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'mpegts',
        '-i',
        'pipe:0',
        '-c',
        'copy',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        out,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    ff.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    ff.stdin.on('error', () => {});
    const exited = new Promise<number | null>((resolve) => ff.on('close', resolve));
    for (const f of files) {
      for await (const chunk of fs.createReadStream(f)) {
        if (!ff.stdin.write(chunk)) await new Promise((r) => ff.stdin.once('drain', r));
      }
    }
    ff.stdin.end();
    const code = await exited;
    if (code !== 0) throw new Error(`could not prepare the recording for playing: ${stderr.trim().split('\n').pop()}`);
    return await fs.promises.readFile(out);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
