/**
 * Apps and streamed sessions (`/api/apps`, `/api/sessions`, `/api/status`): launched from the Apps
 * page and from "Shared with me", watched and ended in the viewer.
 */
import type { AppInfo, ServerStatus, SessionInfo, SignalUrl, WatchableSession } from '@vitrine/protocol';
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
