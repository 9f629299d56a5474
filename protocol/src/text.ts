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
