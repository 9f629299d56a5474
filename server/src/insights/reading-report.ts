import type { ReadingReport } from '@vitrine/protocol';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ChainedEvent } from '../audit/chain.ts';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import { shareStatus, type ShareStore } from '../shares/share-store.ts';
import { readingOf, type TrailEvent } from './reading.ts';

/** The trail a report replays: what the app showed, and whether someone was there. */
export const READING_ACTIONS = [
  'app.claim',
  'session.peer-connected',
  'session.peer-disconnected',
  'session.attention',
  'session.ended',
] as const;

/** At most this many of a share's newest events are read for one report. */
const MAX_EVENTS = 200_000;

export interface ReadingReportDeps {
  shares: Pick<ShareStore, 'get'>;
  trail: Pick<AuditStore, 'shareTrail' | 'people'>;
  idleAfterMs: number;
  maxEvents?: number;
  now?: () => number;
}

/** A share's reading report, for its owner only. */
export class ReadingReports {
  private readonly deps: ReadingReportDeps;

  constructor(deps: ReadingReportDeps) {
    this.deps = deps;
  }

  async report(actor: Actor, shareId: string): Promise<ReadingReport> {
    const share = await this.deps.shares.get(shareId);
    if (!share) throw new DomainError(404, 'not-found', 'no such share');
    const now = this.deps.now?.() ?? Date.now();
    authorize(actor, 'read-reading', 'Share', {
      ownerId: share.ownerId,
      clientId: share.client?.id ?? null,
      status: shareStatus(share, now),
    });
    const limit = this.deps.maxEvents ?? MAX_EVENTS;
    const rows = await this.deps.trail.shareTrail(shareId, READING_ACTIONS, limit + 1);
    const truncated = rows.length > limit;
    // Only the client's own sessions: the owner's previews of the share are not someone reading it.
    const events = (truncated ? rows.slice(1) : rows).filter(isClients).map(toTrailEvent);
    const readings = readingOf(events);
    const people = await this.deps.trail.people(readings.map((r) => r.actorId));
    return {
      shareId,
      label: share.label,
      generatedAt: new Date(now).toISOString(),
      idleAfterSeconds: this.deps.idleAfterMs / 1000,
      truncated,
      clients: readings.map(({ actorId, ...r }) => {
        const person = people.get(actorId);
        return { person: { id: actorId, name: person?.displayName ?? null, email: person?.email ?? null }, ...r };
      }),
    };
  }
}

const isClients = (e: ChainedEvent) => e.actorRole === 'client' && e.actorId !== null && e.sessionId !== null;

function toTrailEvent(e: ChainedEvent): TrailEvent {
  return {
    at: e.at.getTime(),
    sessionId: e.sessionId!,
    actorId: e.actorId!,
    action: e.action,
    path: e.targetPath,
    detail: JSON.parse(e.detail) as Record<string, unknown>,
  };
}
