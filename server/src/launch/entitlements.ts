import path from 'node:path';
import type { Role, ShareAccess } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import type { Access } from '../sandbox/sandbox.ts';
import { shareStatus, type ShareRecord } from '../shares/share-store.ts';
import type { Entitlement } from './grants.ts';

/** Who launches a session and what they are entitled to expose to it. */
export interface Launch {
  userId: string;
  userRole: Role;
  /** The sign-in that launched it: signing out ends the session. */
  signInId: string;
  shareId: string | null;
  entitlements: Entitlement[];
  /** The share's maximum session length, if any. */
  maxDurationMs: number | null;
  /** Whose storage the entitlements are in (the share's owner, or the owner themselves). */
  storageOwnerId: string | null;
  /** Burned into the video (the share's watermark): who is watching. Null: none. */
  watermark: string | null;
}

/** Where everything a session may see appears inside its sandbox. */
export const FILES_MOUNT = '/files';

const SANDBOX_ACCESS: Record<ShareAccess, Access> = {
  view: 'read',
  edit: 'read-write',
  delete: 'read-write-delete',
};

export interface LaunchDeps {
  getShare: (id: string) => Promise<ShareRecord | undefined>;
  /** The owner's storage root on the host, created if missing. */
  ownerRoot: (ownerId: string) => string;
  /** The host path and kind of an owner's relative path; throws if it no longer exists. */
  resolveExisting: (ownerId: string, relPath: string) => Promise<{ hostPath: string }>;
  log: { warn(obj: object, msg: string): void };
  now?: () => number;
}

/**
 * Turns "this person opens this share" (or "this owner works on their own files") into what
 * the sandbox may expose: host paths, where they appear and with which rights. The app's own
 * request is intersected with this later (`resolveGrants`), so nothing wider is ever mounted.
 */
export async function resolveLaunch(actor: Actor, shareId: string | undefined, deps: LaunchDeps): Promise<Launch> {
  const base = { userId: actor.id, userRole: actor.role, signInId: actor.signInId };
  if (!shareId) {
    authorize(actor, 'launch-on-own-storage', 'App', {});
    return {
      ...base,
      shareId: null,
      maxDurationMs: null,
      watermark: null,
      storageOwnerId: actor.id,
      entitlements: [{ hostPath: deps.ownerRoot(actor.id), sandboxPath: FILES_MOUNT, access: 'read-write-delete' }],
    };
  }
  const share = await deps.getShare(shareId);
  if (!share) throw new DomainError(404, 'not-found', 'no such share');
  const status = shareStatus(share, (deps.now ?? Date.now)());
  authorize(actor, 'open', 'Share', { ownerId: share.ownerId, clientId: share.client?.id ?? null, status });
  const entitlements: Entitlement[] = [];
  const used = new Set<string>();
  for (const p of share.paths) {
    let hostPath: string;
    try {
      ({ hostPath } = await deps.resolveExisting(share.ownerId, p.path));
    } catch (err) {
      // A shared file the owner has since moved or deleted is simply not there any more.
      deps.log.warn({ share: share.id, path: p.path, err: (err as Error).message }, 'shared path unavailable');
      continue;
    }
    entitlements.push({ hostPath, sandboxPath: uniqueMount(p.path, used), access: SANDBOX_ACCESS[p.access] });
  }
  if (entitlements.length === 0) {
    throw new DomainError(409, 'share-empty', 'Nothing in this share exists any more; ask the owner to update it.');
  }
  return {
    ...base,
    shareId: share.id,
    storageOwnerId: share.ownerId,
    maxDurationMs: share.maxSessionMinutes === null ? null : share.maxSessionMinutes * 60_000,
    watermark: share.watermark ? (share.client?.email ?? share.clientEmail) : null,
    entitlements,
  };
}

/** `/files/<last path segment>`, made unique; the owner's folder structure above it stays hidden. */
export function uniqueMount(relPath: string, used: Set<string>): string {
  const name = path.posix.basename(relPath) || 'Shared files';
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${name} (${i})`;
  used.add(candidate);
  return path.posix.join(FILES_MOUNT, candidate);
}
