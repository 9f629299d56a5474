import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioPipeline } from './audio-pipeline.ts';
import { sinkPipe } from './sound-server.ts';
import { waitFor } from '../../test/helpers.ts';

/**
 * The real Opus encoder (FFmpeg) behind a real FIFO standing for the sandbox's sink: with a viewer
 * there and nothing playing it stops after `idleStopMs`; sound, or input, starts it again.
 */
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function pipelineWithSink(idleStopMs: number, sinkLate = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-audio-'));
  const pipe = sinkPipe(dir);
  fs.mkdirSync(path.dirname(pipe), { recursive: true });
  if (!sinkLate) execFileSync('mkfifo', [pipe]);
  const packets: Buffer[] = [];
  const audio = new AudioPipeline({
    ffmpegPath: 'ffmpeg',
    sessionDir: dir,
    bitrateKbps: 64,
    idleStopMs,
    onRtp: (pkt) => packets.push(Buffer.from(pkt)),
    log: { warn: () => {}, debug: () => {} },
  });
  await audio.start();
  // The sound server makes its pipe after the session started (a loaded machine): read once there.
  if (sinkLate) execFileSync('mkfifo', [pipe]);
  // The sink's side, once the pipeline reads it (opening a FIFO's write end without a reader fails
  // with ENXIO when non-blocking); writes then block as the sound server's would.
  const writer = await waitFor('the pipeline reading the pipe', () => {
    try {
      return fs.openSync(pipe, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
  });
  stops.push(async () => {
    await audio.stop();
    fs.closeSync(writer);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  /** 100 ms of a 440 Hz tone, 48 kHz stereo s16le. */
  const tone = () => {
    const frames = 4800;
    const pcm = Buffer.alloc(frames * 4);
    for (let i = 0; i < frames; i++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    }
    try {
      fs.writeSync(writer, pcm);
    } catch (err) {
      // A full pipe (the reader behind): this chunk is dropped, as a real-time writer would.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  };
  return { audio, packets, tone };
}

describe('audio pipeline with a viewer and nothing playing', () => {
  it('stops its encoder after the idle time; sound starts it again and reaches the viewer', async () => {
    const { audio, packets, tone } = await pipelineWithSink(800);
    audio.setListening(true);
    expect(audio.processes).toHaveLength(1);
    await waitFor('the silent encoder stopped', () => audio.processes.length === 0, 10_000);
    expect(packets).toHaveLength(0);

    tone();
    await waitFor('an encoder again', () => audio.processes.length === 1, 5000);
    const sound = setInterval(tone, 100);
    try {
      await waitFor('Opus packets', () => packets.length > 5, 15_000);
    } finally {
      clearInterval(sound);
    }
    expect(audio.stats.encoderStarts).toBe(2);
    await waitFor('stopped again once quiet', () => audio.processes.length === 0, 10_000);
  }, 40_000);

  it('reads a sink whose pipe appears after the session started', async () => {
    const { audio, packets, tone } = await pipelineWithSink(0, true);
    audio.setListening(true);
    const sound = setInterval(tone, 100);
    try {
      await waitFor('Opus packets', () => packets.length > 5, 15_000);
    } finally {
      clearInterval(sound);
    }
  }, 30_000);

  it('starts a stopped encoder on input, before any sound', async () => {
    const { audio } = await pipelineWithSink(800);
    audio.setListening(true);
    await waitFor('the silent encoder stopped', () => audio.processes.length === 0, 10_000);
    audio.wake();
    expect(audio.processes).toHaveLength(1);
    audio.setListening(false);
    audio.wake(); // nobody listening: nothing to start
    expect(audio.processes).toHaveLength(0);
  }, 20_000);

  it('keeps its encoder while a viewer is there when told never to stop (0)', async () => {
    const { audio } = await pipelineWithSink(0);
    audio.setListening(true);
    const started = audio.processes[0];
    await new Promise((r) => setTimeout(r, 1500));
    expect(audio.processes).toEqual([started]);
  }, 20_000);
});
