import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { AUDIO_FORMAT } from './sound-server.ts';

/** Opus's RTP payload type as the pipeline sends it (the peer rewrites it to the negotiated one). */
export const OPUS_PAYLOAD_TYPE = 111;
/** Samples per channel in one Opus packet: 20 ms at 48 kHz. */
export const OPUS_FRAME_SAMPLES = 960;

export interface OpusEncoderSettings {
  ffmpegPath: string;
  rtpPort: number;
  bitrateKbps: number;
  /** A host-only file in the session folder: FFmpeg's command line then names the session, so a crashed server's leftover is found (sandbox/leftovers.ts). */
  sdpFile: string;
}

/** FFmpeg's arguments: raw PCM on stdin → Opus, 20 ms packets → RTP on the loopback port. */
export function opusArgs(s: OpusEncoderSettings, ssrc: number): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // No probing: the format is given, and probing would hold the first sound back, then send it
    // in a burst that the viewer's jitter buffer answers with seconds of extra delay.
    '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer',
    '-f', AUDIO_FORMAT.sampleFormat, '-ar', String(AUDIO_FORMAT.rate), '-ac', String(AUDIO_FORMAT.channels),
    '-i', 'pipe:0',
    '-c:a', 'libopus', '-b:a', `${s.bitrateKbps}k`, '-application', 'audio',
    '-frame_duration', '20', '-vbr', 'on',
    '-flush_packets', '1',
    '-vn', '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', String(OPUS_PAYLOAD_TYPE),
    '-sdp_file', s.sdpFile,
    `rtp://127.0.0.1:${s.rtpPort}?pkt_size=1200`,
  ];
}

/**
 * One FFmpeg encoding the sink's PCM to Opus RTP, started when sound begins and stopped after a
 * while without it. It reads stdin, so it also ends by itself when the server dies (EOF).
 */
export class OpusEncoder {
  readonly ssrc = randomInt(1, 2 ** 31 - 1);
  readonly process: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  private exited = false;
  private stderrTail = '';

  constructor(s: OpusEncoderSettings) {
    this.process = spawn(s.ffmpegPath, opusArgs(s, this.ssrc), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.process.stdin!.on('error', () => {});
    this.process.stderr!.setEncoding('utf8');
    this.process.stderr!.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-2000)));
    this.exit = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal, stderr: this.stderrTail });
      });
      this.process.on('error', (err) => {
        this.exited = true;
        resolve({ code: -1, signal: null, stderr: err.message });
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Bytes written but not yet taken by FFmpeg. */
  get backlog(): number {
    return this.process.stdin!.writableLength;
  }

  write(pcm: Buffer): void {
    if (!this.exited) this.process.stdin!.write(pcm);
  }

  stop(): Promise<unknown> {
    if (!this.exited) {
      this.process.stdin!.destroy();
      this.process.kill('SIGKILL');
    }
    return this.exit;
  }
}
