import { describe, expect, it } from 'vitest';
import { describePasskeyError, PasskeyError, withPasskeyPrompt } from './passkeyErrors.ts';

/** What browsers throw: a DOMException-like error with a `name`. */
function domError(name: string, message = 'The operation either timed out or was not allowed.'): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

describe('passkey errors', () => {
  it('maps a cancelled or timed-out prompt to a friendly sentence', () => {
    const signIn = describePasskeyError(domError('NotAllowedError'), 'sign-in');
    expect(signIn.code).toBe('cancelled');
    expect(signIn.message).toMatch(/^Sign-in was cancelled or timed out/);
    expect(signIn.message).not.toMatch(/operation either timed out/);
    expect(describePasskeyError(domError('NotAllowedError'), 'register')).toEqual({
      code: 'cancelled',
      message: expect.stringMatching(/^Creating the passkey was cancelled/),
    });
    expect(describePasskeyError(domError('AbortError'), 'add').code).toBe('cancelled');
  });

  it('recognises @simplewebauthn WebAuthnError (name kept, code set)', () => {
    const wrapped = Object.assign(domError('NotAllowedError'), { code: 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY' });
    expect(describePasskeyError(wrapped, 'sign-in').code).toBe('cancelled');
    const previously = Object.assign(domError('InvalidStateError'), {
      code: 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED',
    });
    expect(describePasskeyError(previously, 'add').code).toBe('already-registered');
  });

  it('explains the other failures', () => {
    expect(describePasskeyError(domError('SecurityError'), 'sign-in').code).toBe('insecure');
    expect(describePasskeyError(domError('NotSupportedError'), 'register').code).toBe('not-capable');
    expect(describePasskeyError(new Error('WebAuthn is not supported in this browser'), 'sign-in').code).toBe(
      'unsupported',
    );
    expect(describePasskeyError(new Error('boom'), 'sign-in')).toEqual({
      code: 'failed',
      message: 'Signing in failed: boom',
    });
    expect(describePasskeyError('weird', 'register').message).toBe('Creating the passkey failed: weird');
  });

  it('wraps a failing prompt in a PasskeyError and passes results through', async () => {
    await expect(withPasskeyPrompt('sign-in', async () => 42)).resolves.toBe(42);
    const err = await withPasskeyPrompt('sign-in', () => Promise.reject(domError('NotAllowedError'))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PasskeyError);
    expect((err as PasskeyError).code).toBe('cancelled');
    expect((err as PasskeyError).cause).toBeInstanceOf(Error);
  });
});
