import { describe, expect, it } from 'vitest';
import { formatDate, formatSize, formatTime } from './format.ts';

describe('formats', () => {
  it('sizes', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(65536)).toBe('64 KiB');
    expect(formatSize(5 * 1024 * 1024 * 1024)).toBe('5.0 GiB');
    expect(formatSize(null)).toBe('');
  });

  it('dates, in local time, minutes precision', () => {
    const d = new Date(2026, 10, 22, 7, 5);
    expect(formatDate(d.toISOString())).toBe('2026-11-22 07:05');
    expect(formatDate(d.getTime())).toBe('2026-11-22 07:05');
    expect(formatDate('garbage')).toBe('');
  });

  it('times', () => {
    expect(formatTime(0)).toBe('0:00');
    expect(formatTime(65.9)).toBe('1:05');
    expect(formatTime(3725)).toBe('1:02:05');
    expect(formatTime(Number.NaN)).toBe('0:00');
  });
});
