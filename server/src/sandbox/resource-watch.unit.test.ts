import { describe, expect, it } from 'vitest';
import { ResourceWatch, type ResourceReadings } from './resource-watch.ts';

function readings(): ResourceReadings & { oom: number; hits: number; cpu: number | undefined } {
  const r = {
    oom: 0,
    hits: 0,
    cpu: 0 as number | undefined,
    oomKills: () => r.oom,
    processLimitHits: () => r.hits,
    cpuSeconds: () => r.cpu,
  };
  return r;
}
const limits = { memoryBytes: 64 << 20, pids: 256, cpu: 0.5, cpuAbuseAfterMs: 10_000 };

describe('resource watch', () => {
  it('names a process the OOM killer took, even though the session goes on', () => {
    const r = readings();
    const w = new ResourceWatch(r, limits);
    expect(w.check(1000)).toBeUndefined();
    r.oom = 1;
    expect(w.check(2000)).toMatchObject({ reason: 'out of memory' });
  });

  it('names a fork refused at the pids limit', () => {
    const r = readings();
    r.hits = 3; // before the watch started: not this session's
    const w = new ResourceWatch(r, limits);
    expect(w.check(1000)).toBeUndefined();
    r.hits = 4;
    expect(w.check(2000)).toMatchObject({ reason: 'process limit', detail: '1 fork(s) refused at the limit of 256' });
  });

  it('ends a session that used its whole CPU quota for the whole window, not one that rested', () => {
    const r = readings();
    const w = new ResourceWatch(r, limits);
    // 0.48 cores of 0.5 for 10 s: over.
    for (let t = 0; t <= 10_000; t += 1000) {
      r.cpu = (t / 1000) * 0.48;
      const b = w.check(t);
      if (t < 10_000) expect(b).toBeUndefined();
      else expect(b).toMatchObject({ reason: 'cpu limit', detail: '0.48 of 0.5 core(s) for 10 s' });
    }
    const rested = new ResourceWatch(r, limits);
    let used = 0;
    for (let t = 0; t <= 30_000; t += 1000) {
      used += t % 4000 === 0 ? 0 : 0.5; // a second of rest in every four: 0.375 cores
      r.cpu = used;
      expect(rested.check(t)).toBeUndefined();
    }
  });

  it('never ends for CPU when the window is 0 or usage cannot be read', () => {
    const r = readings();
    const off = new ResourceWatch(r, { ...limits, cpuAbuseAfterMs: 0 });
    r.cpu = 1000;
    expect(off.check(60_000)).toBeUndefined();
    r.cpu = undefined;
    const unread = new ResourceWatch(r, limits);
    expect(unread.check(0)).toBeUndefined();
    expect(unread.check(60_000)).toBeUndefined();
  });
});
