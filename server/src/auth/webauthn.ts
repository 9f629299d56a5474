import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { AuthenticationResponse, Ceremony, RegistrationResponse } from '@vitrine/protocol';
import type { Tables, WebauthnChallengesTable } from '../db/schema.ts';
import { SealedValueUnreadable, type ColumnCipher } from '../encryption/column-cipher.ts';
import { DomainError } from '../errors.ts';
import type { Users } from './users.ts';

const CEREMONY_TTL_MS = 5 * 60_000;
/** The column name sealed into a stored challenge (its AAD). */
const CHALLENGE_COLUMN = 'webauthn_challenges.challenge';

type Purpose = WebauthnChallengesTable['purpose'];

export interface PendingCeremony {
  userId: string | null;
  invitationId: string | null;
  data: Record<string, unknown>;
}

export interface NewCredential {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backedUp: boolean;
}

const refused = (why: string) => new DomainError(400, 'passkey-refused', `The passkey was not accepted: ${why}`);

/**
 * WebAuthn ceremonies with user verification required. Each challenge is stored server-side,
 * expires after 5 minutes and is deleted when it is answered, so an answer cannot be replayed.
 * The relying party is PUBLIC_URL: its host name is the RP ID and its origin the only origin.
 * With a cipher, the stored challenge is sealed at rest (column encryption).
 */
export class WebAuthn {
  private readonly db: Kysely<Tables>;
  private readonly users: Users;
  private readonly publicUrl: () => string;
  private readonly cipher: ColumnCipher | null;

  constructor(db: Kysely<Tables>, users: Users, publicUrl: () => string, cipher: ColumnCipher | null = null) {
    this.db = db;
    this.users = users;
    this.publicUrl = publicUrl;
    this.cipher = cipher;
  }

  private get rp(): { id: string; origin: string } {
    const url = new URL(this.publicUrl());
    return { id: url.hostname, origin: url.origin };
  }

  async registrationOptions(
    purpose: Extract<Purpose, 'register' | 'add-passkey'>,
    user: { webauthnUserId: string; email: string; displayName: string },
    pending: PendingCeremony,
    exclude: Array<{ id: string; transports: string[] }> = [],
  ): Promise<Ceremony> {
    const options = await generateRegistrationOptions({
      rpName: 'Vitrine',
      rpID: this.rp.id,
      userName: user.email,
      userDisplayName: user.displayName,
      userID: Buffer.from(user.webauthnUserId, 'base64url'),
      attestationType: 'none',
      excludeCredentials: exclude,
      // Discoverable, so signing in needs no user name; verified, so a passkey alone is two factors.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    return { ceremonyId: await this.store(purpose, options.challenge, pending), options: { ...options } };
  }

  async verifyRegistration(
    ceremonyId: string,
    purpose: Extract<Purpose, 'register' | 'add-passkey'>,
    response: RegistrationResponse,
  ): Promise<{ pending: PendingCeremony; credential: NewCredential }> {
    const { challenge, pending } = await this.take(ceremonyId, purpose);
    let result;
    try {
      result = await verifyRegistrationResponse({
        response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
      });
    } catch (err) {
      throw refused((err as Error).message);
    }
    if (!result.verified) throw refused('verification failed');
    const { credential, credentialBackedUp } = result.registrationInfo;
    return {
      pending,
      credential: {
        credentialId: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: (credential.transports ?? []).slice(0, 10),
        backedUp: credentialBackedUp,
      },
    };
  }

  async loginOptions(): Promise<Ceremony> {
    const options = await generateAuthenticationOptions({ rpID: this.rp.id, userVerification: 'required' });
    return {
      ceremonyId: await this.store('login', options.challenge, { userId: null, invitationId: null, data: {} }),
      options: { ...options },
    };
  }

  /** Verifies an assertion against the stored passkey and advances its counter; returns the user id. */
  async verifyLogin(ceremonyId: string, response: AuthenticationResponse): Promise<string> {
    const { challenge } = await this.take(ceremonyId, 'login');
    const passkey = await this.users.passkeyByCredential(response.id);
    if (!passkey) throw refused('this passkey is not registered here');
    const owner = await this.users.get(passkey.userId);
    if (!owner) throw refused('this passkey is not registered here');
    if (response.response.userHandle && response.response.userHandle !== owner.webauthnUserId) {
      throw refused('the passkey belongs to another account');
    }
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response: response as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: passkey.publicKey,
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
    } catch (err) {
      throw refused((err as Error).message);
    }
    if (!result.verified) throw refused('verification failed');
    const next = result.authenticationInfo.newCounter;
    // A counter that does not advance means a cloned authenticator; authenticators that do not
    // count at all (always 0, e.g. synced passkeys) are allowed, as the specification says.
    if ((next !== 0 || passkey.counter !== 0) && next <= passkey.counter) {
      throw refused('its signature counter went backwards (possible cloned authenticator)');
    }
    if (!(await this.users.passkeyUsed(passkey.id, passkey.counter, next))) {
      throw refused('it was used concurrently; try again');
    }
    return passkey.userId;
  }

  private async store(purpose: Purpose, challenge: string, pending: PendingCeremony): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await this.db.deleteFrom('webauthn_challenges').where('expires_at', '<', new Date(now)).execute();
    await this.db
      .insertInto('webauthn_challenges')
      .values({
        id,
        challenge: this.cipher ? this.cipher.seal(challenge, CHALLENGE_COLUMN) : challenge,
        purpose,
        user_id: pending.userId,
        invitation_id: pending.invitationId,
        data: JSON.stringify(pending.data),
        expires_at: new Date(now + CEREMONY_TTL_MS),
      })
      .execute();
    return id;
  }

  /** Removes and returns a live challenge: a second answer to the same ceremony finds nothing. */
  private async take(id: string, purpose: Purpose): Promise<{ challenge: string; pending: PendingCeremony }> {
    const row = await this.db
      .deleteFrom('webauthn_challenges')
      .where('id', '=', id)
      .where('purpose', '=', purpose)
      .returningAll()
      .executeTakeFirst();
    if (!row || new Date(row.expires_at).getTime() <= Date.now()) {
      throw new DomainError(
        400,
        'ceremony-expired',
        'This sign-in attempt has expired or was already used; try again.',
      );
    }
    return {
      challenge: this.openChallenge(row.challenge),
      pending: { userId: row.user_id, invitationId: row.invitation_id, data: row.data },
    };
  }

  /** A stored challenge's plain text; one that does not open was changed in the database: no answer fits it. */
  private openChallenge(stored: string): string {
    if (!this.cipher) return stored;
    try {
      return this.cipher.open(stored, CHALLENGE_COLUMN);
    } catch (err) {
      if (err instanceof SealedValueUnreadable) throw refused('its sign-in attempt was changed on the server');
      throw err;
    }
  }
}
