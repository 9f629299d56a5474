import { z } from 'zod';

/**
 * A share's reading report (GET /api/shares/:id/reading): what its client's sessions showed, per
 * document and page, from the app's claims (`app.claim`) and the session's own events. Claims are
 * what the app said, not proof: the report informs the owner and is never used to allow or refuse
 * anything. Time counts only while the person was present (a viewer connected, its tab visible, an
 * input within the idle threshold).
 */

export const PageTime = z.object({
  page: z.number().int().min(1),
  /** Seconds this page was on screen while the person was present. */
  seconds: z.number().min(0),
});
export type PageTime = z.infer<typeof PageTime>;

/** A stretch of a video or sound file that played, in seconds of the media. */
export const MediaRange = z.object({ from: z.number().min(0), to: z.number().min(0) });
export type MediaRange = z.infer<typeof MediaRange>;

export const ReadingDocument = z.object({
  /** The file's path in the owner's storage. */
  path: z.string(),
  /** Pages the document has, when the app said; null for files without pages. */
  pages: z.number().int().nullable(),
  /** Distinct pages shown while present. */
  pagesViewed: z.number().int().min(0),
  /** On screen while present, in seconds. */
  seconds: z.number().min(0),
  /** Per page, in page order (only pages that were on screen). */
  pageTimes: z.array(PageTime),
  /** The zoom (percent) the document was read at the longest, when the app said. */
  zoom: z.number().int().nullable(),
  /** What played, merged and in order. */
  mediaRanges: z.array(MediaRange),
  /** Times it was opened. */
  opens: z.number().int().min(0),
  firstViewedAt: z.string(),
  lastViewedAt: z.string(),
});
export type ReadingDocument = z.infer<typeof ReadingDocument>;

export const ReadingClient = z.object({
  person: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
  sessions: z.number().int().min(0),
  /** Present time across all documents, in seconds. */
  seconds: z.number().min(0),
  documents: z.array(ReadingDocument),
});
export type ReadingClient = z.infer<typeof ReadingClient>;

export const ReadingReport = z.object({
  shareId: z.string(),
  /** The share's label ('' when it has none). */
  label: z.string(),
  generatedAt: z.string(),
  /** No input for this long and time stops counting (READING_IDLE_AFTER). */
  idleAfterSeconds: z.number(),
  clients: z.array(ReadingClient),
  /** The share has more events than one report reads: the oldest are left out. */
  truncated: z.boolean(),
});
export type ReadingReport = z.infer<typeof ReadingReport>;
