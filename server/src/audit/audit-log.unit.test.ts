import { describe, expect, it } from 'vitest';
import { AuditLog, AuditUnavailableError } from './audit-log.ts';
import type { AuditStore } from './audit-store.ts';
import type { AuditEntry, ChainedEvent } from './chain.ts';

type Flat = Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash'>;

/** A store that keeps appends in memory and fails while `broken` is set (the writer is under test, not SQL). */
function memoryStore() {
  const state = { broken: false, batches: [] as Flat[][] };
  const store = {
    append: async (events: Flat[]) => {
      if (state.broken) throw new Error('database unreachable');
      state.batches.push(events);
    },
  } as unknown as AuditStore;
  return { store, state, actions: () => state.batches.flat().map((e) => e.action) };
}

// Names that are no action at all: the writer never reads them.
const event = (action: string): AuditEntry => ({
  actor: { id: null, role: 'system' },
  action: action as AuditEntry['action'],
  outcome: 'ok',
});
const quiet = { error: () => {} };

describe('the audit writer', () => {
  it('keeps the order things were recorded in, and writes a recorded event with everything noted before it', async () => {
    const { store, state, actions } = memoryStore();
    const log = new AuditLog(store, quiet, { flushIntervalMs: 60_000 });
    log.note(event('a'));
    log.note(event('b'));
    expect(actions()).toEqual([]);
    await log.record(event('c'));
    expect(actions()).toEqual(['a', 'b', 'c']);
    expect(state.batches).toHaveLength(1);
    await log.close();
  });

  it('writes noted events within the flush interval, and whatever is left on close', async () => {
    const { store, actions } = memoryStore();
    const log = new AuditLog(store, quiet, { flushIntervalMs: 10 });
    log.note(event('soon'));
    await new Promise((r) => setTimeout(r, 50));
    expect(actions()).toEqual(['soon']);
    const slow = new AuditLog(store, quiet, { flushIntervalMs: 60_000 });
    slow.note(event('at close'));
    await slow.close();
    expect(actions()).toEqual(['soon', 'at close']);
    await expect(slow.record(event('after'))).rejects.toBeInstanceOf(AuditUnavailableError);
  });

  it('fails a recorded event when it cannot be written, keeps noted ones for a retry, and says it was unavailable', async () => {
    const { store, state, actions } = memoryStore();
    const log = new AuditLog(store, quiet, { flushIntervalMs: 60_000 });
    state.broken = true;
    log.note(event('buffered'));
    await expect(log.record(event('security'))).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(log.healthy).toBe(false);
    expect(await log.writable()).toBe(false);
    state.broken = false;
    expect(await log.writable()).toBe(true);
    expect(log.healthy).toBe(true);
    expect(actions()).toEqual(['buffered', 'audit.unavailable']);
    await log.close();
  });

  it('is bounded: past the limit events are counted, and the count is recorded once writing works', async () => {
    const { store, state, actions } = memoryStore();
    const errors: string[] = [];
    const log = new AuditLog(
      store,
      { error: (_o, msg) => errors.push(msg) },
      { maxBuffered: 3, flushIntervalMs: 60_000 },
    );
    state.broken = true;
    for (let i = 0; i < 5; i++) log.note(event(`e${i}`));
    await log.flush();
    expect(errors).toContain('audit buffer full: counting lost events');
    state.broken = false;
    await log.flush();
    const written = state.batches.flat();
    expect(actions()).toEqual(['e0', 'e1', 'e2', 'audit.events-lost']);
    expect(JSON.parse(written.at(-1)!.detail)).toEqual({ count: 2 });
    await log.close();
  });
});
