/**
 * Turns successive `RTCPeerConnection.getStats()` reports into the numbers the connection
 * indicator shows. Pure: takes plain stats objects so it can be unit-tested without a browser.
 */

export interface StreamStats {
  /** e.g. "video/H264", from the codec stats referenced by the video inbound-rtp. */
  codec: string | null;
  width: number | null;
  height: number | null;
  /** Decoded frames per second. */
  fps: number | null;
  /** Received video bitrate in bits per second. */
  bitrate: number | null;
  /** ICE candidate-pair round trip, milliseconds. */
  iceRttMs: number | null;
  /** Data-channel ping/pong round trip, milliseconds (filled in by the session). */
  inputRttMs: number | null;
  packetsLost: number | null;
  jitterMs: number | null;
  framesDropped: number | null;
  /** "host", "srflx", "relay" … of the local candidate in use. */
  candidateType: string | null;
}

/** What must be remembered between two reports to compute rates. */
export interface StatsSample {
  timestampMs: number;
  bytesReceived: number;
  framesDecoded: number;
}

export const EMPTY_STATS: StreamStats = {
  codec: null,
  width: null,
  height: null,
  fps: null,
  bitrate: null,
  iceRttMs: null,
  inputRttMs: null,
  packetsLost: null,
  jitterMs: null,
  framesDropped: null,
  candidateType: null,
};

type Entry = Record<string, unknown> & { id: string; type: string };

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Converts an RTCStatsReport (maplike) into an array of plain entries. */
export function reportEntries(report: RTCStatsReport): Entry[] {
  const out: Entry[] = [];
  report.forEach((value) => out.push(value as Entry));
  return out;
}

export function summarizeStats(
  entries: readonly Entry[],
  previous: StatsSample | null,
  nowMs: number,
): { stats: StreamStats; sample: StatsSample | null } {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const inbound = entries.find((e) => e.type === 'inbound-rtp' && (e.kind ?? e.mediaType) === 'video');
  const stats: StreamStats = { ...EMPTY_STATS };
  let sample: StatsSample | null = null;

  if (inbound) {
    const codecId = str(inbound.codecId);
    const codec = codecId ? byId.get(codecId) : undefined;
    stats.codec = codec ? str(codec.mimeType) : null;
    stats.width = num(inbound.frameWidth);
    stats.height = num(inbound.frameHeight);
    stats.packetsLost = num(inbound.packetsLost);
    const jitter = num(inbound.jitter);
    stats.jitterMs = jitter === null ? null : jitter * 1000;
    stats.framesDropped = num(inbound.framesDropped);

    const ts = num(inbound.timestamp) ?? nowMs;
    const bytes = num(inbound.bytesReceived) ?? 0;
    const frames = num(inbound.framesDecoded) ?? 0;
    sample = { timestampMs: ts, bytesReceived: bytes, framesDecoded: frames };
    const dt = previous ? (ts - previous.timestampMs) / 1000 : 0;
    if (previous && dt > 0 && bytes >= previous.bytesReceived) {
      stats.bitrate = ((bytes - previous.bytesReceived) * 8) / dt;
    }
    const fps = num(inbound.framesPerSecond);
    if (fps !== null) stats.fps = fps;
    else if (previous && dt > 0 && frames >= previous.framesDecoded) {
      stats.fps = (frames - previous.framesDecoded) / dt;
    }
  }

  const pair = selectedCandidatePair(entries, byId);
  if (pair) {
    const rtt = num(pair.currentRoundTripTime);
    stats.iceRttMs = rtt === null ? null : rtt * 1000;
    const localId = str(pair.localCandidateId);
    const local = localId ? byId.get(localId) : undefined;
    stats.candidateType = local ? str(local.candidateType) : null;
  }
  return { stats, sample };
}

function selectedCandidatePair(entries: readonly Entry[], byId: Map<string, Entry>): Entry | undefined {
  for (const e of entries) {
    if (e.type !== 'transport') continue;
    const id = str(e.selectedCandidatePairId);
    const pair = id ? byId.get(id) : undefined;
    if (pair) return pair;
  }
  return (
    entries.find((e) => e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated === true) ??
    entries.find((e) => e.type === 'candidate-pair' && e.selected === true)
  );
}

export function formatBitrate(bps: number | null): string {
  if (bps === null) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  if (bps >= 1e3) return `${Math.round(bps / 1e3)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}

export function formatMs(ms: number | null): string {
  return ms === null ? '–' : `${Math.round(ms)} ms`;
}
