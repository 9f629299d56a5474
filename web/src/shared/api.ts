/** Thin client for the Vitrine HTTP API (same origin, `/api`). Every call goes through `apiRequest`. */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type {
  AppInfo,
  Ceremony,
  InvitationInfo,
  InvitationLink,
  Me,
  Passkey,
  ServerStatus,
  SessionInfo,
  SignIn,
} from '@vitrine/protocol';
import { withPasskeyPrompt } from './passkeyErrors.ts';

export type { AppInfo, InvitationInfo, InvitationLink, Me, Passkey, ServerStatus, SessionInfo, SignIn };
export { PasskeyError } from './passkeyErrors.ts';

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

function signedIn(): void {
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
  return apiRequest<AppInfo[]>('GET', '/api/apps', undefined, signal);
}

export function getStatus(signal?: AbortSignal): Promise<ServerStatus> {
  return apiRequest<ServerStatus>('GET', '/api/status', undefined, signal);
}

export function listSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  return apiRequest<SessionInfo[]>('GET', '/api/sessions', undefined, signal);
}

export function getSession(id: string, signal?: AbortSignal): Promise<SessionInfo> {
  return apiRequest<SessionInfo>('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, signal);
}

/** Owners omit `shareId` (their own storage); clients must give the share to open. */
export function createSession(appId: string, shareId?: string): Promise<SessionInfo> {
  return apiRequest<SessionInfo>('POST', '/api/sessions', shareId === undefined ? { appId } : { appId, shareId });
}

export async function deleteSession(id: string): Promise<void> {
  try {
    await apiRequest<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
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

// --- sign-in and invitations ---------------------------------------------------------------

/** The signed-in person, or null when this browser is not signed in. */
export async function getMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await apiRequest<Me>('GET', '/api/auth/me', undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** What an invitation offers. 404 `invalid-invitation`, 410 `invitation-expired` / `invitation-used`. */
export function inspectInvitation(token: string, signal?: AbortSignal): Promise<InvitationInfo> {
  return apiRequest<InvitationInfo>('POST', '/api/invitations/inspect', { token }, signal);
}

/** Creates the account an invitation offers, with a new passkey, and signs this browser in. */
export async function registerWithInvitation(
  token: string,
  displayName: string,
  email?: string,
  passkeyName?: string,
): Promise<Me> {
  const ceremony = await apiRequest<Ceremony>(
    'POST',
    '/api/auth/register/options',
    email ? { token, displayName, email } : { token, displayName },
  );
  const response = await withPasskeyPrompt('register', () =>
    startRegistration({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialCreationOptionsJSON }),
  );
  const me = await apiRequest<Me>(
    'POST',
    '/api/auth/register/verify',
    passkeyName
      ? { ceremonyId: ceremony.ceremonyId, response, passkeyName }
      : { ceremonyId: ceremony.ceremonyId, response },
  );
  signedIn();
  return me;
}

/** Signs in with a discoverable passkey (the browser offers the ones it knows; no user name). */
export async function signIn(): Promise<Me> {
  const ceremony = await apiRequest<Ceremony>('POST', '/api/auth/login/options', {});
  const response = await withPasskeyPrompt('sign-in', () =>
    startAuthentication({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON }),
  );
  const me = await apiRequest<Me>('POST', '/api/auth/login/verify', { ceremonyId: ceremony.ceremonyId, response });
  signedIn();
  return me;
}

/** Revokes this browser's sign-in. Already signed out counts as done. */
export async function signOut(): Promise<void> {
  try {
    await apiRequest<void>('POST', '/api/auth/logout');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    throw err;
  }
}

/** A signed-in client adds the share of another invitation to their account. */
export function acceptInvitation(token: string): Promise<void> {
  return apiRequest<void>('POST', '/api/invitations/accept', { token });
}

// --- own account ---------------------------------------------------------------------------

export function listPasskeys(signal?: AbortSignal): Promise<Passkey[]> {
  return apiRequest<Passkey[]>('GET', '/api/me/passkeys', undefined, signal);
}

/** Creates another passkey for the signed-in person (browser prompt). */
export async function addPasskey(name?: string): Promise<Passkey> {
  const ceremony = await apiRequest<Ceremony>('POST', '/api/me/passkeys/options', {});
  const response = await withPasskeyPrompt('add', () =>
    startRegistration({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialCreationOptionsJSON }),
  );
  return apiRequest<Passkey>(
    'POST',
    '/api/me/passkeys',
    name ? { ceremonyId: ceremony.ceremonyId, response, name } : { ceremonyId: ceremony.ceremonyId, response },
  );
}

export function renamePasskey(id: string, name: string): Promise<Passkey> {
  return apiRequest<Passkey>('PATCH', `/api/me/passkeys/${encodeURIComponent(id)}`, { name });
}

/** 409 `last-passkey` for the only one left. */
export function removePasskey(id: string): Promise<void> {
  return apiRequest<void>('DELETE', `/api/me/passkeys/${encodeURIComponent(id)}`);
}

export function listSignIns(signal?: AbortSignal): Promise<SignIn[]> {
  return apiRequest<SignIn[]>('GET', '/api/me/sign-ins', undefined, signal);
}

export function revokeSignIn(id: string): Promise<void> {
  return apiRequest<void>('DELETE', `/api/me/sign-ins/${encodeURIComponent(id)}`);
}

/** Admins: a one-time invitation link for a new owner. */
export function inviteOwner(email: string): Promise<InvitationLink> {
  return apiRequest<InvitationLink>('POST', '/api/admin/invitations', { email });
}
