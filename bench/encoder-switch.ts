/**
 * How fast an encoder change is (a congestion-control step, a viewer resize): the video pipeline
 * runs on a synthetic 1280x720 framebuffer that changes every frame, and the encoder is changed
 * eight times (alternating 800 / 3000 kbit/s). For each change: the time until the first packet of
 * the new encoder, and the longest gap in the packet flow while it takes over.
 *
 *   node bench/encoder-switch.ts [h264|vp8]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VideoPipeline } from '../server/src/media/video-pipeline.ts';
import { linearRtpClock } from '../server/src/webrtc/sender-report-clock.ts';
import { median } from './lib/stats.ts';

const codec = process.argv[2] === 'vp8' ? 'vp8' : 'h264';
const width = 1280;
const height = 720;
const length = width * height * 4;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-switch-'));
const file = path.join(dir, 'framebuffer');
fs.writeFileSync(file, Buffer.alloc(length));
const fd = fs.openSync(file, 'r+');
const stripe = Buffer.alloc(width * 4 * 16);

let lastPacketAt = performance.now();
let longestGap = 0;
let ssrc = 0;
let changedAt: number | undefined;
let ssrcBefore = 0;
const firstPacket: number[] = [];
const gaps: number[] = [];
const pipeline = new VideoPipeline({
  ffmpegPath: 'ffmpeg',
  idleStopMs: 0,
  codec,
  framerate: 30,
  bitrateKbps: 3000,
  keyframeIntervalS: 10,
  framebuffer: { path: file, offset: 0, length, width, height },
  clock: linearRtpClock(90000),
  onRtp: (packet) => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - lastPacketAt);
    lastPacketAt = now;
    ssrc = packet.readUInt32BE(8);
    if (changedAt !== undefined && ssrc !== ssrcBefore) {
      firstPacket.push(now - changedAt);
      changedAt = undefined;
    }
  },
  onFatal: (reason) => console.error(`encoder failed: ${reason}`),
  log: { warn: (o, m) => console.error(m, o), debug: () => {} },
});
try {
  await pipeline.start();
  let frame = 0;
  // A moving band of noise: every frame differs, as on a busy screen.
  const ticker = setInterval(() => {
    for (let i = 0; i < stripe.length; i++) stripe[i] = (Math.random() * 256) | 0;
    fs.writeSync(fd, stripe, 0, stripe.length, ((frame++ * 16) % height) * width * 4);
    pipeline.onScreenChanged();
  }, 33);
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < 8; i++) {
    longestGap = 0;
    ssrcBefore = ssrc;
    changedAt = performance.now();
    pipeline.reconfigure({ bitrateKbps: i % 2 ? 3000 : 800, framerate: i % 2 ? 30 : 10, scale: i % 2 ? 1 : 0.75 });
    await new Promise((r) => setTimeout(r, 1200));
    gaps.push(longestGap);
  }
  clearInterval(ticker);
  const ms = (xs: number[]) => xs.map((x) => Math.round(x)).join(' ');
  console.log(
    `| codec | change → first packet of the new encoder, median (all) | longest packet gap per change, median (all) |`,
  );
  console.log(`| --- | --- | --- |`);
  console.log(
    `| ${codec} | ${Math.round(median(firstPacket) ?? NaN)} ms (${ms(firstPacket)}) | ${Math.round(median(gaps) ?? NaN)} ms (${ms(gaps)}) |`,
  );
} finally {
  await pipeline.stop();
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
}
