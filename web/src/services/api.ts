/** Thin client for the Vitrine HTTP API (same origin, `/api`). */
import type { AppInfo, ServerStatus, SessionInfo } from '@vitrine/protocol';

export type { AppInfo, ServerStatus, SessionInfo };

/** An API failure. `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

export const UNREACHABLE_MESSAGE = 'Cannot reach the Vitrine server. Check that it is running and try again.';

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'unreachable', UNREACHABLE_MESSAGE);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text().catch(() => '');
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = json as { error?: unknown; message?: unknown } | undefined;
    if (err && typeof err.error === 'string') {
      const message = typeof err.message === 'string' && err.message ? err.message : err.error;
      throw new ApiError(res.status, err.error, message);
    }
    // No JSON error body: a proxy (e.g. the Vite dev server) answering for a server that is down.
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      throw new ApiError(0, 'unreachable', UNREACHABLE_MESSAGE);
    }
    throw new ApiError(res.status, `http_${res.status}`, `The server answered ${res.status} ${res.statusText}`.trim());
  }
  if (json === undefined) {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.');
  }
  return json as T;
}

export function listApps(signal?: AbortSignal): Promise<AppInfo[]> {
  return request<AppInfo[]>('GET', '/api/apps', undefined, signal);
}

export function getStatus(signal?: AbortSignal): Promise<ServerStatus> {
  return request<ServerStatus>('GET', '/api/status', undefined, signal);
}

export function listSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  return request<SessionInfo[]>('GET', '/api/sessions', undefined, signal);
}

export function getSession(id: string, signal?: AbortSignal): Promise<SessionInfo> {
  return request<SessionInfo>('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, signal);
}

export function createSession(appId: string): Promise<SessionInfo> {
  return request<SessionInfo>('POST', '/api/sessions', { appId });
}

export async function deleteSession(id: string): Promise<void> {
  try {
    await request<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    // Already gone is what we wanted.
    if (err instanceof ApiError && err.status === 404) return;
    throw err;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
