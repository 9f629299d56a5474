/**
 * Turns what the browser's WebAuthn prompt throws (DOMExceptions, or `@simplewebauthn/browser`'s
 * WebAuthnError, which keeps the DOMException's `name`) into sentences for people. Pure.
 */

/** Which prompt failed: signing in, creating the first passkey, or adding another one. */
export type PasskeyCeremony = 'sign-in' | 'register' | 'add';

export type PasskeyErrorCode =
  'cancelled' | 'already-registered' | 'unsupported' | 'insecure' | 'not-capable' | 'failed';

/** A failed passkey prompt, with a message fit to show as it is. */
export class PasskeyError extends Error {
  readonly code: PasskeyErrorCode;

  constructor(code: PasskeyErrorCode, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'PasskeyError';
    this.code = code;
  }
}

const CANCELLED: Record<PasskeyCeremony, string> = {
  'sign-in':
    'Sign-in was cancelled or timed out. Try again, and choose a passkey you created for Vitrine (on this device, your phone or your password manager).',
  register: 'Creating the passkey was cancelled or timed out. Nothing was saved; try again when you are ready.',
  add: 'Adding the passkey was cancelled or timed out. Nothing was saved.',
};

function prop(err: unknown, key: 'name' | 'code' | 'message'): string {
  if (typeof err !== 'object' || err === null) return '';
  const value = (err as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

export function describePasskeyError(
  err: unknown,
  ceremony: PasskeyCeremony,
): { code: PasskeyErrorCode; message: string } {
  const name = prop(err, 'name');
  const code = prop(err, 'code');
  const message = prop(err, 'message') || String(err);

  // The person closed the prompt, it timed out, or (Chrome, Safari) no passkey was chosen.
  if (name === 'NotAllowedError' || name === 'AbortError') return { code: 'cancelled', message: CANCELLED[ceremony] };
  if (name === 'InvalidStateError' || code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return {
      code: 'already-registered',
      message:
        ceremony === 'add'
          ? 'This device or password manager already holds a passkey for your account. Use another one.'
          : 'This device or password manager already holds a passkey for this account.',
    };
  }
  if (name === 'SecurityError') {
    return {
      code: 'insecure',
      message: 'Passkeys are not allowed at this address. Open Vitrine at its usual address (HTTPS, or localhost).',
    };
  }
  if (name === 'NotSupportedError' || name === 'ConstraintError') {
    return {
      code: 'not-capable',
      message:
        'This device cannot create a suitable passkey (it needs a screen lock such as a PIN, fingerprint or face). Try another device or password manager.',
    };
  }
  if (/webauthn is not supported/i.test(message)) {
    return { code: 'unsupported', message: 'This browser does not support passkeys. Use an up-to-date browser.' };
  }
  const what = ceremony === 'sign-in' ? 'Signing in' : 'Creating the passkey';
  return { code: 'failed', message: `${what} failed: ${message}` };
}

/** Runs a browser passkey prompt, turning its failure into a PasskeyError. */
export async function withPasskeyPrompt<T>(ceremony: PasskeyCeremony, prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (err) {
    const { code, message } = describePasskeyError(err, ceremony);
    throw new PasskeyError(code, message, err);
  }
}
