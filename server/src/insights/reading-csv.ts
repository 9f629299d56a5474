import type { ReadingReport } from '@vitrine/protocol';
import { csvLine } from '../audit/csv.ts';

const COLUMNS = [
  'client_name',
  'client_email',
  'document',
  'page',
  'seconds_on_screen',
  'document_pages',
  'pages_viewed',
  'zoom_percent',
  'opens',
  'media_ranges',
  'first_viewed_at',
  'last_viewed_at',
];

/**
 * The report as CSV: per client and document one line for the whole document (page empty), then
 * one line per page that was on screen. Media ranges as "0-10;60-70" seconds.
 */
export function readingCsv(report: ReadingReport): string {
  let out = csvLine(COLUMNS);
  for (const c of report.clients) {
    for (const d of c.documents) {
      const who = [c.person.name, c.person.email, d.path];
      out += csvLine([
        ...who,
        '',
        d.seconds,
        d.pages,
        d.pagesViewed,
        d.zoom,
        d.opens,
        d.mediaRanges.map((r) => `${r.from}-${r.to}`).join(';'),
        d.firstViewedAt,
        d.lastViewedAt,
      ]);
      for (const p of d.pageTimes) out += csvLine([...who, p.page, p.seconds, d.pages, '', '', '', '', '', '']);
    }
  }
  return out;
}
