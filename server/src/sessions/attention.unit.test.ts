import { describe, expect, it } from 'vitest';
import { Attention, type AttentionChange } from './attention.ts';
import type { Clock } from './lifecycle.ts';

/** A clock whose time moves only when the test says so. */
function fakeClock() {
  let now = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  let next = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      timers.set(next, { at: now + ms, run });
      return next++;
    },
    clearTimeout: (t) => void timers.delete(t as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers]) {
      if (t.at <= now) {
        timers.delete(id);
        t.run();
      }
    }
  };
  return { clock, advance, pending: () => timers.size };
}

function setup(idleMs = 120_000) {
  const { clock, advance, pending } = fakeClock();
  const changes: AttentionChange[] = [];
  const attention = new Attention(idleMs, (c) => changes.push(c), clock);
  return { attention, changes, advance, pending };
}

describe('attention (reading time, never enforcement)', () => {
  it('says nothing on connect: the connection itself means present', () => {
    const { attention, changes } = setup();
    attention.viewerBound();
    attention.viewerAttached();
    expect(changes).toEqual([]);
  });

  it('goes away after the idle time without input, and comes back on the next input', () => {
    const { attention, changes, advance } = setup(120_000);
    attention.viewerAttached();
    advance(119_000);
    attention.touched(); // restarts the idle clock
    advance(119_000);
    expect(changes).toEqual([]);
    advance(1_000);
    expect(changes).toEqual([{ present: false, why: 'idle' }]);
    attention.touched();
    expect(changes).toEqual([{ present: false, why: 'idle' }, { present: true }]);
  });

  it('goes away when the tab is hidden and back when it is shown, once per change', () => {
    const { attention, changes } = setup();
    attention.viewerAttached();
    attention.visibility(false);
    attention.visibility(false);
    attention.touched(); // a hidden tab gets no input, but if it did it would not make it visible
    attention.visibility(true);
    expect(changes).toEqual([{ present: false, why: 'hidden' }, { present: true }]);
  });

  it('a tab hidden before its media connected is away as soon as it connects', () => {
    const { attention, changes } = setup();
    attention.viewerBound();
    attention.visibility(false);
    attention.viewerAttached();
    expect(changes).toEqual([{ present: false, why: 'hidden' }]);
  });

  it('ignores a tab toggling its visibility in a loop, past a burst', () => {
    const { attention, changes, advance } = setup();
    attention.viewerAttached();
    for (let i = 0; i < 100; i++) attention.visibility(i % 2 === 1);
    expect(changes.length).toBe(20);
    advance(2_000);
    attention.visibility(false);
    expect(changes.length).toBe(21);
  });

  it('reports nothing while no viewer is attached, and stops its timer when the viewer goes', () => {
    const { attention, changes, advance, pending } = setup(1_000);
    attention.viewerAttached();
    attention.viewerGone();
    expect(pending()).toBe(0);
    advance(5_000);
    attention.visibility(false);
    attention.touched();
    expect(changes).toEqual([]);
    attention.viewerAttached();
    attention.ended();
    expect(pending()).toBe(0);
  });
});
