import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseServerSignal, SignalingClient, signalingUrl } from './signaling.ts';

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

/** A socket that ends the way the test says, with the events a browser fires for it. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static last: FakeSocket;
  readyState = FakeSocket.CONNECTING;
  constructor() {
    super();
    FakeSocket.last = this;
  }
  fail(withClose: boolean): void {
    this.readyState = 3;
    this.dispatchEvent(new Event('error'));
    if (withClose) this.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '' }));
  }
}

describe('SignalingClient', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('reports a socket the page’s policy refused (an error without a close) as closed, once', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const closes: unknown[] = [];
    new SignalingClient('ws://elsewhere.test/x', { onMessage: () => {}, onClose: (c) => closes.push(c) });
    FakeSocket.last.fail(false);
    await vi.runAllTimersAsync();
    expect(closes).toEqual([{ code: 1006, reason: '', opened: false }]);

    new SignalingClient('ws://elsewhere.test/x', { onMessage: () => {}, onClose: (c) => closes.push(c) });
    FakeSocket.last.fail(true);
    await vi.runAllTimersAsync();
    expect(closes).toHaveLength(2);
  });

  it('keeps the real close (its code) that follows an error a moment later', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const closes: unknown[] = [];
    new SignalingClient('ws://here.test/x', { onMessage: () => {}, onClose: (c) => closes.push(c) });
    FakeSocket.last.fail(false);
    await vi.advanceTimersByTimeAsync(200);
    FakeSocket.last.dispatchEvent(Object.assign(new Event('close'), { code: 4503, reason: 'server restarting' }));
    await vi.runAllTimersAsync();
    expect(closes).toEqual([{ code: 4503, reason: 'server restarting', opened: false }]);
  });
});
