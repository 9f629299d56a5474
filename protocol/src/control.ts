import { z } from 'zod';
import { CONTROL_EVENT_KINDS, CONTROL_REQUEST_ACTIONS } from './control-vocabulary.ts';
import { ErrorCode } from './error-codes.ts';

/**
 * The app control channel (docs/app-control-channel.md): newline-delimited JSON between a sandboxed
 * app and the server. The kinds, actions and line limit are in control-vocabulary.ts.
 */

/** The kinds and actions as schemas (their lists live in control-vocabulary.ts). */
export const ControlEventKind = z.enum(CONTROL_EVENT_KINDS);
export type ControlEventKind = z.infer<typeof ControlEventKind>;
export const ControlRequestAction = z.enum(CONTROL_REQUEST_ACTIONS);
export type ControlRequestAction = z.infer<typeof ControlRequestAction>;
export { CONTROL_EVENT_KINDS, CONTROL_MAX_LINE_BYTES, CONTROL_REQUEST_ACTIONS } from './control-vocabulary.ts';

/** A path as the app sees it inside the sandbox. */
const SandboxPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'expected an absolute sandbox path');

/** App → server: something the person did (a claim, recorded as `app.claim`). */
export const AppEvent = z
  .object({
    v: z.literal(1),
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

/** App → server: a request the server answers with an `AppReply` of the same id. */
export const AppRequest = z
  .object({
    v: z.literal(1),
    type: z.literal('request'),
    id: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    action: ControlRequestAction,
    path: SandboxPath,
    /** For move: the new path, in the same shared folder. */
    to: SandboxPath.optional(),
  })
  .strict()
  .refine((r) => (r.action === 'move') === (r.to !== undefined), 'move needs "to"; trash takes none');
export type AppRequest = z.infer<typeof AppRequest>;

/** Any message an app may send. */
export const AppMessage = z.discriminatedUnion('type', [AppEvent, AppRequest]);
export type AppMessage = z.infer<typeof AppMessage>;

/** Server → app: the answer to a request. */
export const AppReply = z.union([
  z.object({ v: z.literal(1), type: z.literal('reply'), id: z.number().int(), ok: z.literal(true) }),
  z.object({
    v: z.literal(1),
    type: z.literal('reply'),
    id: z.number().int(),
    ok: z.literal(false),
    error: ErrorCode,
    message: z.string(),
  }),
]);
export type AppReply = z.infer<typeof AppReply>;

/** Server → app: a line it could not accept (malformed, too long, too many). */
export const AppLineError = z.object({ v: z.literal(1), type: z.literal('error'), message: z.string() });
export type AppLineError = z.infer<typeof AppLineError>;

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
