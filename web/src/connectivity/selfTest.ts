/**
 * The browser's side of the connection self-test: answers the server's test peer, then measures
 * the media path it got — round trip (echo pings), throughput and loss (the server's paced,
 * never-retransmitted probe) — and says which path it is and why (`diagnose`).
 */
import {
  decodeEchoMessage,
  encodeEchoMessage,
  parseSelfTestServerSignal,
  probeSequence,
  SELF_TEST_ECHO_CHANNEL,
  SELF_TEST_PROBE_CHANNEL,
  type SelfTestClientSignal,
  type SelfTestServerSignal,
} from '@vitrine/protocol';
import { diagnose, type Diagnosis, type IceObservation } from './diagnosis.ts';
import { hostCandidates, observationFrom, probeTurn, turnUrlsOf, watchTurnErrors } from './observe.ts';

export interface SelfTestReport {
  diagnosis: Diagnosis;
  /** Median of the echo pings' round trips over the data channel, in ms. */
  rttMs: number | null;
  /** The selected candidate pair's current round trip (ICE consent checks), in ms. */
  pairRttMs: number | null;
  /** What arrived of the probe, in kbit/s (1000 bit/s). */
  throughputKbps: number | null;
  lossPercent: number | null;
  probe: { sent: number; received: number } | null;
  /** What the diagnosis was made from, for the operator (the page shows it under "Details"). */
  observation: IceObservation;
}

export type SelfTestPhase = 'signaling' | 'connecting' | 'measuring';

export class SelfTestError extends Error {}

const PINGS = 5;
const PING_TIMEOUT_MS = 2000;
/** How long ICE may take before the test gives up and says why. */
const ICE_TIMEOUT_MS = 10_000;
/** After the probe's `done`: unordered messages still in flight. */
const STRAGGLERS_MS = 200;
/** TURN allocations over TCP and TLS, and refusals, come within this; UDP that never answers is known by then. */
const TURN_PROBE_MS = 5000;

export function selfTestUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/connectivity/self-test`;
}

/** Runs one self-test against this server. Rejects (SelfTestError) only when it could not run at all. */
export async function runSelfTest(opts: { onPhase?: (p: SelfTestPhase) => void } = {}): Promise<SelfTestReport> {
  const ws = new WebSocket(selfTestUrl());
  let pc: RTCPeerConnection | null = null;
  try {
    opts.onPhase?.('signaling');
    return await test(ws, opts.onPhase, (p) => (pc = p));
  } finally {
    ws.close();
    (pc as RTCPeerConnection | null)?.close();
  }
}

function test(
  ws: WebSocket,
  onPhase: ((p: SelfTestPhase) => void) | undefined,
  keep: (pc: RTCPeerConnection) => void,
): Promise<SelfTestReport> {
  return new Promise<SelfTestReport>((resolve, reject) => {
    let pc: RTCPeerConnection | null = null;
    let ended = false;
    let settled = false;
    /** Once measuring, the server's end (its time limit) no longer cuts the test short. */
    let measuring = false;
    const send = (m: SelfTestClientSignal) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    };
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      reject(new SelfTestError(message));
    };
    let finish: (connected: boolean) => void = () => fail('The server did not start the test.');
    /** Every address the server advertised (offer and trickled candidates). */
    const advertised = new Set<string>();
    const tried = new Set<number>();
    let mid = '0';
    /**
     * The server's media port at the address this page's connection reached too (`pageAddress`):
     * if that answers while the advertised address does not, the advertised one is wrong
     * (WEBRTC_PUBLIC_IP). Nothing but this server is contacted.
     */
    let page: string | undefined;
    const tryPageHost = async (conn: RTCPeerConnection, hosts: { address: string; port: number }[]) => {
      for (const h of hosts) {
        advertised.add(h.address);
        if (!page || h.address === page || tried.has(h.port) || tried.size >= 4) continue;
        tried.add(h.port);
        const candidate = `candidate:4242 1 udp 1 ${page} ${h.port} typ host generation 0`;
        await conn.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 }).catch(() => undefined);
      }
    };

    ws.addEventListener('close', (e) => {
      ended = true;
      if (!pc) fail(e.code === 1006 ? 'Cannot reach the server (WebSocket failed).' : 'The server refused the test.');
      else if (!measuring) finish(pc.connectionState === 'connected');
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      const parsed = typeof e.data === 'string' ? parseSelfTestServerSignal(e.data) : null;
      if (!parsed?.ok) return;
      void onSignal(parsed.message).catch((err: unknown) =>
        fail(`Could not negotiate: ${err instanceof Error ? err.message : String(err)}`),
      );
    });

    const onSignal = async (m: SelfTestServerSignal) => {
      if (m.type === 'end') {
        ended = true;
        if (m.reason === 'busy') fail('A self-test is already running; try again in a few seconds.');
        else if (pc && !measuring) finish(pc.connectionState === 'connected');
        return;
      }
      if (m.type === 'error') {
        if (!pc) fail(`The server could not start the test: ${m.message}`);
        return;
      }
      if (m.type === 'ice-candidate') {
        if (!pc) return;
        await pc.addIceCandidate(m.candidate ?? undefined).catch(() => undefined);
        if (m.candidate) await tryPageHost(pc, hostCandidates(m.candidate.candidate));
        return;
      }
      if (pc) return;
      onPhase?.('connecting');
      const conn = new RTCPeerConnection({ iceServers: m.iceServers, iceTransportPolicy: m.iceTransportPolicy });
      pc = conn;
      keep(conn);
      const turnErrors = watchTurnErrors(conn);
      const turnUrls = turnUrlsOf(m.iceServers);
      let echo: RTCDataChannel | null = null;
      let probe: RTCDataChannel | null = null;
      const pongs = new Map<number, (at: number) => void>();
      const arrivals = new Set<number>();
      let probeBytes = 0;
      let firstAt = 0;
      let lastAt = 0;
      let done: ((d: { sent: number }) => void) | null = null;
      conn.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.candidate === '') return;
        send({
          type: 'ice-candidate',
          candidate: e.candidate
            ? {
                candidate: e.candidate.candidate,
                sdpMid: e.candidate.sdpMid,
                sdpMLineIndex: e.candidate.sdpMLineIndex,
                usernameFragment: e.candidate.usernameFragment,
              }
            : null,
        });
      });
      conn.addEventListener('datachannel', (e) => {
        const dc = e.channel;
        dc.binaryType = 'arraybuffer';
        if (dc.label === SELF_TEST_ECHO_CHANNEL) {
          echo = dc;
          dc.addEventListener('message', (ev: MessageEvent) => {
            if (!(ev.data instanceof ArrayBuffer)) return;
            const msg = decodeEchoMessage(new Uint8Array(ev.data));
            if (msg?.type === 'ping') pongs.get(msg.id)?.(performance.now());
            else if (msg?.type === 'done') done?.(msg);
          });
        } else if (dc.label === SELF_TEST_PROBE_CHANNEL) {
          probe = dc;
          dc.addEventListener('message', (ev: MessageEvent) => {
            if (!(ev.data instanceof ArrayBuffer)) return;
            const seq = probeSequence(new Uint8Array(ev.data));
            if (seq === null || arrivals.has(seq)) return;
            const now = performance.now();
            if (!arrivals.size) firstAt = now;
            lastAt = now;
            arrivals.add(seq);
            probeBytes += ev.data.byteLength;
          });
        }
      });

      // TURN on its own, alongside (this connection may never need the relay and then says nothing of it).
      const turnProbe = probeTurn(m.iceServers, Math.min(TURN_PROBE_MS, m.timeLimitMs - 2000)).catch(() => ({
        relays: [],
        errors: [],
      }));
      const diagnosisNow = async (connected: boolean) => {
        const [stats, turn] = await Promise.all([conn.getStats(), turnProbe]);
        const o = observationFrom(stats, {
          connected,
          relayOnly: m.iceTransportPolicy === 'relay',
          turnUrls,
          turnErrors: [...turnErrors, ...turn.errors],
          advertised: [...advertised],
        });
        return { ...o, local: [...o.local, ...turn.relays] };
      };

      finish = (connected: boolean) => {
        if (settled) return;
        settled = true;
        void diagnosisNow(connected).then(
          (o) =>
            resolve({
              diagnosis: diagnose(o),
              rttMs: null,
              pairRttMs: o.rttMs,
              throughputKbps: null,
              lossPercent: null,
              probe: null,
              observation: o,
            }),
          () => reject(new SelfTestError('Could not read the connection statistics.')),
        );
      };

      const connectedOrFailed = new Promise<boolean>((res) => {
        const check = () => {
          if (conn.connectionState === 'connected' && echo?.readyState === 'open') res(true);
          if (conn.connectionState === 'failed' || conn.iceConnectionState === 'failed') res(false);
        };
        conn.addEventListener('connectionstatechange', check);
        conn.addEventListener('iceconnectionstatechange', check);
        conn.addEventListener('datachannel', (e) => e.channel.addEventListener('open', check));
        setTimeout(() => res(false), ICE_TIMEOUT_MS);
      });

      // Within the server's time limit, with a margin for the last statistics.
      const deadline = performance.now() + m.timeLimitMs - 1500;
      mid = /^a=mid:(\S+)/m.exec(m.sdp)?.[1] ?? mid;
      page = m.pageAddress;
      await conn.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      const answer = await conn.createAnswer();
      await conn.setLocalDescription(answer);
      send({ type: 'answer', sdp: conn.localDescription?.sdp ?? answer.sdp ?? '' });
      await tryPageHost(conn, hostCandidates(m.sdp));

      const connected = await connectedOrFailed;
      if (settled) return;
      if (!connected || !echo) return finish(false);
      measuring = true;
      onPhase?.('measuring');
      const channel: RTCDataChannel = echo;
      const rtts: number[] = [];
      for (let id = 1; id <= PINGS && !ended; id++) {
        const sentAt = performance.now();
        const at = await new Promise<number | null>((res) => {
          pongs.set(id, res);
          setTimeout(() => res(null), PING_TIMEOUT_MS);
          channel.send(encodeEchoMessage({ type: 'ping', id }) as Uint8Array<ArrayBuffer>);
        });
        pongs.delete(id);
        if (at !== null) rtts.push(at - sentAt);
      }
      let probeResult: { sent: number } | null = null;
      if (probe && !ended) {
        probeResult = await new Promise<{ sent: number } | null>((res) => {
          done = res;
          setTimeout(() => res(null), 5000);
          channel.send(encodeEchoMessage({ type: 'start' }) as Uint8Array<ArrayBuffer>);
        });
        await new Promise((r) => setTimeout(r, STRAGGLERS_MS));
      }
      // TURN allocations that are still trying say something about the network: let them finish.
      await gatheringComplete(conn, Math.max(0, deadline - performance.now()));
      if (settled) return;
      settled = true;
      const o = await diagnosisNow(true);
      const spanMs = lastAt - firstAt;
      resolve({
        diagnosis: diagnose(o),
        rttMs: median(rtts),
        pairRttMs: o.rttMs,
        throughputKbps: probeResult && spanMs > 0 ? Math.round((probeBytes * 8) / spanMs) : null,
        lossPercent:
          probeResult && probeResult.sent > 0
            ? Math.max(0, Math.round((1000 * (probeResult.sent - arrivals.size)) / probeResult.sent) / 10)
            : null,
        probe: probeResult ? { sent: probeResult.sent, received: arrivals.size } : null,
        observation: o,
      });
    };
  });
}

function gatheringComplete(pc: RTCPeerConnection, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, maxMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}
