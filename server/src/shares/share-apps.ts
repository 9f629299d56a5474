import type { SharedApp } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';

/**
 * Which apps a share's client may open: the owner names them (the File Explorer unless they choose),
 * the server refuses every other app on that share, and "Shared with me" offers only those.
 */

/** An installed app's display name; undefined when no app of that id is installed. */
export type AppNameOf = (id: string) => string | undefined;

/**
 * The apps an owner names for a share, each once, in their order; an app that is not installed
 * is refused (a share must not promise what the server cannot open).
 */
export function checkShareApps(ids: readonly string[], appName: AppNameOf): string[] {
  const unique = [...new Set(ids)];
  const unknown = unique.filter((id) => appName(id) === undefined);
  if (unknown.length > 0) {
    const list = unknown.map((id) => `"${id}"`).join(', ');
    throw new DomainError(400, 'unknown-app', `apps: no app ${list} is installed on this server`);
  }
  return unique;
}

/**
 * Refuses opening `appId` on a share that does not name it: the client's sessions and the owner's
 * preview alike (the preview shows what the client would get). The refusal names the share and the
 * app, so its audit event does too.
 */
export function requireSharedApp(share: { id: string; ownerId: string; apps: readonly string[] }, appId: string): void {
  if (share.apps.includes(appId)) return;
  throw new DomainError(403, 'app-not-shared', `This share does not open in the app "${appId}".`, {
    shareId: share.id,
    ownerId: share.ownerId,
    detail: { app: appId, sharedApps: [...share.apps] },
  });
}

/** What "Shared with me" offers: the share's apps that are installed now, in the owner's order. */
export function offeredApps(apps: readonly string[], appName: AppNameOf): SharedApp[] {
  return apps.flatMap((id) => {
    const name = appName(id);
    return name === undefined ? [] : [{ id, name }];
  });
}
