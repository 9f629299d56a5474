import fs from 'node:fs';
import path from 'node:path';
import type { AppReload } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { fingerprintFolder } from './folder-hash.ts';
import { scanApps, type App, type LoadedApp, type Logger } from './registry.ts';

/**
 * A superseded copy is kept this long even when no session uses it yet: a launch planned on it
 * just before a reload registers its session moments later.
 */
const SUPERSEDED_GRACE_MS = 60_000;

/**
 * The installed apps, read by every consumer through this one object (routes, the launch
 * planner, the sessions, a worker's plan check), so a reload is seen everywhere at once.
 *
 * Each app runs from an immutable copy of its folder named by its hash (`snapshotsDir/<hash>`):
 * a reload makes new copies for changed apps while sessions started before keep running from
 * theirs; a copy is removed once it is neither current nor used by a session (and all of them
 * at start: no session survives a restart). A folder changed on disk since it was loaded is
 * refused at launch (`app-changed`) until an admin reloads.
 */
export class AppCatalog {
  private apps = new Map<string, LoadedApp>();
  /** Session id → the copy it runs from. */
  private readonly inUse = new Map<string, string>();
  /** Copy folder name (hash) → when it stopped being current. */
  private readonly superseded = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly opts: {
    root: string;
    /** Where the copies live (RUNTIME_DIR/apps); null: apps are hashed, not copied (the API tier runs no session). */
    snapshotsDir: string | null;
    log: Logger;
    now?: () => number;
  };

  private constructor(opts: AppCatalog['opts']) {
    this.opts = opts;
  }

  /** Discovers the apps of `root` (refusals logged), after removing every copy a previous run left. */
  static async open(opts: AppCatalog['opts']): Promise<AppCatalog> {
    const catalog = new AppCatalog(opts);
    if (opts.snapshotsDir) {
      fs.rmSync(opts.snapshotsDir, { recursive: true, force: true });
      fs.mkdirSync(opts.snapshotsDir, { recursive: true, mode: 0o700 });
    }
    await catalog.reload().catch((err: unknown) => {
      opts.log.warn({ appsRoot: opts.root, err: (err as Error).message }, 'cannot read APPS_ROOT; no apps available');
    });
    opts.log.info({ apps: [...catalog.apps.keys()] }, 'apps discovered');
    return catalog;
  }

  get(id: string): App | undefined {
    return this.apps.get(id)?.app;
  }

  list(): App[] {
    return [...this.apps.values()].map((l) => l.app);
  }

  /**
   * The app to launch, if its folder is still the version loaded (a stat of each entry, ≈ 1 ms
   * for the File Explorer's 354); otherwise refused until an admin reloads.
   */
  forLaunch(id: string): App | undefined {
    const loaded = this.apps.get(id);
    if (!loaded) return undefined;
    let now: string | null;
    try {
      now = fingerprintFolder(loaded.source);
    } catch {
      now = null;
    }
    if (now !== loaded.fingerprint) {
      throw new DomainError(
        409,
        'app-changed',
        `The app "${id}" changed on disk since it was loaded; an admin must reload the apps before it can be opened.`,
      );
    }
    return loaded.app;
  }

  /**
   * Rescans the apps' folder: new folders become apps, changed ones get a new copy and hash,
   * removed or now refused ones go. Running sessions keep the copy they started from. One reload
   * at a time (a second waits for the first, then scans again).
   */
  reload(): Promise<AppReload> {
    const next = this.queue.then(() => this.rescan());
    this.queue = next.catch(() => {});
    return next;
  }

  /** A session starts on `app` (its copy is kept while it runs). */
  sessionStarted(sessionId: string, app: App): void {
    this.inUse.set(sessionId, app.dir);
  }

  sessionEnded(sessionId: string): void {
    if (this.inUse.delete(sessionId)) this.collect();
  }

  private async rescan(): Promise<AppReload> {
    const { root, snapshotsDir, log } = this.opts;
    const before = this.apps;
    let scan;
    try {
      scan = await scanApps(root, snapshotsDir, before);
    } catch (err) {
      // An unreadable APPS_ROOT is refused as a whole: the apps loaded stay as they are.
      throw new DomainError(500, 'internal', `cannot read APPS_ROOT ${root}: ${(err as Error).message}`);
    }
    const changes: AppReload = { added: [], updated: [], removed: [], refused: [], unchanged: [] };
    for (const [id, { app }] of scan.apps) {
      const old = before.get(id)?.app;
      if (!old) changes.added.push({ id, hash: app.hash });
      else if (old.hash !== app.hash) changes.updated.push({ id, from: old.hash, to: app.hash });
      else changes.unchanged.push(id);
    }
    for (const [id, { app }] of before) if (!scan.apps.has(id)) changes.removed.push({ id, hash: app.hash });
    for (const [id, reason] of scan.refused) {
      changes.refused.push({ id, reason });
      log.warn({ app: id, reason }, 'skipping refused app');
    }
    this.apps = scan.apps;
    if (snapshotsDir) {
      const current = new Set(this.list().map((a) => a.dir));
      for (const { app } of before.values()) {
        const name = path.basename(app.dir);
        if (!current.has(app.dir) && !this.superseded.has(name)) this.superseded.set(name, this.now());
      }
      this.collect();
      if (this.superseded.size) setTimeout(() => this.collect(), SUPERSEDED_GRACE_MS + 1000).unref();
    }
    return changes;
  }

  /** Removes the copies that are neither current nor used by a session (past the grace period). */
  private collect(): void {
    const dir = this.opts.snapshotsDir;
    if (!dir) return;
    const current = new Set(this.list().map((a) => a.dir));
    const used = new Set(this.inUse.values());
    const at = this.now();
    for (const [name, since] of this.superseded) {
      const copy = path.join(dir, name);
      // Current again: the folder changed back to that version.
      if (current.has(copy)) this.superseded.delete(name);
      if (current.has(copy) || used.has(copy) || at - since < SUPERSEDED_GRACE_MS) continue;
      fs.rmSync(copy, { recursive: true, force: true });
      this.superseded.delete(name);
      this.opts.log.info({ copy: name }, 'removed an app version no session uses');
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}

/** A reload as the audit trail keeps it: short versions (12 hex digits), refusals with their reasons. */
export function appReloadDetail(changes: AppReload): Record<string, unknown> {
  const short = (hash: string) => hash.slice(0, 12);
  return {
    added: changes.added.map((a) => `${a.id}@${short(a.hash)}`),
    updated: changes.updated.map((a) => `${a.id}@${short(a.from)}→${short(a.to)}`),
    removed: changes.removed.map((a) => `${a.id}@${short(a.hash)}`),
    refused: changes.refused,
    unchanged: changes.unchanged.length,
  };
}
