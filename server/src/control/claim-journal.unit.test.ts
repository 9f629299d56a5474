import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/chain.ts';
import { ClaimJournal, replayClaimJournals } from './claim-journal.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-journal-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const claim = (page: number): AuditEntry => ({
  actor: { id: 'c1', role: 'client' },
  action: 'app.claim',
  target: { type: 'file', path: 'a.pdf' },
  outcome: 'ok',
  sessionId: 's1',
  detail: { kind: 'page-viewed', page },
});

function replayInto(dir: string) {
  const recorded: AuditEntry[] = [];
  const done = replayClaimJournals({
    dir,
    audit: { record: async (e) => void recorded.push(e) },
    log: { warn: () => {} },
  });
  return done.then((n) => ({ n, recorded }));
}

it('after a crash, the next start records exactly the claims that were not stored, flagged, then removes the journal', async () => {
  const dir = path.join(root, 'crash');
  const journal = new ClaimJournal(dir, 's1');
  const numbers = Array.from({ length: 40 }, (_, i) =>
    journal.write(claim(i + 1), `2030-01-01T00:00:${String(i).padStart(2, '0')}Z`),
  );
  // The trail stored some, not in order; then the process died (no close).
  for (const i of [0, 2, 1, 5, 3, 4, 10, 20, 30]) journal.stored(numbers[i]);
  const { n, recorded } = await replayInto(dir);
  expect(n).toBe(31);
  const pages = recorded.map((e) => (e.detail as { page: number }).page);
  expect(pages).toEqual(
    Array.from({ length: 40 }, (_, i) => i + 1).filter((p) => ![1, 3, 2, 6, 4, 5, 11, 21, 31].includes(p)),
  );
  expect(recorded[0]).toMatchObject({
    action: 'app.claim',
    sessionId: 's1',
    detail: { kind: 'page-viewed', page: 7, recovered: 'server crash', receivedAt: '2030-01-01T00:00:06Z' },
  });
  expect(fs.readdirSync(dir)).toEqual([]);
});

it('empties itself whenever nothing waits, and is removed when the session ends', async () => {
  const dir = path.join(root, 'steady');
  const journal = new ClaimJournal(dir, 's2');
  const file = path.join(dir, 's2.jsonl');
  const a = journal.write(claim(1), 't');
  const b = journal.write(claim(2), 't');
  journal.stored(a);
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  journal.stored(b);
  expect(fs.statSync(file).size).toBe(0);
  const c = journal.write(claim(3), 't');
  journal.close();
  // Still waiting for c: kept until it is stored.
  expect(fs.existsSync(file)).toBe(true);
  journal.stored(c);
  expect(fs.existsSync(file)).toBe(false);
  expect((await replayInto(dir)).n).toBe(0);
});

it('a line cut short (a lost machine) is recorded as events lost, the rest replayed', async () => {
  const dir = path.join(root, 'torn');
  const journal = new ClaimJournal(dir, 's3');
  journal.write(claim(1), 't');
  fs.appendFileSync(path.join(dir, 's3.jsonl'), '{"n":2,"at":"t","entry":{"act');
  const { recorded } = await replayInto(dir);
  expect(recorded.map((e) => e.action)).toEqual(['app.claim', 'audit.events-lost']);
  expect(recorded[1]).toMatchObject({ sessionId: 's3', detail: { count: 1 } });
});

it('refuses a session id that is not one (it names a file)', () => {
  expect(() => new ClaimJournal(path.join(root, 'bad'), '../x')).toThrow(/not a session id/);
});
