import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionInfo } from '@vitrine/protocol';
import { api, processesMentioning, sessionProcesses, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

let server: TestServer;
let appsRoot: string;
beforeAll(async () => {
  appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  const beeper = path.join(appsRoot, 'beeper');
  fs.mkdirSync(beeper);
  // A 1 kHz tone for 1 s every 3 s, played through the session's sound server (PULSE_SERVER).
  fs.writeFileSync(
    path.join(beeper, 'run.sh'),
    [
      '#!/bin/sh',
      'set -eu',
      'while true; do pacat --format=s16le --rate=48000 --channels=2 /app/tone.raw; sleep 2; done',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  execFileSync(
    'ffmpeg',
    ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=1'].concat([
      '-ac',
      '2',
      '-ar',
      '48000',
      '-f',
      's16le',
      path.join(beeper, 'tone.raw'),
    ]),
  );
  fs.writeFileSync(
    path.join(beeper, 'manifest.json'),
    JSON.stringify({ name: 'Beeper', version: '1', type: 'x11', binary: 'run.sh', audio: true }),
  );
  const quiet = path.join(appsRoot, 'quiet');
  fs.mkdirSync(quiet);
  // Tries to play anyway: without `audio` in its manifest there is nothing to play to.
  fs.writeFileSync(
    path.join(quiet, 'run.sh'),
    '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do pacat /dev/zero --raw 2>>/tmp/pacat.err & sleep 1; done\nsleep 600\n',
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(quiet, 'manifest.json'),
    JSON.stringify({ name: 'Quiet', version: '1', type: 'x11', binary: 'run.sh' }),
  );
  server = await startTestServer({ APPS_ROOT: appsRoot });
}, 120_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

const sessionDir = (id: string) => path.join(server.runtimeDir, 'sessions', id);
const opusEncoders = (id: string) =>
  processesMentioning(path.join(sessionDir(id), 'opus.sdp')).filter((p) => p.cmd.startsWith('ffmpeg'));

/** A viewer that keeps what arrives on its audio track. */
function listen(id: string) {
  const viewer = new WeriftViewer(server.owner, id);
  const audio: Array<{ at: number; timestamp: number; sequence: number; marker: boolean; bytes: number }> = [];
  viewer.pc.onTrack.subscribe((track) => {
    if (track.kind !== 'audio') return;
    track.onReceiveRtp.subscribe((rtp) =>
      audio.push({
        at: performance.now(),
        timestamp: rtp.header.timestamp,
        sequence: rtp.header.sequenceNumber,
        marker: rtp.header.marker,
        bytes: rtp.payload.length,
      }),
    );
  });
  return { viewer, audio };
}

it('a session of an app with sound gets a sound server and an Opus stream only while it plays; teardown leaves nothing', async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'beeper' });
  const { viewer, audio } = listen(body.id);
  const offer = await waitFor('offer', () => viewer.messages.find((m) => m.type === 'offer')).catch(
    async (err: Error) => {
      throw new Error(
        `${err.message}: ${JSON.stringify(viewer.messages)} ${JSON.stringify((await api(server.owner, 'GET', `/api/sessions/${body.id}`)).body)}`,
      );
    },
  );
  expect(offer.type === 'offer' && offer.sdp).toMatch(/m=audio [\s\S]*a=sendonly[\s\S]*opus\/48000\/2/i);
  // The sound server runs inside the session's sandbox, with only its unix socket.
  const inside = sessionProcesses(server.runtimeDir, body.id);
  expect(inside.some((p) => p.cmd.startsWith('pulseaudio'))).toBe(true);
  expect(inside.find((p) => p.cmd.startsWith('pulseaudio'))!.cmd).not.toMatch(/tcp|zeroconf|source/);
  // Two tones (1 s every 3 s): 20 ms Opus packets, numbered without a hole; within a talkspurt
  // the timestamp advances by one packet's samples, and a talkspurt after a pause (the marker
  // bit) starts where the time that passed puts it. In between nothing is sent.
  const spurtStarts = () => audio.filter((p, i) => i > 0 && p.marker).length;
  await waitFor(
    'three talkspurts',
    () => spurtStarts() >= 3 && audio.length > audio.findLastIndex((p) => p.marker) + 40,
    30_000,
  );
  expect(opusEncoders(body.id)).toHaveLength(1);
  for (let i = 1; i < audio.length; i++) {
    const [a, b] = [audio[i - 1]!, audio[i]!];
    expect((b.sequence - a.sequence) & 0xffff).toBe(1);
    const ticks = (b.timestamp - a.timestamp) >>> 0;
    if (!b.marker) expect(ticks).toBe(960);
    else expect(ticks / 48).toBeGreaterThan(500); // a pause of at least the silence kept
  }
  // Talkspurts start as far apart on the timestamps as they arrived (the beeper's period, ≈ 3 s),
  // within what encoding on a loaded machine adds to some of them.
  const starts = audio.filter((p, i) => i > 0 && p.marker);
  for (let i = 1; i < starts.length; i++) {
    const [a, b] = [starts[i - 1]!, starts[i]!];
    expect(Math.abs(((b.timestamp - a.timestamp) >>> 0) / 48 - (b.at - a.at))).toBeLessThan(500);
    expect(((b.timestamp - a.timestamp) >>> 0) / 48).toBeGreaterThan(2500);
  }
  const lastSpurt = audio.slice(
    audio.findLastIndex((p) => p.marker),
    audio.findLastIndex((p) => p.marker) + 40,
  );
  // A tone is far larger than silence (a few bytes a packet).
  expect(lastSpurt.filter((p) => p.bytes > 60).length).toBeGreaterThan(30);
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  await waitFor(
    'everything of the session gone',
    () =>
      sessionProcesses(server.runtimeDir, body.id).length === 0 &&
      opusEncoders(body.id).length === 0 &&
      !fs.existsSync(sessionDir(body.id)),
  );
  await viewer.close();
}, 60_000);

it('a session of an app without sound gets no sound server, no encoder and no audio track', async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'quiet' });
  const { viewer, audio } = listen(body.id);
  const offer = await waitFor('offer', () => viewer.messages.find((m) => m.type === 'offer'));
  expect(offer.type === 'offer' && offer.sdp).not.toMatch(/m=audio/);
  await waitFor(
    'streaming',
    async () => (await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${body.id}`)).body.state === 'streaming',
  );
  await new Promise((r) => setTimeout(r, 2000)); // the app tries to play for a while
  expect(fs.existsSync(path.join(sessionDir(body.id), 'audio'))).toBe(false);
  expect(sessionProcesses(server.runtimeDir, body.id).some((p) => p.cmd.includes('pulseaudio'))).toBe(false);
  expect(opusEncoders(body.id)).toHaveLength(0);
  expect(audio).toHaveLength(0);
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  await viewer.close();
}, 30_000);
