import { z } from 'zod';

/** Recordings of a recorded share's sessions, as their owner lists and replays them. */

export const RecordingState = z.enum(['recording', 'finished', 'interrupted', 'failed']);
export type RecordingState = z.infer<typeof RecordingState>;

export const RecordingSummary = z.object({
  id: z.uuid(),
  sessionId: z.string(),
  shareId: z.string().nullable(),
  shareLabel: z.string().nullable(),
  client: z.object({ displayName: z.string(), email: z.string() }).nullable(),
  state: RecordingState,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  segments: z.number().int(),
  bytes: z.number().int(),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

export const RecordingList = z.object({
  recordings: z.array(RecordingSummary),
  /** The owner's recording space: what their recordings take, of how much. */
  usage: z.object({ usedBytes: z.number().int(), budgetBytes: z.number().int() }),
});
export type RecordingList = z.infer<typeof RecordingList>;

export const RecordingListQuery = z.object({ shareId: z.uuid().optional(), sessionId: z.uuid().optional() }).strict();

/**
 * A run of the recording that plays on its own (it starts with a keyframe): a new one starts
 * when the picture changed size or nobody watched for a while. Times are ISO instants.
 */
export const RecordingClip = z.object({
  clip: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string(),
  segments: z.number().int(),
});
export type RecordingClip = z.infer<typeof RecordingClip>;

/** What happened during the recording, on its time line (pointer moves are counted, not listed). */
export const RecordedEvent = z.object({
  at: z.string(),
  kind: z.enum(['input', 'claim', 'viewer', 'control']),
  /** In words, for the time line: "Clicked at 412, 220", "Opened report.pdf, page 7". */
  text: z.string(),
});
export type RecordedEvent = z.infer<typeof RecordedEvent>;

export const RecordingDetail = RecordingSummary.extend({
  clips: z.array(RecordingClip),
  events: z.array(RecordedEvent),
  /** More events than the time line shows (the earliest are listed). */
  eventsTruncated: z.boolean(),
  pointerMoves: z.number().int(),
});
export type RecordingDetail = z.infer<typeof RecordingDetail>;
