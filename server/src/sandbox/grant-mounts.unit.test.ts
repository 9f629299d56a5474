import { describe, expect, it } from 'vitest';
import { budgetsFor } from './grant-mounts.ts';

describe('budgetsFor', () => {
  it('splits the session budget evenly among its writable grants, so together they never exceed it', () => {
    const total = { bytes: 10 * 2 ** 20 + 1, entries: 101 };
    const got = budgetsFor([true, false, true], total);
    expect(got).toEqual([{ bytes: 5 * 2 ** 20, entries: 50 }, null, { bytes: 5 * 2 ** 20, entries: 50 }]);
    const sum = got.reduce((n, b) => n + (b?.bytes ?? 0), 0);
    expect(sum).toBeLessThanOrEqual(total.bytes);
  });

  it('no budget, or only read-only grants: nothing to hold', () => {
    expect(budgetsFor([true, true], null)).toEqual([null, null]);
    expect(budgetsFor([false], { bytes: 1, entries: 1 })).toEqual([null]);
  });
});
