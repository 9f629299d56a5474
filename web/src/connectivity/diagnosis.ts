/**
 * Why a media connection went the way it did, from what the browser saw of it (its candidates,
 * the server's, the candidate pairs' checks, TURN's errors). Pure: the self-test page and the
 * viewer both feed it an observation (observe.ts) and show its cause in words (causeText.ts).
 */
import type { ConnectivityCause } from '@vitrine/protocol';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface ObservedCandidate {
  id: string;
  type: CandidateType;
  protocol: 'udp' | 'tcp';
  /** For a local relay candidate: how the browser reaches the TURN server. */
  relayProtocol?: 'udp' | 'tcp' | 'tls';
  address?: string;
  port?: number;
}

export interface ObservedPair {
  localId: string;
  remoteId: string;
  state: string;
  /** Answers to our checks: > 0 means packets came back from that remote candidate. */
  responsesReceived: number;
  /** Checks from the other side: > 0 means the other side reached this local candidate. */
  requestsReceived: number;
}

export interface IceObservation {
  connected: boolean;
  /** ICE_TRANSPORT_POLICY=relay: only relay candidates were allowed. */
  relayOnly: boolean;
  /** The turn: and turns: URLs the browser was given (no credentials). */
  turnUrls: string[];
  /** What TURN servers answered when they failed us (icecandidateerror). */
  turnErrors: { url: string; code: number; text: string }[];
  local: ObservedCandidate[];
  /**
   * The server's candidates: those it advertised, the page's own host name tried on the same port
   * (selfTest.ts), and peer-reflexive ones learned from its checks.
   */
  remote: ObservedCandidate[];
  /** The addresses the server advertised in its offer and candidates. */
  advertised: string[];
  pairs: ObservedPair[];
  selected: { localId: string; remoteId: string } | null;
}

export interface MediaPath {
  local: CandidateType;
  /** The transport between the browser and its first hop (the server, or the TURN server). */
  protocol: 'udp' | 'tcp' | 'tls';
  remote: CandidateType;
  remoteAddress?: string;
}

export interface Diagnosis {
  cause: ConnectivityCause;
  connected: boolean;
  path: MediaPath | null;
  /** The addresses the server advertised (what the operator should compare with WEBRTC_PUBLIC_IP). */
  advertised: string[];
  /** TURN's refusals or time-outs, as "401 Unauthorized (turn:host:3478?transport=udp)". */
  turnProblems: string[];
}

/** A TURN URL's transport: turns: is TLS over TCP; turn: is UDP unless it says `transport=tcp`. */
export function turnTransport(url: string): 'udp' | 'tcp' | 'tls' {
  if (/^turns:/i.test(url)) return 'tls';
  return /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp';
}

/** One TURN endpoint however its URL is spelled: transport, host and port (3478, or 5349 for turns:). */
export function turnEndpoint(url: string): string {
  const m = /^turns?:\[?([^\]?]*?)\]?(?::(\d+))?(?:\?.*)?$/i.exec(url);
  const host = (m?.[1] ?? url).toLowerCase();
  return `${turnTransport(url)}|${host}|${m?.[2] ?? (/^turns:/i.test(url) ? '5349' : '3478')}`;
}

const REFUSED = new Set([401, 403, 437, 441]);
/** Chromium's code for a TURN or STUN server that never answered. */
const UNREACHABLE = 701;

export function diagnose(o: IceObservation): Diagnosis {
  const byId = new Map([...o.local, ...o.remote].map((c) => [c.id, c]));
  const advertised = [...new Set(o.advertised)];
  const isAdvertised = (c: ObservedCandidate | undefined) =>
    !!c && c.type !== 'prflx' && (c.address === undefined || advertised.includes(c.address));
  const turnProblems = [...new Set(o.turnErrors.map((e) => `${e.code} ${e.text}`.trim() + ` (${e.url})`))];
  const base = { advertised, turnProblems };

  const relays = o.local.filter((c) => c.type === 'relay');
  const direct = (p: ObservedPair) => byId.get(p.localId)?.type !== 'relay';
  const udpDirectPairs = o.pairs.filter((p) => direct(p) && byId.get(p.localId)?.protocol === 'udp');
  // Any UDP at all came back: a direct check answered or arrived, STUN answered, or a relay over UDP.
  const udpWorks =
    udpDirectPairs.some((p) => p.responsesReceived > 0 || p.requestsReceived > 0) ||
    o.local.some((c) => c.type === 'srflx') ||
    relays.some((c) => c.relayProtocol === 'udp');
  const refused = o.turnErrors.some((e) => REFUSED.has(e.code));
  const silent = (url: string) =>
    o.turnErrors.some((e) => e.code === UNREACHABLE && turnEndpoint(e.url) === turnEndpoint(url));
  const udpTurnUrls = o.turnUrls.filter((u) => turnTransport(u) === 'udp');
  // Evidence that UDP is blocked, not merely unused: nothing came back over UDP, not even from the
  // TURN server's UDP port (neither a STUN answer nor a UDP relay; or Chromium's time-out, 701).
  // Direct checks alone cannot tell blocked UDP from a wrong address.
  const udpBlocked = !udpWorks && udpTurnUrls.length > 0;
  // The server's advertised candidates never answered, though it answered elsewhere: at the
  // address of the web page, or from an address of its own (peer-reflexive).
  const answered = (p: ObservedPair) => direct(p) && p.responsesReceived > 0;
  const advertisedSilent =
    advertised.length > 0 &&
    !o.pairs.some((p) => answered(p) && isAdvertised(byId.get(p.remoteId))) &&
    o.pairs.some((p) => (answered(p) || p.requestsReceived > 0) && !isAdvertised(byId.get(p.remoteId)));

  if (o.connected && o.selected) {
    const local = byId.get(o.selected.localId);
    const remote = byId.get(o.selected.remoteId);
    const path: MediaPath | null =
      local && remote
        ? {
            local: local.type,
            protocol: local.type === 'relay' ? (local.relayProtocol ?? 'udp') : local.protocol,
            remote: remote.type,
            ...(remote.address ? { remoteAddress: remote.address } : {}),
          }
        : null;
    const connected = { ...base, connected: true, path };
    if (local?.type === 'relay') {
      if (local.relayProtocol === 'tcp' || local.relayProtocol === 'tls') {
        return { ...connected, cause: udpBlocked ? 'udp-blocked' : 'relay-tcp' };
      }
      return { ...connected, cause: 'relay' };
    }
    if (!isAdvertised(remote) && advertisedSilent) return { ...connected, cause: 'wrong-public-address' };
    // Connected directly, but browsers that need the relay would fail: say so.
    if (relays.length === 0 && refused) return { ...connected, cause: 'turn-refused' };
    if (relays.length === 0 && o.turnUrls.length > 0 && o.turnUrls.every(silent)) {
      return { ...connected, cause: 'turn-unreachable' };
    }
    return { ...connected, cause: 'direct' };
  }

  const failed = { ...base, connected: false, path: null };
  if (relays.length === 0 && refused) return { ...failed, cause: 'turn-refused' };
  if (o.local.length === 0) return { ...failed, cause: o.turnUrls.length ? 'turn-unreachable' : 'no-candidates' };
  if (relays.length > 0) return { ...failed, cause: 'relay-failed' };
  if (advertisedSilent) return { ...failed, cause: 'wrong-public-address' };
  // Only UDP TURN was there to tell; a silent TCP/TLS TURN as well means TURN itself is out of reach.
  if (udpBlocked && o.turnUrls.every((u) => turnTransport(u) === 'udp')) return { ...failed, cause: 'udp-blocked' };
  if (o.turnUrls.length > 0) return { ...failed, cause: 'turn-unreachable' };
  if (udpWorks || o.local.some((c) => c.type === 'host' && c.protocol === 'udp')) {
    return { ...failed, cause: 'media-unreachable' };
  }
  return { ...failed, cause: 'unknown' };
}
