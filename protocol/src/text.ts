import { z } from 'zod';

/** Text a person types (a name, a label): trimmed, bounded, no control characters. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters');

/** An e-mail address, compared and stored in lower case. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'not an e-mail address' }));

/**
 * Several paragraphs a person types (a share's terms): line breaks kept (CR LF and CR become LF, so
 * the same text pasted from anywhere compares equal), tabs allowed, no other control characters;
 * trimmed and bounded.
 */
export const multilineText = (max: number) =>
  z
    .string()
    .overwrite((s) => s.replace(/\r\n?/g, '\n'))
    .trim()
    .max(max)
    .regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, 'no control characters but line breaks and tabs');
