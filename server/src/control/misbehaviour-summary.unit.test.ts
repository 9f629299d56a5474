import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { MisbehaviourSummary } from './misbehaviour-summary.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('warns at once, then at most once a minute with the counts, and says the rest on close', () => {
  const warnings: object[] = [];
  const summary = new MisbehaviourSummary({ warn: (obj) => warnings.push(obj) }, 60_000, () => Date.now());
  summary.count('refusedConnections');
  expect(warnings).toEqual([{ refusedConnections: 1, closedConnections: 0, badLines: 0, overMs: 0 }]);
  for (let i = 0; i < 70_000; i++) summary.count('refusedConnections');
  summary.count('closedConnections');
  vi.advanceTimersByTime(59_999);
  expect(warnings).toHaveLength(1);
  vi.advanceTimersByTime(1);
  expect(warnings[1]).toEqual({ refusedConnections: 70_000, closedConnections: 1, badLines: 0, overMs: 60_000 });
  summary.count('badLines');
  summary.close();
  expect(warnings).toHaveLength(3);
  expect(warnings[2]).toMatchObject({ badLines: 1, refusedConnections: 0 });
  // Nothing new: nothing more is said.
  summary.close();
  vi.advanceTimersByTime(120_000);
  expect(warnings).toHaveLength(3);
});
