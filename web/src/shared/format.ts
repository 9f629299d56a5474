/**
 * Small pure helpers for display: sizes, dates, storage paths, access levels. Shared by the
 * storage, sharing and account screens (`formatDateTime` is used by AccountPage and InvitePage).
 */
import type { ShareAccess } from '@vitrine/protocol';

// Binary multiples, so named as such: 1 KiB is 1024 bytes (a "KB" would be 1000).
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.5 KiB` (binary multiples, with their IEC names). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 (1.5 MiB), none above (15 MiB, 150 MiB).
  const text = value < 10 ? (Math.round(value * 10) / 10).toString() : Math.round(value).toString();
  // Rounding can reach the next unit (1023.9 KiB → "1024 KiB"); say "1 MiB" instead.
  if (text === '1024' && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${text} ${UNITS[unit]}`;
}

/** The share of the quota in use, 0–100, for a progress bar. */
export function usagePercent(used: number, quota: number): number {
  if (!(quota > 0)) return 0;
  return Math.min(100, Math.max(0, (used / quota) * 100));
}

function parseDate(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A date and time in the reader's locale, e.g. `12 Mar 2025, 14:05` (with `seconds`,
 * `14:05:09`: the audit trail's precision). Unparseable input comes back as is.
 */
export function formatDateTime(iso: string, locale?: string, opts: { seconds?: boolean } = {}): string {
  const d = parseDate(iso);
  if (!d) return iso;
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: opts.seconds ? 'medium' : 'short' });
}

/** A time of day in the reader's locale, e.g. `14:05:09`. Unparseable input comes back as is. */
export function formatTime(iso: string, locale?: string): string {
  const d = parseDate(iso);
  return d ? d.toLocaleTimeString(locale) : iso;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** `in 3 days`, `5 minutes ago`, relative to `now` (milliseconds since the epoch). */
export function formatRelative(iso: string, now: number = Date.now(), locale = 'en'): string {
  const d = parseDate(iso);
  if (!d) return iso;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  let value = (d.getTime() - now) / 1000;
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return rtf.format(Math.round(value), 'year');
}

/** `90` → `1 h 30 min`; `45` → `45 min`. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes < 0) return '—';
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const pad = (n: number) => n.toString().padStart(2, '0');

/** The value an `<input type="datetime-local">` expects for a date, in local time: `2025-03-12T14:05`. */
export function toDateTimeLocal(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** An `<input type="datetime-local">` value (local time) as an ISO 8601 instant, or null when incomplete. */
export function fromDateTimeLocal(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const date = new Date(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  // Reject dates that rolled over (2025-02-31).
  if (date.getMonth() !== mo! - 1 || date.getDate() !== d!) return null;
  return date.toISOString();
}

/** Each access level in words (after "you") and as the short label of the access select. */
const ACCESS_TEXT: Record<ShareAccess, { words: string; label: string }> = {
  view: { words: 'can view', label: 'View' },
  edit: { words: 'can view and edit', label: 'View + edit' },
  delete: { words: 'can view, edit and delete', label: 'View + edit + delete' },
};

/** What an access level lets the client do, in words. */
export function describeAccess(access: ShareAccess): string {
  return ACCESS_TEXT[access].words;
}

/** Short label for the access select. */
export function accessLabel(access: ShareAccess): string {
  return ACCESS_TEXT[access].label;
}

// Storage paths: relative to the owner's root, '/'-separated, "" is the root itself. Names are
// kept exactly as they are (" notes.txt" has its leading space); only what a person types into a
// path field is trimmed, by normalizePath.

/** Tidies what a person typed: no leading, trailing or doubled slashes, no `.` segments, no spaces around names. */
export function normalizePath(input: string): string {
  return input
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** The names of a storage path the server gave, as they are (spaces kept): `a/ b` → `["a", " b"]`. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** `folder` + `/` + `name`, names kept as they are. */
export function joinPath(folder: string, name: string): string {
  return [...segmentsOf(folder), ...segmentsOf(name)].join('/');
}

/** The folder holding `path` ("" for a top-level entry or the root). */
export function parentPath(path: string): string {
  return segmentsOf(path).slice(0, -1).join('/');
}

export function baseName(path: string): string {
  return segmentsOf(path).at(-1) ?? '';
}

/** Whether `path` is `folder` itself or inside it (a folder cannot be moved there). */
export function isWithin(path: string, folder: string): boolean {
  const p = segmentsOf(path);
  const f = segmentsOf(folder);
  return f.length <= p.length && f.every((s, i) => p[i] === s);
}

/** What the root of the owner's storage is called where people read it. */
const ROOT_NAME = 'All files';

/**
 * The folders from the root down to `path`, for a breadcrumb, each with the name it shows (the root
 * is "All files"): `a/b` → `[{All files,""}, {a,a}, {b,a/b}]`.
 */
export function pathCrumbs(path: string): { label: string; path: string }[] {
  const crumbs = [{ label: ROOT_NAME, path: '' }];
  let acc = '';
  for (const segment of segmentsOf(path)) {
    acc = acc ? `${acc}/${segment}` : segment;
    crumbs.push({ label: segment, path: acc });
  }
  return crumbs;
}

/** A storage path as people read it; the root is "All files". */
export function displayPath(path: string): string {
  const p = segmentsOf(path).join('/');
  return p === '' ? ROOT_NAME : `/${p}`;
}

/** Why a single file or folder name is not acceptable, or null when it is. */
export function nameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return 'A name is required.';
  if (n.includes('/')) return 'A name cannot contain “/”.';
  if (n === '.' || n === '..') return 'That name is reserved.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'A name cannot contain control characters.';
  if (n.length > 255) return 'That name is too long.';
  return null;
}

/** The message to show for any failure (ApiError carries the server's sentence in `message`). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  return 'Something went wrong.';
}

/** `75_000` → `1 min 15 s`; `3_900_000` → `1 h 5 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** A video position in seconds as `m:ss`. */
export function formatPosition(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${(s % 60).toString().padStart(2, '0')}`;
}
