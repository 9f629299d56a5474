import { describe, expect, it } from 'vitest';
import { videoFilterArgs, watermarkInputArgs } from './encoder.ts';
import {
  cleanLabel,
  coversEveryQuarter,
  filterValue,
  layoutStamps,
  LABEL_LINE_UNITS,
  metricsFromInk,
  MEASURE_FONT_PX,
  stampDocument,
  stampExtent,
  stampLines,
  STAMP_ANGLE_DEG,
  wrapLabel,
  type StampMetrics,
  type WatermarkDensity,
} from './watermark.ts';

const SIZES = [
  [1920, 1080],
  [1440, 900],
  [1280, 720],
  [2560, 1440],
  [3840, 2160],
  [640, 360],
  [320, 240],
  // A tall phone and a wide strip (a picture that follows its viewer can be any shape).
  [400, 848],
  [2560, 400],
] as const;
const DENSITIES: WatermarkDensity[] = ['sparse', 'normal', 'dense'];
// Measured with Noto Sans Bold (watermark-images.ts): an e-mail address; a two-line name; an
// Arabic name and address; the widest possible label (two lines of 24 W's).
const METRICS: Record<string, StampMetrics> = {
  'e-mail': { halfWidth: 3.96, halfHeight: 1.3 },
  'long name': { halfWidth: 4.85, halfHeight: 1.8 },
  arabic: { halfWidth: 5.07, halfHeight: 1.86 },
  widest: { halfWidth: 8.54, halfHeight: 1.8 },
};

describe('stamp layout', () => {
  for (const [width, height] of SIZES) {
    it(`${width}x${height}: every quarter window holds a whole stamp, at every density and label`, () => {
      const size = { width, height };
      for (const [name, metrics] of Object.entries(METRICS)) {
        const counts = DENSITIES.map((density) => {
          const layout = layoutStamps(size, density, metrics);
          expect(coversEveryQuarter(size, layout), `${name}, ${density}`).toBe(true);
          // Whole stamps fit a quarter with room to spare, and every centre is on the picture.
          expect(2 * layout.halfX).toBeLessThanOrEqual(0.75 * (width / 2));
          expect(2 * layout.halfY).toBeLessThanOrEqual(0.75 * (height / 2));
          for (const s of layout.stamps) {
            expect(Number.isInteger(s.x) && Number.isInteger(s.y)).toBe(true);
            expect(s.x >= 0 && s.x <= width && s.y >= 0 && s.y <= height).toBe(true);
          }
          return layout.stamps.length;
        });
        // Denser means more stamps, never fewer.
        expect(counts[0]!).toBeLessThan(counts[1]!);
        expect(counts[1]!).toBeLessThan(counts[2]!);
      }
    });
  }

  it('is sparse: a handful of stamps on a full HD screen, covering a small share of it', () => {
    const size = { width: 1920, height: 1080 };
    const counts = DENSITIES.map((d) => layoutStamps(size, d, METRICS['e-mail']!).stamps.length);
    expect(counts[0]).toBeLessThanOrEqual(10);
    expect(counts[2]).toBeLessThanOrEqual(40);
    const dense = layoutStamps(size, 'dense', METRICS['e-mail']!);
    // Even the densest: the stamps' rotated bounds together take under half of the picture.
    const area = dense.stamps.length * 4 * dense.halfX * dense.halfY;
    expect(area / (1920 * 1080)).toBeLessThan(0.5);
  });

  it('takes the type size the picture prefers, smaller only when a stamp would not leave room', () => {
    expect(layoutStamps({ width: 1920, height: 1080 }, 'normal', METRICS['e-mail']!).fontSize).toBe(20);
    expect(layoutStamps({ width: 1280, height: 720 }, 'normal', METRICS['e-mail']!).fontSize).toBe(13);
    expect(layoutStamps({ width: 2560, height: 1440 }, 'normal', METRICS['e-mail']!).fontSize).toBe(27);
    const small = layoutStamps({ width: 320, height: 240 }, 'normal', METRICS.widest!);
    expect(small.fontSize).toBeLessThan(10);
    expect(small.fontSize).toBeGreaterThanOrEqual(6);
  });

  it('finds a window without a whole stamp when there is one', () => {
    const size = { width: 1280, height: 720 };
    const layout = layoutStamps(size, 'sparse', METRICS['e-mail']!);
    expect(coversEveryQuarter(size, { ...layout, stamps: layout.stamps.slice(1) })).toBe(false);
    expect(coversEveryQuarter(size, { ...layout, stamps: [] })).toBe(false);
  });

  it('bounds the rotated text block: every corner of it is within the extent', () => {
    const m = METRICS['long name']!;
    const fs = 20;
    const { halfX, halfY } = stampExtent(m, fs);
    const a = (STAMP_ANGLE_DEG * Math.PI) / 180;
    for (const [sx, sy] of [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ] as const) {
      const x = sx * m.halfWidth * fs;
      const y = sy * m.halfHeight * fs;
      expect(Math.abs(x * Math.cos(a) + y * Math.sin(a))).toBeLessThanOrEqual(halfX);
      expect(Math.abs(-x * Math.sin(a) + y * Math.cos(a))).toBeLessThanOrEqual(halfY);
    }
  });
});

describe('stamp text', () => {
  it('says who, which session and when it started', () => {
    expect(
      stampLines('wanda@example.test', '3f2a1b4c-1111-2222-3333-444455556666', new Date('2025-06-01T14:03:09Z')),
    ).toEqual(['wanda@example.test', 'session 3f2a1b4c', '2025-06-01 14:03 UTC']);
  });

  it('names who watches the same stream live, on one line within the label width', () => {
    const at = new Date('2025-06-01T14:03:09Z');
    expect(stampLines('wanda@example.test', '3f2a1b4c', at, ['Olive Owner'])).toEqual([
      'wanda@example.test',
      '+ Olive Owner',
      'session 3f2a1b4c',
      '2025-06-01 14:03 UTC',
    ]);
    const many = stampLines('w', '3f2a1b4c', at, ['Olive Owner', 'Otto Second-Owner', 'Olive Owner']);
    expect(many).toHaveLength(4);
    expect(many[1]!.startsWith('+ Olive Owner, Otto')).toBe(true);
    expect(many[1]!.length).toBeLessThanOrEqual(LABEL_LINE_UNITS);
    expect(stampLines('w', 'x', at, ['{}'])).toHaveLength(3);
  });

  it('takes out what ASS or a terminal would interpret, and line breaks', () => {
    expect(cleanLabel('{\\fs200\\c&H0000FF&}Eve\\Nnew line')).toBe('fs200c&H0000FF&EveNnew line');
    expect(cleanLabel('a\nb\r\u2028c\u202Ed\u0000e\tf')).toBe('a b cde f');
    expect(cleanLabel('  many   spaces  ')).toBe('many spaces');
    // Nothing left: the stamp still says something.
    expect(stampLines('{}\\\n', 'x', new Date(0))[0]).toBe('?');
  });

  it('wraps a long label in two lines at a natural break, and ends what does not fit in an ellipsis', () => {
    expect(wrapLabel('firstname.lastname@company.example')).toEqual(['firstname.lastname', '@company.example']);
    expect(wrapLabel('Preview · Maximilian Alexander')).toEqual(['Preview · Maximilian', 'Alexander']);
    const long = wrapLabel('x'.repeat(100));
    expect(long).toHaveLength(2);
    expect(long[1]!.endsWith('…')).toBe(true);
    // CJK characters count double.
    const cjk = wrapLabel('王'.repeat(30));
    expect(cjk[0]).toBe('王'.repeat(LABEL_LINE_UNITS / 2));
    expect(cjk[1]).toBe('王'.repeat(LABEL_LINE_UNITS / 2 - 1) + '…');
  });

  it('writes one centred, rotated event per stamp, with the clean text', () => {
    const size = { width: 1280, height: 720 };
    const layout = layoutStamps(size, 'normal', METRICS['e-mail']!);
    const doc = stampDocument(size, layout, ['Eve {\\b1}', 'session 12345678', '2025-06-01 14:03 UTC']);
    expect(doc).toContain('PlayResX: 1280\nPlayResY: 720');
    expect(doc).toContain(`,${layout.fontSize},&H00303030,`);
    expect(doc).toContain(`,${STAMP_ANGLE_DEG},1,${layout.outline},0,5,`);
    const events = doc.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(layout.stamps.length);
    const s = layout.stamps[0]!;
    expect(events[0]).toBe(
      `Dialogue: 0,0:00:00.00,0:01:00.00,Stamp,,0,0,0,,{\\pos(${s.x},${s.y})}Eve b1\\Nsession 12345678\\N2025-06-01 14:03 UTC`,
    );
  });

  it('measures the ink around the centre, per pixel of type', () => {
    const size = { width: 40, height: 20 };
    const gray = new Uint8Array(40 * 20);
    // Ink from x 12..29 (centre 20: 8 left, 10 right) and y 6..11 (centre 10: 4 up, 2 down).
    for (let y = 6; y <= 11; y++) gray.fill(200, y * 40 + 12, y * 40 + 30);
    expect(metricsFromInk(gray, size)).toEqual({ halfWidth: 10 / MEASURE_FONT_PX, halfHeight: 4 / MEASURE_FONT_PX });
    expect(() => metricsFromInk(new Uint8Array(800), size)).toThrow(/nothing/);
  });
});

describe('encoder arguments', () => {
  const watermark = { file: '/run/s/watermark-1280x720-1.yuva', width: 1280, height: 720 };

  it('reads the drawn watermark first, as its own input (no file name inside a filter graph)', () => {
    expect(watermarkInputArgs({ watermark })).toEqual([
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuva420p',
      '-video_size',
      '1280x720',
      '-i',
      watermark.file,
    ]);
    expect(watermarkInputArgs({})).toEqual([]);
  });

  it('overlays it at the size sent, scaling both when the picture is sent smaller', () => {
    expect(videoFilterArgs({ width: 1280, height: 720, watermark })).toEqual([
      '-filter_complex',
      '[1:v][0:v]overlay=eof_action=repeat:format=yuv420[out]',
      '-map',
      '[out]',
    ]);
    const scaledTo = { width: 640, height: 360 };
    expect(videoFilterArgs({ width: 1280, height: 720, scaledTo, watermark })[1]).toBe(
      '[1:v]scale=640:360:flags=bilinear[picture];[0:v]scale=640:360:flags=bilinear[stamps];' +
        '[picture][stamps]overlay=eof_action=repeat:format=yuv420[out]',
    );
    // Without a watermark: as before.
    expect(videoFilterArgs({ width: 1280, height: 720 })).toEqual([]);
    expect(videoFilterArgs({ width: 1280, height: 720, scaledTo })).toEqual(['-vf', 'scale=640:360:flags=bilinear']);
  });
});

describe('filter values', () => {
  it('escapes for the option parser, then for the graph parser', () => {
    expect(filterValue('/run/vitrine/sessions/abc/watermark-1280x720.ass')).toBe(
      '/run/vitrine/sessions/abc/watermark-1280x720.ass',
    );
    expect(filterValue('a:b')).toBe('a\\\\:b');
    expect(filterValue("it's")).toBe("it\\\\\\'s");
    expect(filterValue('a\\b')).toBe('a\\\\\\\\b');
    expect(filterValue('x,y;z[0]')).toBe('x\\,y\\;z\\[0\\]');
    expect(filterValue('with space=ok')).toBe('with space=ok');
    expect(() => filterValue(' leading')).toThrow();
    expect(() => filterValue('')).toThrow();
  });
});
