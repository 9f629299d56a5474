import { Counter, Gauge, type Registry } from 'prom-client';
import type { LinkTally, LinkTotals } from '../webrtc/link-tally.ts';
import { CpuTotal, readProcessCpu, type ProcessCpu } from './process-cpu.ts';

/**
 * What streaming costs and how it reaches people: the encoders' CPU, read from /proc for the
 * processes the live sessions name, and what the viewers' links sent and lost (their receiver
 * reports). Everything is read when Prometheus scrapes, nothing is counted per frame or packet.
 * Totals over all sessions and viewers only: no label names a session or a person.
 */

export interface MediaSources {
  /** Host PIDs of every live session (sandbox and encoders), one list per session. */
  sessionPids: () => number[][];
  /** Command names (as /proc's comm keeps them) of the encoders' processes. */
  encoderNames: readonly string[];
  links: LinkTally;
}

/**
 * One reading shared by every metric collected in the same scrape: the registry calls each
 * metric's `collect` in one synchronous pass, so a reading kept until the pass ends (a microtask)
 * reads /proc once per process and sums the links once, and the next scrape reads afresh.
 */
function perScrape<T>(read: () => T): () => T {
  let kept: { value: T } | null = null;
  return () => {
    if (!kept) {
      kept = { value: read() };
      queueMicrotask(() => (kept = null));
    }
    return kept.value;
  };
}

/** The kernel keeps the first 15 bytes of a command's name. */
const COMM_LENGTH = 15;

export function mediaMetrics(registry: Registry, sources: MediaSources): void {
  const registers = [registry];
  const names = new Set(sources.encoderNames.map((n) => n.slice(0, COMM_LENGTH)));
  const cpu = new CpuTotal();
  const encoders = perScrape((): Array<{ pid: number; cpu: ProcessCpu }> =>
    sources.sessionPids().flatMap((pids) =>
      pids.flatMap((pid) => {
        const read = readProcessCpu(pid);
        return read && names.has(read.name) ? [{ pid, cpu: read }] : [];
      }),
    ),
  );
  new Counter({
    name: 'vitrine_encoder_cpu_seconds_total',
    help: "CPU time (user + system) of the sessions' encoders: frame pumps and FFmpeg, video and sound.",
    registers,
    collect() {
      this.reset();
      this.inc(cpu.update(encoders()));
    },
  });
  new Gauge({
    name: 'vitrine_encoder_processes',
    help: "The sessions' encoder processes running (frame pumps and FFmpeg; a still picture may stop them).",
    registers,
    collect() {
      this.set(encoders().length);
    },
  });

  const links = perScrape(() => sources.links.totals());
  new Gauge({
    name: 'vitrine_viewers',
    help: "Viewer connections open (clients and watchers): each a WebRTC peer fed by its session's encoder.",
    registers,
    collect() {
      this.set(links().links);
    },
  });
  const linkCounter = (name: string, help: string, value: (totals: LinkTotals) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(links()));
      },
    });
  linkCounter('vitrine_viewer_rtp_sent_packets_total', 'RTP packets sent to viewers.', (t) => t.packetsSent);
  linkCounter(
    'vitrine_viewer_rtp_sent_bytes_total',
    'RTP payload bytes sent to viewers (x 8 per second: the bitrate, RTP headers aside).',
    (t) => t.bytesSent,
  );
  linkCounter(
    'vitrine_viewer_rtp_lost_packets_total',
    "RTP packets the viewers' receiver reports counted lost.",
    (t) => t.packetsLost,
  );
  new Gauge({
    name: 'vitrine_viewer_worst_loss_ratio',
    help: "The highest fraction lost in the open viewer links' latest receiver reports (0–1).",
    registers,
    collect() {
      this.set(links().worstFractionLost);
    },
  });
}
