import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './chain.ts';
import { RefusalTally } from './refusal-tally.ts';

const anonymous = (ip: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { id: null, role: 'anonymous' },
  action: 'file.list',
  outcome: 'denied',
  reason: 'unauthenticated',
  ip,
  userAgent: 'probe',
  detail: { status: 401 },
  ...over,
});
const person = (id: string, path: string): AuditEntry => ({
  actor: { id, role: 'client' },
  action: 'file.download',
  target: { type: 'file', path },
  outcome: 'denied',
  reason: 'forbidden',
  ownerId: 'owner-1',
  shareId: 'share-1',
  detail: { status: 403 },
});

describe('RefusalTally', () => {
  it('records the first refusal of a source in full and sums up the rest in one event per window', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const tally = new RefusalTally({ maxSignedIn: 5, maxAnonymous: 5, now: () => now });
    const admitted = Array.from({ length: 3000 }, (_, i) => {
      now += 10;
      return tally.admit(
        anonymous('192.0.2.7', i >= 100 ? { reason: 'rate-limited', detail: { status: 429 } } : {}),
        'a',
      );
    });
    expect(admitted.filter(Boolean)).toHaveLength(2);
    expect(admitted[0]).toBe(true);
    expect(admitted[100]).toBe(true);
    const summaries = tally.drain();
    expect(summaries).toHaveLength(2);
    expect(summaries.map((s) => [s.reason, s.detail?.refusals, s.detail?.statuses])).toEqual([
      ['unauthenticated', 99, [401]],
      ['rate-limited', 2899, [429]],
    ]);
    expect(summaries[0]).toMatchObject({
      actor: { id: null },
      action: 'file.list',
      outcome: 'denied',
      ip: '192.0.2.7',
    });
    expect(summaries[0]!.userAgent).toBeNull();
    // The next window starts afresh; a source refused once writes no summary.
    expect(tally.admit(anonymous('192.0.2.7'), 'a')).toBe(true);
    expect(tally.drain()).toEqual([]);
  });

  it('keeps people apart by share and names (some of) the targets they were refused', () => {
    const tally = new RefusalTally({ maxSignedIn: 5, maxAnonymous: 5 });
    expect(tally.admit(person('cleo', 'Reports/q3.pdf'), 'cleo')).toBe(true);
    for (let i = 0; i < 30; i++) expect(tally.admit(person('cleo', `Reports/${i}.pdf`), 'cleo')).toBe(false);
    expect(tally.admit({ ...person('cleo', 'x'), shareId: 'share-2' }, 'cleo')).toBe(true);
    expect(tally.admit(person('otto', 'Reports/q3.pdf'), 'otto')).toBe(true);
    const [summary, ...rest] = tally.drain();
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({ actor: { id: 'cleo' }, shareId: 'share-1', ownerId: 'owner-1' });
    expect(summary!.detail?.refusals).toBe(30);
    expect(summary!.detail?.targets).toHaveLength(10);
  });

  it('tells a bounded number of sources apart; many signed-out addresses cannot crowd out people', () => {
    const tally = new RefusalTally({ maxSignedIn: 2, maxAnonymous: 3 });
    const full = Array.from({ length: 10_000 }, (_, i) => tally.admit(anonymous(`10.0.${i >> 8}.${i & 255}`), `a${i}`));
    expect(full.filter(Boolean)).toHaveLength(3);
    expect(tally.admit(person('cleo', 'a'), 'cleo')).toBe(true);
    expect(tally.admit(person('otto', 'a'), 'otto')).toBe(true);
    expect(tally.admit(person('ines', 'a'), 'ines')).toBe(false);
    const summaries = tally.drain();
    // However many sources: at most 2 × (2 + 3) + 2 events in a window.
    expect(summaries).toHaveLength(2);
    expect(summaries.map((s) => [s.actor.id, s.ip, s.detail?.summary, s.detail?.refusals])).toEqual(
      expect.arrayContaining([
        [null, null, expect.stringMatching(/signed-out/), 9997],
        [null, null, expect.stringMatching(/signed-in/), 1],
      ]),
    );
  });
});
