/**
 * Apps and streamed sessions (`/api/apps`, `/api/sessions`, `/api/status`): launched from the Apps
 * page and from "Shared with me", watched and ended in the viewer.
 */
import {
  LocaleTag,
  TimeZoneName,
  type AppInfo,
  type ServerStatus,
  type SessionInfo,
  type SignalUrl,
  type WatchableSession,
} from '@vitrine/protocol';
import { ApiError, apiRequest } from './api.ts';

export type { AppInfo, ServerStatus, SessionInfo, WatchableSession };

export function listApps(signal?: AbortSignal): Promise<AppInfo[]> {
  return apiRequest<AppInfo[]>('GET', '/api/apps', undefined, signal);
}

export function getStatus(signal?: AbortSignal): Promise<ServerStatus> {
  return apiRequest<ServerStatus>('GET', '/api/status', undefined, signal);
}

export function listSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  return apiRequest<SessionInfo[]>('GET', '/api/sessions', undefined, signal);
}

/** Clients' live sessions of my shares that let me watch them (owners). */
export function listWatchable(signal?: AbortSignal): Promise<WatchableSession[]> {
  return apiRequest<WatchableSession[]>('GET', '/api/sessions/watchable', undefined, signal);
}

/** Where to open the session's signaling socket: null, this origin; else the worker running it, with a ticket. */
export async function getSignalUrl(id: string, watch: boolean): Promise<string | null> {
  const q = watch ? '?watch=1' : '';
  return (await apiRequest<SignalUrl>('GET', `/api/sessions/${encodeURIComponent(id)}/signal-url${q}`)).url;
}

export function getSession(id: string, signal?: AbortSignal): Promise<SessionInfo> {
  return apiRequest<SessionInfo>('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, signal);
}

/**
 * This browser's language and time zone, passed on to the app (its `init`, docs/app-sdk.md); left
 * out when the browser says something the server would refuse.
 */
export function viewerLocale(): { viewer?: { locale: string; timeZone: string } } {
  const locale = LocaleTag.safeParse(navigator.language);
  const timeZone = TimeZoneName.safeParse(Intl.DateTimeFormat().resolvedOptions().timeZone);
  return locale.success && timeZone.success ? { viewer: { locale: locale.data, timeZone: timeZone.data } } : {};
}

/**
 * Owners omit `shareId` (their own storage); clients must give the share to open, and for a share
 * whose sessions are recorded, `acknowledgeRecording` once they were told so and went on.
 */
export function createSession(
  appId: string,
  shareId?: string,
  opts: { acknowledgeRecording?: boolean } = {},
): Promise<SessionInfo> {
  return apiRequest<SessionInfo>('POST', '/api/sessions', {
    appId,
    ...viewerLocale(),
    ...(shareId === undefined ? {} : { shareId }),
    ...(opts.acknowledgeRecording ? { acknowledgeRecording: true } : {}),
  });
}

/** The app an owner previews their files in. */
export const PREVIEW_APP_ID = 'file-explorer';

/**
 * Owners: opens the File Explorer as a client will see it, watermarked ("Preview · <your name>"),
 * with `path` (in your storage) opened first. With `shareId`, exactly that share's files, rights
 * and watermark settings (`path` must be inside what it shares; the share must name the File
 * Explorer, as the server previews a share only in its apps); without it, your whole storage
 * read-only under the default watermark.
 */
export function previewAsClient(path: string, shareId?: string): Promise<SessionInfo> {
  return apiRequest<SessionInfo>('POST', '/api/sessions', {
    appId: PREVIEW_APP_ID,
    ...viewerLocale(),
    preview: shareId === undefined ? { path } : { path, shareId },
  });
}

export async function deleteSession(id: string): Promise<void> {
  try {
    await apiRequest<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    // Already gone is what we wanted.
    if (err instanceof ApiError && err.status === 404) return;
    throw err;
  }
}
