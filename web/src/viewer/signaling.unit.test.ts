import { describe, expect, it } from 'vitest';
import { parseServerSignal, signalingUrl } from './signaling.ts';

describe('signalingUrl', () => {
  it('follows the page protocol', () => {
    expect(signalingUrl('abc', { protocol: 'http:', host: 'localhost:5173' })).toBe(
      'ws://localhost:5173/api/sessions/abc/signal',
    );
    expect(signalingUrl('a/b', { protocol: 'https:', host: 'example.com' })).toBe(
      'wss://example.com/api/sessions/a%2Fb/signal',
    );
  });

  it('names the tab and asks to take over only when told', () => {
    const at = { protocol: 'https:', host: 'example.com' };
    expect(signalingUrl('s', at, { viewer: 'tab-1234abcd' })).toBe(
      'wss://example.com/api/sessions/s/signal?viewer=tab-1234abcd',
    );
    expect(signalingUrl('s', at, { viewer: 'tab-1234abcd', takeover: true })).toBe(
      'wss://example.com/api/sessions/s/signal?viewer=tab-1234abcd&takeover=1',
    );
  });
});

describe('parseServerSignal', () => {
  it('accepts valid messages', () => {
    const r = parseServerSignal(JSON.stringify({ type: 'offer', sdp: 'v=0', iceServers: [{ urls: 'stun:x' }] }));
    expect(r.ok).toBe(true);
    expect(parseServerSignal(JSON.stringify({ type: 'bye', reason: 'app exited' })).ok).toBe(true);
    expect(parseServerSignal(JSON.stringify({ type: 'ice-candidate', candidate: null })).ok).toBe(true);
    expect(parseServerSignal(JSON.stringify({ type: 'app-ready' })).ok).toBe(true);
    expect(parseServerSignal(JSON.stringify({ type: 'taken-over' })).ok).toBe(true);
  });

  it('rejects junk', () => {
    expect(parseServerSignal('nope').ok).toBe(false);
    expect(parseServerSignal(JSON.stringify({ type: 'offer' })).ok).toBe(false);
    expect(parseServerSignal(JSON.stringify({ type: 'bye', reason: 'because' })).ok).toBe(false);
    expect(parseServerSignal(new ArrayBuffer(3)).ok).toBe(false);
  });
});
