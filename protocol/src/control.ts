import { z } from 'zod';
import {
  CONTROL_ACCEPTED_VERSIONS,
  CONTROL_EVENT_KINDS,
  CONTROL_PROTOCOL_VERSION,
  CONTROL_REQUEST_ACTIONS,
  DISPLAY_LIMITS,
  GRANT_RIGHTS,
  type AppMessage as SdkAppMessage,
  type ServerMessage as SdkServerMessage,
} from '@vitrine/app-sdk/protocol';
import { ErrorCode } from './error-codes.ts';
import { SessionEndReason } from './signaling.ts';

/**
 * The app control channel (docs/app-sdk.md): newline-delimited JSON between a sandboxed app and
 * the server. The vocabulary and the message types are the SDK's (`@vitrine/app-sdk`, one source,
 * no dependencies); these are the server's validators for them, and the types below prove that a
 * message valid here is exactly a message of the SDK's (protocol/src/control-contract.unit.test.ts
 * checks the same with values).
 */

export {
  CONTROL_EVENT_KINDS,
  CONTROL_MAX_LINE_BYTES,
  CONTROL_PROTOCOL_VERSION,
  CONTROL_REQUEST_ACTIONS,
  isRename,
} from '@vitrine/app-sdk/protocol';

export const ControlEventKind = z.enum(CONTROL_EVENT_KINDS);
export type ControlEventKind = z.infer<typeof ControlEventKind>;
export const ControlRequestAction = z.enum(CONTROL_REQUEST_ACTIONS);
export type ControlRequestAction = z.infer<typeof ControlRequestAction>;

const AppVersion = z.literal(CONTROL_ACCEPTED_VERSIONS);
const RequestId = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);

/** A path as the app sees it inside the sandbox. */
const SandboxPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'expected an absolute sandbox path');

const Width = z.number().int().min(DISPLAY_LIMITS.min).max(DISPLAY_LIMITS.maxWidth).multipleOf(2);
const Height = z.number().int().min(DISPLAY_LIMITS.min).max(DISPLAY_LIMITS.maxHeight).multipleOf(2);

/** App → server: something the person did (a claim, recorded as `app.claim`). */
export const AppEvent = z
  .object({
    v: AppVersion,
    type: z.literal('event'),
    kind: ControlEventKind,
    path: SandboxPath,
    to: SandboxPath.optional(),
    page: z.number().int().min(1).max(1_000_000).optional(),
    position: z.number().min(0).max(1e7).optional(),
    /** For folder-opened: how many entries the folder showed. */
    entries: z.number().int().min(0).max(10_000_000).optional(),
    /** For file-opened and page-viewed of a paged document: how many pages it has. */
    pages: z.number().int().min(1).max(1_000_000).optional(),
    /** For page-viewed: the zoom the page is shown at, in percent. */
    zoom: z.number().int().min(1).max(6400).optional(),
  })
  .strict();
export type AppEvent = z.infer<typeof AppEvent>;

/** App → server: trash or move a file; answered with a reply of the same id. */
export const AppFileRequest = z
  .object({
    v: AppVersion,
    type: z.literal('request'),
    id: RequestId,
    action: z.enum(['trash', 'move']),
    path: SandboxPath,
    /** For move: the new path, in the same shared folder. */
    to: SandboxPath.optional(),
  })
  .strict()
  .refine((r) => (r.action === 'move') === (r.to !== undefined), 'move needs "to"; trash takes none');
export type AppFileRequest = z.infer<typeof AppFileRequest>;

/** App → server: the app asks for its picture to be this size (version 2). */
export const AppResizeRequest = z
  .object({
    v: z.literal(2),
    type: z.literal('request'),
    id: RequestId,
    action: z.literal('resize'),
    width: Width,
    height: Height,
  })
  .strict();
export type AppResizeRequest = z.infer<typeof AppResizeRequest>;

export const AppRequest = z.union([AppFileRequest, AppResizeRequest]);
export type AppRequest = z.infer<typeof AppRequest>;

/** Any message an app may send. */
export const AppMessage = z.union([AppEvent, AppRequest]);
export type AppMessage = z.infer<typeof AppMessage>;

/** Server → app: the first line of every connection. */
export const ServerInit = z
  .object({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    type: z.literal('init'),
    protocol: z.number().int().min(1),
    display: z.object({ width: Width, height: Height }).strict(),
    scale: z.number().min(0.25).max(8),
    resizable: z.boolean(),
    grants: z.array(z.object({ path: SandboxPath, rights: z.array(z.enum(GRANT_RIGHTS)) }).strict()).max(256),
    /** What the person asked to see first; absent when nothing in particular. */
    open: SandboxPath.optional(),
    locale: z.string().min(2).max(64),
    timeZone: z.string().min(1).max(64),
  })
  .strict()
  // An app may show only what the session shares: what to open is a grant or inside one.
  .refine(
    ({ open, grants }) => open === undefined || grants.some((g) => open === g.path || open.startsWith(`${g.path}/`)),
    {
      path: ['open'],
      message: 'expected a path of one of the grants',
    },
  );
export type ServerInit = z.infer<typeof ServerInit>;

export type ServerInitBody = Omit<ServerInit, 'v' | 'type'>;

export const ServerResize = z
  .object({ v: z.literal(CONTROL_PROTOCOL_VERSION), type: z.literal('resize'), width: Width, height: Height })
  .strict();

export const ServerShutdown = z
  .object({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    type: z.literal('shutdown'),
    graceMs: z.number().int().min(0).max(60_000),
    reason: SessionEndReason,
  })
  .strict();

/** Server → app: the answer to a request. */
export const ServerReply = z.union([
  z
    .object({ v: z.literal(CONTROL_PROTOCOL_VERSION), type: z.literal('reply'), id: RequestId, ok: z.literal(true) })
    .strict(),
  z
    .object({
      v: z.literal(CONTROL_PROTOCOL_VERSION),
      type: z.literal('reply'),
      id: RequestId,
      ok: z.literal(false),
      error: ErrorCode,
      message: z.string(),
    })
    .strict(),
]);

/** A reply without its envelope (version, type, request id): what the server's handler of a request decides. */
export type ServerReplyBody =
  z.infer<typeof ServerReply> extends infer R
    ? R extends { v: number; type: 'reply'; id: number }
      ? Omit<R, 'v' | 'type' | 'id'>
      : never
    : never;

/** Server → app: a line it could not accept (malformed, too long, too many). */
export const ServerLineError = z
  .object({ v: z.literal(CONTROL_PROTOCOL_VERSION), type: z.literal('error'), message: z.string() })
  .strict();

export const ServerMessage = z.union([ServerInit, ServerResize, ServerShutdown, ServerReply, ServerLineError]);
export type ServerMessage = z.infer<typeof ServerMessage>;

// One source: what these validators accept is what the SDK's types describe, both ways (a
// mismatch fails the type check of this file).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const appMessagesAgree: Same<AppMessage, SdkAppMessage> = true;
const serverMessagesFit: [ServerMessage] extends [SdkServerMessage] ? true : false = true;
void appMessagesAgree;
void serverMessagesFit;

/** One line from an app → its message, or a readable reason; never throws on hostile input. */
export function parseAppMessage(line: string): { ok: true; message: AppMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = AppMessage.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, message: parsed.data };
}
