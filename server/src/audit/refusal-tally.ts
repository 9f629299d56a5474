import type { AuditEntry } from './chain.ts';

/** Targets a summary names at most (the rest are counted). */
const MAX_TARGETS = 10;

export interface RefusalTallyOptions {
  /** Sources told apart per window: signed-in people and anonymous addresses each get their own budget. */
  maxSignedIn: number;
  maxAnonymous: number;
  now?: () => number;
}

interface Tally {
  /** The first refusal of the window (recorded in full); its fields make the summary. */
  first: AuditEntry;
  /** Refusals after the first, not recorded one by one. */
  folded: number;
  from: number;
  to: number;
  targets: Set<string>;
  statuses: Set<number>;
  /** For the overflow summary, which mixes sources: what was refused, and why. */
  actions: Set<string>;
  reasons: Set<string>;
}

/**
 * Refusals (401, 403, 429, policy denials) on the trail in aggregate, so a flood of them cannot
 * fill the audit table. A source is who was refused (the person, or for a signed-out caller the
 * address, counted as `addressKey` does), the action, the reason and whose files or share it was
 * about. In each window the first refusal of a source is recorded in full; the next ones are
 * only counted, and `drain` (at the end of the window) turns each count into one summary event.
 * Each window tells at most `maxSignedIn` + `maxAnonymous` sources apart; refusals beyond that go
 * into one summary per kind, so a window writes at most 2 × (maxSignedIn + maxAnonymous) + 2
 * events however many requests arrive, and signed-out callers cannot use up the signed-in budget.
 */
export class RefusalTally {
  private readonly opts: Required<RefusalTallyOptions>;
  private tallies = new Map<string, Tally>();
  private sources = { signedIn: 0, anonymous: 0 };
  private overflow: { signedIn: Tally | null; anonymous: Tally | null } = { signedIn: null, anonymous: null };

  constructor(opts: RefusalTallyOptions) {
    this.opts = { now: Date.now, ...opts };
  }

  /**
   * Whether this refusal is to be recorded in full (the first of its source in this window);
   * otherwise it has been counted. `source` says who, for a signed-out caller (its address key).
   */
  admit(entry: AuditEntry, source: string): boolean {
    const kind = entry.actor.id === null ? 'anonymous' : 'signedIn';
    const key = [source, entry.action, entry.reason, entry.ownerId, entry.shareId].join('\u0000');
    const known = this.tallies.get(key);
    if (known) {
      this.fold(known, entry);
      return false;
    }
    const budget = kind === 'anonymous' ? this.opts.maxAnonymous : this.opts.maxSignedIn;
    if (this.sources[kind] >= budget) {
      const overflow = (this.overflow[kind] ??= this.start(entry));
      this.fold(overflow, entry);
      return false;
    }
    this.sources[kind]++;
    this.tallies.set(key, this.start(entry));
    return true;
  }

  /** The summaries of the window that ends now (one per source refused more than once); starts the next. */
  drain(): AuditEntry[] {
    const summaries = [...this.tallies.values()].filter((t) => t.folded > 0).map((t) => summary(t, { sources: 1 }));
    for (const [kind, t] of Object.entries(this.overflow)) {
      if (t) summaries.push(summary(t, { sources: 'more', kind }));
    }
    this.tallies = new Map();
    this.sources = { signedIn: 0, anonymous: 0 };
    this.overflow = { signedIn: null, anonymous: null };
    return summaries;
  }

  private start(entry: AuditEntry): Tally {
    const now = this.opts.now();
    const none = () => new Set<never>();
    return {
      first: entry,
      folded: 0,
      from: now,
      to: now,
      targets: none(),
      statuses: none(),
      actions: none(),
      reasons: none(),
    };
  }

  private fold(t: Tally, entry: AuditEntry): void {
    if (t.folded === 0) t.from = this.opts.now();
    t.folded++;
    t.to = this.opts.now();
    const status = entry.detail?.status;
    if (typeof status === 'number') t.statuses.add(status);
    const target = entry.target && [entry.target.type, entry.target.id, entry.target.path].filter(Boolean).join(' ');
    if (target && t.targets.size < MAX_TARGETS) t.targets.add(target);
    if (t.actions.size < MAX_TARGETS) t.actions.add(entry.action);
    if (entry.reason && t.reasons.size < MAX_TARGETS) t.reasons.add(entry.reason);
  }
}

/**
 * One event for many refusals: the same action, outcome and reason, the first one's actor and
 * address, and in `detail` how many there were, when, with which statuses and (some) targets.
 */
function summary(t: Tally, about: { sources: 1 | 'more'; kind?: string }): AuditEntry {
  const { first } = t;
  const overflow = about.sources === 'more';
  return {
    actor: overflow ? { id: null, role: 'anonymous' } : first.actor,
    action: first.action,
    outcome: first.outcome,
    reason: first.reason ?? null,
    ip: overflow ? null : (first.ip ?? null),
    userAgent: null,
    correlationId: null,
    ownerId: overflow ? null : (first.ownerId ?? null),
    shareId: overflow ? null : (first.shareId ?? null),
    sessionId: null,
    detail: {
      summary: overflow
        ? `refusals of further ${about.kind === 'anonymous' ? 'signed-out' : 'signed-in'} sources this window`
        : 'the same refusal again, after the first one recorded this window',
      refusals: t.folded,
      from: new Date(t.from).toISOString(),
      to: new Date(t.to).toISOString(),
      statuses: [...t.statuses].sort((a, b) => a - b),
      ...(t.targets.size > 0 ? { targets: [...t.targets] } : {}),
      ...(overflow ? { actions: [...t.actions], reasons: [...t.reasons] } : {}),
    },
  };
}
