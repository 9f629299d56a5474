import fs from 'node:fs';
import { READY, type NotReadyReason } from '@vitrine/protocol';
import { isMountPoint, type Volume } from '../encryption/volume.ts';

/** A database that takes longer than this for `select 1` cannot take work now (PGlite has one connection). */
const DATABASE_TIMEOUT_MS = 1000;

export interface ReadinessChecks {
  /** A trivial query; rejects (or hangs) when the database cannot answer. */
  pingDatabase: () => Promise<unknown>;
  /** Whether the encrypted volume is there; null with encryption at rest off. */
  volumeMounted: (() => boolean) | null;
  timeoutMs?: number;
}

/**
 * Whether the server can take work (`/readyz`): it is not stopping, its database answers, and its
 * encrypted volume is mounted. One word either way; never a path or a message from below.
 */
export class Readiness {
  private readonly checks: ReadinessChecks;
  /** Set when the server starts shutting down (Fastify's preClose): no new work from then on. */
  stopping = false;

  constructor(checks: ReadinessChecks) {
    this.checks = checks;
  }

  async check(): Promise<typeof READY | NotReadyReason> {
    if (this.stopping) return 'stopping';
    if (this.checks.volumeMounted && !this.checks.volumeMounted()) return 'volume';
    if (!(await answersWithin(this.checks.pingDatabase, this.checks.timeoutMs ?? DATABASE_TIMEOUT_MS))) {
      return 'database';
    }
    // Stopping may have begun while the database answered.
    return this.stopping ? 'stopping' : READY;
  }
}

async function answersWithin(ping: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ping().then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A loop volume (DATA_DIR/volume.img) must be mounted on DATA_DIR/volume; a native one is a
 * folder of DATA_DIR's own filesystem, which must still be there.
 */
export function volumeMounted(volume: Pick<Volume, 'root' | 'kind'>): boolean {
  try {
    return volume.kind === 'loop' ? isMountPoint(volume.root) : fs.statSync(volume.root).isDirectory();
  } catch {
    return false;
  }
}
