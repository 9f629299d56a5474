import { describe, expect, it } from 'vitest';
import type { Clock, LifecycleEvent, LifecycleRules } from './lifecycle.ts';
import { SessionLifecycle } from './lifecycle.ts';

const SEC = 1000;
const MIN = 60 * SEC;

interface FakeTimer {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * A manual clock: time moves only in `advance`, which runs every due timer in time order (ties in
 * scheduling order), including timers that due timers schedule within the advanced span.
 */
class FakeClock implements Clock {
  private time: number;
  private nextSeq = 0;
  private readonly pending = new Map<unknown, FakeTimer>();
  /** How many times `setTimeout` was called. */
  scheduled = 0;

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const handle = { id: this.nextSeq };
    this.pending.set(handle, { at: this.time + Math.max(0, ms), seq: this.nextSeq++, run });
    this.scheduled++;
    return handle;
  }

  clearTimeout(timer: unknown): void {
    this.pending.delete(timer);
  }

  /** Timers scheduled and neither run nor cleared. */
  get live(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: [unknown, FakeTimer] | undefined;
      for (const entry of this.pending) {
        const t = entry[1];
        if (t.at > until) continue;
        if (!next || t.at < next[1].at || (t.at === next[1].at && t.seq < next[1].seq)) next = entry;
      }
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].run();
    }
    this.time = until;
  }
}

const defaults: LifecycleRules = {
  graceMs: 30 * SEC,
  idleTimeoutMs: 15 * MIN,
  maxDurationMs: null,
  warningLeadMs: 60 * SEC,
};

/** A clock that does not start at 0, so "counted from creation" is not confused with "counted from 0". */
const EPOCH = 1_700_000_000_000;

interface Entry {
  /** Milliseconds since the lifecycle was created. */
  at: number;
  event: LifecycleEvent;
}

function setup(rules: Partial<LifecycleRules> = {}, react?: (event: LifecycleEvent, life: SessionLifecycle) => void) {
  const clock = new FakeClock(EPOCH);
  const timeline: Entry[] = [];
  const life: SessionLifecycle = new SessionLifecycle(
    { ...defaults, ...rules },
    (event) => {
      timeline.push({ at: clock.now() - EPOCH, event });
      react?.(event, life);
    },
    clock,
  );
  /** Moves the clock to `ms` after creation. */
  const at = (ms: number): void => {
    const delta = ms - (clock.now() - EPOCH);
    if (delta < 0) throw new Error(`clock is already past ${ms}`);
    clock.advance(delta);
  };
  /** The events since the last drain, and forget them. */
  const drain = (): Entry[] => timeline.splice(0);
  return { clock, life, timeline, at, drain };
}

const state = (s: 'starting' | 'ready' | 'streaming' | 'ended'): LifecycleEvent => ({ type: 'state', state: s });
const peerGone: LifecycleEvent = { type: 'end', reason: 'peer gone' };
const idleEnd: LifecycleEvent = { type: 'end', reason: 'idle timeout' };
const limitEnd: LifecycleEvent = { type: 'end', reason: 'time limit' };
const idleWarning = (secondsLeft: number): LifecycleEvent => ({
  type: 'warning',
  reason: 'idle timeout',
  secondsLeft,
});
const limitWarning = (secondsLeft: number): LifecycleEvent => ({ type: 'warning', reason: 'time limit', secondsLeft });

describe('the fake clock', () => {
  it('runs due timers in time order, ties in scheduling order, and never early', () => {
    const clock = new FakeClock(100);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`c@${clock.now()}`), 20);
    clock.advance(9);
    expect(ran).toEqual([]);
    clock.advance(11);
    expect(ran).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.now()).toBe(120);
    expect(clock.live).toBe(0);
  });

  it('runs timers scheduled by timers within the same advance, and none cleared', () => {
    const clock = new FakeClock(0);
    const ran: number[] = [];
    const tick = () => {
      ran.push(clock.now());
      if (clock.now() < 50) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.setTimeout(() => ran.push(-1), 0);
    const cleared = clock.setTimeout(() => ran.push(-2), 5);
    clock.clearTimeout(cleared);
    clock.advance(100);
    expect(ran).toEqual([-1, 10, 20, 30, 40, 50]);
    expect(clock.now()).toBe(100);
    expect(clock.live).toBe(0);
    expect(clock.scheduled).toBe(7);
  });
});

describe('session lifecycle: states', () => {
  it('starts in "starting" without emitting anything', () => {
    const { life, timeline } = setup();
    expect(life.state).toBe('starting');
    expect(timeline).toEqual([]);
  });

  it('started() makes it ready and says so, once', () => {
    const { life, drain } = setup();
    life.started();
    expect(life.state).toBe('ready');
    expect(drain().map((e) => e.event)).toEqual([state('ready')]);
    life.started();
    expect(life.state).toBe('ready');
    expect(drain()).toEqual([]);
  });

  it('a connected viewer makes it streaming; a viewer gone makes it ready again', () => {
    const { life, drain } = setup();
    life.started();
    life.viewerConnected();
    expect(life.state).toBe('streaming');
    life.viewerGone();
    expect(life.state).toBe('ready');
    life.viewerConnected();
    expect(life.state).toBe('streaming');
    expect(drain().map((e) => e.event)).toEqual([
      state('ready'),
      state('streaming'),
      state('ready'),
      state('streaming'),
    ]);
  });

  it('ignores a viewer connecting or leaving before the session has started', () => {
    const { life, drain } = setup();
    life.viewerConnected();
    life.viewerGone();
    life.viewerAttached();
    expect(life.state).toBe('starting');
    expect(drain()).toEqual([]);
  });

  it.each(['starting', 'ready', 'streaming'] as const)('ended() from %s makes it ended, and is idempotent', (from) => {
    const { life, drain } = setup();
    if (from !== 'starting') life.started();
    if (from === 'streaming') life.viewerConnected();
    expect(life.state).toBe(from);
    drain();
    life.ended();
    expect(life.state).toBe('ended');
    expect(drain().map((e) => e.event)).toEqual([state('ended')]);
    life.ended();
    life.ended();
    expect(life.state).toBe('ended');
    expect(drain()).toEqual([]);
  });

  it('nothing happens after ended: no event from any call or any timer', () => {
    const { life, at, drain } = setup({ maxDurationMs: 10 * MIN });
    life.started();
    life.viewerConnected();
    life.viewerGone(); // grace pending
    at(20 * SEC);
    life.ended();
    drain();
    life.started();
    life.viewerAttached();
    life.viewerConnected();
    life.viewerGone();
    life.touch();
    life.ended();
    at(24 * 60 * MIN);
    expect(drain()).toEqual([]);
    expect(life.state).toBe('ended');
  });

  it('nothing happens after ended even when it ends right after the warnings', () => {
    const { life, clock, at, drain } = setup({ idleTimeoutMs: 10 * MIN, maxDurationMs: 10 * MIN });
    life.started();
    life.viewerConnected();
    at(9 * MIN);
    expect(drain().map((e) => e.event)).toEqual([
      state('ready'),
      state('streaming'),
      idleWarning(60),
      limitWarning(60),
    ]);
    life.ended();
    drain();
    life.touch();
    life.viewerGone();
    life.viewerAttached();
    life.viewerConnected();
    life.started();
    expect(clock.live).toBe(0);
    at(60 * MIN);
    expect(drain()).toEqual([]);
  });
});

describe('session lifecycle: ended() clears every timer', () => {
  it('with the grace, idle and time-limit timers pending', () => {
    const { life, clock, at } = setup({ maxDurationMs: 10 * MIN });
    life.started();
    at(1 * SEC);
    expect(clock.live).toBe(3);
    life.ended();
    expect(clock.live).toBe(0);
  });

  it('after both warnings (the end timers pending)', () => {
    const { life, clock, at, drain } = setup({ idleTimeoutMs: 10 * MIN, maxDurationMs: 10 * MIN });
    life.started();
    life.viewerConnected();
    at(9 * MIN + 30 * SEC);
    expect(drain().map((e) => e.event)).toEqual([
      state('ready'),
      state('streaming'),
      idleWarning(60),
      limitWarning(60),
    ]);
    expect(clock.live).toBe(2);
    life.ended();
    expect(clock.live).toBe(0);
  });

  it('while still starting', () => {
    const { life, clock } = setup({ maxDurationMs: 10 * MIN });
    expect(clock.live).toBe(2);
    life.ended();
    expect(clock.live).toBe(0);
  });

  it('when the owner ends it from inside the "end" event', () => {
    const { life, clock, at, timeline } = setup({ maxDurationMs: 10 * MIN }, (event, l) => {
      if (event.type === 'end') l.ended();
    });
    life.started();
    at(30 * SEC);
    expect(timeline.map((e) => e.event)).toEqual([state('ready'), peerGone, state('ended')]);
    expect(clock.live).toBe(0);
  });

  // The owner may end the session while handling any event (a failed send, a state it refuses):
  // the timer the lifecycle arms right after emitting must not outlive ended().
  it.each([
    ['the idle warning', { idleTimeoutMs: 15 * MIN }, 'warning', 14 * MIN],
    ['the time-limit warning', { maxDurationMs: 10 * MIN }, 'warning', 9 * MIN],
    ['the ready state of started()', {}, 'state', 0],
  ] as const)('when the owner ends it from inside %s', (_name, rules, endOn, when) => {
    const { life, clock, at, drain } = setup(rules, (event, l) => {
      if (event.type === endOn && !(event.type === 'state' && event.state === 'ended')) l.ended();
    });
    life.started();
    at(when);
    expect(life.state).toBe('ended');
    expect(clock.live).toBe(0);
    drain();
    at(when + 60 * MIN);
    expect(drain()).toEqual([]);
  });
});

describe('session lifecycle: grace period', () => {
  it('ends "peer gone" exactly graceMs after started() with no viewer, not before', () => {
    const { life, at, drain } = setup();
    at(5 * SEC);
    life.started();
    drain();
    at(5 * SEC + 30 * SEC - 1);
    expect(drain()).toEqual([]);
    at(5 * SEC + 30 * SEC);
    expect(drain()).toEqual([{ at: 35 * SEC, event: peerGone }]);
    at(10 * MIN - 1);
    expect(drain()).toEqual([]);
  });

  it('is cancelled by a viewer attaching', () => {
    const { life, at, drain } = setup();
    life.started();
    at(29 * SEC);
    life.viewerAttached();
    at(10 * MIN);
    expect(drain().map((e) => e.event)).toEqual([state('ready')]);
  });

  it('is cancelled by a viewer connecting', () => {
    const { life, at, drain } = setup();
    life.started();
    at(29 * SEC);
    life.viewerConnected();
    at(10 * MIN);
    expect(drain().map((e) => e.event)).toEqual([state('ready'), state('streaming')]);
  });

  it('starts again when the viewer goes, counted from then', () => {
    const { life, at, drain } = setup();
    life.started();
    at(10 * SEC);
    life.viewerConnected();
    at(5 * MIN);
    life.viewerGone();
    drain();
    at(5 * MIN + 30 * SEC - 1);
    expect(drain()).toEqual([]);
    at(5 * MIN + 30 * SEC);
    expect(drain()).toEqual([{ at: 5 * MIN + 30 * SEC, event: peerGone }]);
  });

  it.each(['viewerAttached', 'viewerConnected'] as const)(
    'keeps the session on a reload within grace (viewerGone, then %s)',
    (back) => {
      const { life, at, drain } = setup();
      life.started();
      life.viewerConnected();
      at(1 * MIN);
      life.viewerGone();
      at(1 * MIN + 30 * SEC - 1);
      life[back]();
      if (back === 'viewerAttached') life.viewerConnected();
      at(14 * MIN - 1);
      expect(drain().map((e) => e.event)).toEqual([
        state('ready'),
        state('streaming'),
        state('ready'),
        state('streaming'),
      ]);
      expect(life.state).toBe('streaming');
    },
  );

  it('a second departure after a reload gets a full grace of its own', () => {
    const { life, at, drain } = setup();
    life.started();
    life.viewerConnected();
    at(1 * MIN);
    life.viewerGone();
    at(1 * MIN + 20 * SEC);
    life.viewerConnected();
    at(2 * MIN);
    life.viewerGone();
    drain();
    at(2 * MIN + 30 * SEC - 1);
    expect(drain()).toEqual([]);
    at(2 * MIN + 30 * SEC);
    expect(drain()).toEqual([{ at: 2 * MIN + 30 * SEC, event: peerGone }]);
  });

  it('is not armed while starting', () => {
    const { life, clock, at, drain } = setup({ graceMs: 30 * SEC });
    expect(clock.live).toBe(1); // the idle timer only
    life.viewerGone();
    expect(clock.live).toBe(1);
    at(10 * MIN);
    expect(drain()).toEqual([]);
    expect(life.state).toBe('starting');
  });
});

describe('session lifecycle: idle timeout', () => {
  /** Keeps a viewer on so the grace period stays out of the way. */
  const streaming = (rules: Partial<LifecycleRules> = {}) => {
    const s = setup(rules);
    s.life.started();
    s.life.viewerConnected();
    s.drain();
    return s;
  };

  it('warns 60 s before, at 14 min, and ends at 15 min', () => {
    const { at, drain } = streaming();
    at(14 * MIN - 1);
    expect(drain()).toEqual([]);
    at(14 * MIN);
    expect(drain()).toEqual([{ at: 14 * MIN, event: idleWarning(60) }]);
    at(15 * MIN - 1);
    expect(drain()).toEqual([]);
    at(15 * MIN);
    expect(drain()).toEqual([{ at: 15 * MIN, event: idleEnd }]);
  });

  it('runs from creation, even for a session that never starts', () => {
    const { at, drain } = setup();
    at(16 * MIN);
    expect(drain()).toEqual([
      { at: 14 * MIN, event: idleWarning(60) },
      { at: 15 * MIN, event: idleEnd },
    ]);
  });

  it('a touch before the warning postpones both warning and end', () => {
    const { life, at, drain } = streaming();
    at(10 * MIN);
    life.touch();
    at(13 * MIN);
    life.touch();
    at(13 * MIN + 14 * MIN - 1);
    expect(drain()).toEqual([]);
    at(13 * MIN + 15 * MIN);
    expect(drain()).toEqual([
      { at: 13 * MIN + 14 * MIN, event: idleWarning(60) },
      { at: 13 * MIN + 15 * MIN, event: idleEnd },
    ]);
  });

  it('a touch after the warning cancels the end, and a fresh warning comes later', () => {
    const { life, at, drain } = streaming();
    at(14 * MIN + 30 * SEC);
    expect(drain()).toEqual([{ at: 14 * MIN, event: idleWarning(60) }]);
    life.touch();
    at(14 * MIN + 30 * SEC + 14 * MIN - 1);
    expect(drain()).toEqual([]); // in particular no end at 15 min
    at(14 * MIN + 30 * SEC + 15 * MIN);
    expect(drain()).toEqual([
      { at: 14 * MIN + 30 * SEC + 14 * MIN, event: idleWarning(60) },
      { at: 14 * MIN + 30 * SEC + 15 * MIN, event: idleEnd },
    ]);
  });

  it('a touch in the last millisecond still saves the session', () => {
    const { life, at, drain } = streaming();
    at(15 * MIN - 1);
    life.touch();
    at(15 * MIN - 1 + 14 * MIN - 1);
    expect(drain().map((e) => e.event)).toEqual([idleWarning(60)]);
  });

  it.each([
    [15 * MIN, 14 * MIN, 60],
    [2 * MIN, 1 * MIN, 60],
    [10 * SEC, 5 * SEC, 5],
    [90 * SEC, 45 * SEC, 45],
  ])('with an idle limit of %i ms, warns at %i ms with %i seconds left', (limit, warnAt, secondsLeft) => {
    const { at, drain } = streaming({ idleTimeoutMs: limit, graceMs: 24 * 60 * MIN });
    at(warnAt - 1);
    expect(drain()).toEqual([]);
    at(limit);
    expect(drain()).toEqual([
      { at: warnAt, event: idleWarning(secondsLeft) },
      { at: limit, event: idleEnd },
    ]);
  });

  it('10,000 touches do not schedule 10,000 timers', () => {
    const { life, clock, at, drain } = streaming();
    const before = clock.scheduled;
    let maxLive = clock.live;
    for (let i = 1; i <= 10_000; i++) {
      at(i * 10);
      life.touch();
      maxLive = Math.max(maxLive, clock.live);
    }
    expect(clock.scheduled - before).toBe(0);
    expect(maxLive).toBe(1);
    expect(drain()).toEqual([]);
  });

  it('touching every second for hours keeps it alive with a handful of timers', () => {
    const { life, clock, at, drain } = streaming();
    const before = clock.scheduled;
    let maxLive = clock.live;
    for (let i = 1; i <= 10_000; i++) {
      at(i * SEC);
      life.touch();
      maxLive = Math.max(maxLive, clock.live);
    }
    // One re-check per idle period (about every 14 min over 2.8 h), not one per touch.
    expect(clock.scheduled - before).toBeLessThan(20);
    expect(maxLive).toBe(1);
    expect(drain()).toEqual([]);
    expect(life.state).toBe('streaming');
  });

  it('10,000 touches after a warning re-arm once', () => {
    const { life, clock, at, drain } = streaming();
    at(14 * MIN);
    drain();
    const before = clock.scheduled;
    for (let i = 1; i <= 10_000; i++) {
      at(14 * MIN + i);
      life.touch();
    }
    expect(clock.scheduled - before).toBe(1);
    expect(clock.live).toBe(1);
    at(14 * MIN + 10_000 + 14 * MIN);
    expect(drain()).toEqual([{ at: 14 * MIN + 10_000 + 14 * MIN, event: idleWarning(60) }]);
  });
});

describe('session lifecycle: time limit', () => {
  const streaming = (rules: Partial<LifecycleRules>) => {
    const s = setup(rules);
    s.life.started();
    s.life.viewerConnected();
    s.drain();
    return s;
  };

  it('warns at 9 min with 60 s left and ends at 10 min', () => {
    const { at, drain } = streaming({ maxDurationMs: 10 * MIN });
    at(9 * MIN - 1);
    expect(drain()).toEqual([]);
    at(9 * MIN);
    expect(drain()).toEqual([{ at: 9 * MIN, event: limitWarning(60) }]);
    at(10 * MIN - 1);
    expect(drain()).toEqual([]);
    at(10 * MIN);
    expect(drain()).toEqual([{ at: 10 * MIN, event: limitEnd }]);
  });

  it('is not postponed by input, before or after the warning', () => {
    const { life, at, drain } = streaming({ maxDurationMs: 10 * MIN });
    for (let t = SEC; t <= 10 * MIN; t += SEC) {
      at(t);
      life.touch();
    }
    expect(drain()).toEqual([
      { at: 9 * MIN, event: limitWarning(60) },
      { at: 10 * MIN, event: limitEnd },
    ]);
  });

  it('is not postponed by viewers coming and going', () => {
    const { life, at, drain } = streaming({ maxDurationMs: 10 * MIN });
    at(8 * MIN);
    life.viewerGone();
    at(8 * MIN + 10 * SEC);
    life.viewerConnected();
    at(9 * MIN + 30 * SEC);
    life.viewerGone();
    at(9 * MIN + 31 * SEC);
    life.viewerAttached();
    life.viewerConnected();
    at(10 * MIN);
    expect(drain().filter((e) => e.event.type !== 'state')).toEqual([
      { at: 9 * MIN, event: limitWarning(60) },
      { at: 10 * MIN, event: limitEnd },
    ]);
  });

  it('is counted from creation, not from started()', () => {
    const { life, at, drain } = setup({ maxDurationMs: 10 * MIN, graceMs: 60 * MIN });
    at(3 * MIN);
    life.started();
    at(10 * MIN);
    expect(drain().filter((e) => e.event.type !== 'state')).toEqual([
      { at: 9 * MIN, event: limitWarning(60) },
      { at: 10 * MIN, event: limitEnd },
    ]);
  });

  it('warns at half a short limit: 60 s gives a warning at 30 s with 30 s left', () => {
    const { at, drain } = streaming({ maxDurationMs: 60 * SEC });
    at(30 * SEC - 1);
    expect(drain()).toEqual([]);
    at(60 * SEC);
    expect(drain()).toEqual([
      { at: 30 * SEC, event: limitWarning(30) },
      { at: 60 * SEC, event: limitEnd },
    ]);
  });

  it('null: never, and no timer for it', () => {
    const { life, clock, at, drain } = streaming({ maxDurationMs: null });
    expect(clock.live).toBe(1); // the idle timer
    for (let t = 10 * MIN; t <= 48 * 60 * MIN; t += 10 * MIN) {
      at(t);
      life.touch();
    }
    expect(drain()).toEqual([]);
    expect(life.state).toBe('streaming');
  });
});

describe('session lifecycle: age()', () => {
  it('is the time since creation, whatever happened since', () => {
    const { life, at } = setup();
    expect(life.age()).toBe(0);
    at(1234);
    expect(life.age()).toBe(1234);
    life.started();
    life.viewerConnected();
    life.touch();
    at(7 * MIN);
    expect(life.age()).toBe(7 * MIN);
  });
});
