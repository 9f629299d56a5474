import { expect, it } from 'vitest';
import { pumpArgs } from './encoder.ts';

const screen = { path: '/fb', offset: 3232, length: 2560 * 4 * 1440, bytesPerLine: 2560 * 4 };

it('hands the frame pump the whole frame when the picture is the whole screen', () => {
  expect(pumpArgs({ width: 2560, height: 1440, framebuffer: screen })).toEqual([
    '/fb',
    '3232',
    String(2560 * 4 * 1440),
  ]);
  // No stride known (a fixed-size display): as before.
  const { bytesPerLine: _, ...fixed } = screen;
  expect(pumpArgs({ width: 2560, height: 1440, framebuffer: fixed })).toEqual(['/fb', '3232', String(2560 * 4 * 1440)]);
});

it('asks for the top-left region: rows of the picture’s width, a screen line apart', () => {
  expect(pumpArgs({ width: 1920, height: 1030, framebuffer: screen })).toEqual([
    '/fb',
    '3232',
    String(2560 * 4),
    String(1920 * 4),
    '1030',
  ]);
  // Full width, fewer lines: still rows (the pump sees they are contiguous).
  expect(pumpArgs({ width: 2560, height: 720, framebuffer: screen })).toEqual([
    '/fb',
    '3232',
    String(2560 * 4),
    String(2560 * 4),
    '720',
  ]);
});

it('refuses a region larger than the screen', () => {
  expect(() => pumpArgs({ width: 2568, height: 100, framebuffer: screen })).toThrow(/does not fit/);
  expect(() => pumpArgs({ width: 100, height: 1442, framebuffer: screen })).toThrow(/does not fit/);
});
