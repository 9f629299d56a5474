/**
 * Recordings of recorded shares' sessions (`/api/recordings`), for their owner: the list with the
 * recording space, one recording's clips and time line, a clip's address for `<video>`, removal.
 * Answers are checked against the protocol's schemas.
 */
import { RecordingDetail, RecordingList, type RecordedEvent, type RecordingSummary } from '@vitrine/protocol';
import type { z } from 'zod';
import { apiRequest, ApiError, errorFromResponse } from '../shared/api.ts';

export type { RecordedEvent, RecordingDetail, RecordingList, RecordingSummary };

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ApiError(200, 'bad_response', 'The server sent a recording this page cannot read.');
  return result.data;
}

/** My recordings (newest first, as the server lists them), optionally of one share or session. */
export async function listRecordings(
  filter: { shareId?: string; sessionId?: string } = {},
  signal?: AbortSignal,
): Promise<RecordingList> {
  const q = new URLSearchParams(filter as Record<string, string>).toString();
  const body = await apiRequest<unknown>('GET', q ? `/api/recordings?${q}` : '/api/recordings', undefined, signal);
  return parsed(RecordingList, body);
}

export async function getRecording(id: string, signal?: AbortSignal): Promise<RecordingDetail> {
  return parsed(RecordingDetail, await apiRequest<unknown>('GET', recordingPath(id), undefined, signal));
}

export function removeRecording(id: string): Promise<void> {
  return apiRequest<void>('DELETE', recordingPath(id));
}

/** The clip as MP4, for the video element (it asks for byte ranges itself). */
export function clipUrl(id: string, clip: number): string {
  return `${recordingPath(id)}/clips/${clip}`;
}

/**
 * Why a clip did not play, in the server's words: a segment changed or missing since it was
 * recorded is refused (409), and that refusal is itself evidence to show. `<video>` only says
 * "error", so the first byte is asked for again to read the answer.
 */
export async function clipProblem(id: string, clip: number): Promise<string> {
  const fallback = 'Your browser could not play this part of the recording.';
  try {
    const res = await fetch(clipUrl(id, clip), { headers: { range: 'bytes=0-0' }, credentials: 'same-origin' });
    if (res.ok) return fallback;
    const body: unknown = await res.json().catch(() => undefined);
    return errorFromResponse(res.status, res.statusText, body).message;
  } catch {
    return fallback;
  }
}

function recordingPath(id: string): string {
  return `/api/recordings/${encodeURIComponent(id)}`;
}
