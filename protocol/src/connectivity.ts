import { z } from 'zod';
import { ErrorCode } from './error-codes.ts';
import { IceCandidateSignal, IceServerList } from './signaling.ts';

/**
 * The connection self-test (WebSocket `/api/connectivity/self-test`): a short-lived peer of the
 * server with the same ICE/TURN settings as a session's, which tells a browser which path media
 * takes, its round trip, throughput and loss; and the one vocabulary of causes that the self-test
 * page and the viewer both use to say in plain words why a media connection failed.
 */

/** Largest self-test signaling frame either side accepts (an SDP with candidates is a few KB). */
export const MAX_SELF_TEST_SIGNAL_BYTES = 16 * 1024;

/**
 * Why a media connection worked the way it did, or did not work. One list for the self-test page
 * and the viewer; each has words and an operator action in the web client.
 */
export const CONNECTIVITY_CAUSES = [
  /** Connected directly (host or server-reflexive candidates), over UDP. */
  'direct',
  /** Connected through the TURN relay over UDP (policy `relay`, or the direct path failed). */
  'relay',
  /** Connected only through the TURN relay over TCP or TLS, though UDP itself seems to work. */
  'relay-tcp',
  /** No UDP gets through between the browser and the server (TCP/TLS relays may still work). */
  'udp-blocked',
  /** The server advertises an address the browser cannot reach (WEBRTC_PUBLIC_IP). */
  'wrong-public-address',
  /** No UDP came back from the server's advertised address, and nothing tells blocked UDP from a wrong address. */
  'media-unreachable',
  /** The TURN server answered but refused the credentials (401/403: TURN_SECRET differs). */
  'turn-refused',
  /** The TURN server could not be reached at any configured URL. */
  'turn-unreachable',
  /** Relay addresses were obtained, yet no connection formed through them. */
  'relay-failed',
  /** The browser gathered no candidates at all (WebRTC disabled or restricted in this browser). */
  'no-candidates',
  /** The connection failed and what was observed matches none of the above. */
  'unknown',
] as const;
export const ConnectivityCause = z.enum(CONNECTIVITY_CAUSES);
export type ConnectivityCause = z.infer<typeof ConnectivityCause>;

/** What a browser may send on the self-test socket. */
export const SelfTestClientSignal = z.discriminatedUnion('type', [
  z.object({ type: z.literal('answer'), sdp: z.string().min(1).max(MAX_SELF_TEST_SIGNAL_BYTES) }).strict(),
  z.object({ type: z.literal('ice-candidate'), candidate: IceCandidateSignal.nullable() }).strict(),
]);
export type SelfTestClientSignal = z.infer<typeof SelfTestClientSignal>;

/** Why the server ended a self-test. */
export const SelfTestEndReason = z.enum(['time limit', 'ice failed', 'busy', 'server shutdown', 'error']);
export type SelfTestEndReason = z.infer<typeof SelfTestEndReason>;

export const SelfTestServerSignal = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    sdp: z.string(),
    /** The same STUN/TURN servers (with fresh credentials) and policy a session's viewer gets. */
    iceServers: IceServerList,
    iceTransportPolicy: z.enum(['all', 'relay']),
    /** The server ends the test this long after the offer, whatever happens. */
    timeLimitMs: z.number().int().positive(),
    /**
     * The address this browser's own connection to the web server reached, when the media peer
     * listens there too and it differs from what is advertised (a public address the browser
     * already knows). The browser tries the media port there as well: an answer there and none
     * at the advertised address shows the advertised one (WEBRTC_PUBLIC_IP) is wrong.
     */
    pageAddress: z.string().max(64).optional(),
  }),
  z.object({ type: z.literal('ice-candidate'), candidate: IceCandidateSignal.nullable() }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
  z.object({ type: z.literal('end'), reason: SelfTestEndReason }),
]);
export type SelfTestServerSignal = z.infer<typeof SelfTestServerSignal>;

type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function parse<T>(schema: z.ZodType<T>, raw: string, max: number): Parsed<T> {
  if (raw.length > max) return { ok: false, error: 'message too large' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = schema.safeParse(json);
  return r.success
    ? { ok: true, message: r.data }
    : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
}

export function parseSelfTestClientSignal(raw: string): Parsed<SelfTestClientSignal> {
  return parse(SelfTestClientSignal, raw, MAX_SELF_TEST_SIGNAL_BYTES);
}

/** The browser's side: offers carry candidates, so allow more than a browser may send. */
export function parseSelfTestServerSignal(raw: string): Parsed<SelfTestServerSignal> {
  return parse(SelfTestServerSignal, raw, MAX_SELF_TEST_SIGNAL_BYTES * 4);
}

// --- the data channels -------------------------------------------------------------------------
//
// `echo` (reliable, ordered), binary messages whose first byte says what they are:
//   ping  [1, id u32]                  → the server sends the same 5 bytes back
//   start [2]                          → the server starts the throughput probe (once per test)
//   done  [3, sent u32, durationMs u32] ← the server: the probe is over, this many were sent
// `probe` (unordered; no retransmission), from the server only: [sequence u32, padding…], each
// PROBE_MESSAGE_BYTES long, paced at no more than PROBE_MAX_KBPS for PROBE_DURATION_MS.

export const SELF_TEST_ECHO_CHANNEL = 'echo';
export const SELF_TEST_PROBE_CHANNEL = 'probe';
export const PROBE_MESSAGE_BYTES = 1000;
export const PROBE_DURATION_MS = 1500;
export const PROBE_MAX_KBPS = 8000;

export type EchoMessage =
  { type: 'ping'; id: number } | { type: 'start' } | { type: 'done'; sent: number; durationMs: number };

export function encodeEchoMessage(m: EchoMessage): Uint8Array {
  if (m.type === 'start') return Uint8Array.of(2);
  const out = new Uint8Array(m.type === 'ping' ? 5 : 9);
  const view = new DataView(out.buffer);
  if (m.type === 'ping') {
    out[0] = 1;
    view.setUint32(1, m.id >>> 0);
  } else {
    out[0] = 3;
    view.setUint32(1, m.sent >>> 0);
    view.setUint32(5, m.durationMs >>> 0);
  }
  return out;
}

/** Bytes → an echo-channel message, or null for anything else (never throws). */
export function decodeEchoMessage(bytes: Uint8Array): EchoMessage | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 5 && bytes[0] === 1) return { type: 'ping', id: view.getUint32(1) };
  if (bytes.length === 1 && bytes[0] === 2) return { type: 'start' };
  if (bytes.length === 9 && bytes[0] === 3)
    return { type: 'done', sent: view.getUint32(1), durationMs: view.getUint32(5) };
  return null;
}

/** The sequence number of a probe message, or null when it is not one. */
export function probeSequence(bytes: Uint8Array): number | null {
  if (bytes.length !== PROBE_MESSAGE_BYTES) return null;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}
