import { describe, expect, it } from 'vitest';
import { weakestSandbox } from './remote-sessions.ts';

const strong = { degraded: false, landlock: 'enforced' as const, cgroups: 2 as const };

describe('what the API tier tells clients of the sandbox', () => {
  it('is the weakest of the workers that take sessions', () => {
    expect(weakestSandbox([{ state: 'up', sandbox: strong }])).toEqual(strong);
    expect(
      weakestSandbox([
        { state: 'up', sandbox: strong },
        { state: 'draining', sandbox: { degraded: true, landlock: 'unavailable', cgroups: 1 } },
      ]),
    ).toEqual({ degraded: true, landlock: 'unavailable', cgroups: 1 });
  });

  it('ignores workers that are lost or stopped, and says nothing runs degraded with none up', () => {
    const weak = { degraded: true, landlock: 'unavailable' as const, cgroups: 0 as const };
    expect(
      weakestSandbox([
        { state: 'lost', sandbox: weak },
        { state: 'up', sandbox: strong },
      ]),
    ).toEqual(strong);
    expect(weakestSandbox([{ state: 'stopped', sandbox: weak }])).toEqual({
      degraded: false,
      landlock: 'unavailable',
      cgroups: 0,
    });
  });
});
