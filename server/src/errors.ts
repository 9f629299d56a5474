import type { ErrorCode } from '@vitrine/protocol';

/**
 * What a refusal was about, for its audit event: the share and whose it is, and a detail (e.g. the
 * app asked for). Only what the caller was allowed to learn: set once the policy let them that far.
 */
export interface RefusalScope {
  ownerId?: string;
  shareId?: string;
  detail?: Record<string, unknown>;
}

/**
 * A refusal the caller can act on: an HTTP-like status, a stable machine code (one of the
 * protocol's ErrorCode list) and a sentence for people. The HTTP layer sends these as they are;
 * anything else is an internal error.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Added to the request's audit event by the error handler. */
  readonly about: RefusalScope | undefined;
  constructor(status: number, code: ErrorCode, message: string, about?: RefusalScope) {
    super(message);
    this.status = status;
    this.code = code;
    this.about = about;
  }
}
