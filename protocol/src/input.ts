/**
 * Binary input protocol carried on the WebRTC data channel "input".
 * Layout and rationale: docs/input-protocol.md. Every multi-byte field is big-endian.
 */

export const InputOp = {
  Move: 0x01,
  ButtonDown: 0x02,
  ButtonUp: 0x03,
  Wheel: 0x04,
  KeyDown: 0x05,
  KeyUp: 0x06,
  Ping: 0x07,
  Pong: 0x08,
} as const;

export type InputEvent =
  | { type: 'move'; x: number; y: number }
  | { type: 'button'; down: boolean; button: number; x: number; y: number }
  | { type: 'wheel'; dx: number; dy: number }
  | { type: 'key'; down: boolean; keysym: number }
  | { type: 'ping'; id: number };

/** X11 button numbers the server accepts: left, middle, right, back, forward. */
export const ALLOWED_BUTTONS: ReadonlySet<number> = new Set([1, 2, 3, 8, 9]);
/** Wheel notches per event; a larger burst is a client bug or an attack. */
export const MAX_WHEEL_STEPS = 10;

const LENGTH: Record<number, number> = {
  [InputOp.Move]: 5,
  [InputOp.ButtonDown]: 6,
  [InputOp.ButtonUp]: 6,
  [InputOp.Wheel]: 5,
  [InputOp.KeyDown]: 5,
  [InputOp.KeyUp]: 5,
  [InputOp.Ping]: 5,
};

export function encodeInputEvent(ev: InputEvent): Uint8Array {
  let buf: Uint8Array;
  let view: DataView;
  const alloc = (n: number) => {
    buf = new Uint8Array(n);
    view = new DataView(buf.buffer);
  };
  switch (ev.type) {
    case 'move':
      alloc(5);
      view!.setUint8(0, InputOp.Move);
      view!.setUint16(1, ev.x);
      view!.setUint16(3, ev.y);
      break;
    case 'button':
      alloc(6);
      view!.setUint8(0, ev.down ? InputOp.ButtonDown : InputOp.ButtonUp);
      view!.setUint8(1, ev.button);
      view!.setUint16(2, ev.x);
      view!.setUint16(4, ev.y);
      break;
    case 'wheel':
      alloc(5);
      view!.setUint8(0, InputOp.Wheel);
      view!.setInt16(1, ev.dx);
      view!.setInt16(3, ev.dy);
      break;
    case 'key':
      alloc(5);
      view!.setUint8(0, ev.down ? InputOp.KeyDown : InputOp.KeyUp);
      view!.setUint32(1, ev.keysym);
      break;
    case 'ping':
      alloc(5);
      view!.setUint8(0, InputOp.Ping);
      view!.setUint32(1, ev.id);
      break;
  }
  return buf!;
}

export function encodePong(id: number): Uint8Array {
  const buf = new Uint8Array(5);
  const view = new DataView(buf.buffer);
  view.setUint8(0, InputOp.Pong);
  view.setUint32(1, id);
  return buf;
}

export function decodePong(data: Uint8Array): number | null {
  if (data.byteLength !== 5 || data[0] !== InputOp.Pong) return null;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1);
}

export type DecodeResult = { ok: true; event: InputEvent } | { ok: false; error: string };

/**
 * Parses and validates one hostile message. Never throws: every malformed, out-of-range
 * or unknown message becomes `{ok:false}` so the caller can count and drop it.
 */
export function decodeInputEvent(data: Uint8Array, display: { width: number; height: number }): DecodeResult {
  if (data.byteLength === 0) return { ok: false, error: 'empty message' };
  const op = data[0]!;
  const expected = LENGTH[op];
  if (expected === undefined) return { ok: false, error: `unknown opcode ${op}` };
  if (data.byteLength !== expected) {
    return { ok: false, error: `opcode ${op} needs ${expected} bytes, got ${data.byteLength}` };
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const inside = (x: number, y: number) => x < display.width && y < display.height;
  switch (op) {
    case InputOp.Move: {
      const x = view.getUint16(1);
      const y = view.getUint16(3);
      if (!inside(x, y)) return { ok: false, error: `pointer ${x},${y} outside display` };
      return { ok: true, event: { type: 'move', x, y } };
    }
    case InputOp.ButtonDown:
    case InputOp.ButtonUp: {
      const button = view.getUint8(1);
      const x = view.getUint16(2);
      const y = view.getUint16(4);
      if (!ALLOWED_BUTTONS.has(button)) return { ok: false, error: `button ${button} not allowed` };
      if (!inside(x, y)) return { ok: false, error: `pointer ${x},${y} outside display` };
      return { ok: true, event: { type: 'button', down: op === InputOp.ButtonDown, button, x, y } };
    }
    case InputOp.Wheel: {
      const dx = view.getInt16(1);
      const dy = view.getInt16(3);
      if (Math.abs(dx) > MAX_WHEEL_STEPS || Math.abs(dy) > MAX_WHEEL_STEPS || (dx === 0 && dy === 0)) {
        return { ok: false, error: `wheel ${dx},${dy} out of range` };
      }
      return { ok: true, event: { type: 'wheel', dx, dy } };
    }
    case InputOp.KeyDown:
    case InputOp.KeyUp: {
      const keysym = view.getUint32(1);
      if (!isAllowedKeysym(keysym)) return { ok: false, error: `keysym 0x${keysym.toString(16)} not allowed` };
      return { ok: true, event: { type: 'key', down: op === InputOp.KeyDown, keysym } };
    }
    case InputOp.Ping:
      return { ok: true, event: { type: 'ping', id: view.getUint32(1) } };
  }
  return { ok: false, error: `unknown opcode ${op}` };
}

/**
 * Printable Latin-1, the TTY/cursor/modifier/function block (0xff00..0xffff) and Unicode
 * keysyms. Everything else (e.g. XF86 power or VT-switch keysyms) is refused.
 */
export function isAllowedKeysym(keysym: number): boolean {
  if (keysym >= 0x20 && keysym <= 0x7e) return true;
  if (keysym >= 0xa0 && keysym <= 0xff) return true;
  if (keysym >= 0xff08 && keysym <= 0xffff) return !BLOCKED_FUNCTION_KEYSYMS.has(keysym);
  if (keysym === ISO_LEVEL3_SHIFT) return true;
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff) return true;
  return false;
}

/** AltGr on international layouts. */
const ISO_LEVEL3_SHIFT = 0xfe03;

// Sys_Req, Multi_key and friends have no meaning for a viewer and some trigger server actions.
const BLOCKED_FUNCTION_KEYSYMS: ReadonlySet<number> = new Set([0xff15, 0xff20, 0xff6b]);
