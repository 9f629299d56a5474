import type { ReadingReport } from '@vitrine/protocol';
import { apiRequest } from '../shared/api.ts';

export type { ReadingReport };

/** What the client viewed in one of my shares. */
export function getReadingReport(shareId: string, signal?: AbortSignal): Promise<ReadingReport> {
  return apiRequest<ReadingReport>('GET', `/api/shares/${encodeURIComponent(shareId)}/reading`, undefined, signal);
}

/** The same report as a CSV file (a plain link: the browser downloads it). */
export function readingCsvUrl(shareId: string): string {
  return `/api/shares/${encodeURIComponent(shareId)}/reading.csv`;
}
