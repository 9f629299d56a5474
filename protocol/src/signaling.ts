import { z } from 'zod';
import { ErrorCode } from './error-codes.ts';
import { MAX_REQUESTED_SIDE } from './video-size.ts';

/** Largest signaling frame accepted; an SDP from Chromium is ~5-10 KB. */
export const MAX_SIGNAL_BYTES = 64 * 1024;

/** An ICE candidate as either side sends it on a signaling socket. */
export const IceCandidateSignal = z
  .object({
    candidate: z.string().max(1024),
    sdpMid: z.string().max(32).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(15).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .strict();

export const ControlAction = z.enum(['take', 'hand-back']);
export type ControlAction = z.infer<typeof ControlAction>;

/** A session's client (who launched it) or someone watching it live (the share's owner). */
export const ViewerRole = z.enum(['client', 'watcher']);
export type ViewerRole = z.infer<typeof ViewerRole>;

/** Messages a viewer may send. Anything else is answered with an `error`. */
export const ClientSignal = z.discriminatedUnion('type', [
  z.object({ type: z.literal('answer'), sdp: z.string().min(1).max(MAX_SIGNAL_BYTES) }).strict(),
  z.object({ type: z.literal('ice-candidate'), candidate: IceCandidateSignal.nullable() }).strict(),
  z.object({ type: z.literal('bye') }).strict(),
  /**
   * The device pixels of the viewer's video area, at the start and after each resize: a session
   * whose app follows the viewer is resized to it (within the server's limits; video-size.ts).
   */
  z
    .object({
      type: z.literal('viewport'),
      width: z.number().int().min(1).max(MAX_REQUESTED_SIDE),
      height: z.number().int().min(1).max(MAX_REQUESTED_SIDE),
    })
    .strict(),
  /**
   * Whether the viewer's page is visible (sent on connect and on each change): time in a hidden tab
   * is not reading time.
   */
  z.object({ type: z.literal('visibility'), visible: z.boolean() }).strict(),
  /**
   * Who drives the app's input: a watcher `take`s control and `hand-back`s it; the client may
   * `hand-back` too (take it back). Each change is on the audit trail and shown to everyone.
   */
  z.object({ type: z.literal('control'), action: ControlAction }).strict(),
]);
export type ClientSignal = z.infer<typeof ClientSignal>;

export const SessionEndReason = z.enum([
  'user ended',
  'peer gone',
  'idle timeout',
  'app exited',
  /** The app's process ended with an error status or a signal (not one the server sent). */
  'app crashed',
  'out of memory',
  'process limit',
  'cpu limit',
  'encoder failed',
  'error',
  'server shutdown',
  'server crash',
  'share revoked',
  'share expired',
  'share changed',
  /** The session's recording could not be written (disk, the owner's recording space): it does not go on unrecorded. */
  'recording failed',
  'time limit',
  'signed out',
  /** The owner's account was deleted (their files with it). */
  'account deleted',
  /** The machine running it stopped answering (multi-node): the client may open it again, elsewhere. */
  'worker lost',
]);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

/** STUN/TURN servers handed to a browser with an offer (a session's viewer, a self-test). */
export const IceServerList = z.array(
  z.object({
    urls: z.union([z.string(), z.array(z.string())]),
    username: z.string().optional(),
    credential: z.string().optional(),
  }),
);

/** Why the stream is below full quality: too little bandwidth (queueing) or heavy loss. */
export const NetworkLimit = z.enum(['bandwidth', 'loss']);
export type NetworkLimit = z.infer<typeof NetworkLimit>;

export const ServerSignal = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    sdp: z.string(),
    /** STUN/TURN servers the viewer must use for this session (may carry ephemeral credentials). */
    iceServers: IceServerList,
    /** `relay`: connect only through the TURN servers above. */
    iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
  }),
  z.object({ type: z.literal('ice-candidate'), candidate: IceCandidateSignal.nullable() }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
  z.object({ type: z.literal('bye'), reason: SessionEndReason, detail: z.string().optional() }),
  /**
   * What the network currently allows: the server's congestion controller lowered (or restored)
   * the stream. `cause` is null at full quality; the viewer says why the picture is reduced.
   */
  z.object({
    type: z.literal('quality'),
    cause: NetworkLimit.nullable(),
    targetKbps: z.number().int().min(0),
    framerate: z.number().int().min(1).max(120),
    /** Video pixels per display pixel (1, 0.75, 0.5). */
    scale: z.number().min(0.1).max(1),
  }),
  /** The session will end soon unless something changes (input, for an idle timeout). */
  z.object({
    type: z.literal('warning'),
    reason: z.enum(['idle timeout', 'time limit']),
    secondsLeft: z.number().int().min(0),
  }),
  /**
   * The app has drawn its first real picture (or reported its first screen on its control
   * channel): until then the stream shows an empty display and the viewer says the app is opening.
   * Sent once per viewer, at once to a viewer that attaches later.
   */
  z.object({ type: z.literal('app-ready') }),
  /** Another viewer of the same person took the session over ("Use here"); the socket closes with TakenOver. */
  z.object({ type: z.literal('taken-over') }),
  /**
   * Who is in the session, sent to everyone on every change: the client always sees who watches.
   * `you`: this viewer's role; `recorded`: the session is being recorded for the share's owner.
   */
  z.object({
    type: z.literal('participants'),
    you: ViewerRole,
    recorded: z.boolean(),
    participants: z.array(z.object({ name: z.string(), role: ViewerRole, controlling: z.boolean() })).max(16),
  }),
]);
export type ServerSignal = z.infer<typeof ServerSignal>;

/** A viewer tab's own id: lets it take back its seat after its connection dropped (a stale socket). */
export const ViewerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/**
 * The signaling socket's query (`/api/sessions/:id/signal?viewer=…&takeover=1`): `viewer` names the
 * tab, so a reconnect of the same tab replaces its own stale connection; `takeover=1` asks to take
 * the session from another tab or device of the same person (audited as `session.take-over`).
 */
export const SignalingQuery = z.object({
  viewer: ViewerId.optional().catch(undefined),
  takeover: z.literal('1').optional().catch(undefined),
  /** `watch=1`: the share's owner joins a client's live session (view-only until they take control). */
  watch: z.literal('1').optional().catch(undefined),
});
export type SignalingQuery = z.infer<typeof SignalingQuery>;

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };
export type ParsedSignal = Parsed<ClientSignal>;

/** JSON text → a message of `schema`, or a readable reason; never throws on hostile input. */
function parseSignal<T>(schema: z.ZodType<T>, raw: string, maxLength: number): Parsed<T> {
  if (raw.length > maxLength) return { ok: false, error: 'message too large' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      error: result.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, message: result.data };
}

export function parseClientSignal(raw: string): ParsedSignal {
  return parseSignal(ClientSignal, raw, MAX_SIGNAL_BYTES);
}

/** The viewer's side: offers carry SDP with candidates, so allow more than a viewer may send. */
export function parseServerSignal(raw: string): Parsed<ServerSignal> {
  return parseSignal(ServerSignal, raw, MAX_SIGNAL_BYTES * 4);
}
