import path from 'node:path';
import {
  WATERMARK_DEFAULT_DENSITY,
  WATERMARK_OPACITY,
  type Role,
  type ShareAccess,
  type WatermarkDensity,
} from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { authorize, type Actor } from '../policies/policies.ts';
import type { Access } from '../sandbox/sandbox.ts';
import { requireSharedApp } from '../shares/share-apps.ts';
import { shareStatus, type ShareRecord } from '../shares/share-store.ts';
import { currentTerms } from '../shares/terms.ts';
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
  /** Laid over the video (the share's watermark): who is watching, and how. Null: none. */
  watermark: LaunchWatermark | null;
  /** The owner seeing what a client would (watermarked as a client's session is); see `resolvePreview`. */
  preview: boolean;
  /** A path in the sandbox (under /files) the app opens first, when it can; null: its usual start. */
  openPath: string | null;
  /**
   * The share's owner records this session (a client's, of a share that says so; the client
   * acknowledged it before it started). Never the owner's own sessions or previews.
   */
  recording: boolean;
  /** The share's owner may watch this session live (as `recording`: clients' sessions only). */
  liveView: boolean;
}

/** A session's watermark: the label stamped with the session and its start, and the share's settings. */
export interface LaunchWatermark {
  label: string;
  density: WatermarkDensity;
  opacity: number;
}

/** What the client said before a launch: they were told the share's sessions are recorded. */
export interface LaunchConsent {
  acknowledgeRecording?: boolean | undefined;
}

/** The app to open (a share opens only in the apps it names), and the client's consent. */
export interface LaunchAsk extends LaunchConsent {
  appId: string;
}

/** What an owner asks to preview: a share (or their own storage), and a path to open first. */
export interface PreviewRequest {
  shareId?: string | undefined;
  path?: string | undefined;
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
  /** A person's display name (the preview's watermark names the owner watching). */
  personName: (userId: string) => Promise<string | undefined>;
  /** Whether this person accepted this version of the share's terms. */
  termsAccepted: (shareId: string, userId: string, version: number) => Promise<boolean>;
  log: { warn(obj: object, msg: string): void };
  now?: () => number;
}

/**
 * Turns "this person opens this share" (or "this owner works on their own files") into what
 * the sandbox may expose: host paths, where they appear and with which rights. The app's own
 * request is intersected with this later (`resolveGrants`), so nothing wider is ever mounted.
 * A share opens only in the apps its owner named (its client's sessions and the owner's preview).
 */
export async function resolveLaunch(
  actor: Actor,
  shareId: string | undefined,
  deps: LaunchDeps,
  preview: PreviewRequest | undefined,
  ask: LaunchAsk,
): Promise<Launch> {
  const base = {
    userId: actor.id,
    userRole: actor.role,
    signInId: actor.signInId,
    preview: false,
    openPath: null,
    recording: false,
    liveView: false,
  };
  if (preview) {
    if (shareId) throw new DomainError(400, 'bad-request', 'preview: name the share inside the preview');
    return resolvePreview(actor, preview, ask.appId, deps);
  }
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
  requireSharedApp(share, ask.appId);
  await requireConsent(actor, share, ask, deps);
  const { mounts: _, ...launch } = await shareLaunch(share, deps);
  return {
    ...base,
    ...launch,
    recording: share.recording,
    liveView: share.liveView,
    watermark: share.watermark ? shareWatermark(share, share.client?.email ?? share.clientEmail) : null,
  };
}

/**
 * What a client agrees to before a share opens: its terms (the version in force, accepted before)
 * and, when the owner records its sessions, that they were told so for this session.
 */
async function requireConsent(actor: Actor, share: ShareRecord, consent: LaunchConsent, deps: LaunchDeps) {
  const terms = currentTerms(share.terms);
  if (terms && !(await deps.termsAccepted(share.id, actor.id, terms.version))) {
    throw new DomainError(
      403,
      'terms-not-accepted',
      `Accept the terms of this share (version ${terms.version}) before opening it.`,
    );
  }
  if (share.recording && consent.acknowledgeRecording !== true) {
    throw new DomainError(
      409,
      'recording-not-acknowledged',
      `${share.ownerName} records the sessions of this share: acknowledge it (acknowledgeRecording) to open it.`,
    );
  }
}

/** The label of an owner's preview: whoever watches is named, like a client is. */
export function previewLabel(ownerName: string): string {
  return `Preview · ${ownerName}`;
}

/**
 * An owner seeing what a client will: with a share, exactly its files, rights, time limit and
 * watermark (the stamps name the owner: "Preview · <name>"); without one, their whole storage
 * read-only (as a view-only share would show it) under the default watermark. `path`, in the
 * owner's storage, is what the app opens first; with a share it must be inside what it shares.
 */
async function resolvePreview(actor: Actor, preview: PreviewRequest, appId: string, deps: LaunchDeps): Promise<Launch> {
  // The owner's own look at their files: nobody to record or watch.
  const base = {
    userId: actor.id,
    userRole: actor.role,
    signInId: actor.signInId,
    preview: true,
    recording: false,
    liveView: false,
  };
  if (!preview.shareId) {
    authorize(actor, 'launch-on-own-storage', 'App', {});
    const mounts = [{ path: '', sandboxPath: FILES_MOUNT }];
    return {
      ...base,
      shareId: null,
      maxDurationMs: null,
      storageOwnerId: actor.id,
      watermark: {
        label: previewLabel((await deps.personName(actor.id)) ?? 'owner'),
        density: WATERMARK_DEFAULT_DENSITY,
        opacity: WATERMARK_OPACITY.default,
      },
      entitlements: [{ hostPath: deps.ownerRoot(actor.id), sandboxPath: FILES_MOUNT, access: 'read' }],
      openPath: preview.path === undefined ? null : await openPathIn(actor.id, mounts, preview.path, deps),
    };
  }
  const share = await deps.getShare(preview.shareId);
  if (!share) throw new DomainError(404, 'not-found', 'no such share');
  const status = shareStatus(share, (deps.now ?? Date.now)());
  authorize(actor, 'preview', 'Share', { ownerId: share.ownerId, clientId: share.client?.id ?? null, status });
  // The preview shows what the client would get: no app the client could not open either.
  requireSharedApp(share, appId);
  const { mounts, ...launch } = await shareLaunch(share, deps);
  return {
    ...base,
    ...launch,
    watermark: share.watermark ? shareWatermark(share, previewLabel(share.ownerName)) : null,
    openPath: preview.path === undefined ? null : await openPathIn(share.ownerId, mounts, preview.path, deps),
  };
}

function shareWatermark(share: ShareRecord, label: string): LaunchWatermark {
  return { label, density: share.watermarkDensity, opacity: share.watermarkOpacity };
}

/** What a share exposes: its paths that still exist, each at its own mount. */
async function shareLaunch(share: ShareRecord, deps: LaunchDeps) {
  const entitlements: Entitlement[] = [];
  const mounts: Array<{ path: string; sandboxPath: string }> = [];
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
    const sandboxPath = uniqueMount(p.path, used);
    entitlements.push({ hostPath, sandboxPath, access: SANDBOX_ACCESS[p.access] });
    mounts.push({ path: p.path, sandboxPath });
  }
  if (entitlements.length === 0) {
    throw new DomainError(409, 'share-empty', 'Nothing in this share exists any more; ask the owner to update it.');
  }
  return {
    shareId: share.id,
    storageOwnerId: share.ownerId,
    maxDurationMs: share.maxSessionMinutes === null ? null : share.maxSessionMinutes * 60_000,
    entitlements,
    mounts,
  };
}

/**
 * Where an owner's path (checked to exist) appears in the sandbox: under the mount of the shared
 * path holding it (`mounts`: storage path → sandbox path; "" is the whole storage).
 */
async function openPathIn(
  ownerId: string,
  mounts: Array<{ path: string; sandboxPath: string }>,
  relPath: string,
  deps: LaunchDeps,
): Promise<string> {
  await deps.resolveExisting(ownerId, relPath);
  const wanted = relPath.replace(/\/$/, '');
  for (const m of mounts) {
    if (m.path === '' || wanted === m.path || wanted.startsWith(`${m.path}/`)) {
      const rest = m.path === '' ? wanted : wanted.slice(m.path.length + 1);
      return rest === '' ? m.sandboxPath : path.posix.join(m.sandboxPath, rest);
    }
  }
  throw new DomainError(400, 'bad-request', 'preview.path: not in this share');
}

/** `/files/<last path segment>`, made unique; the owner's folder structure above it stays hidden. */
export function uniqueMount(relPath: string, used: Set<string>): string {
  const name = path.posix.basename(relPath) || 'Shared files';
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${name} (${i})`;
  used.add(candidate);
  return path.posix.join(FILES_MOUNT, candidate);
}
