import { expect, it } from 'vitest';
import { turnCredentials } from './turn-credentials.ts';
import { isPrivateAddress } from './ice-options.ts';

it('makes TURN REST credentials: "<expiry>:<who>" and the base64 HMAC-SHA1 of it under the shared secret', () => {
  // Reference value computed independently (Python's hmac module).
  expect(turnCredentials('a-shared-secret-of-some-length', 'session-1', 3_600_000, 1_700_000_000_000)).toEqual({
    username: '1700003600:session-1',
    credential: 'IYxWY96wujjG+ScM69VKPJejJNo=',
  });
});

it('tells private, loopback and link-local addresses from public ones', () => {
  for (const a of [
    '10.1.2.3',
    '127.0.0.1',
    '192.168.0.9',
    '172.16.0.1',
    '172.31.255.1',
    '169.254.1.1',
    '::1',
    'fd00::1',
    'fe80::1',
  ])
    expect(isPrivateAddress(a), a).toBe(true);
  for (const a of ['192.0.2.10', '172.32.0.1', '8.8.8.8', '2001:db8::1', '172.15.0.1'])
    expect(isPrivateAddress(a), a).toBe(false);
});
