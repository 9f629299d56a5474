import { describe, expect, it } from 'vitest';
import { OwnerGate } from './owner-gate.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('OwnerGate', () => {
  it('pauses only once the operations under way end, and holds new ones until released', async () => {
    const gate = new OwnerGate();
    const log: string[] = [];
    const first = deferred();
    const running = gate.run('a', async () => {
      log.push('op1 start');
      await first.promise;
      log.push('op1 end');
    });
    const paused = gate.pause('a').then((p) => (log.push('paused'), p));
    await Promise.resolve();
    const later = gate.run('a', async () => void log.push('op2'));
    const other = gate.run('b', async () => void log.push('other owner'));
    await other;
    expect(log).toEqual(['op1 start', 'other owner']);
    first.resolve();
    await running;
    const { release } = await paused;
    expect(log).toEqual(['op1 start', 'other owner', 'op1 end', 'paused']);
    release();
    await later;
    expect(log.at(-1)).toBe('op2');
  });

  it('lets an operation call another of the same owner while a pause waits for it', async () => {
    const gate = new OwnerGate();
    const inner = deferred();
    let pausedAt = 0;
    const outer = gate.run('a', async () => {
      await inner.promise;
      // Pause requested meanwhile: a nested operation must not wait for it (it would wait forever).
      return gate.run('a', async () => 'nested');
    });
    const pause = gate.pause('a').then((p) => ((pausedAt = Date.now()), p));
    inner.resolve();
    expect(await outer).toBe('nested');
    (await pause).release();
    expect(pausedAt).toBeGreaterThan(0);
  });
});
