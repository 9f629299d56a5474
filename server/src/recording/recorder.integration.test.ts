import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VideoPipeline } from '../media/video-pipeline.ts';
import { linearRtpClock } from '../webrtc/sender-report-clock.ts';
import { SessionRecorder } from './session-recorder.ts';
import { sha256Of, type FinishedSegment } from './segment-file.ts';
import { paintRawPicture } from '../../test/raw-picture.ts';

/**
 * The real pipeline (frame pump + FFmpeg) encodes a picture file; the recorder taps its RTP as
 * the viewers would get it. What it writes must decode, at the sizes sent, with every picture.
 */
const W = 320;
const H = 240;
const dirs: string[] = [];
const stops: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const paint = (file: string, shade: number) => paintRawPicture(file, W, H, shade);

function probe(files: string[]): Array<{ width: number; height: number; pts: number }> {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'frame=width,height,pts',
      '-of',
      'json',
      `concat:${files.join('|')}`,
    ],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as { frames: Array<{ width: number; height: number; pts: number }> }).frames;
}

describe('session recorder', () => {
  it('records the sent stream into segments that decode, a new clip at each size, hashes that match', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-rec-'));
    dirs.push(dir);
    const picture = path.join(dir, 'screen.raw');
    paint(picture, 0);
    const out = path.join(dir, 'rec');
    fs.mkdirSync(out);
    const clock = linearRtpClock(90000);
    const finished: FinishedSegment[] = [];
    const failures: string[] = [];
    const recorder = new SessionRecorder({
      dir: out,
      clock,
      segmentMs: 500,
      maxBytes: 100 * 2 ** 20,
      finished: async (s) => {
        finished.push(s);
      },
      failed: (r) => failures.push(r),
    });
    let sent = 0;
    const pipeline = new VideoPipeline({
      ffmpegPath: 'ffmpeg',
      idleStopMs: 0,
      codec: 'h264',
      framerate: 30,
      bitrateKbps: 1000,
      keyframeIntervalS: 10,
      framebuffer: { path: picture, offset: 0, length: W * H * 4, width: W, height: H },
      clock,
      onRtp: (pkt) => {
        sent++;
        recorder.video(pkt);
      },
      onFatal: (r) => failures.push(r),
      log: { warn: () => {}, debug: () => {} },
    });
    stops.push(() => pipeline.stop());
    await pipeline.start();
    // The screen changes until the recorder has finished segments (a loaded machine starts encoders late).
    let shade = 0;
    const paintUntil = async (done: () => boolean, what: string) => {
      const end = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        paint(picture, ++shade * 5);
        pipeline.onScreenChanged();
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    await paintUntil(() => sent > 0 && finished.length >= 2, 'two finished segments');
    // Half the width: a new encoder at a new size, which must start a new clip.
    pipeline.resize(W / 2, H / 2);
    await paintUntil(() => finished.filter((f) => f.clip === 1).length >= 1, 'a segment of the new clip');
    recorder.event('input', { type: 'move', x: 3, y: 4 });
    await pipeline.stop();
    recorder.videoStopped();
    const totals = await recorder.stop();
    expect(failures).toEqual([]);
    expect(totals.dropped).toBe(0);
    expect(totals.segments).toBe(finished.length);
    expect(finished.map((s) => s.index)).toEqual(finished.map((_, i) => i));
    for (const s of finished) expect(await sha256Of(path.join(out, s.file))).toBe(s.sha256);
    const clips = [...new Set(finished.map((s) => s.clip))];
    expect(clips).toEqual([0, 1]);
    // Each clip starts with a keyframe; the whole recording decodes, at both sizes.
    for (const c of clips) expect(finished.find((s) => s.clip === c)!.keyframe).toBe(true);
    const frames = probe(finished.map((s) => path.join(out, s.file)));
    const pictures = finished.reduce((n, s) => n + s.pictures, 0);
    expect(frames.length).toBe(pictures);
    expect(new Set(frames.map((f) => `${f.width}x${f.height}`))).toEqual(new Set([`${W}x${H}`, `${W / 2}x${H / 2}`]));
    // Timestamps run forward and the segments' wall times follow each other.
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
    for (let i = 1; i < finished.length; i++)
      expect(finished[i]!.startedAt).toBeGreaterThanOrEqual(finished[i - 1]!.endedAt);
    const events = fs.readFileSync(path.join(out, finished.at(-1)!.eventsFile), 'utf8');
    expect(events).toContain('"kind":"input"');
  });
});
