import { describe, expect, it } from 'vitest';
import { Manifest } from '../apps/manifest.ts';
import type { App } from '../apps/registry.ts';
import type { Launch } from './entitlements.ts';
import { launchAuditDetail, planLaunch, type PlanSettings } from './plan.ts';

const settings: PlanSettings = {
  sessionsDir: '/run/vitrine/sessions',
  limits: { memoryBytes: 2 ** 28, pids: 64, cpu: 1 },
  nodeRuntime: () => '/opt/node',
  controlChannel: true,
  video: { bitrateKbps: 3000, minBitrateKbps: 150, keyframeIntervalS: 2, maxSize: { width: 2560, height: 1440 } },
  inputRatePerSecond: 400,
  startTimeoutMs: 15_000,
  lifecycle: { graceMs: 30_000, idleTimeoutMs: 15 * 60_000, warningLeadMs: 60_000 },
  iceFor: () => ({ addresses: null, iceServers: [] }),
};

/** A client's launch on a share whose folder they may edit and delete in. */
const launch: Launch = {
  userId: 'c1',
  userRole: 'client',
  signInId: 's1',
  shareId: 'share-1',
  entitlements: [{ hostPath: '/srv/storage/o1/Reports', sandboxPath: '/files/Reports', access: 'read-write-delete' }],
  maxDurationMs: null,
  storageOwnerId: 'o1',
  watermark: null,
  preview: false,
  openPath: null,
  recording: false,
  liveView: false,
};

const BASE = { name: 'A', version: '1', type: 'x11', binary: 'run.sh' };
const ALL = { path: '.', access: ['read', 'write', 'delete'] };

function policyOf(manifest: object) {
  const app: App = {
    id: 'a',
    dir: '/apps/a',
    binaryPath: '/apps/a/run.sh',
    manifest: Manifest.parse(manifest),
    hash: 'a'.repeat(64),
  };
  const plan = planLaunch(app, 'a', launch, undefined, settings, 1_000_000);
  return { policy: plan.runtime.policy, runtime: plan.runtime, plan };
}

describe('a version 2 app gets what it declares, and nothing else', () => {
  it('without capabilities: no control socket, no sound, no network, its grants read-only', () => {
    const { policy } = policyOf({ ...BASE, manifest: 2, permissions: [{ path: '.', access: ['read'] }] });
    expect(policy.controlSocket).toBe(false);
    expect(policy.audio).toBe(false);
    expect(policy.loopbackTcp).toBe(false);
    expect(policy.grants).toEqual([
      { hostPath: '/srv/storage/o1/Reports', sandboxPath: '/files/Reports', access: 'read' },
    ]);
  });

  it('with them: the control socket, sound, loopback and the writable grants the person is entitled to', () => {
    const capabilities = { control: true, audio: true, network: 'loopback', writableGrants: true };
    const { policy } = policyOf({ ...BASE, manifest: 2, capabilities, permissions: [ALL] });
    expect(policy).toMatchObject({ controlSocket: true, audio: true, loopbackTcp: true });
    expect(policy.grants.map((g) => g.access)).toEqual(['read-write-delete']);
  });

  it("a following display is held to the app's maximum resolution, as well as the server's", () => {
    const video = { width: 1280, height: 720, framerate: 30, resizable: true };
    const capped = policyOf({
      ...BASE,
      manifest: 2,
      video,
      capabilities: { maxResolution: { width: 1920, height: 1080 } },
    });
    expect(capped.policy.display).toEqual({ width: 1920, height: 1080 });
    expect(capped.runtime.resizable).toEqual({ max: { width: 1920, height: 1080 } });
    expect(capped.policy.window).toEqual({ width: 1280, height: 720 });
    const uncapped = policyOf({ ...BASE, manifest: 2, video });
    expect(uncapped.policy.display).toEqual({ width: 2560, height: 1440 });
    // Above the server's: the server's.
    const wide = policyOf({
      ...BASE,
      manifest: 2,
      video,
      capabilities: { maxResolution: { width: 3840, height: 1080 } },
    });
    expect(wide.policy.display).toEqual({ width: 2560, height: 1080 });
  });

  it('the server without a control channel gives none, whatever the app declares', () => {
    const app: App = {
      id: 'a',
      dir: '/apps/a',
      binaryPath: '/apps/a/run.sh',
      manifest: Manifest.parse({ ...BASE, manifest: 2, capabilities: { control: true } }),
      hash: 'a'.repeat(64),
    };
    const plan = planLaunch(app, 'a', launch, undefined, { ...settings, controlChannel: false });
    expect(plan.runtime.policy.controlSocket).toBe(false);
  });
});

describe('a version 1 app gets what it got before capabilities', () => {
  it('the control socket and writable grants; sound and loopback as its manifest says', () => {
    const quiet = policyOf({ ...BASE, permissions: [ALL] }).policy;
    expect(quiet).toMatchObject({ controlSocket: true, audio: false, loopbackTcp: false });
    expect(quiet.grants.map((g) => g.access)).toEqual(['read-write-delete']);
    expect(policyOf({ ...BASE, audio: true, network: 'loopback' }).policy).toMatchObject({
      audio: true,
      loopbackTcp: true,
    });
  });
});

it("puts the app's version on the launch's audit detail", () => {
  const { plan } = policyOf(BASE);
  expect(launchAuditDetail(plan)).toMatchObject({ appVersion: 'a'.repeat(64) });
});
