import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Sound as a viewer's page receives it, for e2e/sound.e2e.test.ts and bench/audio.ts: sample
 * media made with FFmpeg, and the lip-sync probe (when each white flash is shown and each beep
 * is rendered, on the page's clock).
 */

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);

/** `tone.mp4` (test picture, 1 kHz tone), `song.mp3` (1 kHz tone) and `flashes.mp4` into `dir`. */
export function writeSoundMedia(dir: string, flashSeconds = 14): void {
  // prettier-ignore
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=30:size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=30',
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', path.join(dir, 'tone.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=30', '-c:a', 'libmp3lame', path.join(dir, 'song.mp3')]);
  // A white flash and a beep during the first 100 ms of every second (black and silent otherwise).
  const s = flashSeconds;
  // prettier-ignore
  ffmpeg(['-f', 'lavfi', '-i', `color=c=black:s=640x360:r=30:d=${s},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t,1),0.1)'`,
    '-f', 'lavfi', '-i', `sine=frequency=1000:duration=${s},volume=volume=0:enable='gte(mod(t,1),0.1)'`,
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac', '-shortest',
    path.join(dir, 'flashes.mp4')]);
}

/**
 * Starts recording, in the viewer's page, when each flash is shown (the mean brightness of the
 * shown video jumps; `expectedDisplayTime` of requestVideoFrameCallback) and when each beep is
 * rendered (the level of the received audio track, polled every 2 ms, at the AudioContext's
 * output time). Read with `readAvProbe`.
 */
export async function installAvProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    const video: HTMLVideoElement = w.__vitrine.video;
    // The middle of the remote screen lies inside the preview's video (it fills the window below
    // the explorer's bar): black there, white during a flash.
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 16;
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const flashes: number[] = [];
    const beeps: number[] = [];
    let bright = false;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      const [w0, h0] = [video.videoWidth, video.videoHeight];
      g.drawImage(video, w0 / 2 - 8, h0 / 2 + 20, 16, 16, 0, 0, 16, 16);
      const px = g.getImageData(0, 0, 16, 16).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i]! + px[i + 1]! + px[i + 2]!;
      const mean = sum / (px.length / 4) / 3;
      if (!bright && mean > 160) flashes.push(meta.expectedDisplayTime);
      bright = bright ? mean > 96 : mean > 160;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    const ctx = new AudioContext();
    const pc: RTCPeerConnection = w.__vitrine.pc;
    const track = pc.getReceivers().find((r) => r.track.kind === 'audio')!.track;
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 256;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const block = new Float32Array(analyser.fftSize);
    let loud = false;
    const poll = () => {
      analyser.getFloatTimeDomainData(block);
      let rms = 0;
      for (const v of block) rms += v * v;
      rms = Math.sqrt(rms / block.length);
      const ts = ctx.getOutputTimestamp();
      const at = (ts.performanceTime ?? performance.now()) + ctx.outputLatency * 1000;
      if (!loud && rms > 0.05) beeps.push(at);
      loud = loud ? rms > 0.02 : rms > 0.05;
    };
    void ctx.resume().then(() => setInterval(poll, 2));
    w.__avProbe = { flashes, beeps };
  });
}

export async function readAvProbe(page: Page): Promise<{ flashes: number[]; beeps: number[] }> {
  return page.evaluate(() => {
    const p = (window as any).__avProbe as { flashes: number[]; beeps: number[] };
    return { flashes: [...p.flashes], beeps: [...p.beeps] };
  });
}

/**
 * Beep minus flash (ms) for each flash after the first `skip` (the browser lines the tracks up
 * once it has two sender reports of each), paired with the nearest beep; pairs more than 500 ms
 * apart are not pairs.
 */
export function avOffsets(flashes: readonly number[], beeps: readonly number[], skip = 3): number[] {
  return flashes
    .slice(skip)
    .map((f) => beeps.reduce((best, b) => (Math.abs(b - f) < Math.abs(best) ? b - f : best), Infinity))
    .filter((o) => Math.abs(o) < 500);
}
