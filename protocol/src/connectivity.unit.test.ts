import { describe, expect, it } from 'vitest';
import {
  decodeEchoMessage,
  encodeEchoMessage,
  MAX_SELF_TEST_SIGNAL_BYTES,
  parseSelfTestClientSignal,
  parseSelfTestServerSignal,
  PROBE_MESSAGE_BYTES,
  probeSequence,
} from './connectivity.ts';

describe('the self-test signaling', () => {
  it('accepts an answer and candidates from a browser, and nothing else', () => {
    expect(parseSelfTestClientSignal(JSON.stringify({ type: 'answer', sdp: 'v=0' })).ok).toBe(true);
    expect(parseSelfTestClientSignal(JSON.stringify({ type: 'ice-candidate', candidate: null })).ok).toBe(true);
    for (const bad of [
      'not json',
      JSON.stringify({ type: 'offer', sdp: 'v=0' }),
      JSON.stringify({ type: 'answer', sdp: 'v=0', extra: 1 }),
      JSON.stringify({ type: 'ice-candidate', candidate: { candidate: 'x'.repeat(2000) } }),
      JSON.stringify({ type: 'answer', sdp: 'x'.repeat(MAX_SELF_TEST_SIGNAL_BYTES) }),
    ]) {
      expect(parseSelfTestClientSignal(bad).ok, bad.slice(0, 40)).toBe(false);
    }
  });

  it('reads the server offer with its ICE servers, policy, time limit and page address', () => {
    const offer = {
      type: 'offer',
      sdp: 'v=0',
      iceServers: [{ urls: 'turns:t.example:443?transport=tcp', username: 'u', credential: 'c' }],
      iceTransportPolicy: 'all',
      timeLimitMs: 15000,
      pageAddress: '192.0.2.1',
    };
    expect(parseSelfTestServerSignal(JSON.stringify(offer))).toEqual({ ok: true, message: offer });
    expect(parseSelfTestServerSignal(JSON.stringify({ type: 'end', reason: 'nope' })).ok).toBe(false);
  });
});

describe('the self-test data channels', () => {
  it('round-trips echo messages and refuses anything else', () => {
    for (const m of [
      { type: 'ping', id: 0xfffffffe },
      { type: 'start' },
      { type: 'done', sent: 1500, durationMs: 1503 },
    ] as const) {
      expect(decodeEchoMessage(encodeEchoMessage(m))).toEqual(m);
    }
    expect(decodeEchoMessage(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(decodeEchoMessage(new Uint8Array([9]))).toBeNull();
    expect(decodeEchoMessage(new Uint8Array(0))).toBeNull();
  });

  it('reads a probe message sequence number only from a message of the probe size', () => {
    const msg = new Uint8Array(PROBE_MESSAGE_BYTES);
    new DataView(msg.buffer).setUint32(0, 1234);
    expect(probeSequence(msg)).toBe(1234);
    expect(probeSequence(msg.subarray(1))).toBeNull();
  });
});
