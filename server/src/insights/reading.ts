import type { MediaRange, ReadingDocument } from '@vitrine/protocol';

/**
 * Reading time from a share's trail, pure (no SQL, no clock): replays each session's events in
 * order and gives every second the person was present to whatever was on screen then. The app's
 * claims say what was on screen (a file opened, a page shown, the list again); the session's own
 * events say whether someone was there (viewer connected, tab visible, not idle).
 */

/** One event of the trail, as this needs it. */
export interface TrailEvent {
  at: number;
  sessionId: string;
  actorId: string;
  action: string;
  /** The target's path in the owner's storage (claims). */
  path: string | null;
  detail: Record<string, unknown>;
}

/** What one client read, before names are attached. */
export interface ClientReading {
  actorId: string;
  sessions: number;
  seconds: number;
  documents: ReadingDocument[];
}

interface DocumentTally {
  path: string;
  pages: number | null;
  seconds: number;
  pageSeconds: Map<number, number>;
  zoomSeconds: Map<number, number>;
  ranges: MediaRange[];
  opens: number;
  first: number;
  last: number;
}

interface OnScreen {
  path: string;
  page: number | null;
  zoom: number | null;
}

interface Playing {
  path: string;
  /** Position in the media when it started (or when the person came back). */
  from: number;
  at: number;
}

interface SessionState {
  actorId: string;
  present: boolean;
  shown: OnScreen | null;
  playing: Playing | null;
  since: number;
}

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
const seconds = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** Replays the events (any order; sorted here by time) into per-client, per-document reading. */
export function readingOf(events: TrailEvent[]): ClientReading[] {
  const sessions = new Map<string, SessionState>();
  const docs = new Map<string, Map<string, DocumentTally>>();
  const sessionsOf = new Map<string, Set<string>>();

  const tally = (actorId: string, path: string, at: number): DocumentTally => {
    let mine = docs.get(actorId);
    if (!mine) docs.set(actorId, (mine = new Map()));
    let d = mine.get(path);
    if (!d) {
      d = {
        path,
        pages: null,
        seconds: 0,
        pageSeconds: new Map(),
        zoomSeconds: new Map(),
        ranges: [],
        opens: 0,
        first: at,
        last: at,
      };
      mine.set(path, d);
    }
    return d;
  };

  // Gives the time since the last event to what was on screen, if someone was there.
  const credit = (s: SessionState, at: number) => {
    const ms = at - s.since;
    s.since = at;
    if (!s.present || !s.shown || ms <= 0) return;
    const d = tally(s.actorId, s.shown.path, at);
    const sec = ms / 1000;
    d.seconds += sec;
    d.last = at;
    if (s.shown.page !== null) d.pageSeconds.set(s.shown.page, (d.pageSeconds.get(s.shown.page) ?? 0) + sec);
    if (s.shown.zoom !== null) d.zoomSeconds.set(s.shown.zoom, (d.zoomSeconds.get(s.shown.zoom) ?? 0) + sec);
  };

  // A playing medium stops counting (stopped, or the person left): its range so far is kept.
  const stopPlaying = (s: SessionState, at: number, position: number | null) => {
    const p = s.playing;
    if (!p) return;
    s.playing = null;
    if (!s.present) return;
    const to = position ?? p.from + Math.max(0, at - p.at) / 1000;
    if (to > p.from) tally(s.actorId, p.path, at).ranges.push({ from: p.from, to });
  };
  const setPresent = (s: SessionState, present: boolean, at: number) => {
    if (s.present === present) return;
    if (!present && s.playing) {
      // Still playing, unseen: the range resumes (estimated at normal speed) when they are back.
      const p = s.playing;
      stopPlaying(s, at, null);
      s.playing = { path: p.path, from: p.from + Math.max(0, at - p.at) / 1000, at };
    } else if (present && s.playing) {
      s.playing = { ...s.playing, from: s.playing.from + Math.max(0, at - s.playing.at) / 1000, at };
    }
    s.present = present;
  };

  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    let s = sessions.get(e.sessionId);
    if (!s) {
      s = { actorId: e.actorId, present: false, shown: null, playing: null, since: e.at };
      sessions.set(e.sessionId, s);
    }
    credit(s, e.at);
    const d = e.detail;
    switch (e.action) {
      case 'session.peer-connected':
        setPresent(s, true, e.at);
        break;
      case 'session.peer-disconnected':
        setPresent(s, false, e.at);
        break;
      case 'session.attention':
        setPresent(s, d.present === true, e.at);
        break;
      case 'session.ended':
        stopPlaying(s, e.at, null);
        s.present = false;
        s.shown = null;
        break;
      case 'app.claim':
        claim(s, e);
        break;
    }
  }

  function claim(s: SessionState, e: TrailEvent) {
    const d = e.detail;
    const path = e.path;
    if (!path) return;
    let mine = sessionsOf.get(s.actorId);
    if (!mine) sessionsOf.set(s.actorId, (mine = new Set()));
    mine.add(e.sessionId);
    switch (d.kind) {
      case 'file-opened': {
        const doc = tally(s.actorId, path, e.at);
        doc.opens += 1;
        doc.pages = int(d.pages) ?? doc.pages;
        s.shown = { path, page: int(d.page), zoom: int(d.zoom) };
        break;
      }
      case 'page-viewed': {
        const doc = tally(s.actorId, path, e.at);
        doc.pages = int(d.pages) ?? doc.pages;
        s.shown = { path, page: int(d.page), zoom: int(d.zoom) ?? (s.shown?.path === path ? s.shown.zoom : null) };
        break;
      }
      case 'file-closed':
        if (s.shown?.path === path) s.shown = null;
        if (s.playing?.path === path) stopPlaying(s, e.at, null);
        break;
      case 'folder-opened':
        // The list is on screen again: no document is.
        s.shown = null;
        break;
      case 'video-started': {
        stopPlaying(s, e.at, null);
        s.playing = { path, from: seconds(d.position) ?? 0, at: e.at };
        if (s.shown?.path !== path) s.shown = { path, page: null, zoom: null };
        tally(s.actorId, path, e.at);
        break;
      }
      case 'video-stopped':
        if (s.playing?.path === path) stopPlaying(s, e.at, seconds(d.position));
        break;
    }
  }

  const out: ClientReading[] = [];
  for (const [actorId, mine] of docs) {
    const documents = [...mine.values()]
      .filter((d) => d.seconds > 0 || d.ranges.length > 0 || d.opens > 0)
      .map(toDocument)
      .sort((a, b) => b.seconds - a.seconds || a.path.localeCompare(b.path));
    out.push({
      actorId,
      sessions: sessionsOf.get(actorId)?.size ?? 0,
      seconds: round(documents.reduce((sum, d) => sum + d.seconds, 0)),
      documents,
    });
  }
  return out.sort((a, b) => b.seconds - a.seconds);
}

function toDocument(d: DocumentTally): ReadingDocument {
  const pageTimes = [...d.pageSeconds].sort(([a], [b]) => a - b).map(([page, sec]) => ({ page, seconds: round(sec) }));
  let zoom: number | null = null;
  let longest = -1;
  for (const [z, sec] of d.zoomSeconds) if (sec > longest) [zoom, longest] = [z, sec];
  return {
    path: d.path,
    pages: d.pages,
    pagesViewed: pageTimes.length,
    seconds: round(d.seconds),
    pageTimes,
    zoom,
    mediaRanges: mergeRanges(d.ranges),
    opens: d.opens,
    firstViewedAt: new Date(d.first).toISOString(),
    lastViewedAt: new Date(d.last).toISOString(),
  };
}

/** Overlapping or touching stretches as one, in order (rounded to a tenth of a second). */
export function mergeRanges(ranges: MediaRange[]): MediaRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const merged: MediaRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 0.5) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged.map((r) => ({ from: round(r.from), to: round(r.to) }));
}

const round = (n: number) => Math.round(n * 10) / 10;
