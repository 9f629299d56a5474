import type { TermsAcceptances } from '@vitrine/protocol';
import { csvLine } from '../audit/csv.ts';

const COLUMNS = ['client_name', 'client_email', 'accepted_at', 'version', 'typed_name', 'ip', 'user_agent'];

/** A share's acceptances of its terms as CSV, one line each, newest first (names are quoted against formulas). */
export function termsAcceptancesCsv(a: TermsAcceptances): string {
  let out = csvLine(COLUMNS);
  for (const r of a.acceptances) {
    out += csvLine([r.person.name, r.person.email, r.acceptedAt, r.version, r.typedName, r.ip, r.userAgent]);
  }
  return out;
}
