import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VideoPipeline } from './video-pipeline.ts';
import { linearRtpClock } from '../webrtc/sender-report-clock.ts';
import { ffmpegProcesses, waitFor } from '../../test/helpers.ts';
import { paintRawPicture } from '../../test/raw-picture.ts';

/**
 * The real pipeline (frame pump + FFmpeg) on a picture file: a still picture's encoders stop,
 * and the next change, input or keyframe request brings the stream back, keyframe first and
 * with no break in the viewer's sequence numbers.
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

/** H.264 NAL unit types an RTP packet carries (single NAL, STAP-A, or an FU-A's start). */
function nalTypes(pkt: Buffer): number[] {
  const payload = pkt.subarray(12 + 4 * (pkt[0]! & 0x0f));
  const type = payload[0]! & 0x1f;
  if (type === 28) return payload[1]! & 0x80 ? [payload[1]! & 0x1f] : [];
  if (type !== 24) return [type];
  const types: number[] = [];
  for (let at = 1; at + 2 < payload.length;) {
    const size = payload.readUInt16BE(at);
    types.push(payload[at + 2]! & 0x1f);
    at += 2 + size;
  }
  return types;
}

const IDR = 5;
const alive = (pids: number[]) => pids.filter((pid) => fs.existsSync(`/proc/${pid}`));

async function startPipeline(idleStopMs: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-idle-'));
  dirs.push(dir);
  const picture = path.join(dir, 'screen.raw');
  paint(picture, 0);
  const packets: Buffer[] = [];
  const failures: string[] = [];
  const pipeline = new VideoPipeline({
    ffmpegPath: 'ffmpeg',
    idleStopMs,
    codec: 'h264',
    framerate: 30,
    bitrateKbps: 1000,
    keyframeIntervalS: 10,
    framebuffer: { path: picture, offset: 0, length: W * H * 4, width: W, height: H },
    clock: linearRtpClock(90000),
    onRtp: (pkt) => packets.push(Buffer.from(pkt)),
    onFatal: (r) => failures.push(r),
    log: { warn: () => {}, debug: () => {} },
  });
  stops.push(() => pipeline.stop());
  await pipeline.start();
  await waitFor('the first packets', () => packets.length > 0, 15_000);
  return { pipeline, packets, picture, failures };
}

/** Waits for the encoders to stop on the still picture; returns their (now gone) pids. */
async function untilIdle(pipeline: VideoPipeline): Promise<void> {
  await waitFor('the encoders stopped', () => pipeline.stats.idleStops > 0 && pipeline.processes.length === 0, 20_000);
}

describe('video pipeline on a still picture', () => {
  it('stops its encoders, sends nothing, and a change brings a keyframe on the same sequence', async () => {
    const { pipeline, packets, picture, failures } = await startPipeline(1500);
    const encoders = [...pipeline.processes];
    expect(encoders.length).toBeGreaterThan(0);
    await untilIdle(pipeline);
    await waitFor('the encoder processes gone', () => alive(encoders).length === 0, 5000);
    const sentBefore = packets.length;
    // Still and idle: nothing is encoded or sent (the keep-alive refresh stopped too).
    await new Promise((r) => setTimeout(r, 2500));
    expect(packets.length).toBe(sentBefore);

    paint(picture, 99);
    pipeline.onScreenChanged();
    await waitFor('packets again', () => packets.length > sentBefore, 15_000);
    const last = packets[sentBefore - 1]!;
    const next = packets[sentBefore]!;
    expect(next.readUInt16BE(2)).toBe((last.readUInt16BE(2) + 1) & 0xffff);
    expect(((next.readUInt32BE(4) - last.readUInt32BE(4)) | 0) > 0).toBe(true);
    await waitFor('a keyframe', () => packets.slice(sentBefore).some((p) => nalTypes(p).includes(IDR)), 5000);
    expect(pipeline.stats.wakes).toBe(1);
    expect(failures).toEqual([]);
  }, 60_000);

  it('starts an encoder on input before anything changes; serves a joining viewer, not a stale loss report, while stopped', async () => {
    const { pipeline, packets } = await startPipeline(1500);
    await untilIdle(pipeline);
    pipeline.wake();
    expect(pipeline.processes.length).toBeGreaterThan(0);
    // Woken without a change: the fresh encoder's keyframe comes with the next refresh, and is
    // topped off (more than one frame), because it is blurrier than what the viewer had.
    const woken = packets.length;
    await waitFor('the refreshed picture', () => pipeline.stats.framesRefined > 0 && packets.length > woken, 15_000);
    await untilIdle(pipeline);
    expect(pipeline.stats.idleStops).toBe(2);

    // A viewer's picture-loss request while stopped (a browser's 3 s frame timeout) is not served.
    pipeline.pictureLost();
    expect(pipeline.processes).toEqual([]);
    expect(pipeline.stats.idleLossRequests).toBe(1);
    const sentBefore = packets.length;
    pipeline.requestKeyframe(); // a viewer joining
    await waitFor('a keyframe', () => packets.slice(sentBefore).some((p) => nalTypes(p).includes(IDR)), 15_000);
  }, 60_000);

  it("counts the still time from its own start, not from the app's last draw", async () => {
    // The app drew before anyone watched (no change since the pipeline started): the viewer still
    // gets its refreshes for the whole idle time before the encoders stop.
    const startedAt = performance.now();
    const { pipeline } = await startPipeline(4000);
    await untilIdle(pipeline);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(4000);
  }, 30_000);

  it('shows new stamps (a watermark change) at once while stopped, from one fresh encoder', async () => {
    const { pipeline, packets } = await startPipeline(1500);
    await untilIdle(pipeline);
    const sentBefore = packets.length;
    // What a resize or a watermark change lands in (capture): here half the size.
    pipeline.resize(W / 2, H / 2);
    await waitFor('a keyframe', () => packets.slice(sentBefore).some((p) => nalTypes(p).includes(IDR)), 15_000);
    expect(pipeline.stats.wakes).toBe(1);
    expect(ffmpegProcesses(pipeline.processes)).toHaveLength(1);
  }, 30_000);

  it('keeps its encoder when told never to stop (idleStopMs 0)', async () => {
    const { pipeline, packets } = await startPipeline(0);
    const sent = packets.length;
    await waitFor('keep-alive refreshes', () => packets.length > sent && pipeline.stats.framesEncoded >= 3, 10_000);
    expect(pipeline.stats.idleStops).toBe(0);
    expect(pipeline.processes.length).toBeGreaterThan(0);
  }, 30_000);
});
