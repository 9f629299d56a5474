import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bwrapArgs, type SandboxPolicy } from '../sandbox/sandbox.ts';
import { Manifest } from '../apps/manifest.ts';
import { isSilent } from './audio-pipeline.ts';
import { AudioTimeline, GAP_MS, RESYNC_MS, RESYNC_WINDOW_MS } from './audio-timeline.ts';
import { assertReceiveOnlyAudio } from './answer-audio.ts';
import { opusArgs } from './opus-encoder.ts';
import { AUDIO_FORMAT, AUDIO_MOUNT, SOUND_SOCKET, SOUND_SERVER_SCRIPT } from './sound-server.ts';

describe('AudioTimeline', () => {
  const frames = (ms: number) => (ms * 48000) / 1000;

  it('stamps a stretch of sound from when it played, one tick per sample', () => {
    const t = new AudioTimeline(48000, 1000);
    // 5 ms chunks arriving in real time from t = 100 ms: the first played from 95 ms.
    for (let i = 0; i < 20; i++) expect(t.feed(frames(5), 100 + 5 * i)).toBe(i === 0);
    expect(t.timestampOf(0, undefined)).toEqual({ timestamp: t.rtpAt(95), first: true });
    expect(t.timestampOf(960, 0)).toEqual({ timestamp: t.rtpAt(95) + 960, first: false });
  });

  it('a chunk read late (a busy server) stays in its stretch: it is larger, not later', () => {
    const t = new AudioTimeline(48000, 0);
    t.feed(frames(5), 100);
    expect(t.feed(frames(300), 400)).toBe(false);
    expect(t.timestampOf(frames(305) - 960, 0)!.first).toBe(false);
  });

  it('sound after a pause starts a new stretch on the clock, never overlapping the last', () => {
    const t = new AudioTimeline(48000, 7, 10);
    t.feed(frames(20), 120);
    expect(t.startsStretch(frames(5), 120 + GAP_MS)).toBe(false);
    expect(t.startsStretch(frames(5), 2000)).toBe(true);
    expect(t.feed(frames(5), 2000)).toBe(true);
    const next = t.timestampOf(frames(20), 0)!;
    expect(next).toEqual({ timestamp: t.rtpAt(2000 - 5 + 10), first: true });
    // A big chunk right after a short stretch cannot reach back before that stretch's end.
    const u = new AudioTimeline(48000, 0);
    u.feed(frames(10), 100);
    u.feed(frames(400), 100 + 10 + GAP_MS + 500);
    expect(u.timestampOf(frames(10), 0)!.timestamp).toBeGreaterThanOrEqual(u.rtpAt(100));
  });

  it('moves the count forward to the clock by what the sound server lost, not by a late chunk', () => {
    const t = new AudioTimeline(48000, 0);
    let at = 100;
    const chunk = (ms: number, late = 0) => t.feed(frames(20), (at += ms) + late);
    chunk(20);
    // 150 ms never written (under GAP_MS: not a pause), then sound in real time again.
    at += 150;
    let resynced = -1;
    for (let i = 0; i < 2 * (RESYNC_WINDOW_MS / 20); i++) {
      const fed = t.frames;
      if (chunk(20) && resynced < 0) resynced = fed;
    }
    expect(resynced).toBeGreaterThan(0);
    // From the resync on, a sample's timestamp is the clock when it played again (within a ms).
    const stamp = t.timestampOf(resynced, 0)!;
    expect(stamp.first).toBe(true);
    const played = 100 + 150 + (resynced / 48000) * 1000; // the first chunk played from 100 ms
    expect(Math.abs(stamp.timestamp - t.rtpAt(played))).toBeLessThanOrEqual(48);
    // A server busy for a moment (chunks late, none lost) moves nothing.
    const u = new AudioTimeline(48000, 0);
    let when = 100;
    for (let i = 0; i < 200; i++) {
      when += 20;
      // every fifth chunk read 2×RESYNC_MS late: it alone looks short; its neighbours do not.
      expect(u.feed(frames(20), when + (i % 5 === 4 ? 2 * RESYNC_MS : 0))).toBe(i === 0);
    }
  });

  it('pads the last packet of a stretch, and starts over for a new encoder', () => {
    const t = new AudioTimeline(48000, 0);
    t.feed(500, 100);
    t.pad(460);
    expect(t.frames).toBe(960);
    t.restart();
    expect(t.frames).toBe(0);
    expect(t.timestampOf(0, undefined)).toBeUndefined();
  });

  it('its clock wraps at 32 bits', () => {
    const t = new AudioTimeline(48000, 2 ** 32 - 10);
    expect(t.rtpAt(1)).toBe(38);
  });
});

describe('the answer for the sound', () => {
  const answer = (audio: string) => `v=0\r\nm=video 9 UDP 97\r\na=recvonly\r\n${audio}m=application 9 UDP webrtc\r\n`;
  it('accepts receive-only Opus, and a declined or inactive section', () => {
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 96\r\na=recvonly\r\n'), 'audio/OPUS')).not.toThrow();
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 96\r\na=inactive\r\n'), undefined)).not.toThrow();
    expect(() => assertReceiveOnlyAudio(answer('m=audio 0 UDP 96\r\n'), undefined)).not.toThrow();
  });
  it('refuses an answer that would send audio (a microphone) or lacks the section', () => {
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 96\r\na=sendrecv\r\n'), 'audio/opus')).toThrow(
      /may not send/,
    );
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 96\r\na=sendonly\r\n'), 'audio/opus')).toThrow(
      /may not send/,
    );
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 96\r\n'), 'audio/opus')).toThrow(/may not send/);
    expect(() => assertReceiveOnlyAudio(answer(''), 'audio/opus')).toThrow(/one audio section/);
    expect(() => assertReceiveOnlyAudio(answer('m=audio 9 UDP 0\r\na=recvonly\r\n'), 'audio/PCMU')).toThrow(/Opus/);
  });
});

describe('the sound server and the encoder', () => {
  it('the script and the server agree on the format, the socket and the pipe', () => {
    const script = fs.readFileSync(path.join(import.meta.dirname, 'sound-server.sh'), 'utf8');
    const { sampleFormat, rate, channels } = AUDIO_FORMAT;
    expect(script).toContain(`format=${sampleFormat} rate=${rate} channels=${channels}`);
    expect(script).toContain(`socket=${SOUND_SOCKET}`);
    expect(script).toContain(`file=${AUDIO_MOUNT}/sink.pcm`);
    // One output only: no network, no sources, no modules loaded later.
    expect(script).toContain('--disallow-module-loading');
    expect(script).not.toMatch(/tcp|zeroconf|module-.*-source|alsa/);
  });

  it('FFmpeg encodes Opus in 20 ms packets to loopback, and names the session folder', () => {
    const args = opusArgs({ ffmpegPath: 'ffmpeg', rtpPort: 5004, bitrateKbps: 96, sdpFile: '/run/s/x/opus.sdp' }, 42);
    expect(args.join(' ')).toMatch(
      /-c:a libopus .*-frame_duration 20 .*-ssrc 42 .*-sdp_file \/run\/s\/x\/opus.sdp rtp:\/\/127\.0\.0\.1:5004/,
    );
  });

  it('silence is exact zeros', () => {
    expect(isSilent(Buffer.alloc(40000))).toBe(true);
    const b = Buffer.alloc(40000);
    b[39999] = 1;
    expect(isSilent(b)).toBe(false);
  });
});

describe('apps asking for sound', () => {
  const base = { name: 'A', version: '1', type: 'x11', binary: 'run.sh' };
  it('is off unless the manifest says so, and must be a boolean', () => {
    expect(Manifest.parse(base).capabilities.audio).toBe(false);
    expect(Manifest.parse({ ...base, audio: true }).capabilities.audio).toBe(true);
    expect(Manifest.safeParse({ ...base, audio: 'yes' }).success).toBe(false);
  });

  it('only a session with sound gets the sound server, its folder and PULSE_SERVER', () => {
    const policy: SandboxPolicy = {
      sessionDir: '/run/v/sessions/s1',
      appDir: '/srv/apps/demo',
      binary: 'run.sh',
      args: [],
      display: { width: 640, height: 480 },
      grants: [],
      limits: { memoryBytes: 2 ** 28, pids: 64, cpu: 1 },
      loopbackTcp: false,
      nodeRuntime: null,
      controlSocket: false,
      etcFiles: {},
    };
    const host = { initHelper: '/opt/helper', allowDegraded: false, user: null, grantFs: null };
    const without = bwrapArgs(policy, host).join(' ');
    expect(without).not.toContain('PULSE_SERVER');
    expect(without).not.toContain(SOUND_SERVER_SCRIPT);
    const withSound = bwrapArgs({ ...policy, audio: true }, host).join(' ');
    expect(withSound).toContain(`--setenv PULSE_SERVER unix:${SOUND_SOCKET}`);
    expect(withSound).toContain(`--bind /run/v/sessions/s1/audio ${AUDIO_MOUNT}`);
    expect(withSound).toContain(`--rox ${SOUND_SERVER_SCRIPT} --rw ${AUDIO_MOUNT}`);
  });
});
