import { describe, expect, it } from 'vitest';
import {
  ALLOWED_BUTTONS,
  InputOp,
  MAX_WHEEL_STEPS,
  decodeInputEvent,
  decodePong,
  encodeInputEvent,
  encodePong,
  isAllowedKeysym,
  type InputEvent,
} from '../src/input.ts';
import { mulberry32 } from './prng.ts';

const DISPLAY = { width: 1280, height: 720 };

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

function decodeOk(bytes: Uint8Array): InputEvent {
  const r = decodeInputEvent(bytes, DISPLAY);
  if (!r.ok) throw new Error(`expected ok for [${hex(bytes)}], got error: ${r.error}`);
  return r.event;
}

function decodeErr(bytes: Uint8Array | number[]): string {
  const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const r = decodeInputEvent(data, DISPLAY);
  if (r.ok) throw new Error(`expected error for [${hex(data)}], got ${JSON.stringify(r.event)}`);
  expect(r.error).toEqual(expect.any(String));
  expect(r.error.length).toBeGreaterThan(0);
  return r.error;
}

describe('encodeInputEvent / decodeInputEvent round trip', () => {
  const events: InputEvent[] = [
    { type: 'move', x: 0, y: 0 },
    { type: 'move', x: 1279, y: 719 },
    { type: 'move', x: 640, y: 360 },
    { type: 'button', down: true, button: 1, x: 10, y: 20 },
    { type: 'button', down: false, button: 3, x: 1279, y: 719 },
    { type: 'button', down: true, button: 9, x: 300, y: 0 },
    { type: 'wheel', dx: 0, dy: 3 },
    { type: 'wheel', dx: -10, dy: 10 },
    { type: 'wheel', dx: 7, dy: 0 },
    { type: 'key', down: true, keysym: 0x61 },
    { type: 'key', down: false, keysym: 0xff0d },
    { type: 'key', down: true, keysym: 0x010020ac },
    { type: 'ping', id: 0 },
    { type: 'ping', id: 0xffffffff },
    { type: 'ping', id: 123456789 },
  ];
  for (const ev of events) {
    it(`round-trips ${JSON.stringify(ev)}`, () => {
      const bytes = encodeInputEvent(ev);
      expect(decodeOk(bytes)).toEqual(ev);
    });
  }

  it('uses the documented opcodes, lengths and big-endian layout', () => {
    expect([...encodeInputEvent({ type: 'move', x: 0x0102, y: 0x0304 })]).toEqual([0x01, 0x01, 0x02, 0x03, 0x04]);
    expect([...encodeInputEvent({ type: 'button', down: true, button: 2, x: 0x0a0b, y: 0x0c0d })]).toEqual([
      0x02, 0x02, 0x0a, 0x0b, 0x0c, 0x0d,
    ]);
    expect([...encodeInputEvent({ type: 'button', down: false, button: 2, x: 1, y: 2 })]).toEqual([
      0x03, 0x02, 0x00, 0x01, 0x00, 0x02,
    ]);
    expect([...encodeInputEvent({ type: 'wheel', dx: -1, dy: 2 })]).toEqual([0x04, 0xff, 0xff, 0x00, 0x02]);
    expect([...encodeInputEvent({ type: 'key', down: true, keysym: 0x01020304 })]).toEqual([
      0x05, 0x01, 0x02, 0x03, 0x04,
    ]);
    expect([...encodeInputEvent({ type: 'key', down: false, keysym: 0x41 })]).toEqual([0x06, 0x00, 0x00, 0x00, 0x41]);
    expect([...encodeInputEvent({ type: 'ping', id: 0xdeadbeef })]).toEqual([0x07, 0xde, 0xad, 0xbe, 0xef]);
  });

  it('decodes a message that is a view into a larger buffer (non-zero byteOffset)', () => {
    const backing = new Uint8Array(32).fill(0xee);
    backing.set([InputOp.Move, 0x00, 0x05, 0x00, 0x07], 11);
    const view = backing.subarray(11, 16);
    expect(decodeOk(view)).toEqual({ type: 'move', x: 5, y: 7 });

    backing.set([InputOp.KeyDown, 0x00, 0x00, 0xff, 0x0d], 20);
    expect(decodeOk(backing.subarray(20, 25))).toEqual({ type: 'key', down: true, keysym: 0xff0d });
  });
});

describe('decodeInputEvent length and opcode checks', () => {
  const validByOp: Array<[string, InputEvent]> = [
    ['Move', { type: 'move', x: 1, y: 1 }],
    ['ButtonDown', { type: 'button', down: true, button: 1, x: 1, y: 1 }],
    ['ButtonUp', { type: 'button', down: false, button: 1, x: 1, y: 1 }],
    ['Wheel', { type: 'wheel', dx: 0, dy: 1 }],
    ['KeyDown', { type: 'key', down: true, keysym: 0x61 }],
    ['KeyUp', { type: 'key', down: false, keysym: 0x61 }],
    ['Ping', { type: 'ping', id: 1 }],
  ];
  for (const [name, ev] of validByOp) {
    it(`${name}: exact length accepted, one byte short or long rejected`, () => {
      const good = encodeInputEvent(ev);
      expect(decodeOk(good)).toEqual(ev);

      const short = good.slice(0, good.length - 1);
      expect(decodeErr(short)).toContain(`needs ${good.length} bytes, got ${good.length - 1}`);

      const long = new Uint8Array(good.length + 1);
      long.set(good);
      expect(decodeErr(long)).toContain(`needs ${good.length} bytes, got ${good.length + 1}`);

      // Only the opcode byte.
      expect(decodeErr(good.slice(0, 1))).toContain('needs');
    });
  }

  it('rejects an empty message', () => {
    expect(decodeErr([])).toMatch(/empty/);
  });

  it('rejects unknown opcodes, including 0, Pong (server->client only) and 0xff', () => {
    for (const op of [0x00, InputOp.Pong, 0x09, 0x7f, 0xff]) {
      expect(decodeErr([op, 0, 0, 0, 0])).toBe(`unknown opcode ${op}`);
      expect(decodeErr([op])).toBe(`unknown opcode ${op}`);
    }
  });
});

describe('decodeInputEvent value validation', () => {
  it('accepts coordinates up to width-1 / height-1 and rejects width / height', () => {
    expect(decodeOk(encodeInputEvent({ type: 'move', x: 1279, y: 0 }))).toEqual({ type: 'move', x: 1279, y: 0 });
    expect(decodeOk(encodeInputEvent({ type: 'move', x: 0, y: 719 }))).toEqual({ type: 'move', x: 0, y: 719 });
    expect(decodeErr(encodeInputEvent({ type: 'move', x: 1280, y: 0 }))).toMatch(/outside display/);
    expect(decodeErr(encodeInputEvent({ type: 'move', x: 0, y: 720 }))).toMatch(/outside display/);
    expect(decodeErr(encodeInputEvent({ type: 'move', x: 0xffff, y: 0xffff }))).toMatch(/outside display/);
  });

  it('applies the same coordinate bounds to button events', () => {
    expect(decodeOk(encodeInputEvent({ type: 'button', down: true, button: 1, x: 1279, y: 719 }))).toMatchObject({
      x: 1279,
      y: 719,
    });
    expect(decodeErr(encodeInputEvent({ type: 'button', down: true, button: 1, x: 1280, y: 10 }))).toMatch(
      /outside display/,
    );
    expect(decodeErr(encodeInputEvent({ type: 'button', down: false, button: 1, x: 10, y: 720 }))).toMatch(
      /outside display/,
    );
  });

  it('uses the display passed in, not a fixed size', () => {
    const small = { width: 64, height: 32 };
    expect(decodeInputEvent(encodeInputEvent({ type: 'move', x: 63, y: 31 }), small).ok).toBe(true);
    expect(decodeInputEvent(encodeInputEvent({ type: 'move', x: 64, y: 0 }), small).ok).toBe(false);
    expect(decodeInputEvent(encodeInputEvent({ type: 'move', x: 0, y: 32 }), small).ok).toBe(false);
  });

  it('accepts exactly the buttons 1, 2, 3, 8, 9', () => {
    const accepted: number[] = [];
    for (let b = 0; b < 256; b++) {
      for (const down of [true, false]) {
        const r = decodeInputEvent(encodeInputEvent({ type: 'button', down, button: b, x: 1, y: 1 }), DISPLAY);
        if (r.ok) {
          expect(r.event).toEqual({ type: 'button', down, button: b, x: 1, y: 1 });
          if (down) accepted.push(b);
        } else {
          expect(r.error).toBe(`button ${b} not allowed`);
        }
      }
    }
    expect(accepted).toEqual([1, 2, 3, 8, 9]);
  });

  it('rejects wheel 0,0 and accepts ±10 but not ±11 on either axis', () => {
    expect(decodeErr(encodeInputEvent({ type: 'wheel', dx: 0, dy: 0 }))).toMatch(/wheel 0,0 out of range/);
    for (const [dx, dy] of [
      [10, 0],
      [-10, 0],
      [0, 10],
      [0, -10],
      [10, -10],
      [-1, 1],
    ] as const) {
      expect(decodeOk(encodeInputEvent({ type: 'wheel', dx, dy }))).toEqual({ type: 'wheel', dx, dy });
    }
    for (const [dx, dy] of [
      [11, 0],
      [-11, 0],
      [0, 11],
      [0, -11],
      [1, 11],
      [-32768, 1],
      [32767, 0],
    ] as const) {
      expect(decodeErr(encodeInputEvent({ type: 'wheel', dx, dy }))).toMatch(/out of range/);
    }
  });

  it('reads wheel deltas as signed 16-bit', () => {
    expect(decodeOk(Uint8Array.from([InputOp.Wheel, 0xff, 0xf6, 0x00, 0x00]))).toEqual({
      type: 'wheel',
      dx: -10,
      dy: 0,
    });
    expect(decodeErr([InputOp.Wheel, 0xff, 0xf5, 0x00, 0x00])).toMatch(/-11,0/);
  });

  it('filters key events through the keysym allow-list', () => {
    expect(decodeOk(encodeInputEvent({ type: 'key', down: true, keysym: 0x41 }))).toEqual({
      type: 'key',
      down: true,
      keysym: 0x41,
    });
    expect(decodeOk(encodeInputEvent({ type: 'key', down: false, keysym: 0xff0d }))).toEqual({
      type: 'key',
      down: false,
      keysym: 0xff0d,
    });
    expect(decodeErr(encodeInputEvent({ type: 'key', down: true, keysym: 0x1008ff2a }))).toBe(
      'keysym 0x1008ff2a not allowed',
    );
    expect(decodeErr(encodeInputEvent({ type: 'key', down: false, keysym: 0x1008ff2a }))).toMatch(/not allowed/);
  });
});

describe('isAllowedKeysym', () => {
  it('allows printable ASCII and printable Latin-1 only', () => {
    expect(isAllowedKeysym(0x20)).toBe(true); // space
    expect(isAllowedKeysym(0x41)).toBe(true); // A
    expect(isAllowedKeysym(0x7e)).toBe(true); // ~
    expect(isAllowedKeysym(0xa0)).toBe(true); // nbsp
    expect(isAllowedKeysym(0xe9)).toBe(true); // é
    expect(isAllowedKeysym(0xff)).toBe(true); // ÿ
    expect(isAllowedKeysym(0x00)).toBe(false);
    expect(isAllowedKeysym(0x1f)).toBe(false);
    expect(isAllowedKeysym(0x7f)).toBe(false);
    expect(isAllowedKeysym(0x9f)).toBe(false);
    expect(isAllowedKeysym(0x100)).toBe(false);
  });

  it('allows the TTY/cursor/function block except Sys_Req, Multi_key and Break', () => {
    for (const k of [0xff08, 0xff09, 0xff0d, 0xff1b, 0xff51, 0xffbe, 0xffc9, 0xffe1, 0xffe3, 0xffeb, 0xffff]) {
      expect(isAllowedKeysym(k), `0x${k.toString(16)}`).toBe(true);
    }
    expect(isAllowedKeysym(0xff07)).toBe(false);
    expect(isAllowedKeysym(0xff15)).toBe(false); // Sys_Req
    expect(isAllowedKeysym(0xff20)).toBe(false); // Multi_key
    expect(isAllowedKeysym(0xff6b)).toBe(false); // Break
  });

  it('refuses XF86 and other vendor keysyms', () => {
    expect(isAllowedKeysym(0x1008ff2a)).toBe(false); // XF86PowerOff
    expect(isAllowedKeysym(0x1008fe01)).toBe(false); // XF86Switch_VT_1
    expect(isAllowedKeysym(0xfe04)).toBe(false); // ISO_Level3_Latch: only AltGr itself (0xfe03) is allowed in that block
    expect(isAllowedKeysym(0xffffffff)).toBe(false);
  });

  it('allows Unicode keysyms 0x01000100..0x0110ffff', () => {
    expect(isAllowedKeysym(0x010020ac)).toBe(true); // €
    expect(isAllowedKeysym(0x01000100)).toBe(true);
    expect(isAllowedKeysym(0x0110ffff)).toBe(true);
    expect(isAllowedKeysym(0x010000ff)).toBe(false);
    expect(isAllowedKeysym(0x01110000)).toBe(false);
  });
});

describe('encodePong / decodePong', () => {
  it('round-trips ids across the whole u32 range', () => {
    for (const id of [0, 1, 0xff, 0x12345678, 0xfffffffe, 0xffffffff]) {
      const buf = encodePong(id);
      expect(buf.byteLength).toBe(5);
      expect(buf[0]).toBe(InputOp.Pong);
      expect(decodePong(buf)).toBe(id);
    }
    expect([...encodePong(0x01020304)]).toEqual([0x08, 0x01, 0x02, 0x03, 0x04]);
  });

  it('returns null for wrong length or opcode', () => {
    expect(decodePong(new Uint8Array(0))).toBeNull();
    expect(decodePong(Uint8Array.from([InputOp.Pong, 0, 0, 0]))).toBeNull();
    expect(decodePong(Uint8Array.from([InputOp.Pong, 0, 0, 0, 1, 0]))).toBeNull();
    expect(decodePong(Uint8Array.from([InputOp.Ping, 0, 0, 0, 1]))).toBeNull();
  });

  it('honours byteOffset of a subarray', () => {
    const backing = new Uint8Array(16);
    backing.set(encodePong(0xcafebabe), 7);
    expect(decodePong(backing.subarray(7, 12))).toBe(0xcafebabe);
  });

  it('a ping decoded by the server is not mistaken for a pong and vice versa', () => {
    expect(decodePong(encodeInputEvent({ type: 'ping', id: 5 }))).toBeNull();
    expect(decodeInputEvent(encodePong(5), DISPLAY).ok).toBe(false);
  });
});

describe('decodeInputEvent fuzz', () => {
  const SEED = 0x5eed1234;
  const ITERATIONS = 20_000;

  // Length each opcode needs; used only to bias the generator towards well-formed frames.
  const LENGTHS: Record<number, number> = { 1: 5, 2: 6, 3: 6, 4: 5, 5: 5, 6: 5, 7: 5 };

  function randomMessage(rand: () => number): Uint8Array {
    // Valid opcodes (plus 0 and Pong) most of the time, any byte otherwise.
    const op = rand() < 0.8 ? Math.floor(rand() * 9) : Math.floor(rand() * 256);
    const wanted = LENGTHS[op];
    // Half the time the exact length for the opcode, otherwise any length 0..12.
    const len = wanted !== undefined && rand() < 0.5 ? wanted : Math.floor(rand() * 13);
    const bytes = new Uint8Array(len);
    if (len > 0) bytes[0] = op;
    for (let i = 1; i < len; i++) {
      const r = rand();
      if (r < 0.35) bytes[i] = 0;
      else if (r < 0.5) bytes[i] = 0xff;
      else if (r < 0.75) bytes[i] = Math.floor(rand() * 16);
      else bytes[i] = Math.floor(rand() * 256);
    }
    return bytes;
  }

  function invariantViolation(bytes: Uint8Array, ev: InputEvent): string | null {
    switch (ev.type) {
      case 'move':
        if (!(ev.x >= 0 && ev.x < DISPLAY.width && ev.y >= 0 && ev.y < DISPLAY.height)) return 'move outside display';
        break;
      case 'button':
        if (!(ev.x >= 0 && ev.x < DISPLAY.width && ev.y >= 0 && ev.y < DISPLAY.height)) return 'button outside display';
        if (![1, 2, 3, 8, 9].includes(ev.button)) return `button ${ev.button} not allowed`;
        break;
      case 'wheel':
        if (Math.abs(ev.dx) > 10 || Math.abs(ev.dy) > 10) return 'wheel out of range';
        if (ev.dx === 0 && ev.dy === 0) return 'wheel 0,0';
        if (!Number.isInteger(ev.dx) || !Number.isInteger(ev.dy)) return 'wheel not integer';
        break;
      case 'key':
        if (!isAllowedKeysym(ev.keysym)) return 'keysym not allowed';
        if (ev.keysym === 0x1008ff2a || ev.keysym < 0x20) return 'dangerous keysym';
        break;
      case 'ping':
        if (!(ev.id >= 0 && ev.id <= 0xffffffff)) return 'ping id out of u32';
        break;
      default:
        return `unexpected event type ${JSON.stringify(ev)}`;
    }
    // Every accepted message is canonical: re-encoding gives back the exact bytes.
    const again = encodeInputEvent(ev);
    if (hex(again) !== hex(bytes)) return `re-encoding differs: [${hex(again)}]`;
    return null;
  }

  it(`never throws and only accepts valid events (seed 0x${SEED.toString(16)}, ${ITERATIONS} runs)`, () => {
    const rand = mulberry32(SEED);
    const okByType: Record<string, number> = {};
    let rejected = 0;
    const failures: string[] = [];
    for (let i = 0; i < ITERATIONS && failures.length < 5; i++) {
      const bytes = randomMessage(rand);
      let result;
      try {
        result = decodeInputEvent(bytes, DISPLAY);
      } catch (err) {
        failures.push(`seed=0x${SEED.toString(16)} iter=${i} bytes=[${hex(bytes)}] threw ${String(err)}`);
        continue;
      }
      if (result.ok) {
        okByType[result.event.type] = (okByType[result.event.type] ?? 0) + 1;
        const why = invariantViolation(bytes, result.event);
        if (why) {
          failures.push(
            `seed=0x${SEED.toString(16)} iter=${i} bytes=[${hex(bytes)}] -> ${JSON.stringify(result.event)}: ${why}`,
          );
        }
      } else {
        rejected++;
        if (typeof result.error !== 'string' || result.error.length === 0) {
          failures.push(`seed=0x${SEED.toString(16)} iter=${i} bytes=[${hex(bytes)}] empty error`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    // The generator must actually exercise both paths for every event type, or the fuzz is hollow.
    for (const type of ['move', 'button', 'wheel', 'key', 'ping']) {
      expect(okByType[type] ?? 0, `accepted ${type} events`).toBeGreaterThan(20);
    }
    expect(rejected).toBeGreaterThan(ITERATIONS / 4);
  });

  it('MAX_WHEEL_STEPS and ALLOWED_BUTTONS agree with what the decoder enforces', () => {
    // Guards the exported constants, which the web client uses to pre-validate, against drifting.
    expect(decodeInputEvent(encodeInputEvent({ type: 'wheel', dx: MAX_WHEEL_STEPS, dy: 0 }), DISPLAY).ok).toBe(true);
    expect(decodeInputEvent(encodeInputEvent({ type: 'wheel', dx: MAX_WHEEL_STEPS + 1, dy: 0 }), DISPLAY).ok).toBe(
      false,
    );
    for (let b = 0; b < 256; b++) {
      const ok = decodeInputEvent(encodeInputEvent({ type: 'button', down: true, button: b, x: 0, y: 0 }), DISPLAY).ok;
      expect(ok, `button ${b}`).toBe(ALLOWED_BUTTONS.has(b));
    }
  });
});
