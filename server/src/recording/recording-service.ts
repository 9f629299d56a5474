import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';
import { DomainError } from '../errors.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import type { RecordingStore, RecordingRecord } from './recording-store.ts';
import { SessionRecorder, type RecordingSink } from './session-recorder.ts';
import { segmentIndexOf, segmentName, type FinishedSegment } from './segment-file.ts';

export interface RecordingSettings {
  /** Where recordings live: `<root>/<owner>/<recording>/`, outside every sandbox. */
  root: string;
  /** Each owner's recordings may take this many bytes in all (their own budget, not the file quota). */
  budgetBytes: number;
  segmentMs: number;
  /** Finished recordings older than this are purged (0: kept until their owner removes them). */
  retentionMs: number;
  /** Makes `<root>/<owner>` ready before a recording goes there (encrypted at rest: the owner's key). */
  prepareOwner?: (ownerId: string) => Promise<void>;
}

interface Audit {
  record(entry: AuditEntry): Promise<void>;
}

/** A recording as the session registry holds it: the sink the runtime feeds, and its end. */
export interface LiveRecording {
  id: string;
  sink: RecordingSink;
  /** Finishes it (the session ended): last segment on the trail, then `recording.end`. */
  finish(): Promise<void>;
}

/**
 * Recordings of a share's sessions: decides whether a session is recorded and has room, opens
 * its recorder, puts every finished segment's hashes on the trail, and closes, recovers, purges.
 */
export class RecordingService {
  private readonly store: RecordingStore;
  private readonly audit: Audit;
  private readonly settings: RecordingSettings;
  private readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

  constructor(
    store: RecordingStore,
    audit: Audit,
    settings: RecordingSettings,
    log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
  ) {
    this.store = store;
    this.audit = audit;
    this.settings = settings;
    this.log = log;
  }

  dirOf(r: Pick<RecordingRecord, 'ownerId' | 'id'>): string {
    return path.join(this.settings.root, r.ownerId, r.id);
  }

  /**
   * Starts recording `plan`'s session when its share says so, or throws: a session that must be
   * recorded does not run unrecorded (no room in the owner's budget, the trail unavailable).
   * `clock` is the session's video clock; `failed` ends the session when writing fails later.
   */
  async begin(
    plan: LaunchPlan,
    about: Omit<AuditEntry, 'action' | 'outcome'>,
    clock: (ms: number) => number,
    failed: (reason: string) => void,
  ): Promise<LiveRecording | undefined> {
    const { launch } = plan;
    if (!launch.recording || !launch.storageOwnerId) return undefined;
    const ownerId = launch.storageOwnerId;
    const used = await this.store.usedBy(ownerId);
    const room = this.settings.budgetBytes - used;
    if (room <= 0) {
      throw new DomainError(
        507,
        'recording-budget-exhausted',
        "This share's sessions are recorded, and its owner's recording space is full; ask them to free some.",
      );
    }
    const id = randomUUID();
    const record = {
      id,
      sessionId: plan.sessionId,
      shareId: launch.shareId,
      ownerId,
      clientId: launch.userId,
      startedAt: new Date(),
    };
    const dir = this.dirOf(record);
    await this.settings.prepareOwner?.(ownerId);
    // Private to the server, outside every sandbox.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    await this.store.create(record);
    const scope = { ...about, target: { type: 'recording', id } };
    await this.audit.record({ ...scope, action: 'recording.start', outcome: 'ok', detail: { recordingId: id } });
    let failure: string | undefined;
    const sink = new SessionRecorder({
      dir,
      clock,
      segmentMs: this.settings.segmentMs,
      maxBytes: room,
      finished: (s) => this.segmentFinished(id, scope, s),
      failed: (reason) => {
        failure = reason;
        failed(reason);
      },
    });
    return {
      id,
      sink,
      finish: async () => {
        const totals = await sink.stop();
        const state = failure ? 'failed' : 'finished';
        await this.store.end(id, state, new Date());
        await this.audit.record({
          ...scope,
          action: failure ? 'recording.failed' : 'recording.end',
          outcome: failure ? 'failed' : 'ok',
          ...(failure ? { reason: failure } : {}),
          detail: { recordingId: id, segments: totals.segments, bytes: totals.bytes, dropped: totals.dropped },
        });
      },
    };
  }

  private async segmentFinished(
    id: string,
    scope: Omit<AuditEntry, 'action' | 'outcome'>,
    s: FinishedSegment,
  ): Promise<void> {
    await this.store.addSegment(id, s);
    await this.audit.record({
      ...scope,
      action: 'recording.segment',
      outcome: 'ok',
      detail: {
        recordingId: id,
        index: s.index,
        clip: s.clip,
        file: s.file,
        sha256: s.sha256,
        eventsFile: s.eventsFile,
        eventsSha256: s.eventsSha256,
        bytes: s.bytes,
        startedAt: new Date(s.startedAt).toISOString(),
        endedAt: new Date(s.endedAt).toISOString(),
        keyframe: s.keyframe,
      },
    });
  }

  /**
   * After a crash: recordings still marked as recording were cut. What was finished stays (its
   * hashes are on the trail); the segment being written is removed, and the trail says so.
   */
  async recoverInterrupted(): Promise<number> {
    const cut = await this.store.unfinished();
    for (const r of cut) {
      const kept = r.segments;
      const lost: string[] = [];
      const dir = this.dirOf(r);
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const index = segmentIndexOf(name);
        if (index !== undefined && index >= kept) {
          fs.rmSync(path.join(dir, name), { force: true });
          if (name === segmentName(index)) lost.push(name);
        }
      }
      await this.store.end(r.id, 'interrupted', new Date());
      await this.audit.record({
        actor: { id: null, role: 'system' },
        action: 'recording.interrupted',
        outcome: 'failed',
        reason: 'server crash',
        target: { type: 'recording', id: r.id },
        ownerId: r.ownerId,
        shareId: r.shareId,
        sessionId: r.sessionId,
        detail: { recordingId: r.id, segmentsKept: kept, unfinishedSegmentsRemoved: lost },
      });
    }
    return cut.length;
  }

  /** Removes recordings (retention, or their owner), leaving on the trail which ones and what they held. */
  async purge(recordings: RecordingRecord[], why: 'retention' | 'owner', actor: AuditEntry['actor']): Promise<void> {
    for (const r of recordings) {
      fs.rmSync(this.dirOf(r), { recursive: true, force: true });
      await this.store.remove(r.id);
      await this.audit.record({
        actor,
        action: 'recording.purge',
        outcome: 'ok',
        reason: why,
        target: { type: 'recording', id: r.id },
        ownerId: r.ownerId,
        shareId: r.shareId,
        sessionId: r.sessionId,
        detail: { recordingId: r.id, segments: r.segments, bytes: r.bytes, startedAt: r.startedAt.toISOString() },
      });
    }
  }

  /** Retention: finished recordings older than `RECORDING_RETENTION_DAYS`. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.settings.retentionMs <= 0) return 0;
    const old = await this.store.endedBefore(new Date(now - this.settings.retentionMs));
    await this.purge(old, 'retention', { id: null, role: 'system' });
    return old.length;
  }

  get budgetBytes(): number {
    return this.settings.budgetBytes;
  }

  usedBy(ownerId: string): Promise<number> {
    return this.store.usedBy(ownerId);
  }
}
