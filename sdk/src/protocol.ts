/**
 * The app control channel's wire vocabulary and message shapes, with no imports: the one source.
 * The server's validators (`@vitrine/protocol`, control.ts) are built from these lists and proven
 * to accept exactly these types (protocol/src/control-contract.unit.test.ts); apps get them
 * through this SDK. docs/app-sdk.md describes each message.
 */

/**
 * The protocol's version, in every message (`v`). 2 added the server's `init`, `resize` and
 * `shutdown` and the app's `resize` request; the server still accepts an app's version-1 lines.
 */
export const CONTROL_PROTOCOL_VERSION = 2;
/** Versions of app messages the server accepts. */
export const CONTROL_ACCEPTED_VERSIONS = [1, 2] as const;

/** Longest line either side may send, in bytes (without the newline). */
export const CONTROL_MAX_LINE_BYTES = 4096;

/** The environment variable naming the socket inside the sandbox (absent: no channel). */
export const CONTROL_SOCKET_ENV = 'VITRINE_CONTROL_SOCKET';

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
export const CONTROL_REQUEST_ACTIONS = ['trash', 'move', 'resize'] as const;
export type ControlRequestAction = (typeof CONTROL_REQUEST_ACTIONS)[number];

/** What a grant lets the app do with the files under its path. */
export const GRANT_RIGHTS = ['read', 'write', 'delete'] as const;
export type GrantRight = (typeof GRANT_RIGHTS)[number];

/** Smallest and largest display an app may ask for, in pixels (even sizes only). */
export const DISPLAY_LIMITS = { min: 64, maxWidth: 3840, maxHeight: 2160 } as const;

// ---- app → server ----

/** Something the person did, as the app claims it (recorded as `app.claim`, never trusted for enforcement). */
export interface AppEvent {
  v: 1 | 2;
  type: 'event';
  kind: ControlEventKind;
  /** A path as the app sees it in the sandbox (absolute, at most 4096 bytes). */
  path: string;
  to?: string | undefined;
  page?: number | undefined;
  /** video-started/-stopped: seconds into the video. */
  position?: number | undefined;
  /** folder-opened: how many entries the folder showed. */
  entries?: number | undefined;
  /** file-opened, page-viewed: how many pages the document has. */
  pages?: number | undefined;
  /** page-viewed: the zoom in whole percent. */
  zoom?: number | undefined;
}

/** A file request: the server checks it against the session's grants and carries it out. */
export interface AppFileRequest {
  v: 1 | 2;
  type: 'request';
  id: number;
  action: 'trash' | 'move';
  path: string;
  /** move: the new path, in the same shared folder. */
  to?: string | undefined;
}

/** The app asks for its picture to be this size (an app whose picture follows its viewer only). */
export interface AppResizeRequest {
  v: 2;
  type: 'request';
  id: number;
  action: 'resize';
  width: number;
  height: number;
}

export type AppRequest = AppFileRequest | AppResizeRequest;
export type AppMessage = AppEvent | AppRequest;

// ---- server → app ----

/** A shared folder or file in the sandbox, and what the app may do with it. */
export interface GrantInfo {
  path: string;
  rights: GrantRight[];
}

/**
 * The first line on every connection: what the app needs to know to start, and everything about
 * its session (an app the server starts before its session exists, `warmStart`, hears it only then).
 */
export interface ServerInit {
  v: 2;
  type: 'init';
  /** The newest protocol version the server speaks. */
  protocol: number;
  /** The picture the viewer sees, in pixels (the display, or the app's window when it follows the viewer). */
  display: { width: number; height: number };
  /** Device pixels per CSS pixel of the viewer's screen (1 until a viewer says otherwise). */
  scale: number;
  /** Whether the picture follows the viewer's window (then `resize` messages come). */
  resizable: boolean;
  grants: GrantInfo[];
  /**
   * What the person asked to see first: a sandbox path, one of the grants' or under one (a file to
   * show, or a folder to list). Absent: nothing in particular.
   */
  open?: string | undefined;
  /** The viewer's language as a BCP 47 tag, e.g. "fr-CH". */
  locale: string;
  /** The viewer's IANA time zone, e.g. "Europe/Zurich". */
  timeZone: string;
}

/** The picture changed size (the viewer's window, or the app's own request). */
export interface ServerResize {
  v: 2;
  type: 'resize';
  width: number;
  height: number;
}

/**
 * The session is ending: the app should save what it must and exit within `graceMs`; SIGTERM
 * follows at once, SIGKILL when the grace period is over.
 */
export interface ServerShutdown {
  v: 2;
  type: 'shutdown';
  graceMs: number;
  /** Why the session ends (one of the viewer's end reasons, e.g. "idle timeout"). */
  reason: string;
}

/** The answer to a request of the same id. `error` is one of the server's error codes. */
export type ServerReply =
  | { v: 2; type: 'reply'; id: number; ok: true }
  | { v: 2; type: 'reply'; id: number; ok: false; error: string; message: string };

/** A line the server could not accept (malformed, too long, too many). */
export interface ServerLineError {
  v: 2;
  type: 'error';
  message: string;
}

export type ServerMessage = ServerInit | ServerResize | ServerShutdown | ServerReply | ServerLineError;

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
