import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionSound } from './sessionSound.ts';

/** A stand-in <audio>: play() resolves or is refused like a browser's autoplay rule. */
class FakeAudio {
  muted = false;
  paused = true;
  srcObject: unknown = null;
  refuse = false;
  play(): Promise<void> {
    if (this.refuse) return Promise.reject(new DOMException('gesture needed', 'NotAllowedError'));
    this.paused = false;
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
}

let element: FakeAudio;
beforeEach(() => {
  element = new FakeAudio();
  vi.stubGlobal('document', { createElement: () => element });
  vi.stubGlobal('MediaStream', class {});
});
afterEach(() => vi.unstubAllGlobals());

const storage = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};
const track = {} as MediaStreamTrack;
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('SessionSound', () => {
  it('plays the track when it arrives, and mute stops rendering it, remembered for the tab', async () => {
    const tab = storage();
    const sound = new SessionSound(tab);
    expect(sound.state.available).toBe(false);
    sound.attach(track);
    await settle();
    expect(sound.state).toEqual({ available: true, muted: false, blocked: false });
    expect(element.paused).toBe(false);
    sound.setMuted(true);
    expect(element).toMatchObject({ muted: true, paused: true });
    // The next connection in this tab starts muted.
    const again = new SessionSound(tab);
    element = new FakeAudio();
    again.attach(track);
    await settle();
    expect(again.state.muted).toBe(true);
    expect(element).toMatchObject({ muted: true, paused: true });
  });

  it('says when the browser refused to play, and plays on the next gesture', async () => {
    const sound = new SessionSound(storage());
    element.refuse = true;
    sound.attach(track);
    await settle();
    expect(sound.state.blocked).toBe(true);
    element.refuse = false;
    sound.gesture();
    await settle();
    expect(sound.state.blocked).toBe(false);
    expect(element.paused).toBe(false);
  });

  it('forgets the track when its connection goes', async () => {
    const sound = new SessionSound(null);
    sound.attach(track);
    await settle();
    sound.detach({} as MediaStreamTrack); // someone else's: ignored
    expect(sound.state.available).toBe(true);
    sound.detach(track);
    expect(sound.state).toMatchObject({ available: false, blocked: false });
    expect(element.srcObject).toBeNull();
  });
});
