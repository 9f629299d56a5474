/**
 * Captures mouse, wheel and keyboard input over the viewer and turns it into protocol
 * `InputEvent`s. Pointer positions are mapped to display pixels (see coordinates.ts); moves are
 * coalesced to one per animation frame. The clipboard is never touched: paste/copy/cut events on
 * the viewer are blocked and no clipboard API is called.
 */
import { keysymFromKey, MAX_WHEEL_STEPS, type InputEvent } from '@vitrine/protocol';
import { mapClientToDisplay, type DisplayPoint } from './coordinates.ts';

/** DOM MouseEvent.button → X11 button: 0 left→1, 1 middle→2, 2 right→3, 3 back→8, 4 forward→9. */
export function xButtonFromDomButton(domButton: number): number | null {
  switch (domButton) {
    case 0:
      return 1;
    case 1:
      return 2;
    case 2:
      return 3;
    case 3:
      return 8;
    case 4:
      return 9;
    default:
      return null;
  }
}

/** Bit of MouseEvent.buttons that corresponds to MouseEvent.button (note 1 and 2 are swapped). */
export function buttonsBitForDomButton(domButton: number): number {
  switch (domButton) {
    case 0:
      return 1;
    case 1:
      return 4;
    case 2:
      return 2;
    case 3:
      return 8;
    case 4:
      return 16;
    default:
      return 0;
  }
}

const DOM_DELTA_PIXEL = 0;
const DOM_DELTA_LINE = 1;
const DOM_DELTA_PAGE = 2;

/** Pixels that make one wheel notch (Chromium reports 100–120 px per notch; touchpads send less). */
const PIXELS_PER_STEP = 100;
/** Lines per notch (Firefox in line mode reports 3 lines per notch). */
const LINES_PER_STEP = 3;
const STEPS_PER_PAGE = 5;
/** A single event worth this many steps or more counts as at least one notch (e.g. 53 px wheels). */
const MIN_DISCRETE_FRACTION = 0.4;

/**
 * Converts wheel deltas into whole X wheel steps (positive dy = scroll down, positive dx = right),
 * accumulating the fractions touchpads produce. Each returned value is clamped to ±MAX_WHEEL_STEPS.
 */
export class WheelAccumulator {
  #x = 0;
  #y = 0;

  add(deltaX: number, deltaY: number, deltaMode: number): { dx: number; dy: number } {
    const ux = toSteps(deltaX, deltaMode);
    const uy = toSteps(deltaY, deltaMode);
    const rx = this.#axis(this.#x, ux);
    const ry = this.#axis(this.#y, uy);
    this.#x = rx.rest;
    this.#y = ry.rest;
    return { dx: rx.steps, dy: ry.steps };
  }

  reset(): void {
    this.#x = 0;
    this.#y = 0;
  }

  #axis(acc: number, units: number): { steps: number; rest: number } {
    if (!Number.isFinite(units) || units === 0) return { steps: 0, rest: acc };
    // A change of direction discards what was accumulated the other way.
    if (acc !== 0 && Math.sign(acc) !== Math.sign(units)) acc = 0;
    acc += units;
    // The epsilon absorbs float error (ten 0.1 steps must make one); `|| 0` turns -0 into 0.
    let steps = Math.trunc(acc + Math.sign(acc) * 1e-9) || 0;
    if (steps === 0 && Math.abs(units) >= MIN_DISCRETE_FRACTION) steps = Math.sign(units);
    const rest = steps === 0 ? acc : 0;
    return { steps: Math.max(-MAX_WHEEL_STEPS, Math.min(MAX_WHEEL_STEPS, steps)), rest };
  }
}

function toSteps(delta: number, mode: number): number {
  if (mode === DOM_DELTA_LINE) return delta / LINES_PER_STEP;
  if (mode === DOM_DELTA_PAGE) return delta * STEPS_PER_PAGE;
  if (mode === DOM_DELTA_PIXEL) return delta / PIXELS_PER_STEP;
  return 0;
}

export interface InputCaptureOptions {
  /** The focusable element that receives keyboard events (wraps the video). */
  container: HTMLElement;
  /** The video element; pointer positions are mapped onto its picture. */
  video: HTMLVideoElement;
  send: (event: InputEvent) => void;
}

/** Attaches all listeners; returns a function that removes them and releases held keys/buttons. */
export function attachInputCapture({ container, video, send }: InputCaptureOptions): () => void {
  const wheel = new WheelAccumulator();
  /** DOM key code → keysym sent on keydown, so keyup releases exactly what was pressed. */
  const heldKeys = new Map<string, number>();
  /** X buttons currently pressed (as sent to the server). */
  const heldButtons = new Set<number>();
  let lastPoint: DisplayPoint | null = null;
  let pendingMove: DisplayPoint | null = null;
  let frame = 0;

  const map = (e: MouseEvent, clampOutside = false) =>
    mapClientToDisplay(e.clientX, e.clientY, video, { clampOutside });

  const flushMove = () => {
    if (frame) {
      cancelAnimationFrame(frame);
      frame = 0;
    }
    if (pendingMove) {
      const p = pendingMove;
      pendingMove = null;
      if (!lastPoint || lastPoint.x !== p.x || lastPoint.y !== p.y) {
        lastPoint = p;
        send({ type: 'move', x: p.x, y: p.y });
      }
    }
  };

  const queueMove = (p: DisplayPoint) => {
    pendingMove = p;
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        flushMove();
      });
    }
  };

  /** Sends a move to `p` (if needed) and then the button event, preserving order. */
  const sendButton = (button: number, down: boolean, p: DisplayPoint) => {
    pendingMove = p;
    flushMove();
    if (down) heldButtons.add(button);
    else heldButtons.delete(button);
    send({ type: 'button', down, button, x: p.x, y: p.y });
  };

  const releaseButtons = () => {
    if (heldButtons.size === 0) return;
    const p = lastPoint ?? pendingMove ?? { x: 0, y: 0 };
    for (const b of [...heldButtons]) sendButton(b, false, p);
  };

  const releaseKeys = () => {
    for (const keysym of heldKeys.values()) send({ type: 'key', down: false, keysym });
    heldKeys.clear();
  };

  const onPointerDown = (e: PointerEvent) => {
    container.focus({ preventScroll: true });
    const button = xButtonFromDomButton(e.button);
    const p = map(e);
    // preventDefault stops text selection, focus moves and middle-click autoscroll.
    e.preventDefault();
    if (button === null || p === null) return;
    try {
      video.setPointerCapture(e.pointerId);
    } catch {
      // The pointer may already be gone; harmless.
    }
    sendButton(button, true, p);
  };

  const onPointerUp = (e: PointerEvent) => {
    e.preventDefault();
    const button = xButtonFromDomButton(e.button);
    if (button === null || !heldButtons.has(button)) return;
    const p = map(e, true);
    if (p) sendButton(button, false, p);
    else releaseButtons();
    if (heldButtons.size === 0 && video.hasPointerCapture(e.pointerId)) {
      video.releasePointerCapture(e.pointerId);
    }
  };

  const onPointerMove = (e: PointerEvent) => {
    // While a button is held the pointer is captured: clamp instead of dropping at the edge.
    const p = map(e, heldButtons.size > 0);
    // A chorded press/release (second button while another is held) arrives as pointermove.
    if (e.button >= 0) {
      const button = xButtonFromDomButton(e.button);
      if (button !== null && p) {
        const down = (e.buttons & buttonsBitForDomButton(e.button)) !== 0;
        if (down !== heldButtons.has(button)) sendButton(button, down, p);
        return;
      }
    }
    if (p) queueMove(p);
  };

  const onPointerCancel = () => releaseButtons();

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const p = map(e);
    if (!p) return;
    const { dx, dy } = wheel.add(e.deltaX, e.deltaY, e.deltaMode);
    if (dx === 0 && dy === 0) return;
    // The server scrolls where its pointer is: make sure it is where the user's is.
    pendingMove = p;
    flushMove();
    send({ type: 'wheel', dx, dy });
  };

  const prevent = (e: Event) => e.preventDefault();

  const onMouseButton = (e: MouseEvent) => {
    // Back/forward mouse buttons would navigate the browser history; middle click would autoscroll.
    if (e.button !== 0) e.preventDefault();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Leaving full screen with Escape is the browser's business; don't fight it.
    if (e.key === 'Escape' && document.fullscreenElement) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.isComposing) return;
    const keysym = keysymFromKey(e.key, e.code);
    if (keysym === null) return;
    const id = e.code || `key:${e.key}`;
    const previous = heldKeys.get(id);
    if (previous !== undefined && previous !== keysym) {
      // Same physical key now produces another symbol (layout/modifier change): release the old one.
      send({ type: 'key', down: false, keysym: previous });
    }
    heldKeys.set(id, keysym);
    send({ type: 'key', down: true, keysym });
  };

  const onKeyUp = (e: KeyboardEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const id = e.code || `key:${e.key}`;
    const keysym = heldKeys.get(id);
    // Only release what this viewer pressed (e.g. not a key held down before focusing the viewer).
    if (keysym === undefined) return;
    heldKeys.delete(id);
    send({ type: 'key', down: false, keysym });
  };

  /**
   * Keys pressed while nothing on the page has the focus (after a click on the header, say) belong
   * to the app too: the page itself has nothing to select, find or save, so select-all, find and
   * the like never act on the viewer's own chrome. Keys aimed at a focused control (a button, an
   * open popover) are left alone.
   */
  const onPageKey = (e: KeyboardEvent) => {
    if (e.target !== document.body && e.target !== document.documentElement) return;
    if (e.type === 'keydown') {
      container.focus({ preventScroll: true });
      onKeyDown(e);
    } else onKeyUp(e);
  };

  const onBlur = () => {
    releaseKeys();
    wheel.reset();
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      releaseKeys();
      releaseButtons();
    }
  };

  const opts = { passive: false } as const;
  video.addEventListener('pointerdown', onPointerDown, opts);
  video.addEventListener('pointerup', onPointerUp, opts);
  video.addEventListener('pointermove', onPointerMove);
  video.addEventListener('pointercancel', onPointerCancel);
  video.addEventListener('lostpointercapture', onPointerCancel);
  video.addEventListener('wheel', onWheel, opts);
  video.addEventListener('mousedown', onMouseButton);
  video.addEventListener('mouseup', onMouseButton);
  video.addEventListener('auxclick', prevent);
  container.addEventListener('contextmenu', prevent);
  container.addEventListener('keydown', onKeyDown);
  container.addEventListener('keyup', onKeyUp);
  container.addEventListener('blur', onBlur);
  container.addEventListener('paste', prevent);
  container.addEventListener('copy', prevent);
  container.addEventListener('cut', prevent);
  container.addEventListener('dragover', prevent);
  container.addEventListener('drop', prevent);
  window.addEventListener('blur', onBlur);
  window.addEventListener('keydown', onPageKey);
  window.addEventListener('keyup', onPageKey);
  document.addEventListener('visibilitychange', onVisibility);

  return () => {
    video.removeEventListener('pointerdown', onPointerDown);
    video.removeEventListener('pointerup', onPointerUp);
    video.removeEventListener('pointermove', onPointerMove);
    video.removeEventListener('pointercancel', onPointerCancel);
    video.removeEventListener('lostpointercapture', onPointerCancel);
    video.removeEventListener('wheel', onWheel);
    video.removeEventListener('mousedown', onMouseButton);
    video.removeEventListener('mouseup', onMouseButton);
    video.removeEventListener('auxclick', prevent);
    container.removeEventListener('contextmenu', prevent);
    container.removeEventListener('keydown', onKeyDown);
    container.removeEventListener('keyup', onKeyUp);
    container.removeEventListener('blur', onBlur);
    container.removeEventListener('paste', prevent);
    container.removeEventListener('copy', prevent);
    container.removeEventListener('cut', prevent);
    container.removeEventListener('dragover', prevent);
    container.removeEventListener('drop', prevent);
    window.removeEventListener('blur', onBlur);
    window.removeEventListener('keydown', onPageKey);
    window.removeEventListener('keyup', onPageKey);
    document.removeEventListener('visibilitychange', onVisibility);
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    releaseKeys();
    releaseButtons();
  };
}
