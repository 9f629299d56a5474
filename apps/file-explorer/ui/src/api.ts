import type { Entry, Listing, Root } from './lib/types.ts';

// The explorer server's HTTP API (docs/file-explorer.md), same origin only.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(res: Response): Promise<ApiError> {
  let code = `http-${res.status}`;
  let message = `The explorer server answered ${res.status} ${res.statusText}.`.replace(' .', '.');
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {}
  return new ApiError(res.status, code, message);
}

async function request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The explorer server cannot be reached.');
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const fileUrl = (path: string) => `/api/file?path=${encodeURIComponent(path)}`;

export function getRoots(signal?: AbortSignal): Promise<Root[]> {
  return request<Root[]>('GET', '/api/roots', undefined, signal);
}

/** What the session asked to show first (a file or a folder under /files), if anything. */
export async function getStart(signal?: AbortSignal): Promise<string | null> {
  const start = await request<{ open?: unknown }>('GET', '/api/start', undefined, signal);
  return typeof start?.open === 'string' ? start.open : null;
}

export async function listFolder(path: string, signal?: AbortSignal): Promise<Entry[]> {
  const listing = await request<Listing>('GET', `/api/list?path=${encodeURIComponent(path)}`, undefined, signal);
  return Array.isArray(listing?.entries) ? listing.entries : [];
}

export function createFolder(path: string): Promise<void> {
  return request<void>('POST', '/api/folders', { path });
}

export function moveEntry(from: string, to: string): Promise<void> {
  return request<void>('POST', '/api/move', { from, to });
}

export function trashEntry(path: string): Promise<void> {
  return request<void>('POST', '/api/trash', { path });
}

export type EventKind =
  'folder-opened' | 'file-opened' | 'file-closed' | 'page-viewed' | 'video-started' | 'video-stopped';

/** Fire and forget: what the person did, for the audit trail. Never blocks or fails the UI. */
export function reportEvent(event: {
  kind: EventKind;
  path: string;
  page?: number;
  position?: number;
  entries?: number;
  /** A paged document's page count, and the zoom it is shown at (percent). */
  pages?: number;
  zoom?: number;
}): void {
  void fetch('/api/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
    keepalive: true,
  }).catch(() => {});
}

/**
 * Bytes `start`..`end` (inclusive) of a file, with a Range request. Reads no further than asked even
 * if the server ignores the Range header and sends the whole file.
 */
export async function readRange(
  path: string,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; total: number | null }> {
  const res = await fetch(fileUrl(path), { headers: { range: `bytes=${start}-${end}` }, signal: signal ?? null });
  if (res.status === 416) return { bytes: new Uint8Array(0), total: totalFrom(res) };
  if (!res.ok) throw await failure(res);
  const total = totalFrom(res);
  const want = end - start + 1;
  // 200 instead of 206: the server sent the whole file; skip to `start` while streaming.
  let skip = res.status === 206 ? 0 : start;
  const out = new Uint8Array(want);
  let filled = 0;
  const reader = res.body?.getReader();
  if (!reader) return { bytes: out.subarray(0, 0), total };
  try {
    while (filled < want) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (skip > 0) {
        const cut = Math.min(skip, chunk.length);
        chunk = chunk.subarray(cut);
        skip -= cut;
      }
      const take = Math.min(chunk.length, want - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return { bytes: out.subarray(0, filled), total };
}

/** The file's size from Content-Range ("bytes 0-99/1234") or, for a 200, Content-Length. */
function totalFrom(res: Response): number | null {
  const range = res.headers.get('content-range');
  const m = range ? /\/(\d+)\s*$/.exec(range) : null;
  if (m) return Number(m[1]);
  const length = res.status === 200 ? res.headers.get('content-length') : null;
  return length !== null && /^\d+$/.test(length) ? Number(length) : null;
}
