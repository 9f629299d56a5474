/**
 * What the browser saw of one RTCPeerConnection's ICE, as plain data for `diagnose`: its
 * candidates and the server's (from getStats), the candidate pairs' checks, the selected pair,
 * and TURN's errors (collected from `icecandidateerror` by `watchTurnErrors`).
 */
import type { CandidateType, IceObservation, ObservedCandidate, ObservedPair } from './diagnosis.ts';

export type TurnErrors = IceObservation['turnErrors'];

/** Collects TURN (and STUN) errors of a connection from now on; the array fills as they come. */
export function watchTurnErrors(pc: RTCPeerConnection): TurnErrors {
  const errors: TurnErrors = [];
  pc.addEventListener('icecandidateerror', (e) => {
    const err = e as RTCPeerConnectionIceErrorEvent;
    if (err.url?.startsWith('turn') && errors.length < 50) {
      errors.push({ url: err.url, code: err.errorCode, text: err.errorText ?? '' });
    }
  });
  return errors;
}

/** The turn: and turns: URLs of a configuration. */
export function turnUrlsOf(servers: readonly RTCIceServer[] | undefined): string[] {
  return (servers ?? []).flatMap((s) => [s.urls].flat()).filter((u) => /^turns?:/i.test(u));
}

type Stat = Record<string, unknown> & { id: string; type: string };
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const CANDIDATE_TYPES = new Set(['host', 'srflx', 'prflx', 'relay']);

function candidate(s: Stat): ObservedCandidate | null {
  const type = str(s.candidateType);
  if (!type || !CANDIDATE_TYPES.has(type)) return null;
  const relayProtocol = str(s.relayProtocol);
  const address = str(s.address) ?? str(s.ip);
  return {
    id: s.id,
    type: type as CandidateType,
    protocol: s.protocol === 'tcp' ? 'tcp' : 'udp',
    ...(relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls' ? { relayProtocol } : {}),
    ...(address ? { address } : {}),
    ...(typeof s.port === 'number' ? { port: s.port } : {}),
  };
}

export interface PairTiming {
  /** The selected pair's current round trip (STUN consent checks), in ms. */
  rttMs: number | null;
}

/** The address and port of each UDP host candidate in an SDP or candidate line. */
export function hostCandidates(text: string): { address: string; port: number }[] {
  const out: { address: string; port: number }[] = [];
  for (const m of text.matchAll(/candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/gi)) {
    out.push({ address: m[1]!, port: Number(m[2]) });
  }
  return out;
}

/** A getStats report → the observation (and the selected pair's round trip). */
export function observationFrom(
  stats: RTCStatsReport,
  ctx: {
    connected: boolean;
    relayOnly: boolean;
    turnUrls: string[];
    turnErrors: TurnErrors;
    /** The server's advertised addresses; by default every remote candidate that is not peer-reflexive. */
    advertised?: string[];
  },
): IceObservation & PairTiming {
  const local: ObservedCandidate[] = [];
  const remote: ObservedCandidate[] = [];
  const pairs: ObservedPair[] = [];
  let selectedId: string | undefined;
  const all = new Map<string, Stat>();
  stats.forEach((raw: unknown) => {
    const s = raw as Stat;
    all.set(s.id, s);
    if (s.type === 'local-candidate' || s.type === 'remote-candidate') {
      const c = candidate(s);
      if (c) (s.type === 'local-candidate' ? local : remote).push(c);
    } else if (s.type === 'candidate-pair') {
      pairs.push({
        localId: str(s.localCandidateId) ?? '',
        remoteId: str(s.remoteCandidateId) ?? '',
        state: str(s.state) ?? '',
        responsesReceived: num(s.responsesReceived),
        requestsReceived: num(s.requestsReceived),
      });
    } else if (s.type === 'transport' && str(s.selectedCandidatePairId)) {
      selectedId = str(s.selectedCandidatePairId);
    }
  });
  const sel = selectedId ? all.get(selectedId) : undefined;
  const rtt = sel && typeof sel.currentRoundTripTime === 'number' ? sel.currentRoundTripTime * 1000 : null;
  return {
    connected: ctx.connected,
    relayOnly: ctx.relayOnly,
    turnUrls: ctx.turnUrls,
    turnErrors: [...ctx.turnErrors],
    local,
    remote,
    advertised: ctx.advertised ?? remote.filter((c) => c.type !== 'prflx' && c.address).map((c) => c.address!),
    pairs,
    selected: sel ? { localId: str(sel.localCandidateId) ?? '', remoteId: str(sel.remoteCandidateId) ?? '' } : null,
    rttMs: rtt,
  };
}

/**
 * Asks the TURN servers for relay addresses on their own, with a local connection that talks to
 * nobody else (relay-only, never connected): which transports give a relay, and what the others
 * answered (401 refused, 701 silent). A session's own connection may never need the relay, and
 * then says nothing about it. Resolves when gathering completes or `maxMs` passes.
 */
export async function probeTurn(
  iceServers: RTCIceServer[],
  maxMs: number,
): Promise<{ relays: ObservedCandidate[]; errors: TurnErrors }> {
  const relays: ObservedCandidate[] = [];
  if (!turnUrlsOf(iceServers).length) return { relays, errors: [] };
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  const errors = watchTurnErrors(pc);
  try {
    pc.createDataChannel('turn-probe');
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate === null) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    (await pc.getStats()).forEach((raw: unknown) => {
      const s = raw as Stat;
      const c = s.type === 'local-candidate' ? candidate(s) : null;
      if (c?.type === 'relay') relays.push({ ...c, id: `turn-probe-${c.id}` });
    });
    return { relays, errors: [...errors] };
  } finally {
    pc.close();
  }
}
