/**
 * Signing in and out, and invitations (`/api/auth`, `/api/invitations`): who is signed in, a
 * passkey sign-in, creating an account from an invitation link, a client accepting another share.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { Ceremony, InvitationInfo, Me } from '@vitrine/protocol';
import { ApiError, apiRequest, markSignedIn } from '../shared/api.ts';
import { withPasskeyPrompt } from './passkeyErrors.ts';

export type { InvitationInfo, Me };

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
  markSignedIn();
  return me;
}

/** Signs in with a discoverable passkey (the browser offers the ones it knows; no user name). */
export async function signIn(): Promise<Me> {
  const ceremony = await apiRequest<Ceremony>('POST', '/api/auth/login/options', {});
  const response = await withPasskeyPrompt('sign-in', () =>
    startAuthentication({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON }),
  );
  const me = await apiRequest<Me>('POST', '/api/auth/login/verify', { ceremonyId: ceremony.ceremonyId, response });
  markSignedIn();
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
