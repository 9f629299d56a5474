import { decodeInputEvent, encodePong, type InputEvent } from '@vitrine/protocol';
import type { InputInjector } from './injector.ts';
import { RateLimiter } from './rate-limiter.ts';

export interface InputStats {
  accepted: number;
  rejected: number;
  rateLimited: number;
  /** Valid input from a viewer who does not hold the controls (a watcher): dropped, never injected. */
  notInControl?: number;
  lastError?: string;
  lastInputAt?: number;
}

/**
 * Validates every message from the viewer's data channel and injects the good ones.
 * Bad or excess messages are counted and dropped; nothing here throws on hostile bytes.
 */
export class InputChannel {
  readonly stats: InputStats = { accepted: 0, rejected: 0, rateLimited: 0 };
  private readonly limiter: RateLimiter;

  private readonly injector: InputInjector;
  private display: { width: number; height: number };
  private readonly reply: (data: Uint8Array) => void;

  constructor(
    injector: InputInjector,
    display: { width: number; height: number },
    ratePerSecond: number,
    reply: (data: Uint8Array) => void,
  ) {
    this.injector = injector;
    this.display = display;
    this.reply = reply;
    this.limiter = new RateLimiter(ratePerSecond, ratePerSecond * 2);
  }

  /** Whether this viewer drives the app: a watcher's input is dropped until they take control. */
  inControl = true;

  /** Each injected event, after injection (the session's recording keeps them as a timed side track). */
  onInjected: ((event: Exclude<InputEvent, { type: 'ping' }>) => void) | undefined;

  /**
   * The encoded picture's size relative to the display (below 1 when the congestion controller
   * scaled the video down): the viewer's coordinates are video pixels, mapped back here.
   */
  videoScale = 1;

  private toDisplay<E extends InputEvent>(event: E): E {
    if (this.videoScale === 1 || !('x' in event)) return event;
    const x = Math.min(this.display.width - 1, Math.round(event.x / this.videoScale));
    const y = Math.min(this.display.height - 1, Math.round(event.y / this.videoScale));
    return { ...event, x, y };
  }

  /** The picture changed size (it follows the viewer): pointer positions are checked against it. */
  setDisplay(display: { width: number; height: number }): void {
    this.display = { ...display };
  }

  handle(data: unknown): void {
    if (!(data instanceof Uint8Array)) {
      this.stats.rejected++;
      this.stats.lastError = 'text message on the input channel';
      return;
    }
    if (!this.limiter.take()) {
      this.stats.rateLimited++;
      return;
    }
    const result = decodeInputEvent(data, this.display);
    if (!result.ok) {
      this.stats.rejected++;
      this.stats.lastError = result.error;
      return;
    }
    this.stats.accepted++;
    if (result.event.type === 'ping') {
      this.reply(encodePong(result.event.id));
      return;
    }
    if (!this.inControl) {
      this.stats.notInControl = (this.stats.notInControl ?? 0) + 1;
      return;
    }
    this.stats.lastInputAt = Date.now();
    const event = this.toDisplay(result.event);
    this.injector.inject(event);
    this.onInjected?.(event);
  }
}
