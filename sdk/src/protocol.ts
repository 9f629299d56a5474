/**
 * The app control channel's vocabulary, with no imports: the server validates against it
 * (control.ts) and `scripts/setup.sh` copies this very file into sandboxed apps that cannot reach
 * the workspace (apps/file-explorer/server/generated/), so there is one source and no hand copy.
 */

/** Longest line either side may send, in bytes (without the newline). */
export const CONTROL_MAX_LINE_BYTES = 4096;

/** What an app may report the person did (`event` messages). */
export const CONTROL_EVENT_KINDS = [
  'folder-opened',
  'file-opened',
  /** The person left a file's viewer (back to the list): what was on screen is no longer. */
  'file-closed',
  'page-viewed',
  'video-started',
  'video-stopped',
  'renamed',
  'moved',
  'folder-created',
  'deleted',
] as const;
export type ControlEventKind = (typeof CONTROL_EVENT_KINDS)[number];

/** What an app may ask the server to do (`request` messages). */
export const CONTROL_REQUEST_ACTIONS = ['trash', 'move'] as const;
export type ControlRequestAction = (typeof CONTROL_REQUEST_ACTIONS)[number];

/**
 * The one rename-vs-move rule: a move that stays in its folder is a rename, anything else a move
 * (for an app's claims and for the audit trail alike). Works on any `/`-separated paths (storage
 * paths, sandbox paths); `a//b/`, `./a/b` and `a/b` are one place.
 */
export function isRename(from: string, to: string): boolean {
  return parentOf(from) === parentOf(to);
}

function parentOf(path: string): string {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  return (path.startsWith('/') ? '/' : '') + segments.slice(0, -1).join('/');
}
