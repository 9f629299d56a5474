import { describe, expect, it } from 'vitest';
import type { AuditAction } from '@vitrine/protocol';
import {
  canonicalJson,
  chain,
  eventHash,
  flatten,
  GENESIS,
  hmacSeal,
  SCHEME_SHA256,
  verifyChain,
  type Anchor,
  type ChainedEvent,
  type ChainSeal,
  type ChainStart,
} from './chain.ts';

const at = new Date('2026-11-22T10:00:00.000Z');
// Any name will do: the chain hashes an action without reading it.
const entry = (action: string, detail: Record<string, unknown> = {}) =>
  flatten({ actor: { id: 'u1', role: 'client' }, action: action as AuditAction, outcome: 'ok', detail }, at);

async function* each(events: ChainedEvent[]) {
  yield* events;
}

const seal = hmacSeal(Buffer.alloc(32, 7), 1);
const verify = (
  events: ChainedEvent[],
  opts: { start?: ChainStart; seal?: ChainSeal | null; anchors?: Anchor[] } = {},
) =>
  verifyChain(each(events), {
    start: opts.start ?? GENESIS,
    seal: opts.seal === undefined ? seal : opts.seal,
    anchors: opts.anchors,
  });

/**
 * What the attacker with write access to the database did: recompute every hash from `from` on
 * with the old rule (plain SHA-256, no key), keeping each event's scheme marker as it was.
 */
function recomputeWithoutKey(events: ChainedEvent[], from: number): ChainedEvent[] {
  let prevHash = from > 0 ? events[from - 1]!.hash : GENESIS.prevHash;
  return events.map((e, i) => {
    if (i < from) return e;
    const linked = { ...e, seq: i + 1, prevHash };
    prevHash = eventHash(linked);
    return { ...linked, hash: prevHash };
  });
}

/** Events recorded before the trail had a key: plain SHA-256, as the code before issue 16 wrote them. */
function legacyChain(events: ReturnType<typeof entry>[]): ChainedEvent[] {
  return recomputeWithoutKey(
    events.map((e) => ({ ...e, seq: 0, prevHash: '', hash: '', scheme: SCHEME_SHA256 })),
    0,
  );
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

describe('the keyed chain', () => {
  const events = () => chain([entry('a'), entry('b', { page: 4 }), entry('c'), entry('d')], GENESIS, seal);

  it('numbers events from the start and links each to the one before', async () => {
    const e = events();
    expect(e.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(e[0]!.prevHash).toBe(GENESIS.prevHash);
    expect(e[2]!.prevHash).toBe(e[1]!.hash);
    expect(await verify(e)).toMatchObject({ ok: true, checked: 4, lastSeq: 4, brokenAt: null, problemKind: null });
  });

  it('continues from a retention checkpoint', async () => {
    const first = events();
    const start = { nextSeq: 5, prevHash: first[3]!.hash };
    const rest = chain([entry('e')], start, seal);
    expect(rest[0]!.seq).toBe(5);
    expect(await verify(rest, { start })).toMatchObject({ ok: true });
    expect(await verify(rest)).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('finds an edited event, even one whose own seal was recomputed without the key', async () => {
    const edited = events();
    edited[1] = { ...edited[1]!, detail: canonicalJson({ page: 5 }) };
    expect(await verify(edited)).toMatchObject({
      ok: false,
      brokenAt: 2,
      checked: 1,
      problemKind: 'rewritten',
      problem: expect.stringContaining('event 2 was changed after it was recorded'),
    });
  });

  it('finds the attack: an event edited and every later hash recomputed with plain SHA-256', async () => {
    // Before the key, the attack passed: the old rule is all anyone needs to recompute a chain.
    const before = legacyChain([entry('a'), entry('b', { page: 4 }), entry('c'), entry('d')]);
    before[1] = { ...before[1]!, detail: canonicalJson({ page: 5 }) };
    expect(await verify(recomputeWithoutKey(before, 1), { seal: null })).toMatchObject({ ok: true, checked: 4 });

    const e = events();
    e[1] = { ...e[1]!, detail: canonicalJson({ page: 5 }) };
    const rewritten = recomputeWithoutKey(e, 1);
    expect(await verify(rewritten)).toMatchObject({ ok: false, brokenAt: 2, problemKind: 'rewritten' });
    // Marking the rewritten events as pre-key events does not help: they come after the key.
    expect(await verify([rewritten[0]!, ...legacyMarked(rewritten.slice(1))])).toMatchObject({
      ok: false,
      brokenAt: 2,
      problemKind: 'unkeyed',
    });
  });

  it('finds the attack: an event deleted and the rest renumbered and rehashed', async () => {
    const before = legacyChain([entry('a'), entry('b'), entry('c'), entry('d')]);
    expect(await verify(recomputeWithoutKey([before[0]!, before[2]!, before[3]!], 1), { seal: null })).toMatchObject({
      ok: true,
      checked: 3,
    });

    const e = events();
    const renumbered = recomputeWithoutKey([e[0]!, e[2]!, e[3]!], 1);
    expect(renumbered.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(await verify(renumbered)).toMatchObject({ ok: false, brokenAt: 2, problemKind: 'rewritten' });
  });

  it('finds a removed event and a reordering', async () => {
    const e = events();
    expect(await verify([e[0]!, e[2]!, e[3]!])).toMatchObject({
      ok: false,
      brokenAt: 2,
      problemKind: 'gap',
      problem: 'event 2 is missing',
    });
    expect(await verify([e[0]!, e[2]!, e[1]!, e[3]!])).toMatchObject({ ok: false, brokenAt: 2 });
    expect(await verify([])).toMatchObject({ ok: true, checked: 0, lastSeq: null });
  });

  it('seals every field: changing any one of them breaks the chain', async () => {
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
      expect((await verify(e)).brokenAt, f).toBe(1);
    }
  });

  it('a different key (or a different trail id or first keyed event, which are in the key) verifies nothing', async () => {
    const other = hmacSeal(Buffer.alloc(32, 8), 1);
    expect(await verify(events(), { seal: other })).toMatchObject({ ok: false, brokenAt: 1, problemKind: 'rewritten' });
  });
});

describe('a trail keyed after it began', () => {
  const old = legacyChain([entry('a'), entry('b'), entry('c')]);
  const keyed = hmacSeal(Buffer.alloc(32, 7), 4);
  const trail = () => [...old, ...chain([entry('d'), entry('e')], { nextSeq: 4, prevHash: old[2]!.hash }, keyed)];

  it('verifies events before the key by the old rule, and every later one by its MAC', async () => {
    expect(await verify(trail(), { seal: keyed })).toMatchObject({ ok: true, checked: 5 });
  });

  it('a rewrite of pre-key events shows once a keyed event follows them', async () => {
    const t = trail();
    t[0] = { ...t[0]!, ip: '10.9.9.9' };
    const rewritten = [...recomputeWithoutKey(t.slice(0, 3), 0), ...t.slice(3)];
    expect(await verify(rewritten, { seal: keyed })).toMatchObject({ ok: false, brokenAt: 4, problemKind: 'link' });
  });

  it('refuses a plain hash after the key and a keyed seal before it', async () => {
    const downgraded = legacyMarked(recomputeWithoutKey(trail(), 3));
    expect(await verify(downgraded, { seal: keyed })).toMatchObject({ ok: false, brokenAt: 4, problemKind: 'unkeyed' });
    expect(await verify(trail(), { seal: null })).toMatchObject({ ok: false, brokenAt: 4, problemKind: 'unkeyed' });
  });
});

describe('exported checkpoints', () => {
  const events = () => chain([entry('a'), entry('b'), entry('c'), entry('d'), entry('e')], GENESIS, seal);
  const anchor = (e: ChainedEvent): Anchor => ({ seq: e.seq, hash: e.hash, at: '2026-11-22T10:05:00.000Z' });

  it('count the checkpoints the chain still holds', async () => {
    const e = events();
    expect(await verify(e, { anchors: [anchor(e[1]!), anchor(e[4]!)] })).toMatchObject({ ok: true, anchorsMatched: 2 });
  });

  it('report the newest events removed as a truncation', async () => {
    const e = events();
    const cut = e.slice(0, 3);
    // Without the checkpoint, a shorter chain is a whole chain.
    expect(await verify(cut)).toMatchObject({ ok: true, lastSeq: 3 });
    expect(await verify(cut, { anchors: [anchor(e[1]!), anchor(e[4]!)] })).toMatchObject({
      ok: false,
      brokenAt: 4,
      problemKind: 'truncated',
      problem: expect.stringContaining('covers event 5, the trail ends at event 3 (event 4–5 missing)'),
    });
    expect(await verify([], { anchors: [anchor(e[0]!)] })).toMatchObject({ ok: false, problemKind: 'truncated' });
  });

  it('report a trail cut back and continued past the checkpoint', async () => {
    const e = events();
    const continued = [
      ...e.slice(0, 2),
      ...chain([entry('x'), entry('y'), entry('z')], { nextSeq: 3, prevHash: e[1]!.hash }, seal),
    ];
    expect(await verify(continued)).toMatchObject({ ok: true });
    expect(await verify(continued, { anchors: [anchor(e[3]!)] })).toMatchObject({
      ok: false,
      brokenAt: 4,
      problemKind: 'anchor-mismatch',
    });
  });

  it('check the one at the retention checkpoint, and skip those purged before it', async () => {
    const e = events();
    const start = { nextSeq: 4, prevHash: e[2]!.hash };
    expect(await verify(e.slice(3), { start, anchors: [anchor(e[0]!), anchor(e[2]!)] })).toMatchObject({ ok: true });
    expect(await verify(e.slice(3), { start, anchors: [{ ...anchor(e[2]!), hash: e[1]!.hash }] })).toMatchObject({
      ok: false,
      brokenAt: 3,
      problemKind: 'anchor-mismatch',
    });
  });
});

/** The same events marked as recorded before the key (what an attacker would also rewrite). */
function legacyMarked(events: ChainedEvent[]): ChainedEvent[] {
  return events.map((e) => ({ ...e, scheme: SCHEME_SHA256 }));
}
