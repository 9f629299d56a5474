import type { ErrorCode } from '@vitrine/protocol';

/**
 * A refusal the caller can act on: an HTTP-like status, a stable machine code (one of the
 * protocol's ErrorCode list) and a sentence for people. The HTTP layer sends these as they are;
 * anything else is an internal error.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
