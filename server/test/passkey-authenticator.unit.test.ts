import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, isoCBOR, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { encodeCbor, type CborValue } from './cbor.ts';
import { SoftwareAuthenticator } from './passkey-authenticator.ts';

const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:8080';

async function registrationOptions(
  excludeCredentials: { id: string }[] = [],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Vitrine',
    rpID: RP_ID,
    userName: 'ada@example.com',
    userID: new Uint8Array(crypto.randomBytes(16)),
    excludeCredentials,
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

function verifyRegistration(options: PublicKeyCredentialCreationOptionsJSON, response: unknown) {
  return verifyRegistrationResponse({
    response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
  });
}

/** Registers with the real verifier and returns what a server would store. */
async function enroll(auth: SoftwareAuthenticator): Promise<{ credential: WebAuthnCredential; userHandle: string }> {
  const options = await registrationOptions();
  const verification = await verifyRegistration(options, auth.register(options));
  if (!verification.verified) throw new Error('registration did not verify');
  return { credential: verification.registrationInfo.credential, userHandle: options.user.id };
}

async function authenticationOptions(allowCredentials?: { id: string }[]) {
  return generateAuthenticationOptions({ rpID: RP_ID, allowCredentials, userVerification: 'required' });
}

function verifyAuthentication(
  challenge: string,
  response: AuthenticationResponseJSON,
  credential: WebAuthnCredential,
): ReturnType<typeof verifyAuthenticationResponse> {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential,
    requireUserVerification: true,
  });
}

describe('SoftwareAuthenticator registration', () => {
  it('produces a response that verifyRegistrationResponse accepts', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await registrationOptions();
    const response = auth.register(options);

    expect(response.id).toBe(response.rawId);
    expect(response.type).toBe('public-key');
    expect(response.authenticatorAttachment).toBe('platform');
    expect(response.clientExtensionResults).toEqual({});
    expect(response.response.transports).toEqual(['internal']);
    const rawId = Buffer.from(response.id, 'base64url');
    expect(rawId.length).toBeGreaterThanOrEqual(16);
    expect(rawId.length).toBeLessThanOrEqual(32);
    expect(auth.credentialIds()).toEqual([response.id]);
    expect(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString())).toEqual({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });

    const attestation = decodeAttestationObject(
      new Uint8Array(Buffer.from(response.response.attestationObject, 'base64url')),
    );
    expect(attestation.get('fmt')).toBe('none');
    expect(attestation.get('attStmt').size).toBe(0);
    const authData = parseAuthenticatorData(attestation.get('authData'));
    expect(Buffer.from(authData.rpIdHash)).toEqual(crypto.createHash('sha256').update(RP_ID).digest());
    expect(authData.flags).toMatchObject({ up: true, uv: true, at: true, be: false, bs: false, ed: false });
    expect(authData.counter).toBe(0);
    expect(Buffer.from(authData.credentialID!).toString('base64url')).toBe(response.id);

    const verification = await verifyRegistration(options, response);
    expect(verification.verified).toBe(true);
    expect(verification.registrationInfo).toMatchObject({
      fmt: 'none',
      aaguid: '00000000-0000-0000-0000-000000000000',
      userVerified: true,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      origin: ORIGIN,
      rpID: RP_ID,
      credential: { id: response.id, counter: 0, transports: ['internal'] },
    });
  });

  it('fails verification for a wrong origin or RP ID', async () => {
    const wrongOrigin = new SoftwareAuthenticator({ origin: 'http://evil.example:8080' });
    const options1 = await registrationOptions();
    await expect(verifyRegistration(options1, wrongOrigin.register(options1))).rejects.toThrow(/origin/);

    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const options2 = await registrationOptions();
    await expect(
      verifyRegistration(options2, auth.register(options2, { origin: 'https://localhost' })),
    ).rejects.toThrow(/origin/);
    const options3 = await registrationOptions();
    await expect(verifyRegistration(options3, auth.register(options3, { rpId: 'example.com' }))).rejects.toThrow(
      /RP ID/,
    );
  });

  it('fails verification without user verification when UV is required', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await registrationOptions();
    await expect(verifyRegistration(options, auth.register(options, { userVerified: false }))).rejects.toThrow(
      /User verification was required/,
    );
  });

  it('refuses, like a browser, to register when it holds an excluded credential or ES256 is not offered', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enroll(auth);
    const options = await registrationOptions([{ id: credential.id }]);
    expect(() => auth.register(options)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));

    const rsaOnly = await generateRegistrationOptions({
      rpName: 'Vitrine',
      rpID: RP_ID,
      userName: 'ada',
      supportedAlgorithmIDs: [-257],
    });
    expect(() => auth.register(rsaOnly)).toThrow(expect.objectContaining({ name: 'NotSupportedError' }));
    expect(auth.credentialIds()).toEqual([credential.id]);
  });
});

describe('SoftwareAuthenticator authentication', () => {
  it('produces assertions that verifyAuthenticationResponse accepts, with an increasing counter', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential, userHandle } = await enroll(auth);

    // Username-less (discoverable) sign-in: no allowCredentials.
    const options1 = await authenticationOptions();
    const response1 = auth.authenticate(options1);
    expect(response1.id).toBe(credential.id);
    expect(response1.response.userHandle).toBe(userHandle);
    expect(JSON.parse(Buffer.from(response1.response.clientDataJSON, 'base64url').toString())).toEqual({
      type: 'webauthn.get',
      challenge: options1.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });
    const result1 = await verifyAuthentication(options1.challenge, response1, credential);
    expect(result1.verified).toBe(true);
    expect(result1.authenticationInfo).toMatchObject({ credentialID: credential.id, userVerified: true, rpID: RP_ID });
    expect(result1.authenticationInfo.newCounter).toBeGreaterThan(credential.counter);
    credential.counter = result1.authenticationInfo.newCounter;

    // With allowCredentials.
    const options2 = await authenticationOptions([{ id: credential.id }]);
    const result2 = await verifyAuthentication(options2.challenge, auth.authenticate(options2), credential);
    expect(result2.verified).toBe(true);
    expect(result2.authenticationInfo.newCounter).toBeGreaterThan(credential.counter);
  });

  it('picks the credential named by allowCredentials or the credentialId override', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const first = await enroll(auth);
    const second = await enroll(auth);
    expect(auth.credentialIds()).toEqual([first.credential.id, second.credential.id]);

    const options = await authenticationOptions([{ id: second.credential.id }]);
    const response = auth.authenticate(options);
    expect(response.id).toBe(second.credential.id);
    expect(response.response.userHandle).toBe(second.userHandle);
    expect((await verifyAuthentication(options.challenge, response, second.credential)).verified).toBe(true);

    const discoverable = await authenticationOptions();
    expect(auth.authenticate(discoverable).id).toBe(first.credential.id);
    expect(auth.authenticate(discoverable, { credentialId: second.credential.id }).id).toBe(second.credential.id);

    const unknown = await authenticationOptions([{ id: Buffer.alloc(16, 7).toString('base64url') }]);
    expect(() => auth.authenticate(unknown)).toThrow(expect.objectContaining({ name: 'NotAllowedError' }));
    const otherRp = await generateAuthenticationOptions({ rpID: 'example.com' });
    expect(() => auth.authenticate(otherRp)).toThrow(expect.objectContaining({ name: 'NotAllowedError' }));
  });

  it('fails verification for a wrong origin or RP ID', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enroll(auth);
    const options = await authenticationOptions();
    await expect(
      verifyAuthentication(
        options.challenge,
        auth.authenticate(options, { origin: 'http://evil.example' }),
        credential,
      ),
    ).rejects.toThrow(/origin/);
    await expect(
      verifyAuthentication(options.challenge, auth.authenticate(options, { rpId: 'example.com' }), credential),
    ).rejects.toThrow(/RP ID/);
  });

  it('fails verification for a tampered signature', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enroll(auth);
    const options = await authenticationOptions();
    const response = auth.authenticate(options);
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 0x01; // last byte of s: still valid DER, wrong value
    const tampered = { ...response, response: { ...response.response, signature: signature.toString('base64url') } };
    expect((await verifyAuthentication(options.challenge, tampered, credential)).verified).toBe(false);
    // The untouched response still verifies.
    expect((await verifyAuthentication(options.challenge, response, credential)).verified).toBe(true);
  });

  it('fails verification without user verification when UV is required', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enroll(auth);
    const options = await authenticationOptions();
    await expect(
      verifyAuthentication(options.challenge, auth.authenticate(options, { userVerified: false }), credential),
    ).rejects.toThrow(/User verification required/);
  });

  it('fails verification for a replayed assertion whose counter does not increase', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enroll(auth);
    const options = await authenticationOptions();
    const response = auth.authenticate(options);
    const result = await verifyAuthentication(options.challenge, response, credential);
    expect(result.verified).toBe(true);
    credential.counter = result.authenticationInfo.newCounter;
    expect(credential.counter).toBeGreaterThan(0);

    // v14 rejects when either counter is > 0 and the response's counter is <= the stored one.
    await expect(verifyAuthentication(options.challenge, response, credential)).rejects.toThrow(/counter/);
    const stale = auth.authenticate(options, { counter: credential.counter });
    await expect(verifyAuthentication(options.challenge, stale, credential)).rejects.toThrow(/counter/);
    // The override did not disturb the authenticator's own counter.
    const next = auth.authenticate(options);
    expect((await verifyAuthentication(options.challenge, next, credential)).authenticationInfo.newCounter).toBe(
      credential.counter + 1,
    );
  });

  it('keeps the counter at 0 with signCounter: false, which v14 accepts every time', async () => {
    const auth = new SoftwareAuthenticator({ origin: ORIGIN, signCounter: false });
    const { credential } = await enroll(auth);
    for (let i = 0; i < 2; i++) {
      const options = await authenticationOptions();
      const result = await verifyAuthentication(options.challenge, auth.authenticate(options), credential);
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo.newCounter).toBe(0);
    }
  });
});

describe('encodeCbor', () => {
  const hex = (value: CborValue) => Buffer.from(encodeCbor(value)).toString('hex');

  it('matches the RFC 8949 appendix A examples', () => {
    expect(hex(0)).toBe('00');
    expect(hex(23)).toBe('17');
    expect(hex(24)).toBe('1818');
    expect(hex(100)).toBe('1864');
    expect(hex(1000)).toBe('1903e8');
    expect(hex(1000000)).toBe('1a000f4240');
    expect(hex(1000000000000)).toBe('1b000000e8d4a51000');
    expect(hex(-1)).toBe('20');
    expect(hex(-10)).toBe('29');
    expect(hex(-100)).toBe('3863');
    expect(hex(-1000)).toBe('3903e7');
    expect(hex('')).toBe('60');
    expect(hex('IETF')).toBe('6449455446');
    expect(hex('\u00fc')).toBe('62c3bc');
    expect(hex(new Uint8Array())).toBe('40');
    expect(hex(Uint8Array.of(1, 2, 3, 4))).toBe('4401020304');
    expect(hex([])).toBe('80');
    expect(hex([1, 2, 3])).toBe('83010203');
    expect(hex(new Map())).toBe('a0');
    expect(
      hex(
        new Map([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe('a201020304');
    expect(hex({ a: 1, b: [2, 3] })).toBe('a26161016162820203');
    expect(hex(false)).toBe('f4');
    expect(hex(true)).toBe('f5');
    expect(hex(null)).toBe('f6');
    expect(() => encodeCbor(1.5)).toThrow(TypeError);
  });

  it('round-trips through the decoder @simplewebauthn/server uses, byte for byte', () => {
    const value = new Map<number | string, CborValue>([
      [1, 2],
      [-1, 1],
      ['text', 'x'.repeat(300)],
      ['bytes', new Uint8Array(70000).fill(9)],
    ]);
    const encoded = encodeCbor(value);
    const decoded = isoCBOR.decodeFirst<Map<number | string, unknown>>(encoded);
    expect(decoded.get(-1)).toBe(1);
    expect((decoded.get('bytes') as Uint8Array).length).toBe(70000);
    expect(Buffer.from(isoCBOR.encode(decoded as never))).toEqual(Buffer.from(encoded));
  });
});
