/**
 * A reading report in words and bars, pure: "Cleo read 18 of 24 pages of Contract.docx, 26 min",
 * the bars of a document's pages, and the stretches of a video that played.
 */
import type { MediaRange, ReadingClient, ReadingDocument } from '@vitrine/protocol';
import { baseName, formatDuration, formatPosition } from '../shared/format.ts';

const SPREADSHEET = /\.(xlsx?|xlsm|xlsb|ods|fods|csv|tsv)$/i;

/** The person as the owner knows them: their display name, else their e-mail. */
export function clientName(client: ReadingClient): string {
  return client.person.name || client.person.email || 'A client';
}

/** One sentence per document: what of it was read, and for how long. */
export function documentSummary(client: ReadingClient, doc: ReadingDocument): string {
  const who = clientName(client);
  const name = baseName(doc.path);
  const time = formatDuration(doc.seconds * 1000);
  if (doc.mediaRanges.length > 0) {
    const watched = doc.mediaRanges.reduce((sum, r) => sum + (r.to - r.from), 0);
    return `${who} played ${formatDuration(watched * 1000)} of ${name} (${rangesText(doc.mediaRanges)}), on screen ${time}`;
  }
  if (doc.pagesViewed > 0) {
    // A spreadsheet's "pages" are its sheets (the File Explorer reports the sheet shown).
    const unit = SPREADSHEET.test(name) ? 'sheet' : 'page';
    const of = (n: number) => `${n === 1 ? unit : `${unit}s`}`;
    const pages = doc.pages
      ? `${doc.pagesViewed} of ${doc.pages} ${of(doc.pages)}`
      : `${doc.pagesViewed} ${of(doc.pagesViewed)}`;
    return `${who} ${unit === 'sheet' ? 'looked at' : 'read'} ${pages} of ${name}, ${time}`;
  }
  return doc.seconds > 0 ? `${who} had ${name} on screen for ${time}` : `${who} opened ${name}`;
}

/** "0:00–0:10, 1:00–1:10". */
export function rangesText(ranges: MediaRange[]): string {
  return ranges.map((r) => `${formatPosition(r.from)}–${formatPosition(r.to)}`).join(', ');
}

export interface PageBar {
  page: number;
  seconds: number;
  /** 0..1 of the longest page. */
  share: number;
}

/** Pages shown in the chart beyond which only the viewed ones are drawn. */
const ALL_PAGES_UP_TO = 120;

/**
 * The bars of a document's chart: every page when the document has few (unread pages show as
 * gaps, which is the point), else only the pages that were on screen.
 */
export function pageBars(doc: ReadingDocument): PageBar[] {
  const longest = Math.max(0, ...doc.pageTimes.map((p) => p.seconds));
  const byPage = new Map(doc.pageTimes.map((p) => [p.page, p.seconds]));
  const pages =
    doc.pages !== null && doc.pages <= ALL_PAGES_UP_TO
      ? Array.from({ length: Math.max(doc.pages, ...doc.pageTimes.map((p) => p.page)) }, (_, i) => i + 1)
      : doc.pageTimes.map((p) => p.page);
  return pages.map((page) => {
    const seconds = byPage.get(page) ?? 0;
    return { page, seconds, share: longest > 0 ? seconds / longest : 0 };
  });
}
