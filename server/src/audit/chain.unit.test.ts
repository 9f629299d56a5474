import { describe, expect, it } from 'vitest';
import type { AuditAction } from '@vitrine/protocol';
import { canonicalJson, chain, eventHash, flatten, GENESIS, verifyChain, type ChainedEvent } from './chain.ts';

const at = new Date('2026-11-22T10:00:00.000Z');
// Any name will do: the chain hashes an action without reading it.
const entry = (action: string, detail: Record<string, unknown> = {}) =>
  flatten({ actor: { id: 'u1', role: 'client' }, action: action as AuditAction, outcome: 'ok', detail }, at);

async function* each(events: ChainedEvent[]) {
  yield* events;
}

describe('canonical JSON', () => {
  it('orders keys at every level and drops undefined, so equal content hashes equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined, w: null }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[1,{"w":null,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('flatten', () => {
  it('keeps only text PostgreSQL stores unchanged, and bounds sizes', () => {
    const e = flatten(
      {
        actor: { id: null, role: 'anonymous' },
        action: 'file.upload',
        target: { type: 'file', path: 'a\u0000b\ud800' },
        outcome: 'failed',
        userAgent: 'x'.repeat(5000),
        detail: { big: 'y'.repeat(40_000) },
      },
      at,
    );
    expect(e.targetPath).toBe('a\uFFFDb\uFFFD');
    expect(e.userAgent).toHaveLength(300);
    expect(JSON.parse(e.detail)).toEqual({ truncated: true, bytes: expect.any(Number) });
  });
});

describe('the hash chain', () => {
  const events = () => chain([entry('a'), entry('b', { page: 4 }), entry('c'), entry('d')], GENESIS);

  it('numbers events from the start and links each to the one before', async () => {
    const e = events();
    expect(e.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(e[0]!.prevHash).toBe(GENESIS.prevHash);
    expect(e[2]!.prevHash).toBe(e[1]!.hash);
    expect(await verifyChain(each(e), GENESIS)).toMatchObject({ ok: true, checked: 4, lastSeq: 4, brokenAt: null });
  });

  it('continues from a checkpoint', async () => {
    const first = events();
    const rest = chain([entry('e')], { nextSeq: 5, prevHash: first[3]!.hash });
    expect(rest[0]!.seq).toBe(5);
    expect(await verifyChain(each(rest), { nextSeq: 5, prevHash: first[3]!.hash })).toMatchObject({ ok: true });
    expect(await verifyChain(each(rest), GENESIS)).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('finds an edited event, even one whose own hash was recomputed', async () => {
    const edited = events();
    edited[1] = { ...edited[1]!, detail: canonicalJson({ page: 5 }) };
    expect(await verifyChain(each(edited), GENESIS)).toMatchObject({
      ok: false,
      brokenAt: 2,
      checked: 1,
      problem: 'event 2 was changed after it was recorded',
    });
    edited[1] = { ...edited[1], hash: eventHash(edited[1]) };
    expect(await verifyChain(each(edited), GENESIS)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds a removed event and a reordering', async () => {
    const e = events();
    expect(await verifyChain(each([e[0]!, e[2]!, e[3]!]), GENESIS)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: 'event 2 is missing',
    });
    expect(await verifyChain(each([e[0]!, e[2]!, e[1]!, e[3]!]), GENESIS)).toMatchObject({ ok: false, brokenAt: 2 });
    expect(await verifyChain(each([]), GENESIS)).toMatchObject({ ok: true, checked: 0, lastSeq: null });
  });

  it('hashes every field: changing any one of them breaks the chain', async () => {
    const fields: Array<keyof ChainedEvent> = [
      'at',
      'actorId',
      'actorRole',
      'action',
      'outcome',
      'ip',
      'ownerId',
      'shareId',
    ];
    for (const f of fields) {
      const e = events();
      const value = f === 'at' ? new Date(at.getTime() + 1) : 'changed';
      e[0] = { ...e[0]!, [f]: value };
      expect((await verifyChain(each(e), GENESIS)).brokenAt, f).toBe(1);
    }
  });
});
