import { z } from 'zod';
import { ErrorCode } from './error-codes.ts';
import { StoragePath } from './files.ts';

/** JSON shapes of the HTTP API, shared by the server (validation, OpenAPI) and the web client. */

export const SessionState = z.enum(['starting', 'ready', 'streaming', 'ended']);
export type SessionState = z.infer<typeof SessionState>;

const VideoFormat = z.object({ width: z.number().int(), height: z.number().int(), framerate: z.number().int() });

export const AppInfo = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  type: z.literal('x11'),
  video: VideoFormat,
});
export type AppInfo = z.infer<typeof AppInfo>;

/** What an admin's reload of the apps did (`POST /api/admin/apps/reload`); versions are SHA-256 of the app's folder. */
export const AppReload = z.object({
  added: z.array(z.object({ id: z.string(), hash: z.string() })),
  updated: z.array(z.object({ id: z.string(), from: z.string(), to: z.string() })),
  removed: z.array(z.object({ id: z.string(), hash: z.string() })),
  /** Folders that are not (or no longer) apps, and why; a refused app that was loaded is gone. */
  refused: z.array(z.object({ id: z.string(), reason: z.string() })),
  unchanged: z.array(z.string()),
});
export type AppReload = z.infer<typeof AppReload>;

export const SessionInfo = z.object({
  id: z.string(),
  appId: z.string(),
  state: SessionState,
  createdAt: z.string(),
  display: VideoFormat,
  /** The share the session was opened through; null for an owner's session on their own storage. */
  shareId: z.uuid().nullable(),
  endReason: z.string().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/**
 * Where a viewer opens a session's signaling socket: null, this server (the page's own origin);
 * else a worker's socket URL that carries a ticket (multi-node), to which the viewer adds its query.
 */
export const SignalUrl = z.object({ url: z.string().nullable() });
export type SignalUrl = z.infer<typeof SignalUrl>;

/** A client's live session of one of the owner's shares that lets them watch it. */
export const WatchableSession = SessionInfo.extend({
  client: z.string(),
  watchers: z.number().int(),
});
export type WatchableSession = z.infer<typeof WatchableSession>;

export const ServerStatus = z.object({
  sandbox: z.object({
    /** Sessions run without Landlock or without resource limits (operator's explicit choice). */
    degraded: z.boolean(),
    landlock: z.enum(['enforced', 'unavailable']),
    cgroups: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  }),
});
export type ServerStatus = z.infer<typeof ServerStatus>;

/** A BCP 47 language tag as browsers report it (`navigator.language`), e.g. "fr-CH". */
export const LocaleTag = z
  .string()
  .max(64)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,8}$/, 'a language tag such as "fr-CH"');
/** An IANA time zone name (`Intl.DateTimeFormat().resolvedOptions().timeZone`), e.g. "Europe/Zurich". */
export const TimeZoneName = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,3}$/, 'a time zone such as "Europe/Zurich"')
  .refine(isTimeZone, 'not a time zone this server knows');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const CreateSessionBody = z
  .object({
    appId: z.string().min(1).max(64),
    /** The browser's language and time zone, passed on to the app (its `init`); defaults: en-US, UTC. */
    viewer: z.object({ locale: LocaleTag, timeZone: TimeZoneName }).strict().optional(),
    /** Required for clients: the share to open. Owners omit it to work on their own storage. */
    shareId: z.uuid().optional(),
    /**
     * Owners: see it as the client will. The session is watermarked like a client's ("Preview ·
     * <owner>"); with `shareId` it has exactly that share's files, rights and watermark settings,
     * without it the owner's storage read-only with the default watermark. `path` (in the owner's
     * storage) is opened first when the app can (the File Explorer: a file in its viewer, a folder listed).
     */
    preview: z.object({ path: StoragePath.optional(), shareId: z.uuid().optional() }).strict().optional(),
    /**
     * Clients: they were told this share's sessions are recorded (by its owner) and go on. A
     * recorded share opens only with it (`recording-not-acknowledged`).
     */
    acknowledgeRecording: z.boolean().optional(),
  })
  .strict();

/** Every error response: a stable machine code and a sentence for people. */
export const ApiErrorBody = z.object({ error: ErrorCode, message: z.string() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
