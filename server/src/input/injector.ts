import { ALLOWED_BUTTONS, type InputEvent } from '@vitrine/protocol';

/** The part of an X display the injector drives; narrow so it can be tested without X. */
export interface InputSink {
  fakeMotion(x: number, y: number): void;
  fakeButton(button: number, down: boolean): void;
  fakeKey(keycode: number, down: boolean): void;
  changeKeyboardMapping(keycode: number, keysyms: number[]): void;
}

const SHIFT_L = 0xffe1;
const SHIFT_R = 0xffe2;
// X core wheel buttons: 4 up, 5 down, 6 left, 7 right.
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;

/**
 * Turns validated input events into XTEST requests. Keysyms are looked up in the display's
 * keyboard map; a keysym the map lacks is bound to a spare keycode first, the way xdotool
 * does, so any Unicode character can be typed.
 */
export class InputInjector {
  private readonly byKeysym = new Map<number, { keycode: number; level: number }>();
  private readonly spare: number[];
  private spareNext = 0;
  private readonly held = new Map<number, { keycode: number; addedShift: boolean }>();
  private shiftHeld = 0;
  private shiftKeycode: number | undefined;

  private readonly sink: InputSink;
  private readonly perKeycode: number;

  constructor(sink: InputSink, mapping: { first: number; rows: number[][] }) {
    this.sink = sink;
    const spare: number[] = [];
    mapping.rows.forEach((row, i) => {
      const keycode = mapping.first + i;
      if (row.every((k) => k === 0)) spare.push(keycode);
      row.slice(0, 2).forEach((keysym, level) => {
        if (keysym !== 0 && !this.byKeysym.has(keysym)) this.byKeysym.set(keysym, { keycode, level });
      });
    });
    this.spare = spare.slice(-8);
    this.perKeycode = mapping.rows[0]?.length ?? 2;
    this.shiftKeycode = this.byKeysym.get(SHIFT_L)?.keycode;
  }

  inject(ev: InputEvent): void {
    switch (ev.type) {
      case 'move':
        this.sink.fakeMotion(ev.x, ev.y);
        return;
      case 'button':
        this.sink.fakeMotion(ev.x, ev.y);
        this.sink.fakeButton(ev.button, ev.down);
        return;
      case 'wheel':
        this.clicks(ev.dy > 0 ? WHEEL.down : WHEEL.up, Math.abs(ev.dy));
        this.clicks(ev.dx > 0 ? WHEEL.right : WHEEL.left, Math.abs(ev.dx));
        return;
      case 'key':
        if (ev.down) this.keyDown(ev.keysym);
        else this.keyUp(ev.keysym);
        return;
      case 'ping':
        return;
    }
  }

  /** Releases everything still pressed, e.g. when the viewer goes away mid-chord. */
  releaseAll(): void {
    for (const keysym of [...this.held.keys()]) this.keyUp(keysym);
    for (const button of ALLOWED_BUTTONS) this.sink.fakeButton(button, false);
  }

  private clicks(button: number, n: number): void {
    for (let i = 0; i < n; i++) {
      this.sink.fakeButton(button, true);
      this.sink.fakeButton(button, false);
    }
  }

  private keyDown(keysym: number): void {
    if (this.held.has(keysym)) {
      // Auto-repeat from the browser: another press of the held key, as a real keyboard repeats.
      const { keycode } = this.held.get(keysym)!;
      this.sink.fakeKey(keycode, true);
      return;
    }
    const entry = this.byKeysym.get(keysym) ?? this.bindSpare(keysym);
    if (!entry) return;
    // A shifted symbol typed without Shift held (e.g. from an IME) still needs Shift in X.
    const addedShift = entry.level === 1 && this.shiftHeld === 0 && this.shiftKeycode !== undefined;
    if (addedShift) this.sink.fakeKey(this.shiftKeycode!, true);
    this.sink.fakeKey(entry.keycode, true);
    if (addedShift) this.sink.fakeKey(this.shiftKeycode!, false);
    this.held.set(keysym, { keycode: entry.keycode, addedShift });
    if (keysym === SHIFT_L || keysym === SHIFT_R) this.shiftHeld++;
  }

  private keyUp(keysym: number): void {
    const held = this.held.get(keysym);
    if (!held) return;
    this.held.delete(keysym);
    this.sink.fakeKey(held.keycode, false);
    if (keysym === SHIFT_L || keysym === SHIFT_R) this.shiftHeld = Math.max(0, this.shiftHeld - 1);
  }

  private bindSpare(keysym: number): { keycode: number; level: number } | undefined {
    if (this.spare.length === 0) return undefined;
    const keycode = this.spare[this.spareNext++ % this.spare.length]!;
    for (const [sym, e] of this.byKeysym) if (e.keycode === keycode) this.byKeysym.delete(sym);
    const row = new Array<number>(this.perKeycode).fill(0);
    row[0] = keysym;
    if (row.length > 1) row[1] = keysym;
    this.sink.changeKeyboardMapping(keycode, row);
    const entry = { keycode, level: 0 };
    this.byKeysym.set(keysym, entry);
    return entry;
  }
}
