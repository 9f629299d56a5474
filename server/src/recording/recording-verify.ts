import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { openDetail } from '../audit/sealed-detail.ts';
import type { ColumnCipher } from '../encryption/column-cipher.ts';
import { segmentIndexOf, sha256Of } from './segment-file.ts';

/** What the trail says about one recording: its segments' hashes, whether it ended, where it lives. */
interface Expected {
  ownerId: string;
  segments: Map<number, { seq: number; file: string; sha256: string; eventsFile: string; eventsSha256: string }>;
  ended: boolean;
  purged: boolean;
}

export interface EvidenceResult {
  recordings: number;
  segments: number;
  /** The first thing wrong, and the trail event that vouches for what is missing or changed. */
  problem: { seq: number | null; message: string } | null;
}

/**
 * Compares every recording on the trail with its files: each segment the trail vouches for must
 * be there, byte for byte (its SHA-256), and nothing may have been added to a finished recording.
 * Run after the chain itself verified, so the trail's word can be trusted. A removed, edited or
 * swapped segment is named by its file. `cipher`: the one the trail's details are sealed with.
 */
export async function verifyRecordings(
  db: Kysely<Tables>,
  root: string,
  cipher: ColumnCipher | null = null,
): Promise<EvidenceResult> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['seq', 'action', 'owner_id', 'detail'])
    .where('action', 'in', [
      'recording.segment',
      'recording.end',
      'recording.failed',
      'recording.interrupted',
      'recording.purge',
    ])
    .orderBy('seq', 'asc')
    .execute();
  const recordings = new Map<string, Expected>();
  for (const row of rows) {
    const d = JSON.parse(openDetail(cipher, row.detail)) as Record<string, unknown>;
    const id = String(d.recordingId ?? '');
    if (!/^[0-9a-f-]{36}$/.test(id) || !row.owner_id) continue;
    const r = recordings.get(id) ?? { ownerId: row.owner_id, segments: new Map(), ended: false, purged: false };
    recordings.set(id, r);
    if (row.action === 'recording.segment') {
      r.segments.set(Number(d.index), {
        seq: Number(row.seq),
        file: String(d.file),
        sha256: String(d.sha256),
        eventsFile: String(d.eventsFile),
        eventsSha256: String(d.eventsSha256),
      });
    } else if (row.action === 'recording.purge') r.purged = true;
    else r.ended = true;
  }
  let segments = 0;
  let checked = 0;
  for (const [id, r] of recordings) {
    if (r.purged) continue;
    checked++;
    const dir = path.join(root, r.ownerId, id);
    const indices = [...r.segments.keys()].sort((a, b) => a - b);
    for (const [i, index] of indices.entries()) {
      const s = r.segments.get(index)!;
      const where = `recording ${id} segment ${index} (${s.file})`;
      if (index !== i) return fail(segments, checked, s.seq, `${where}: segment ${i} is not on the trail`);
      for (const [file, sha] of [
        [s.file, s.sha256],
        [s.eventsFile, s.eventsSha256],
      ] as const) {
        const full = path.join(dir, file);
        if (!fs.existsSync(full)) return fail(segments, checked, s.seq, `${where}: ${file} is missing`);
        if ((await sha256Of(full)) !== sha) return fail(segments, checked, s.seq, `${where}: ${file} was changed`);
      }
      segments++;
    }
    // A finished recording holds exactly what the trail lists; a live one may be writing its next segment.
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const index = segmentIndexOf(name);
      const known = index !== undefined && r.segments.has(index);
      const writing = !r.ended && index === indices.length;
      if (!known && !writing) return fail(segments, checked, null, `recording ${id}: ${name} is not on the trail`);
    }
  }
  return { recordings: checked, segments, problem: null };
}

function fail(segments: number, recordings: number, seq: number | null, message: string): EvidenceResult {
  return { recordings, segments, problem: { seq, message } };
}
