import { describe, expect, it } from 'vitest';
import type { ReadingClient, ReadingDocument } from '@vitrine/protocol';
import { documentSummary, pageBars, rangesText } from './readingText.ts';

const doc = (over: Partial<ReadingDocument>): ReadingDocument => ({
  path: 'Deal/Contract.docx',
  pages: 24,
  pagesViewed: 18,
  seconds: 26 * 60,
  pageTimes: [],
  zoom: null,
  mediaRanges: [],
  opens: 1,
  firstViewedAt: '2026-12-05T10:00:00.000Z',
  lastViewedAt: '2026-12-05T10:26:00.000Z',
  ...over,
});
const cleo: ReadingClient = {
  person: { id: 'c', name: 'Cleo', email: 'cleo@example.com' },
  sessions: 1,
  seconds: 0,
  documents: [],
};

describe('reading report in words', () => {
  it('says what of a document was read and for how long', () => {
    expect(documentSummary(cleo, doc({}))).toBe('Cleo read 18 of 24 pages of Contract.docx, 26 min');
    expect(documentSummary(cleo, doc({ pages: null, pagesViewed: 1, seconds: 75 }))).toBe(
      'Cleo read 1 page of Contract.docx, 1 min 15 s',
    );
    expect(documentSummary(cleo, doc({ pages: null, pagesViewed: 0, seconds: 12, path: 'a.png' }))).toBe(
      'Cleo had a.png on screen for 12 s',
    );
    expect(documentSummary(cleo, doc({ path: 'Budget.xlsx', pages: 3, pagesViewed: 2, seconds: 30 }))).toBe(
      'Cleo looked at 2 of 3 sheets of Budget.xlsx, 30 s',
    );
    expect(documentSummary({ ...cleo, person: { id: 'x', name: null, email: 'x@example.com' } }, doc({}))).toMatch(
      /^x@example\.com read/,
    );
  });

  it('says which stretches of a video played', () => {
    const ranges = [
      { from: 0, to: 10 },
      { from: 60, to: 70.5 },
    ];
    expect(rangesText(ranges)).toBe('0:00–0:10, 1:00–1:10');
    expect(
      documentSummary(cleo, doc({ path: 'clip.mp4', pages: null, pagesViewed: 0, seconds: 25, mediaRanges: ranges })),
    ).toBe('Cleo played 21 s of clip.mp4 (0:00–0:10, 1:00–1:10), on screen 25 s');
  });

  it('draws every page of a short document, the unread ones empty', () => {
    const bars = pageBars(
      doc({
        pages: 4,
        pageTimes: [
          { page: 1, seconds: 10 },
          { page: 3, seconds: 40 },
        ],
      }),
    );
    expect(bars).toEqual([
      { page: 1, seconds: 10, share: 0.25 },
      { page: 2, seconds: 0, share: 0 },
      { page: 3, seconds: 40, share: 1 },
      { page: 4, seconds: 0, share: 0 },
    ]);
  });

  it('draws only the viewed pages of a long document or one of unknown length', () => {
    const pageTimes = [
      { page: 2, seconds: 5 },
      { page: 400, seconds: 5 },
    ];
    expect(pageBars(doc({ pages: 500, pageTimes })).map((b) => b.page)).toEqual([2, 400]);
    expect(pageBars(doc({ pages: null, pageTimes })).map((b) => b.page)).toEqual([2, 400]);
  });
});
