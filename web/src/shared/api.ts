/**
 * The one fetch path to the Vitrine HTTP API (same origin, `/api`), shared by every feature's API
 * module: `apiRequest` sends and parses, failures become `ApiError`, and any 401 is announced
 * through `onUnauthorized` so the sign-in state can follow.
 */
import { ErrorCode } from '@vitrine/protocol';

/**
 * What an `ApiError` is about: the server's error code, or one the client sets when the server did
 * not give one it knows: `unreachable` (no answer), `bad_response` (not JSON), `http_<status>`.
 */
export type ApiErrorCode = ErrorCode | 'unreachable' | 'bad_response' | `http_${number}`;

/** An API failure. `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;

  constructor(status: number, code: ApiErrorCode, message: string) {
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

// --- "not signed in" notifications -----------------------------------------------------------

const unauthorizedListeners = new Set<() => void>();
/**
 * Bumped whenever this browser signs in: a 401 answering a request sent before that belongs to
 * the previous sign-in and must not sign the new one out.
 */
let signInEpoch = 0;

/** Called whenever the API answers 401 (the sign-in is missing, expired or revoked). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called by the sign-in calls once this browser is signed in (see `signInEpoch`). */
export function markSignedIn(): void {
  signInEpoch++;
}

function isRawBody(body: unknown): body is Blob | ArrayBuffer | ArrayBufferView {
  return body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

/**
 * The single fetch path of the client: sends `body` as JSON (or, for a Blob/File/ArrayBuffer, as
 * raw `application/octet-stream` bytes), parses the JSON answer and turns failures into ApiError.
 * A 204 resolves to undefined.
 */
export async function apiRequest<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const epoch = signInEpoch;
  const raw = isRawBody(body);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': raw ? 'application/octet-stream' : 'application/json' },
      body: body === undefined ? null : raw ? (body as BodyInit) : JSON.stringify(body),
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
  if (res.status === 401 && epoch === signInEpoch) {
    for (const listener of [...unauthorizedListeners]) listener();
  }
  if (!res.ok) throw errorFromResponse(res.status, res.statusText, json);
  if (json === undefined) {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.');
  }
  return json as T;
}

/** The server's error body (`{ error, message }`), as far as it is one. */
export function isErrorBody(body: unknown): body is { error: string; message?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string';
}

/**
 * The `ApiError` a failed response means, from its status and its parsed JSON body (if any). A
 * code this client does not know (a newer server's) becomes `http_<status>`; its message still shows.
 */
export function errorFromResponse(status: number, statusText: string, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const message = typeof body.message === 'string' && body.message ? body.message : body.error;
    const code = ErrorCode.safeParse(body.error);
    return new ApiError(status, code.success ? code.data : `http_${status}`, message);
  }
  // No JSON error body: a proxy (e.g. the Vite dev server) answering for a server that is down.
  if (status === 502 || status === 503 || status === 504) return new ApiError(0, 'unreachable', UNREACHABLE_MESSAGE);
  return new ApiError(status, `http_${status}`, `The server answered ${status} ${statusText}`.trim());
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
