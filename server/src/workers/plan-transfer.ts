import path from 'node:path';
import { z } from 'zod';
import type { App } from '../apps/registry.ts';
import { DomainError } from '../errors.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import type { IceSettings } from '../webrtc/ice-options.ts';

/** What a worker knows of its own machine, that the API tier's plan cannot. */
export interface WorkerLocals {
  findApp: (id: string) => App | undefined;
  /** Rescans this worker's apps (a plan pinned a version it has not loaded yet); absent: never. */
  reloadApps?: () => Promise<unknown>;
  /** This worker's RUNTIME_DIR/sessions. */
  sessionsDir: string;
  /** The shared STORAGE_DIR, mounted at the same path on every machine. */
  storageDir: string;
  nodeRuntime: () => string;
  iceFor: (sessionId: string) => IceSettings;
}

const SentPlan = z.looseObject({
  sessionId: z.uuid(),
  app: z.looseObject({ id: z.string().min(1).max(64), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  runtime: z.looseObject({
    sessionId: z.uuid(),
    policy: z.looseObject({
      grants: z.array(z.object({ hostPath: z.string(), sandboxPath: z.string(), access: z.string() })),
      nodeRuntime: z.string().nullable(),
    }),
  }),
  launch: z.looseObject({ userId: z.string() }),
});

/**
 * The API tier's launch plan, made this worker's: the app, session folder, Node.js runtime and
 * ICE settings of this machine replace the API's. Everything that decides what the session may
 * see (grants, limits, watermark, rules) is kept as planned and already on the trail; a grant
 * outside the shared storage is refused, whoever signed the call.
 */
export function localizePlan(sent: unknown, here: WorkerLocals): LaunchPlan {
  const parsed = SentPlan.safeParse(sent);
  if (!parsed.success || parsed.data.runtime.sessionId !== parsed.data.sessionId) {
    throw new DomainError(400, 'bad-request', 'not a launch plan');
  }
  const plan = parsed.data as unknown as LaunchPlan;
  const app = here.findApp(plan.app.id);
  if (!app) throw new DomainError(404, 'unknown-app', `this worker has no app "${plan.app.id}"`);
  // The session runs the version the API tier planned (and put on the trail), or not at all.
  if (app.hash !== plan.app.hash) {
    throw new DomainError(
      409,
      'app-changed',
      `this worker's app "${app.id}" is version ${app.hash.slice(0, 12)}, the launch was planned on ` +
        `${plan.app.hash.slice(0, 12)}: give every machine the same APPS_ROOT and reload the apps`,
    );
  }
  const root = path.resolve(here.storageDir) + path.sep;
  for (const g of plan.runtime.policy.grants) {
    if (!path.resolve(g.hostPath).startsWith(root)) {
      throw new DomainError(400, 'bad-request', 'a grant lies outside the shared storage');
    }
  }
  const { policy } = plan.runtime;
  return {
    ...plan,
    app,
    runtime: {
      ...plan.runtime,
      policy: {
        ...policy,
        sessionDir: path.join(here.sessionsDir, plan.sessionId),
        appDir: app.dir,
        binary: path.relative(app.dir, app.binaryPath),
        nodeRuntime: policy.nodeRuntime === null ? null : here.nodeRuntime(),
        etcFiles: Object.fromEntries(
          Object.entries(app.manifest.etc).map(([inside, file]) => [`/etc/${inside}`, path.join(app.dir, file)]),
        ),
      },
      ice: here.iceFor(plan.sessionId),
    },
  };
}

/**
 * `localizePlan`; when this worker has another version of the app than the one planned, it
 * rescans its own apps once first: after an admin's reload on the API tier, a worker whose folder
 * holds the same files takes exactly that version (the hash is of the content), and one whose
 * folder differs still refuses.
 */
export async function localizePinnedPlan(sent: unknown, here: WorkerLocals): Promise<LaunchPlan> {
  try {
    return localizePlan(sent, here);
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'app-changed' || !here.reloadApps) throw err;
    await here.reloadApps();
    return localizePlan(sent, here);
  }
}
