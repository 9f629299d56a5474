import { z } from 'zod';

/**
 * Every machine-readable error code the server sends: in API error bodies (`ApiErrorBody.error`),
 * in the signaling socket's `error` messages, in control-channel replies and on the admin socket.
 * Clients match on these, never on the sentence that comes with them. Never reuse a code for a
 * different meaning; adding one here is what lets the server send it.
 */
export const ERROR_CODES = [
  // Any request
  /** The request does not match its schema (the message says where). */
  'bad-request',
  /** No such endpoint or resource, or one the caller may not know of. */
  'not-found',
  /** Signed in, but the policy does not allow it. */
  'forbidden',
  /** An unexpected failure; the server log has the details. */
  'internal',
  /** The audit trail cannot be written, so nothing that must be recorded may happen. */
  'audit-unavailable',
  // Sign-in guard
  'unauthenticated',
  'bad-origin',
  'rate-limited',
  // Accounts, passkeys, invitations
  'account-exists',
  'accounts-exist',
  'email-required',
  'ceremony-expired',
  'passkey-refused',
  'passkey-exists',
  'last-passkey',
  'last-admin',
  'encryption-off',
  'invalid-invitation',
  'invitation-expired',
  'invitation-used',
  'not-a-share-invitation',
  // Shares
  'own-share',
  'share-taken',
  'share-accepted',
  'share-empty',
  /** Archiving is for shares that are over (revoked or expired). */
  'share-not-over',
  /** The share has terms whose current version the client has not accepted. */
  'terms-not-accepted',
  /** The terms the client accepted are not the share's current ones (they changed, or were removed). */
  'terms-changed',
  /** The share's sessions are recorded and the client did not acknowledge it. */
  'recording-not-acknowledged',
  /** The share does not name this app: its owner chose which apps its client may open. */
  'app-not-shared',
  // Outgoing mail
  /** The server has no SMTP server configured (SMTP_URL). */
  'mail-not-configured',
  /** The SMTP server did not accept the message. */
  'mail-failed',
  // Owner storage
  'bad-path',
  'bad-move',
  'not-a-file',
  'not-a-folder',
  'exists',
  'file-too-large',
  'quota-exceeded',
  'storage-full',
  'storage-busy',
  'unsupported-media-type',
  'upload-aborted',
  // Streamed sessions and their signaling socket
  'unknown-app',
  /**
   * The app's folder is not the version the server loaded (changed on disk, or on a worker, not
   * the version the API tier pinned): an admin must reload apps (docs/app-manifest.md).
   */
  'app-changed',
  'unknown-session',
  'too-many-sessions',
  'busy',
  'start-failed',
  'viewer-exists',
  /** A signaling message that is not JSON text or does not match the schema. */
  'bad-message',
  /** A valid signaling message the session could not act on. */
  'rejected',
  'offer-failed',
  /** Watching live: the share does not let its owner watch, or the session is not theirs to watch. */
  'watch-not-allowed',
  /** A recorded share's session cannot start: its owner's recording space is full. */
  'recording-budget-exhausted',
  'unknown-recording',
  // Multi-node: the machines that run sessions (docs/workers.md)
  /** No worker has room (or none is up): nothing was started. */
  'no-worker',
  /** The worker chosen for a session did not answer. */
  'worker-unavailable',
  /** This worker is being drained: it finishes its sessions and takes no new one. */
  'worker-draining',
  /** A session failure with no more specific code. */
  'error',
  // Control-channel replies to an app (docs/app-control-channel.md)
  /** The session's policy does not allow it. */
  'denied',
  /** The session has no storage behind it. */
  'unavailable',
  /** The request failed on the server. */
  'failed',
] as const;

/** A machine-readable error code, e.g. `invitation-expired`. */
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;
