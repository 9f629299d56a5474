import { describe, expect, it } from 'vitest';
import {
  accessLabel,
  baseName,
  describeAccess,
  describeError,
  displayPath,
  formatBytes,
  formatDateTime,
  formatMinutes,
  formatRelative,
  formatTime,
  fromDateTimeLocal,
  isWithin,
  joinPath,
  nameProblem,
  normalizePath,
  parentPath,
  pathCrumbs,
  toDateTimeLocal,
  usagePercent,
} from './format.ts';

describe('formatBytes', () => {
  it('counts bytes below a kilobyte as bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('names binary multiples as such (KiB, MiB, GiB, TiB), one decimal below 10 and none above', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(15 * 1024)).toBe('15 KiB');
    expect(formatBytes(5.25 * 1024 ** 2)).toBe('5.3 MiB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GiB');
    expect(formatBytes(20 * 1024 ** 3)).toBe('20 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2 TiB');
    expect(formatBytes(3 * 1024 ** 5)).toBe('3 PiB');
  });

  it('rounds up into the next unit rather than showing 1024', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
  });

  it('shows a dash for nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('usagePercent', () => {
  it('is the used share of the quota, clamped', () => {
    expect(usagePercent(25, 100)).toBe(25);
    expect(usagePercent(200, 100)).toBe(100);
    expect(usagePercent(-5, 100)).toBe(0);
  });

  it('is 0 without a quota', () => {
    expect(usagePercent(10, 0)).toBe(0);
  });
});

describe('dates', () => {
  it('formats a date and time, and leaves unparseable input alone', () => {
    const text = formatDateTime('2025-03-12T14:05:00Z', 'en-GB');
    expect(text).toMatch(/2025/);
    expect(text).toMatch(/Mar/);
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('shows seconds only when asked (the audit trail)', () => {
    expect(formatDateTime('2025-03-12T14:05:09Z', 'en-GB')).not.toMatch(/:09/);
    expect(formatDateTime('2025-03-12T14:05:09Z', 'en-GB', { seconds: true })).toMatch(/:\d\d:09/);
  });

  it('formats a time of day, and leaves unparseable input alone', () => {
    expect(formatTime('2025-03-12T14:05:09', 'en-GB')).toBe('14:05:09');
    expect(formatTime('not a date')).toBe('not a date');
  });

  it('says how far away a time is', () => {
    const now = Date.parse('2025-03-12T12:00:00Z');
    expect(formatRelative('2025-03-15T12:00:00Z', now)).toBe('in 3 days');
    expect(formatRelative('2025-03-12T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2025-03-12T14:00:00Z', now)).toBe('in 2 hours');
    expect(formatRelative('2025-03-12T12:00:20Z', now)).toBe('in 20 seconds');
    expect(formatRelative('2026-03-12T12:00:00Z', now)).toBe('next year');
    expect(formatRelative('garbage', now)).toBe('garbage');
  });

  it('formats minutes', () => {
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(60)).toBe('1 h');
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(formatMinutes(-1)).toBe('—');
  });

  it('round-trips a datetime-local value through ISO', () => {
    const d = new Date(2025, 2, 12, 14, 5);
    const local = toDateTimeLocal(d);
    expect(local).toBe('2025-03-12T14:05');
    expect(fromDateTimeLocal(local)).toBe(d.toISOString());
    expect(fromDateTimeLocal('2025-03-12T14:05:30')).toBe(new Date(2025, 2, 12, 14, 5, 30).toISOString());
  });

  it('pads single digits for datetime-local', () => {
    expect(toDateTimeLocal(new Date(2025, 0, 2, 3, 4))).toBe('2025-01-02T03:04');
  });

  it('refuses incomplete or impossible datetime-local values', () => {
    expect(fromDateTimeLocal('')).toBeNull();
    expect(fromDateTimeLocal('2025-03-12')).toBeNull();
    expect(fromDateTimeLocal('2025-02-31T10:00')).toBeNull();
  });
});

describe('access levels', () => {
  it('describes each level in words', () => {
    expect(describeAccess('view')).toBe('can view');
    expect(describeAccess('edit')).toBe('can view and edit');
    expect(describeAccess('delete')).toBe('can view, edit and delete');
    expect(accessLabel('edit')).toBe('View + edit');
  });
});

describe('storage paths', () => {
  it('normalizes what people type', () => {
    expect(normalizePath('/a//b/')).toBe('a/b');
    expect(normalizePath(' a / ./b ')).toBe('a/b');
    expect(normalizePath('/')).toBe('');
    expect(normalizePath('')).toBe('');
  });

  it('joins, splits and names', () => {
    expect(joinPath('', 'x.txt')).toBe('x.txt');
    expect(joinPath('a/b', 'x.txt')).toBe('a/b/x.txt');
    expect(joinPath('a/', '')).toBe('a');
    expect(parentPath('a/b/x.txt')).toBe('a/b');
    expect(parentPath('x.txt')).toBe('');
    expect(parentPath('')).toBe('');
    expect(baseName('a/b/x.txt')).toBe('x.txt');
    expect(baseName('x')).toBe('x');
  });

  it('keeps names as they are, spaces included (only typed paths are trimmed)', () => {
    expect(joinPath('a', ' notes.txt')).toBe('a/ notes.txt');
    expect(joinPath('', ' notes.txt')).toBe(' notes.txt');
    expect(parentPath(' Old /x.txt')).toBe(' Old ');
    expect(baseName('a/ b ')).toBe(' b ');
    expect(displayPath(' lead')).toBe('/ lead');
    expect(pathCrumbs(' a/b ')).toEqual([
      { label: 'All files', path: '' },
      { label: ' a', path: ' a' },
      { label: 'b ', path: ' a/b ' },
    ]);
  });

  it('tells whether a path is a folder or inside it', () => {
    expect(isWithin('a/b/c', 'a/b')).toBe(true);
    expect(isWithin('a/b', 'a/b')).toBe(true);
    expect(isWithin('a/bc', 'a/b')).toBe(false);
    expect(isWithin('a', 'a/b')).toBe(false);
    expect(isWithin('anything', '')).toBe(true);
  });

  it('makes breadcrumbs from the root down', () => {
    expect(pathCrumbs('')).toEqual([{ label: 'All files', path: '' }]);
    expect(pathCrumbs('a/b')).toEqual([
      { label: 'All files', path: '' },
      { label: 'a', path: 'a' },
      { label: 'b', path: 'a/b' },
    ]);
  });

  it('displays the root as All files', () => {
    expect(displayPath('')).toBe('All files');
    expect(displayPath('a/b')).toBe('/a/b');
  });

  it('checks single names', () => {
    expect(nameProblem('report.pdf')).toBeNull();
    expect(nameProblem('  ')).toMatch(/required/);
    expect(nameProblem('a/b')).toMatch(/“\/”/);
    expect(nameProblem('..')).toMatch(/reserved/);
    expect(nameProblem('a\u0001b')).toMatch(/control/);
    expect(nameProblem('x'.repeat(256))).toMatch(/too long/);
  });
});

describe('describeError', () => {
  it('uses the message of errors and strings as they are', () => {
    expect(describeError(new Error('quota exceeded'))).toBe('quota exceeded');
    expect(describeError('nope')).toBe('nope');
    expect(describeError(42)).toBe('Something went wrong.');
  });
});
