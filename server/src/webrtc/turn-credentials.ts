import { createHmac } from 'node:crypto';

/**
 * Ephemeral TURN credentials (the "TURN REST API" scheme coturn implements with
 * `use-auth-secret`): the user name is "<expiry in Unix seconds>:<who>", the password the
 * base64 HMAC-SHA1 of that name under the secret shared with the TURN server. Nothing long-lived
 * ever reaches a browser; a leaked pair stops working at its expiry.
 */
export function turnCredentials(
  secret: string,
  who: string,
  ttlMs: number,
  now = Date.now(),
): { username: string; credential: string } {
  const username = `${Math.floor((now + ttlMs) / 1000)}:${who}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
