import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { VideoSize } from '@vitrine/protocol';
import type { App } from '../apps/registry.ts';
import { DomainError } from '../errors.ts';
import type { SandboxPolicy } from '../sandbox/sandbox.ts';
import type { IceSettings } from '../webrtc/ice-options.ts';
import type { Launch, LaunchWatermark } from './entitlements.ts';
import { resolveGrants } from './grants.ts';

/** The rules of a session's life (enforced by sessions/lifecycle.ts). */
export interface LifecycleRules {
  /** How long a session without a viewer lives before it ends ("peer gone"). */
  graceMs: number;
  /** How long without input before the session ends ("idle timeout"). */
  idleTimeoutMs: number;
  /** The share's maximum session length; null: none. Counted from the session's creation. */
  maxDurationMs: number | null;
  /** Warnings come this long before an idle or time-limit end (half the limit for shorter limits). */
  warningLeadMs: number;
}

/** What a session runtime needs; everything in it is data, so it can be sent to a worker machine. */
export interface RuntimeSpec {
  sessionId: string;
  policy: SandboxPolicy;
  framerate: number;
  bitrateKbps: number;
  minBitrateKbps: number;
  keyframeIntervalS: number;
  inputRatePerSecond: number;
  startTimeoutMs: number;
  ice: IceSettings;
  /**
   * Laid over the video: who is watching (stamped with the session id and its start), how many
   * stamps and how strong; null: no watermark.
   */
  watermark: LaunchWatermark | null;
  /**
   * The picture follows the viewer's video area up to the display's size (`policy.display`);
   * it starts at `policy.window`. Null: the picture is the display, fixed.
   */
  resizable: { max: { width: number; height: number } } | null;
}

/** Where a launch request came from, carried onto the session's audit events. */
export interface LaunchOrigin {
  ip: string;
  userAgent: string | null;
  correlationId: string;
  /** The launching browser's language and time zone (the app's `init` passes them on). */
  viewer?: { locale: string; timeZone: string } | undefined;
}

/**
 * Everything decided before a session starts: who, on whose files, with which sandbox policy,
 * which lifecycle rules and media settings. The session registry takes it as it is.
 */
export interface LaunchPlan {
  sessionId: string;
  app: App;
  launch: Launch;
  origin: LaunchOrigin | undefined;
  runtime: RuntimeSpec;
  rules: LifecycleRules;
}

/** What planning needs of the server's settings (a slice, not the whole configuration). */
export interface PlanSettings {
  /** Session folders live here: RUNTIME_DIR/sessions. */
  sessionsDir: string;
  /** Sandbox limits when the app's manifest sets none. */
  limits: { memoryBytes: number; pids: number; cpu: number };
  /** The Node.js installation mounted for apps with `runtime: node`. */
  nodeRuntime: () => string;
  /** The server answers on a per-session control socket. */
  controlChannel: boolean;
  video: {
    bitrateKbps: number;
    minBitrateKbps: number;
    keyframeIntervalS: number;
    /** The display of an app that follows its viewer: its largest picture. */
    maxSize: { width: number; height: number };
  };
  inputRatePerSecond: number;
  startTimeoutMs: number;
  lifecycle: Omit<LifecycleRules, 'maxDurationMs'>;
  /** ICE settings for one session (its TURN credentials are per session). */
  iceFor: (sessionId: string) => IceSettings;
}

/**
 * The most names (files, folders, links) one session may add to its writable grants: far more
 * than a person makes by hand, few enough that the owner's storage stays listable.
 */
const NEW_NAMES_PER_SESSION = 100_000;

/**
 * Turns "this person opens this app on these entitlements" into a launch plan. The app's own
 * requests are intersected with the entitlements here (`resolveGrants`), so nothing wider is
 * ever mounted.
 */
export function planLaunch(
  app: App | undefined,
  appId: string,
  launch: Launch,
  origin: LaunchOrigin | undefined,
  settings: PlanSettings,
  storageRoom: number | null = null,
): LaunchPlan {
  if (!app) throw new DomainError(404, 'unknown-app', `no app "${appId}"`);
  const sessionId = randomUUID();
  const { capabilities } = app.manifest;
  const grants = resolveGrants(app.manifest.permissions, launch.entitlements).map((g) =>
    // Not declared: whatever the person may do to their files, the app only reads them.
    capabilities.writableGrants ? g : { ...g, access: 'read' as const },
  );
  const policy = sandboxPolicy(app, settings, {
    sessionDir: path.join(settings.sessionsDir, sessionId),
    grants,
    openPath: launch.openPath,
    writeBudget: storageRoom === null ? null : { bytes: storageRoom, entries: NEW_NAMES_PER_SESSION },
  });
  const { video } = app.manifest;
  const max = largestPicture(settings.video.maxSize, capabilities.maxResolution);
  return {
    sessionId,
    app,
    launch,
    origin,
    runtime: {
      sessionId,
      policy,
      framerate: video.framerate,
      bitrateKbps: settings.video.bitrateKbps,
      minBitrateKbps: settings.video.minBitrateKbps,
      keyframeIntervalS: settings.video.keyframeIntervalS,
      inputRatePerSecond: settings.inputRatePerSecond,
      startTimeoutMs: settings.startTimeoutMs,
      ice: settings.iceFor(sessionId),
      watermark: launch.watermark,
      resizable: video.resizable ? { max: { ...max } } : null,
    },
    rules: { ...settings.lifecycle, maxDurationMs: launch.maxDurationMs },
  };
}

/**
 * The sandbox of a warm start (sessions/warm-pool.ts): the app as any session of it would run,
 * before a session exists: no grants, nothing to open (its session brings both).
 */
export function warmSandboxPolicy(app: App, settings: PlanSettings, sessionDir: string): SandboxPolicy {
  return sandboxPolicy(app, settings, { sessionDir, grants: [], openPath: null, writeBudget: null });
}

/** What a session's sandbox is: the app's manifest and the server's settings, plus the session's own part. */
function sandboxPolicy(
  app: App,
  settings: PlanSettings,
  own: Pick<SandboxPolicy, 'sessionDir' | 'grants' | 'openPath' | 'writeBudget'>,
): SandboxPolicy {
  const { video, resources, capabilities } = app.manifest;
  const max = largestPicture(settings.video.maxSize, capabilities.maxResolution);
  // Followed: the display is as large as allowed, the app's window starts at the manifest's size.
  const start = { width: Math.min(video.width, max.width), height: Math.min(video.height, max.height) };
  return {
    ...own,
    appDir: app.dir,
    binary: path.relative(app.dir, app.binaryPath),
    args: app.manifest.args,
    display: video.resizable ? { ...max } : { width: video.width, height: video.height },
    window: video.resizable ? start : undefined,
    loopbackTcp: capabilities.network === 'loopback',
    audio: capabilities.audio,
    syscalls: app.manifest.syscalls,
    nodeRuntime: app.manifest.runtime === 'node' ? settings.nodeRuntime() : null,
    etcFiles: Object.fromEntries(
      Object.entries(app.manifest.etc).map(([inside, file]) => [`/etc/${inside}`, path.join(app.dir, file)]),
    ),
    // An app that does not declare the control channel gets none (no socket, no variable).
    controlSocket: settings.controlChannel && capabilities.control,
    limits: {
      memoryBytes: resources.memory ?? settings.limits.memoryBytes,
      pids: resources.pids ?? settings.limits.pids,
      cpu: resources.cpu ?? settings.limits.cpu,
    },
  };
}

/** The display of an app that follows its viewer: the server's largest, within the app's own cap. */
function largestPicture(server: VideoSize, app: VideoSize | null): VideoSize {
  if (!app) return { ...server };
  return { width: Math.min(server.width, app.width), height: Math.min(server.height, app.height) };
}

/** What a session was allowed, as the owner reads it on the audit trail (no host paths). */
export function launchAuditDetail(plan: LaunchPlan): Record<string, unknown> {
  const { policy } = plan.runtime;
  return {
    // The owner seeing it as a client would (and what it opened first).
    ...(plan.launch.preview ? { preview: { openPath: plan.launch.openPath } } : {}),
    // The share's owner records it (the client acknowledged that before it started).
    recorded: plan.launch.recording,
    // Which version of the app ran: the SHA-256 of its folder (docs/app-manifest.md).
    appVersion: plan.app.hash,
    policy: {
      files: policy.grants.map((g) => ({ path: g.sandboxPath, access: g.access })),
      network: policy.loopbackTcp ? 'loopback only' : 'none',
      watermark: plan.launch.watermark !== null,
      ...(plan.launch.watermark
        ? { watermarkStyle: { density: plan.launch.watermark.density, opacity: plan.launch.watermark.opacity } }
        : {}),
      display: policy.display,
      limits: policy.limits,
    },
  };
}
