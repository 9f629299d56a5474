import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  MEMORY_PER_SESSION,
  RESERVED_MEMORY,
  SESSIONS_PER_CORE,
  hostResources,
  sessionCapacity,
} from './host-capacity.ts';

const GiB = 2 ** 30;

describe('session capacity of a host (MAX_SESSIONS=auto)', () => {
  it('is set by the cores on a machine with memory to spare', () => {
    expect(sessionCapacity({ cores: 2, memoryBytes: 24 * GiB })).toBe(2 * SESSIONS_PER_CORE);
    expect(sessionCapacity({ cores: 1.5, memoryBytes: 24 * GiB })).toBe(Math.floor(1.5 * SESSIONS_PER_CORE));
  });

  it('is bounded by memory on a small host, and is never below one', () => {
    const memoryBytes = RESERVED_MEMORY + 5 * MEMORY_PER_SESSION + 1;
    expect(sessionCapacity({ cores: 16, memoryBytes })).toBe(5);
    expect(sessionCapacity({ cores: 1, memoryBytes: GiB })).toBe(1);
  });

  it('reads this host within what it has', () => {
    const host = hostResources();
    expect(host.cores).toBeGreaterThan(0);
    expect(host.cores).toBeLessThanOrEqual(os.availableParallelism());
    expect(host.memoryBytes).toBeGreaterThan(0);
  });
});
