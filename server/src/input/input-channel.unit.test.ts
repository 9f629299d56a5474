import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodePong, encodeInputEvent, encodePong, InputOp } from '@vitrine/protocol';
import { InputChannel } from './input-channel.ts';
import { InputInjector, type InputSink } from './injector.ts';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  function clock(start = 1000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('starts with a full bucket of `burst` tokens', () => {
    const c = clock();
    const rl = new RateLimiter(10, 5, c.now);
    for (let i = 0; i < 5; i++) expect(rl.take(), `take ${i}`).toBe(true);
    expect(rl.take()).toBe(false);
    expect(rl.take()).toBe(false);
  });

  it('refills at `rate` tokens per second', () => {
    const c = clock();
    const rl = new RateLimiter(10, 5, c.now);
    for (let i = 0; i < 5; i++) rl.take();
    expect(rl.take()).toBe(false);
    c.advance(99);
    expect(rl.take()).toBe(false);
    c.advance(1); // 100 ms at 10/s = 1 token
    expect(rl.take()).toBe(true);
    expect(rl.take()).toBe(false);
    c.advance(300);
    expect(rl.take()).toBe(true);
    expect(rl.take()).toBe(true);
    expect(rl.take()).toBe(true);
    expect(rl.take()).toBe(false);
  });

  it('accumulates fractional tokens across calls', () => {
    const c = clock();
    const rl = new RateLimiter(10, 1, c.now);
    expect(rl.take()).toBe(true);
    c.advance(50);
    expect(rl.take()).toBe(false); // 0.5 token
    c.advance(50);
    expect(rl.take()).toBe(true); // 0.5 + 0.5
  });

  it('never holds more than `burst` tokens after a long idle period', () => {
    const c = clock();
    const rl = new RateLimiter(100, 3, c.now);
    c.advance(60_000);
    let granted = 0;
    for (let i = 0; i < 10; i++) if (rl.take()) granted++;
    expect(granted).toBe(3);
  });

  it('sustains exactly `rate` per second under constant pressure', () => {
    const c = clock();
    const rl = new RateLimiter(50, 10, c.now);
    let granted = 0;
    // 10 seconds of attempts every millisecond.
    for (let ms = 0; ms < 10_000; ms++) {
      if (rl.take()) granted++;
      c.advance(1);
    }
    expect(granted).toBeGreaterThanOrEqual(10 + 50 * 10 - 1);
    expect(granted).toBeLessThanOrEqual(10 + 50 * 10);
  });

  it('reads the injected clock, not the real one', () => {
    let t = 0;
    const rl = new RateLimiter(1, 1, () => t);
    expect(rl.take()).toBe(true);
    expect(rl.take()).toBe(false);
    t = 1000;
    expect(rl.take()).toBe(true);
  });
});

class RecordingSink implements InputSink {
  calls: string[] = [];
  fakeMotion(x: number, y: number): void {
    this.calls.push(`motion ${x},${y}`);
  }
  fakeButton(button: number, down: boolean): void {
    this.calls.push(`button ${button} ${down}`);
  }
  fakeKey(keycode: number, down: boolean): void {
    this.calls.push(`key ${keycode} ${down}`);
  }
  changeKeyboardMapping(keycode: number, keysyms: number[]): void {
    this.calls.push(`map ${keycode} ${keysyms.join(',')}`);
  }
}

describe('InputChannel', () => {
  const DISPLAY = { width: 640, height: 480 };
  let perfNow = 10_000;

  beforeEach(() => {
    perfNow = 10_000;
    vi.spyOn(performance, 'now').mockImplementation(() => perfNow);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function setup(rate = 100) {
    const sink = new RecordingSink();
    const injector = new InputInjector(sink, {
      first: 8,
      rows: [
        [0xff1b, 0],
        [0, 0],
      ],
    });
    const replies: Uint8Array[] = [];
    const channel = new InputChannel(injector, DISPLAY, rate, (d) => replies.push(d));
    return { sink, channel, replies };
  }

  const move = (x: number, y: number) => encodeInputEvent({ type: 'move', x, y });

  it('injects a valid event and counts it as accepted', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const { sink, channel, replies } = setup();
    channel.handle(move(10, 20));
    expect(sink.calls).toEqual(['motion 10,20']);
    expect(channel.stats).toEqual({ accepted: 1, rejected: 0, rateLimited: 0, lastInputAt: 1_700_000_000_000 });
    expect(replies).toEqual([]);
  });

  it('accepts a Node Buffer (a Uint8Array subclass) as delivered by the data channel', () => {
    const { sink, channel } = setup();
    channel.handle(Buffer.from(encodeInputEvent({ type: 'key', down: true, keysym: 0xff1b })));
    expect(sink.calls).toEqual(['key 8 true']); // Escape is the first row, keycode 8
    expect(channel.stats.accepted).toBe(1);
  });

  it('answers a ping with a pong carrying the same id, without injecting', () => {
    const { sink, channel, replies } = setup();
    channel.handle(encodeInputEvent({ type: 'ping', id: 0xabcdef01 }));
    expect(replies).toHaveLength(1);
    expect(decodePong(replies[0]!)).toBe(0xabcdef01);
    expect([...replies[0]!]).toEqual([...encodePong(0xabcdef01)]);
    expect(sink.calls).toEqual([]);
    expect(channel.stats.accepted).toBe(1);
    // A ping is not user input: it must not keep an idle session alive.
    expect(channel.stats.lastInputAt).toBeUndefined();
  });

  it("drops a watcher's input (not in control) but still answers its pings, and reports what it injected", () => {
    const { sink, channel, replies } = setup();
    const injected: unknown[] = [];
    channel.onInjected = (e) => injected.push(e);
    channel.inControl = false;
    channel.handle(move(10, 20));
    channel.handle(encodeInputEvent({ type: 'ping', id: 7 }));
    expect(sink.calls).toEqual([]);
    expect(replies).toHaveLength(1);
    expect(channel.stats.notInControl).toBe(1);
    expect(channel.stats.lastInputAt).toBeUndefined();
    channel.inControl = true;
    channel.handle(move(11, 21));
    expect(sink.calls).toEqual(['motion 11,21']);
    expect(injected).toEqual([{ type: 'move', x: 11, y: 21 }]);
  });

  it('rejects string messages without injecting', () => {
    const { sink, channel } = setup();
    channel.handle('\x01\x00\x01\x00\x01');
    expect(sink.calls).toEqual([]);
    expect(channel.stats).toMatchObject({ accepted: 0, rejected: 1, rateLimited: 0 });
    expect(channel.stats.lastError).toMatch(/text message/);
  });

  it('rejects invalid binary messages and records the decoder error', () => {
    const { sink, channel } = setup();
    channel.handle(move(640, 0)); // x == width
    expect(channel.stats.lastError).toMatch(/outside display/);
    channel.handle(Uint8Array.from([InputOp.Pong, 0, 0, 0, 1]));
    expect(channel.stats.lastError).toBe('unknown opcode 8');
    channel.handle(new Uint8Array(0));
    expect(channel.stats).toMatchObject({ accepted: 0, rejected: 3, rateLimited: 0 });
    expect(sink.calls).toEqual([]);
  });

  it('keeps counting after errors: good messages still go through', () => {
    const { sink, channel } = setup();
    channel.handle(Uint8Array.from([0xff]));
    channel.handle(move(1, 1));
    channel.handle('nope');
    channel.handle(move(2, 2));
    expect(channel.stats).toMatchObject({ accepted: 2, rejected: 2, rateLimited: 0 });
    expect(sink.calls).toEqual(['motion 1,1', 'motion 2,2']);
  });

  it('never throws on garbage of any type', () => {
    const { sink, channel } = setup(10_000);
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      {},
      [1, 2, 3],
      new ArrayBuffer(5),
      new Uint16Array([1, 2, 3]),
      new Uint8Array(100_000),
      Uint8Array.from([InputOp.Move, 0xff]),
      Uint8Array.from([InputOp.ButtonDown, 0x04, 0, 0, 0, 0]),
      Uint8Array.from([InputOp.Wheel, 0x7f, 0xff, 0x80, 0x00]),
      Uint8Array.from([InputOp.KeyDown, 0x10, 0x08, 0xff, 0x2a]),
    ];
    for (const g of garbage) expect(() => channel.handle(g), String(g)).not.toThrow();
    expect(channel.stats.accepted).toBe(0);
    expect(channel.stats.rejected).toBe(garbage.length);
    expect(sink.calls).toEqual([]);
  });

  it('rate-limits to a burst of 2x the rate, then `rate` per second', () => {
    const { sink, channel } = setup(10); // burst 20
    for (let i = 0; i < 25; i++) channel.handle(move(i, 0));
    expect(channel.stats).toMatchObject({ accepted: 20, rejected: 0, rateLimited: 5 });
    expect(sink.calls).toHaveLength(20);
    expect(sink.calls.at(-1)).toBe('motion 19,0');

    perfNow += 100; // one token at 10/s
    channel.handle(move(100, 0));
    channel.handle(move(101, 0));
    expect(channel.stats).toMatchObject({ accepted: 21, rateLimited: 6 });
    expect(sink.calls.at(-1)).toBe('motion 100,0');
  });

  it('counts excess messages as rate-limited before decoding them', () => {
    const { channel } = setup(10);
    for (let i = 0; i < 20; i++) channel.handle(move(0, 0));
    channel.handle(Uint8Array.from([0xff])); // would be rejected if decoded
    expect(channel.stats).toMatchObject({ accepted: 20, rejected: 0, rateLimited: 1 });
  });

  it('rate-limits pings too, so they cannot be used to flood replies', () => {
    const { channel, replies } = setup(10);
    for (let i = 0; i < 30; i++) channel.handle(encodeInputEvent({ type: 'ping', id: i }));
    expect(replies).toHaveLength(20);
    expect(channel.stats.rateLimited).toBe(10);
  });

  it('string messages do not consume rate-limit tokens', () => {
    const { channel } = setup(10);
    for (let i = 0; i < 50; i++) channel.handle('text');
    for (let i = 0; i < 20; i++) channel.handle(move(0, 0));
    expect(channel.stats).toMatchObject({ accepted: 20, rejected: 50, rateLimited: 0 });
  });
});
