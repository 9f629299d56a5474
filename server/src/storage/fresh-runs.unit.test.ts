import { describe, expect, it } from 'vitest';
import { FreshRuns } from './fresh-runs.ts';

/** A job whose runs the test finishes one by one; each resolves to its run number. */
function gatedJob() {
  const gates: (() => void)[] = [];
  let started = 0;
  const job = () => {
    const n = ++started;
    return new Promise<number>((resolve) => gates.push(() => resolve(n)));
  };
  return { job, gates, started: () => started };
}

describe('FreshRuns', () => {
  it('runs one at a time, and never answers a caller with a run that started before it asked', async () => {
    const runs = new FreshRuns<number>();
    const { job, gates, started } = gatedJob();
    const first = runs.run(job);
    // Asked while run 1 is under way: both wait for run 2, which starts when run 1 is over.
    const second = runs.run(job);
    const third = runs.run(job);
    expect(started()).toBe(1);
    gates[0]!();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started()).toBe(2);
    gates[1]!();
    expect([await second, await third]).toEqual([2, 2]);
    // Idle again: a new caller starts a new run.
    const fourth = runs.run(job);
    gates[2]!();
    expect(await fourth).toBe(3);
  });

  it('goes on after a run that failed', async () => {
    const runs = new FreshRuns<number>();
    await expect(runs.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await runs.run(() => Promise.resolve(7))).toBe(7);
  });
});
