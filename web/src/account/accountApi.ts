/** The signed-in person's own account (`/api/me`): passkeys and sign-ins; for admins, owner invitations. */
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { startRegistration } from '@simplewebauthn/browser';
import type { Ceremony, InvitationLink, Passkey, SignIn } from '@vitrine/protocol';
import { apiRequest } from '../shared/api.ts';
import { withPasskeyPrompt } from '../signin/passkeyErrors.ts';

export type { InvitationLink, Passkey, SignIn };

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
