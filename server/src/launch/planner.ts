import type { App } from '../apps/registry.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../policies/policies.ts';
import { resolveLaunch, type LaunchDeps, type PreviewRequest } from './entitlements.ts';
import { planLaunch, type LaunchOrigin, type LaunchPlan, type PlanSettings } from './plan.ts';

/**
 * The one place that decides what a session may see and do: entitlements (a share, or the
 * owner's own storage), the app's requests intersected with them, the sandbox policy, the
 * lifecycle rules and media settings.
 */
export interface PlannerDeps {
  entitlements: LaunchDeps;
  /** How many more bytes the owner's storage may take (quota − use); writable grants are held to it. */
  storageRoom?: (ownerId: string) => Promise<number>;
  /** Whether the owner's storage is held still (their key being rotated): no session starts on it meanwhile. */
  storageHeld?: (ownerId: string) => boolean;
  findApp: (id: string) => App | undefined;
  settings: PlanSettings;
}

export class LaunchPlanner {
  private readonly deps: PlannerDeps;

  constructor(deps: PlannerDeps) {
    this.deps = deps;
  }

  async plan(
    actor: Actor,
    request: {
      appId: string;
      shareId?: string | undefined;
      preview?: PreviewRequest | undefined;
      acknowledgeRecording?: boolean | undefined;
    },
    origin?: LaunchOrigin,
  ): Promise<LaunchPlan> {
    const launch = await resolveLaunch(actor, request.shareId, this.deps.entitlements, request.preview, {
      appId: request.appId,
      acknowledgeRecording: request.acknowledgeRecording,
    });
    const app = this.deps.findApp(request.appId);
    const writable = launch.entitlements.some((e) => e.access !== 'read');
    const owner = launch.storageOwnerId;
    if (owner && this.deps.storageHeld?.(owner)) {
      throw new DomainError(
        503,
        'storage-busy',
        'These files are being re-encrypted with a new key; try again in a minute.',
      );
    }
    const room = writable && owner && this.deps.storageRoom ? await this.deps.storageRoom(owner) : null;
    return planLaunch(app, request.appId, launch, origin, this.deps.settings, room);
  }
}
