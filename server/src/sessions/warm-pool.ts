import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { DeferredControl } from '../control/deferred-control.ts';
import type { RuntimeSpec } from '../launch/plan.ts';
import { lateGrantsFor, sameLateGrants, type LateGrants } from '../sandbox/late-grants.ts';
import type { SandboxHandle, SandboxPolicy } from '../sandbox/sandbox.ts';

/**
 * A sandbox started before its session (a warm start): the app runs on its display with no
 * grants, its control socket open, waiting for `init`. A session takes it whole, mounts its
 * grants into it, and it is torn down with that session: it never serves a second one.
 */
export interface WarmSandbox {
  /** Its folder (in the sessions folder, as a session's). */
  readonly dir: string;
  readonly appId: string;
  /** What grants it takes (their access, where: its Landlock rule and mount at /files, set before any grant). */
  readonly late: LateGrants;
  /** Which sessions it can serve: `warmKey` of the policy it was started with. */
  readonly key: string;
  readonly sandbox: SandboxHandle;
  readonly control: DeferredControl | undefined;
  /** Stops it and removes its folder (not taken, or its session could not use it). */
  destroy(): Promise<void>;
  /** Taken by a session: what the pool held for it while it waited is let go. */
  release?(): void;
}

/**
 * An app that takes warm starts, for sessions whose grants are alike (a client's read-only
 * share, an owner's own storage), and the sandbox any such session would get now.
 */
export interface WarmTemplate {
  appId: string;
  late: LateGrants;
  policy(dir: string): SandboxPolicy;
}

export interface WarmPoolDeps {
  /** The apps to keep warm sandboxes of, as they are now (an admin's reload changes them). */
  templates(): WarmTemplate[];
  /** Starts one warm sandbox of this template (its cgroup and folder named `name`); resolves once its display is up. */
  start(template: WarmTemplate, policy: SandboxPolicy, name: string): Promise<WarmSandbox>;
  sessionsDir: string;
  /** Warm sandboxes kept per template (app, and what grants it takes). */
  size: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** After a take, the next is started this much later: not while the session it went to starts. */
  refillDelayMs?: number;
  /** After a failed start, the next try waits this long. */
  retryDelayMs?: number;
  /**
   * True while a session's app is starting. A warm sandbox is started only once this has been
   * false for `quietMs`: started beside a launch, it took the CPU and memory that launch needed
   * (a burst's cold launches went from ≈ 2–3 s to 6 s, bench/DENSITY-RESULTS.md).
   */
  busy?: () => boolean;
  quietMs?: number;
}

/** How often the pool looks whether the host has become quiet. */
const QUIET_POLL_MS = 200;

/** The folder's and cgroup's name prefix: a crashed run's warm sandboxes go with its sessions' leftovers. */
export const WARM_PREFIX = 'warm-';

/**
 * Everything of a sandbox policy that a session does not bring itself: a warm sandbox serves a
 * session whose policy is the same in all of it (same app copy, display, limits, sound,
 * syscalls, network…).
 */
export function warmKey(policy: SandboxPolicy): string {
  const { sessionDir: _dir, grants: _grants, openPath: _open, writeBudget: _budget, ...rest } = policy;
  return JSON.stringify(rest, (_key, value: unknown) =>
    // Keys in order at every level: the same policy is the same key however it was built.
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/**
 * Keeps `size` warm sandboxes per app that takes warm starts, started one at a time in the
 * background, and hands one to a session that fits it.
 */
export class WarmPool {
  private readonly deps: WarmPoolDeps;
  private readonly ready: WarmSandbox[] = [];
  private filling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Warm starts handed out, and sessions that fit none (for the operator's metrics). */
  readonly counts = { taken: 0, missed: 0 };

  constructor(deps: WarmPoolDeps) {
    this.deps = deps;
  }

  /** Ready warm sandboxes now. */
  get size(): number {
    return this.ready.length;
  }

  /** Starts what is missing (in the background); called at start and after each change. */
  fill(): Promise<void> {
    if (this.closed || this.deps.size === 0) return Promise.resolve();
    this.filling ??= this.fillNow().finally(() => (this.filling = undefined));
    return this.filling;
  }

  /** A warm sandbox for this session, taken out of the pool; undefined: it starts cold. */
  take(spec: RuntimeSpec): WarmSandbox | undefined {
    // What a running sandbox can take (sandbox/late-grants.ts, the one rule); else it starts cold.
    const late = lateGrantsFor(spec.policy.grants);
    if (this.deps.size === 0 || late === null) return undefined;
    const key = warmKey(spec.policy);
    const i = this.ready.findIndex((w) => w.key === key && sameLateGrants(w.late, late));
    if (i < 0) {
      this.counts.missed++;
      return undefined;
    }
    const [warm] = this.ready.splice(i, 1);
    warm!.release?.();
    this.counts.taken++;
    this.later(this.deps.refillDelayMs ?? 5000);
    return warm;
  }

  /** Stops every warm sandbox; none is started again. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.filling?.catch(() => {});
    await Promise.all(this.ready.splice(0).map((w) => w.destroy()));
  }

  private get retryDelayMs(): number {
    return this.deps.retryDelayMs ?? 30_000;
  }

  private later(ms: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fill();
    }, ms);
    this.timer.unref();
  }

  private async fillNow(): Promise<void> {
    const templates = this.deps.templates();
    // An app reloaded since (a new copy, other settings): its old warm sandboxes serve nobody now.
    const current = new Set(templates.map((t) => warmKey(t.policy(''))));
    for (const stale of this.ready.filter((w) => !current.has(w.key))) await this.discard(stale);
    const mine = (t: WarmTemplate) => this.ready.filter((w) => w.appId === t.appId && sameLateGrants(w.late, t.late));
    for (const t of templates) {
      while (!this.closed && mine(t).length < this.deps.size) {
        await this.quiet();
        if (this.closed) return;
        const name = `${WARM_PREFIX}${randomUUID()}`;
        let warm: WarmSandbox;
        try {
          warm = await this.deps.start(t, t.policy(path.join(this.deps.sessionsDir, name)), name);
        } catch (err) {
          this.deps.log.warn({ appId: t.appId, ...t.late, err: (err as Error).message }, 'warm sandbox did not start');
          this.later(this.retryDelayMs);
          return;
        }
        if (this.closed) {
          await warm.destroy();
          return;
        }
        this.ready.push(warm);
        // Gone while waiting (its app crashed, a limit): out of the pool, and another is started.
        void warm.sandbox.exited.then(() => {
          if (!this.ready.includes(warm)) return; // taken: its session handles its end
          this.deps.log.warn({ appId: warm.appId }, 'a warm sandbox exited while waiting');
          void this.discard(warm);
          this.later(this.retryDelayMs);
        });
        this.deps.log.info({ appId: t.appId, ...t.late, ready: this.ready.length }, 'warm sandbox ready');
      }
    }
  }

  /** Resolves once no session's app has been starting for `quietMs` (or the pool closes). */
  private async quiet(): Promise<void> {
    const { busy, quietMs = 2000 } = this.deps;
    if (!busy) return;
    let quietSince = busy() ? null : Date.now();
    while (!this.closed && (quietSince === null || Date.now() - quietSince < quietMs)) {
      await sleep(QUIET_POLL_MS, undefined, { ref: false });
      if (busy()) quietSince = null;
      else quietSince ??= Date.now();
    }
  }

  private async discard(warm: WarmSandbox): Promise<void> {
    const at = this.ready.indexOf(warm);
    if (at >= 0) this.ready.splice(at, 1);
    await warm.destroy();
  }
}
