/** A recording's facts in words, for the list and the player. */
import type { RecordingSummary } from '@vitrine/protocol';
import { formatDuration } from '../shared/format.ts';

/** How long a recording covers ("—" while it is still going on). */
export function recordingLength(r: RecordingSummary): string {
  return r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '—';
}

export function clientLabel(r: RecordingSummary): string {
  return r.client?.displayName ?? 'Unknown client';
}
