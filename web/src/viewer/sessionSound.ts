/**
 * The session's sound in this tab: the server's audio track (sent only when the app asked for
 * sound) played by an <audio> element of its own, so that a browser refusing sound without a
 * gesture never stops the picture (the <video> stays muted and always plays). Mute persists for
 * the tab (sessionStorage). When playback was refused, the next click or key anywhere on the page
 * starts it (the viewer's click to focus counts) and the bar shows "Click for sound" until then.
 * Nothing here ever asks for the microphone: the connection receives sound only.
 */

const MUTED_KEY = 'vitrine.viewer.muted';

export interface SoundState {
  /** The session has sound (an audio track arrived). */
  available: boolean;
  muted: boolean;
  /** The browser refused to play before a gesture. */
  blocked: boolean;
}

type Listener = () => void;

export class SessionSound {
  #element: HTMLAudioElement | null = null;
  #track: MediaStreamTrack | null = null;
  #state: SoundState;
  #listeners = new Set<Listener>();
  #storage: Pick<Storage, 'getItem' | 'setItem'> | null;

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
    this.#storage = storage;
    this.#state = { available: false, muted: storage?.getItem(MUTED_KEY) === '1', blocked: false };
  }

  get state(): SoundState {
    return this.#state;
  }

  /** The element playing the sound (end-to-end tests read it through the debug handles). */
  get element(): HTMLAudioElement | null {
    return this.#element;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The connection's audio track arrived: play it (unless muted). */
  attach(track: MediaStreamTrack): void {
    this.#track = track;
    const element = this.#element ?? document.createElement('audio');
    this.#element = element;
    element.srcObject = new MediaStream([track]);
    element.muted = this.#state.muted;
    this.#set({ available: true });
    if (!this.#state.muted) this.#play();
  }

  /** The connection is gone: nothing to play until the next one sends sound. */
  detach(track: MediaStreamTrack): void {
    if (this.#track !== track) return;
    this.#track = null;
    if (this.#element) {
      this.#element.pause();
      this.#element.srcObject = null;
    }
    this.#set({ available: false, blocked: false });
  }

  /** Muted, the element stops playing altogether (nothing is rendered, not merely turned down). */
  setMuted(muted: boolean): void {
    this.#storage?.setItem(MUTED_KEY, muted ? '1' : '0');
    this.#set({ muted });
    const element = this.#element;
    if (!element) return;
    element.muted = muted;
    if (muted) element.pause();
    else this.#play();
  }

  /** A gesture on the page: sound refused before may play now. */
  gesture = (): void => {
    if (this.#state.blocked && !this.#state.muted) this.#play();
  };

  #play(): void {
    const element = this.#element;
    if (!element || !this.#track) return;
    element.play().then(
      () => this.#set({ blocked: false }),
      (err: unknown) => {
        // Refused until the person interacts with the page; any other rejection is a newer load.
        if (err instanceof DOMException && err.name === 'NotAllowedError') this.#set({ blocked: true });
      },
    );
  }

  #set(change: Partial<SoundState>): void {
    const next = { ...this.#state, ...change };
    if (
      next.available === this.#state.available &&
      next.muted === this.#state.muted &&
      next.blocked === this.#state.blocked
    ) {
      return;
    }
    this.#state = next;
    for (const l of this.#listeners) l();
  }
}

function tabStorage(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The tab's one sound (a tab shows one session at a time). */
export const sessionSound = typeof window === 'undefined' ? new SessionSound(null) : new SessionSound(tabStorage());

if (typeof window !== 'undefined') {
  // Capture: the viewer's own handlers may stop propagation of what goes to the remote app.
  window.addEventListener('pointerdown', sessionSound.gesture, { capture: true });
  window.addEventListener('keydown', sessionSound.gesture, { capture: true });
}
