/**
 * A refusal the caller can act on: an HTTP-like status, a stable machine code and a sentence
 * for people. The HTTP layer sends these as they are; anything else is an internal error.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
