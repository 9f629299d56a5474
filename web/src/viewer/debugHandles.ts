/**
 * Read-only debug handles for automated end-to-end tests:
 * `window.__vitrine = { pc, video, state, ... }`. The object is frozen and its properties are
 * getters over the current viewer session, so tests observe the live values but cannot replace them.
 */
import type { StreamStats } from './stats.ts';
import { sessionSound } from './sessionSound.ts';

export interface DebugSource {
  readonly sessionId: string;
  readonly pc: RTCPeerConnection | null;
  readonly video: HTMLVideoElement | null;
  readonly state: string;
  readonly dataChannel: RTCDataChannel | null;
  readonly stats: StreamStats | null;
  readonly requestedCodec: string | null;
}

export interface VitrineDebugHandles {
  /** The viewer's RTCPeerConnection, or null when no session is open. */
  readonly pc: RTCPeerConnection | null;
  /** The viewer's `<video>` element, or null. */
  readonly video: HTMLVideoElement | null;
  /** Viewer state: idle, signaling, negotiating, connecting, connected, streaming, reconnecting, ended, failed, error. */
  readonly state: string;
  /** The `input` data channel, or null. */
  readonly dc: RTCDataChannel | null;
  /** Latest summarized WebRTC stats, or null. */
  readonly stats: StreamStats | null;
  readonly sessionId: string | null;
  /** The `?codec=` preference in effect (null = browser's choice). */
  readonly requestedCodec: string | null;
  /** The element playing the session's sound, or null (no sound yet). */
  readonly audio: HTMLAudioElement | null;
}

declare global {
  interface Window {
    readonly __vitrine?: VitrineDebugHandles;
  }
}

let source: DebugSource | null = null;

export function setDebugSource(next: DebugSource | null): void {
  source = next;
}

export function clearDebugSource(expected: DebugSource): void {
  if (source === expected) source = null;
}

export function installDebugHandles(): void {
  if (Object.prototype.hasOwnProperty.call(window, '__vitrine')) return;
  const handles: VitrineDebugHandles = Object.freeze({
    get pc() {
      return source?.pc ?? null;
    },
    get video() {
      return source?.video ?? null;
    },
    get state() {
      return source?.state ?? 'idle';
    },
    get dc() {
      return source?.dataChannel ?? null;
    },
    get stats() {
      return source?.stats ?? null;
    },
    get sessionId() {
      return source?.sessionId ?? null;
    },
    get requestedCodec() {
      return source?.requestedCodec ?? null;
    },
    get audio() {
      return sessionSound.element;
    },
  });
  Object.defineProperty(window, '__vitrine', {
    value: handles,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}
