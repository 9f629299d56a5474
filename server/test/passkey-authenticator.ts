import crypto from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { encodeCbor, type CborValue } from './cbor.ts';

/**
 * A software WebAuthn authenticator for API tests: it answers the server's creation and request
 * options the way a browser plus a platform passkey provider would, without a browser.
 *
 * - Keys are ES256 (P-256, COSE alg -7); attestation is `none`; the AAGUID is all zeros.
 * - Every credential is discoverable and remembers its RP ID and user handle (`user.id`).
 * - Each credential has its own signature counter: 0 at registration, then 1, 2, … on each assertion
 *   (always 0 with `signCounter: false`).
 * - Like a browser it refuses, with a `DOMException`: registering when it already holds one of
 *   `excludeCredentials` (`InvalidStateError`), creation options without ES256 in `pubKeyCredParams`
 *   (`NotSupportedError`), and an assertion for which it holds no suitable credential (`NotAllowedError`).
 * - It does not check that the RP ID suits the origin, so tests can make the server see mismatches.
 */

/** The fields of `PublicKeyCredentialCreationOptionsJSON` this authenticator reads. */
export interface CreationOptionsLike {
  challenge: string;
  rp: { id?: string; name?: string };
  user: { id: string; name?: string; displayName?: string };
  pubKeyCredParams?: { type?: string; alg: number }[];
  excludeCredentials?: { id: string; type?: string; transports?: string[] }[];
}

/** The fields of `PublicKeyCredentialRequestOptionsJSON` this authenticator reads. */
export interface RequestOptionsLike {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string; type?: string; transports?: string[] }[];
}

export interface RegisterOverrides {
  /** Written into clientDataJSON instead of the authenticator's origin. */
  origin?: string;
  /** `false` clears the UV flag. Default true. */
  userVerified?: boolean;
  /** Hashed into authenticatorData instead of `rp.id`; the credential is still stored under `rp.id`. */
  rpId?: string;
}

export interface AuthenticateOverrides {
  /** Written into clientDataJSON instead of the authenticator's origin. */
  origin?: string;
  /** Use this stored credential (base64url id) whatever `allowCredentials` and `rpId` say. */
  credentialId?: string;
  /** `false` clears the UV flag. Default true. */
  userVerified?: boolean;
  /** Hashed into authenticatorData instead of the request's RP ID (credential choice still uses the request's). */
  rpId?: string;
  /** Signature counter written for this one assertion; the credential's own counter is left unchanged. */
  counter?: number;
}

interface StoredCredential {
  /** base64url, no padding. */
  id: string;
  rpId: string;
  /** base64url, no padding. */
  userHandle: string;
  privateKey: crypto.KeyObject;
  counter: number;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const COSE_ALG_ES256 = -7;
const AAGUID_NONE = new Uint8Array(16);
const MAX_COUNTER = 0xffffffff;

export class SoftwareAuthenticator {
  readonly origin: string;
  readonly signCounter: boolean;
  readonly #credentials: StoredCredential[] = [];

  constructor(opts: { origin?: string; signCounter?: boolean } = {}) {
    this.origin = opts.origin ?? 'http://localhost:8080';
    this.signCounter = opts.signCounter ?? true;
  }

  /** Answers `navigator.credentials.create({ publicKey: options })`. */
  register(
    options: CreationOptionsLike | Record<string, unknown>,
    overrides: RegisterOverrides = {},
  ): RegistrationResponseJSON {
    const opts = parseCreationOptions(options);
    const origin = overrides.origin ?? this.origin;
    const rpId = opts.rp.id ?? new URL(origin).hostname;

    const params = opts.pubKeyCredParams;
    if (params && params.length > 0 && !params.some((p) => p.alg === COSE_ALG_ES256)) {
      throw new DOMException('no supported algorithm (only ES256 / -7) in pubKeyCredParams', 'NotSupportedError');
    }
    const excluded = new Set((opts.excludeCredentials ?? []).map((c) => normalizeB64url(c.id)));
    if (this.#credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new DOMException('the authenticator already holds a credential in excludeCredentials', 'InvalidStateError');
    }

    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = crypto.randomBytes(crypto.randomInt(16, 33));
    const credential: StoredCredential = {
      id: rawId.toString('base64url'),
      rpId,
      userHandle: normalizeB64url(opts.user.id),
      privateKey,
      counter: 0,
    };

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length);
    const attestedCredentialData = Buffer.concat([AAGUID_NONE, idLength, rawId, coseEs256PublicKey(publicKey)]);
    const flags = FLAG_UP | (overrides.userVerified === false ? 0 : FLAG_UV) | FLAG_AT;
    const authData = authenticatorData(overrides.rpId ?? rpId, flags, credential.counter, attestedCredentialData);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = clientData('webauthn.create', opts.challenge, origin);

    this.#credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Answers `navigator.credentials.get({ publicKey: options })`. */
  authenticate(
    options: RequestOptionsLike | Record<string, unknown>,
    overrides: AuthenticateOverrides = {},
  ): AuthenticationResponseJSON {
    const opts = parseRequestOptions(options);
    const origin = overrides.origin ?? this.origin;
    const rpId = opts.rpId ?? new URL(origin).hostname;
    const credential = this.#pick(rpId, opts.allowCredentials, overrides.credentialId);

    let counter: number;
    if (overrides.counter !== undefined) {
      if (!Number.isInteger(overrides.counter) || overrides.counter < 0 || overrides.counter > MAX_COUNTER) {
        throw new RangeError(`counter must be an integer in 0..${MAX_COUNTER}`);
      }
      counter = overrides.counter;
    } else {
      if (this.signCounter) credential.counter = Math.min(credential.counter + 1, MAX_COUNTER);
      counter = credential.counter;
    }

    const flags = FLAG_UP | (overrides.userVerified === false ? 0 : FLAG_UV);
    const authData = authenticatorData(overrides.rpId ?? rpId, flags, counter);
    const clientDataJSON = clientData('webauthn.get', opts.challenge, origin);
    // ECDSA over authenticatorData || SHA-256(clientDataJSON); Node's default encoding is DER, as WebAuthn wants.
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);

    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The base64url ids of the stored credentials, oldest first. */
  credentialIds(): string[] {
    return this.#credentials.map((c) => c.id);
  }

  #pick(
    rpId: string,
    allowCredentials: RequestOptionsLike['allowCredentials'],
    credentialId: string | undefined,
  ): StoredCredential {
    if (credentialId !== undefined) {
      const id = normalizeB64url(credentialId);
      const found = this.#credentials.find((c) => c.id === id);
      if (!found) throw new DOMException(`no stored credential ${credentialId}`, 'NotAllowedError');
      return found;
    }
    if (allowCredentials && allowCredentials.length > 0) {
      const allowed = new Set(allowCredentials.map((c) => normalizeB64url(c.id)));
      const found = this.#credentials.find((c) => c.rpId === rpId && allowed.has(c.id));
      if (!found) throw new DOMException(`no credential in allowCredentials for ${rpId}`, 'NotAllowedError');
      return found;
    }
    const found = this.#credentials.find((c) => c.rpId === rpId);
    if (!found) throw new DOMException(`no discoverable credential for ${rpId}`, 'NotAllowedError');
    return found;
  }
}

function sha256(data: string | Uint8Array): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

/** Decodes and re-encodes, as a browser does: unpadded base64url. */
function normalizeB64url(value: string): string {
  return Buffer.from(value, 'base64url').toString('base64url');
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge: normalizeB64url(challenge), origin, crossOrigin: false }));
}

/** rpIdHash (32) | flags (1) | signCount (4, big-endian) | attestedCredentialData? */
function authenticatorData(rpId: string, flags: number, counter: number, attested?: Uint8Array): Buffer {
  const head = Buffer.alloc(37);
  sha256(rpId).copy(head, 0);
  head[32] = flags;
  head.writeUInt32BE(counter, 33);
  return attested ? Buffer.concat([head, attested]) : head;
}

/** COSE_Key for an EC2 P-256 public key: { 1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y }. */
function coseEs256PublicKey(publicKey: crypto.KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('EC public key without x/y');
  return encodeCbor(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, COSE_ALG_ES256],
      [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function descriptors(value: unknown, field: string): { id: string }[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((d) => isRecord(d) && typeof d.id === 'string')) {
    throw new TypeError(`${field} must be an array of { id: base64url }`);
  }
  return value as { id: string }[];
}

function parseCreationOptions(options: unknown): CreationOptionsLike {
  if (!isRecord(options)) throw new TypeError('creation options must be an object');
  const { challenge, rp, user, pubKeyCredParams } = options;
  if (typeof challenge !== 'string') throw new TypeError('creation options: challenge must be a base64url string');
  if (!isRecord(rp) || (rp.id !== undefined && typeof rp.id !== 'string')) {
    throw new TypeError('creation options: rp must be { id?: string }');
  }
  if (!isRecord(user) || typeof user.id !== 'string') {
    throw new TypeError('creation options: user.id must be a base64url string');
  }
  if (
    pubKeyCredParams !== undefined &&
    (!Array.isArray(pubKeyCredParams) || !pubKeyCredParams.every((p) => isRecord(p) && typeof p.alg === 'number'))
  ) {
    throw new TypeError('creation options: pubKeyCredParams must be an array of { alg: number }');
  }
  return {
    challenge,
    rp: { id: rp.id as string | undefined },
    user: { id: user.id },
    pubKeyCredParams: pubKeyCredParams as { alg: number }[] | undefined,
    excludeCredentials: descriptors(options.excludeCredentials, 'excludeCredentials'),
  };
}

function parseRequestOptions(options: unknown): RequestOptionsLike {
  if (!isRecord(options)) throw new TypeError('request options must be an object');
  const { challenge, rpId } = options;
  if (typeof challenge !== 'string') throw new TypeError('request options: challenge must be a base64url string');
  if (rpId !== undefined && typeof rpId !== 'string') throw new TypeError('request options: rpId must be a string');
  return { challenge, rpId, allowCredentials: descriptors(options.allowCredentials, 'allowCredentials') };
}
