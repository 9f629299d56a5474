import { describe, expect, it } from 'vitest';
import { mergeRanges, readingOf, type TrailEvent } from './reading.ts';

/** A session's events at the given seconds after an arbitrary start. */
function trail(sessionId = 's1', actorId = 'cleo') {
  const events: TrailEvent[] = [];
  const at = (sec: number) => Date.UTC(2026, 11, 5, 10) + sec * 1000;
  const add = (sec: number, action: string, detail: Record<string, unknown> = {}, path: string | null = null) =>
    events.push({ at: at(sec), sessionId, actorId, action, path, detail });
  return {
    events,
    connected: (sec: number) => add(sec, 'session.peer-connected'),
    gone: (sec: number) => add(sec, 'session.peer-disconnected'),
    away: (sec: number, why: 'hidden' | 'idle') => add(sec, 'session.attention', { present: false, why }),
    back: (sec: number) => add(sec, 'session.attention', { present: true }),
    ended: (sec: number) => add(sec, 'session.ended'),
    claim: (sec: number, kind: string, path: string, more: Record<string, unknown> = {}) =>
      add(sec, 'app.claim', { kind, path: `/files/${path}`, ...more }, path),
  };
}

describe('reading time from claims', () => {
  it('gives each page the time it was on screen, until the list is shown again', () => {
    const t = trail();
    t.connected(0);
    t.claim(2, 'folder-opened', 'Deal');
    t.claim(5, 'file-opened', 'Deal/Contract.docx', { page: 1, pages: 24 });
    t.claim(15, 'page-viewed', 'Deal/Contract.docx', { page: 2, pages: 24, zoom: 100 });
    t.claim(45, 'page-viewed', 'Deal/Contract.docx', { page: 3, pages: 24, zoom: 150 });
    t.claim(50, 'file-closed', 'Deal/Contract.docx');
    t.ended(500);
    const [cleo] = readingOf(t.events);
    expect(cleo).toMatchObject({ actorId: 'cleo', sessions: 1, seconds: 45 });
    expect(cleo!.documents).toEqual([
      expect.objectContaining({
        path: 'Deal/Contract.docx',
        pages: 24,
        pagesViewed: 3,
        seconds: 45,
        pageTimes: [
          { page: 1, seconds: 10 },
          { page: 2, seconds: 30 },
          { page: 3, seconds: 5 },
        ],
        zoom: 100,
        opens: 1,
      }),
    ]);
  });

  it('counts nothing while the tab is hidden, idle or without a viewer', () => {
    const t = trail();
    t.connected(0);
    t.claim(0, 'file-opened', 'a.pdf', { page: 1 });
    t.away(10, 'hidden'); // 10 s counted
    t.back(100);
    t.away(130, 'idle'); // 30 s counted
    t.back(200);
    t.gone(205); // 5 s counted
    t.connected(400);
    t.ended(410); // 10 s counted
    const [cleo] = readingOf(t.events);
    expect(cleo!.documents[0]!.seconds).toBe(55);
  });

  it('counts nothing before the viewer connects, even if the app already shows a file', () => {
    const t = trail();
    t.claim(0, 'file-opened', 'a.pdf', { page: 1 });
    t.connected(20);
    t.ended(30);
    expect(readingOf(t.events)[0]!.documents[0]!.seconds).toBe(10);
  });

  it('keeps the stretches of a video that played, split where nobody watched', () => {
    const t = trail();
    t.connected(0);
    t.claim(0, 'file-opened', 'clip.mp4');
    t.claim(1, 'video-started', 'clip.mp4', { position: 0 });
    t.claim(11, 'video-stopped', 'clip.mp4', { position: 10 });
    t.claim(12, 'video-started', 'clip.mp4', { position: 60 });
    t.away(22, 'hidden'); // 60 → 70 watched; 70 → 100 played unseen
    t.back(52);
    t.claim(62, 'video-stopped', 'clip.mp4', { position: 110 });
    t.ended(70);
    const doc = readingOf(t.events)[0]!.documents[0]!;
    expect(doc.mediaRanges).toEqual([
      { from: 0, to: 10 },
      { from: 60, to: 70 },
      { from: 100, to: 110 },
    ]);
    expect(doc.seconds).toBe(40);
  });

  it('keeps clients and sessions apart', () => {
    const a = trail('s1', 'cleo');
    a.connected(0);
    a.claim(0, 'file-opened', 'a.pdf', { page: 1 });
    a.ended(10);
    const b = trail('s2', 'cleo');
    b.connected(100);
    b.claim(100, 'file-opened', 'a.pdf', { page: 2 });
    b.ended(120);
    const c = trail('s3', 'max');
    c.connected(0);
    c.claim(0, 'file-opened', 'b.pdf', { page: 1 });
    c.ended(5);
    const out = readingOf([...c.events, ...b.events, ...a.events]);
    expect(out.map((r) => [r.actorId, r.sessions, r.seconds])).toEqual([
      ['cleo', 2, 30],
      ['max', 1, 5],
    ]);
    expect(out[0]!.documents[0]!.pageTimes).toEqual([
      { page: 1, seconds: 10 },
      { page: 2, seconds: 20 },
    ]);
  });

  it('ignores claims without a path and kinds it does not know', () => {
    const t = trail();
    t.connected(0);
    t.events.push({
      at: t.events[0]!.at,
      sessionId: 's1',
      actorId: 'cleo',
      action: 'app.claim',
      path: null,
      detail: {},
    });
    t.claim(1, 'something-new', 'x.pdf');
    t.ended(5);
    expect(readingOf(t.events)).toEqual([]);
  });

  it('merges overlapping stretches', () => {
    expect(
      mergeRanges([
        { from: 5, to: 9 },
        { from: 0, to: 4.8 },
        { from: 20, to: 30 },
        { from: 25, to: 26 },
      ]),
    ).toEqual([
      { from: 0, to: 9 },
      { from: 20, to: 30 },
    ]);
  });
});
