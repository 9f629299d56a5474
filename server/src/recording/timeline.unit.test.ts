import { describe, expect, it } from 'vitest';
import { timelineOf } from './timeline.ts';

const at = Date.UTC(2026, 11, 6, 12, 3, 10);

describe('recording time line', () => {
  it('says claims, clicks, keys and who joined in words, and only counts pointer moves', () => {
    const { events, moves, truncated } = timelineOf(
      [
        { at, kind: 'viewer', joined: 'Carol', role: 'client' },
        { at, kind: 'input', type: 'move', x: 1, y: 2, by: 'client' },
        { at, kind: 'input', type: 'move', x: 3, y: 4, by: 'client' },
        { at: at + 1000, kind: 'claim', claim: 'page-viewed', path: '/files/Reports/q3.pdf', page: 7 },
        { at: at + 2000, kind: 'input', type: 'button', down: true, button: 1, x: 412, y: 220, by: 'client' },
        { at: at + 2100, kind: 'input', type: 'button', down: false, button: 1, x: 412, y: 220, by: 'client' },
        { at: at + 3000, kind: 'input', type: 'key', down: true, keysym: 0x61, by: 'watcher' },
        { at: at + 4000, kind: 'control', action: 'take', by: 'watcher' },
        { at: at + 5000, kind: 'viewer', joined: 'Olive', role: 'watcher' },
      ],
      100,
    );
    expect(moves).toBe(2);
    expect(truncated).toBe(false);
    expect(events.map((e) => e.text)).toEqual([
      'Carol joined',
      'Viewed Reports/q3.pdf, page 7',
      'The client clicked (left) at 412, 220',
      'The owner pressed "a"',
      'The owner took control',
      'Olive (watching) joined',
    ]);
    expect(events[1]!.at).toBe('2026-12-06T12:03:11.000Z');
  });

  it('lists at most `limit` events and says more were left out', () => {
    const lines = Array.from({ length: 5 }, (_, i) => ({ at: at + i, kind: 'control' as const, action: 'take' }));
    const { events, truncated } = timelineOf(lines, 3);
    expect(events).toHaveLength(3);
    expect(truncated).toBe(true);
  });
});
