import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manifest } from './manifest.ts';
import { discoverApps, loadApp, toAppInfo, type Logger } from './registry.ts';

interface LogCall {
  obj: Record<string, unknown>;
  msg: string;
}

function fakeLogger(): Logger & { warns: LogCall[]; infos: LogCall[] } {
  const warns: LogCall[] = [];
  const infos: LogCall[] = [];
  return {
    warns,
    infos,
    warn: (obj, msg) => warns.push({ obj: obj as Record<string, unknown>, msg }),
    info: (obj, msg) => infos.push({ obj: obj as Record<string, unknown>, msg }),
  };
}

const BASE_MANIFEST = { name: 'Hello', version: '1.0.0', type: 'x11', binary: 'bin/hello' };

let tmp: string;
let root: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
  root = path.join(tmp, 'apps');
  fs.mkdirSync(root);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Creates APPS_ROOT/<id> with a manifest (object or raw text) and, unless told otherwise, bin/hello (0755). */
function makeApp(
  id: string,
  manifest: object | string = BASE_MANIFEST,
  opts: { binary?: string | null; mode?: number } = {},
): string {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  const binary = opts.binary === undefined ? 'bin/hello' : opts.binary;
  if (binary !== null) {
    const p = path.join(dir, binary);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '#!/bin/sh\nexit 0\n');
    fs.chmodSync(p, opts.mode ?? 0o755);
  }
  return dir;
}

async function discoverExpectingOneSkip(id: string, reason: RegExp) {
  makeApp('good');
  const log = fakeLogger();
  const apps = await discoverApps(root, log);
  expect([...apps.keys()]).toEqual(['good']);
  const warn = log.warns.find((w) => w.obj.app === id);
  expect(warn, `warning for ${id}: ${JSON.stringify(log.warns)}`).toBeDefined();
  expect(warn!.obj.reason).toMatch(reason);
  expect(warn!.msg).toMatch(/skipping/);
  expect(log.warns).toHaveLength(1);
  return { apps, log };
}

describe('discoverApps', () => {
  it('discovers a valid app named by its folder, with defaults filled in', async () => {
    const dir = makeApp('hello-app');
    const log = fakeLogger();
    const apps = await discoverApps(root, log);
    expect([...apps.keys()]).toEqual(['hello-app']);
    const { app, source } = apps.get('hello-app')!;
    expect(app.id).toBe('hello-app');
    expect(app.dir).toBe(fs.realpathSync(dir));
    expect(source).toBe(fs.realpathSync(dir));
    expect(app.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(app.binaryPath).toBe(fs.realpathSync(path.join(dir, 'bin/hello')));
    expect(app.manifest).toEqual({
      manifest: 1,
      name: 'Hello',
      version: '1.0.0',
      description: '',
      type: 'x11',
      binary: 'bin/hello',
      args: [],
      permissions: [],
      syscalls: 'base',
      etc: {},
      resources: {},
      video: { width: 1280, height: 720, framerate: 30, resizable: false },
      // Version 1: what every app got before capabilities, listed to everyone.
      audience: 'everyone',
      capabilities: {
        control: true,
        audio: false,
        network: 'none',
        writableGrants: true,
        maxResolution: null,
        warmStart: false,
      },
    });
    expect(log.warns).toEqual([]);
    expect(log.infos).toEqual([{ obj: { apps: ['hello-app'] }, msg: 'apps discovered' }]);
  });

  it('discovers several apps in sorted order and ignores plain files in APPS_ROOT', async () => {
    makeApp('zeta');
    makeApp('alpha');
    makeApp('mid.app_2');
    fs.writeFileSync(path.join(root, 'README.md'), 'not an app');
    const log = fakeLogger();
    const apps = await discoverApps(root, log);
    expect([...apps.keys()]).toEqual(['alpha', 'mid.app_2', 'zeta']);
    expect(log.warns).toEqual([]);
  });

  it('warns and returns no apps when APPS_ROOT does not exist', async () => {
    const log = fakeLogger();
    const apps = await discoverApps(path.join(tmp, 'missing'), log);
    expect(apps.size).toBe(0);
    expect(log.warns).toHaveLength(1);
    expect(log.warns[0]!.msg).toMatch(/cannot read APPS_ROOT/);
    expect(log.warns[0]!.obj.appsRoot).toBe(path.join(tmp, 'missing'));
  });

  it('skips invalid JSON', async () => {
    makeApp('broken', '{ "name": "x", ');
    await discoverExpectingOneSkip('broken', /manifest\.json is not JSON/);
  });

  it('skips a folder without manifest.json', async () => {
    fs.mkdirSync(path.join(root, 'empty'));
    await discoverExpectingOneSkip('empty', /no manifest\.json/);
  });

  it('skips a manifest with missing fields, naming them', async () => {
    makeApp('nofields', { type: 'x11', binary: 'bin/hello' });
    const { log } = await discoverExpectingOneSkip('nofields', /name: /);
    expect(log.warns[0]!.obj.reason).toMatch(/version: /);
  });

  it('skips a manifest with the wrong type', async () => {
    makeApp('wayland', { ...BASE_MANIFEST, type: 'wayland' });
    await discoverExpectingOneSkip('wayland', /^type: .*x11/);
  });

  it('skips a manifest with unknown properties (strict)', async () => {
    makeApp('extra', { ...BASE_MANIFEST, sudo: true });
    await discoverExpectingOneSkip('extra', /sudo/);
  });

  it('skips an app whose binary is missing', async () => {
    makeApp('unbuilt', BASE_MANIFEST, { binary: null });
    await discoverExpectingOneSkip('unbuilt', /binary "bin\/hello" does not exist/);
  });

  it('skips an app whose binary is not executable', async () => {
    makeApp('noexec', BASE_MANIFEST, { mode: 0o644 });
    await discoverExpectingOneSkip('noexec', /binary "bin\/hello" is not an executable file/);
  });

  it('skips a binary path containing ..', async () => {
    makeApp('dotdot', { ...BASE_MANIFEST, binary: '../good/bin/hello' });
    await discoverExpectingOneSkip('dotdot', /^binary: must be a path inside the app folder/);
  });

  it('skips a binary path with .. in the middle', async () => {
    makeApp('dotdot2', { ...BASE_MANIFEST, binary: 'bin/../../good/bin/hello' });
    await discoverExpectingOneSkip('dotdot2', /^binary: must be a path inside the app folder/);
  });

  it('skips an absolute binary path', async () => {
    makeApp('absolute', { ...BASE_MANIFEST, binary: '/bin/sh' });
    await discoverExpectingOneSkip('absolute', /^binary: must be a path inside the app folder/);
  });

  it('skips a binary symlink that escapes the app folder', async () => {
    const outside = path.join(tmp, 'outside-bin');
    fs.writeFileSync(outside, '#!/bin/sh\n');
    fs.chmodSync(outside, 0o755);
    const dir = makeApp('escape', { ...BASE_MANIFEST, binary: 'run' }, { binary: null });
    fs.symlinkSync(outside, path.join(dir, 'run'));
    await discoverExpectingOneSkip('escape', /binary resolves outside the app folder/);
  });

  it('skips a relative symlink into a sibling app folder', async () => {
    const dir = makeApp('sibling', { ...BASE_MANIFEST, binary: 'run' }, { binary: null });
    fs.symlinkSync('../good/bin/hello', path.join(dir, 'run'));
    await discoverExpectingOneSkip('sibling', /binary resolves outside the app folder/);
  });

  it('accepts a binary symlink that stays inside the app folder and reports the resolved path', async () => {
    const dir = makeApp('inlink', { ...BASE_MANIFEST, binary: 'run' });
    fs.symlinkSync('bin/hello', path.join(dir, 'run'));
    const apps = await discoverApps(root, fakeLogger());
    expect(apps.get('inlink')!.app.binaryPath).toBe(fs.realpathSync(path.join(dir, 'bin/hello')));
  });

  it('resolves the app folder itself through a symlinked APPS_ROOT entry', async () => {
    const real = path.join(tmp, 'real-app');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'manifest.json'), JSON.stringify({ ...BASE_MANIFEST, binary: 'x' }));
    fs.writeFileSync(path.join(real, 'x'), '#!/bin/sh\n');
    fs.chmodSync(path.join(real, 'x'), 0o755);
    fs.symlinkSync(real, path.join(root, 'linked'));
    const apps = await discoverApps(root, fakeLogger());
    const { app } = apps.get('linked')!;
    expect(app.dir).toBe(fs.realpathSync(real));
    expect(app.binaryPath).toBe(path.join(fs.realpathSync(real), 'x'));
  });

  for (const bad of ['Bad Name', 'UPPER', '-leading-dash', '.hidden', 'a'.repeat(64)]) {
    it(`skips the invalid folder name ${JSON.stringify(bad)}`, async () => {
      makeApp(bad);
      await discoverExpectingOneSkip(bad, /is not a valid app id/);
    });
  }

  it('accepts a 63-character folder name', async () => {
    const id = 'a'.repeat(63);
    makeApp(id);
    const apps = await discoverApps(root, fakeLogger());
    expect(apps.has(id)).toBe(true);
  });

  it('a broken app never hides valid siblings on either side', async () => {
    makeApp('a-good');
    makeApp('b-bad', '{');
    makeApp('c-noexec', BASE_MANIFEST, { mode: 0o600 });
    makeApp('d-good');
    const log = fakeLogger();
    const apps = await discoverApps(root, log);
    expect([...apps.keys()]).toEqual(['a-good', 'd-good']);
    expect(log.warns.map((w) => w.obj.app)).toEqual(['b-bad', 'c-noexec']);
  });
});

describe('loadApp', () => {
  // BUG (server/src/apps/registry.ts:76-80): the executable check is fs.access(X_OK), which also
  // succeeds for a directory, so `"binary": "bin"` pointing at a folder is accepted as an app and
  // only fails later when the sandbox tries to exec it. Remove `.fails` once regular files are required.
  it('rejects a binary that is a directory', async () => {
    const dir = makeApp('dirbin', { ...BASE_MANIFEST, binary: 'bin' });
    const result = await loadApp('dirbin', dir);
    expect(result).toHaveProperty('error');
  });

  it('returns an error object rather than throwing for an invalid folder', async () => {
    const result = await loadApp('nothing', path.join(tmp, 'does-not-exist'));
    expect(result).toEqual({ error: 'no manifest.json' });
  });

  it('keeps declared args, resources and video', async () => {
    const dir = makeApp('full', {
      ...BASE_MANIFEST,
      description: 'A demo',
      args: ['--flag', 'value'],
      resources: { cpu: 1.5, memory: '512M', pids: 64 },
      video: { width: 1920, height: 1080, framerate: 60 },
    });
    const loaded = await loadApp('full', dir);
    if ('error' in loaded) throw new Error(loaded.error);
    const { app } = loaded;
    expect(app.manifest.args).toEqual(['--flag', 'value']);
    expect(app.manifest.resources).toEqual({ cpu: 1.5, memory: 512 * 1024 * 1024, pids: 64 });
    expect(app.manifest.video).toEqual({ width: 1920, height: 1080, framerate: 60, resizable: false });
    expect(toAppInfo(app)).toEqual({
      id: 'full',
      name: 'Hello',
      version: '1.0.0',
      description: 'A demo',
      type: 'x11',
      video: { width: 1920, height: 1080, framerate: 60, resizable: false },
    });
  });
});

describe('Manifest schema', () => {
  const parse = (extra: object) => Manifest.safeParse({ ...BASE_MANIFEST, ...extra });
  const memoryOf = (memory: unknown) => {
    const r = parse({ resources: { memory } });
    return r.success ? r.data.resources.memory : `error: ${r.error.issues.map((i) => i.message).join('; ')}`;
  };

  it('parses memory strings with K/M/G suffixes to bytes', () => {
    expect(memoryOf('512M')).toBe(536_870_912);
    expect(memoryOf('1G')).toBe(1_073_741_824);
    expect(memoryOf('64K')).toBe(65_536);
    expect(memoryOf('1.5G')).toBe(1_610_612_736);
    expect(memoryOf('256m')).toBe(268_435_456);
  });

  // BUG (server/src/apps/manifest.ts:3-9): a numeric limit must be positive, but the string form
  // has no such check, so "0M" (or "0.0000001K", which rounds to 0) yields a 0-byte memory limit.
  it('rejects memory strings that amount to zero bytes, like the number 0', () => {
    expect(memoryOf('0M')).toMatch(/^error: /);
    expect(memoryOf('0.0000001K')).toMatch(/^error: /);
  });

  it('passes positive integer byte counts through unchanged', () => {
    expect(memoryOf(1_000_000)).toBe(1_000_000);
  });

  it('rejects malformed memory values', () => {
    for (const bad of ['512', '512MB', '1T', '-1M', 'M', '1,5G', '', 0, -5, 1.5]) {
      expect(memoryOf(bad), JSON.stringify(bad)).toMatch(/^error: /);
    }
    expect(memoryOf('12')).toMatch(/512M/); // the hint names the expected format
  });

  it('defaults video, args, permissions, resources and description', () => {
    const r = Manifest.parse(BASE_MANIFEST);
    expect(r.video).toEqual({ width: 1280, height: 720, framerate: 30, resizable: false });
    expect(r.args).toEqual([]);
    expect(r.permissions).toEqual([]);
    expect(r.resources).toEqual({});
    expect(r.description).toBe('');
  });

  it('rejects odd or out-of-range video sizes and framerates', () => {
    expect(parse({ video: { width: 1279, height: 720, framerate: 30 } }).success).toBe(false);
    expect(parse({ video: { width: 32, height: 720, framerate: 30 } }).success).toBe(false);
    expect(parse({ video: { width: 3842, height: 720, framerate: 30 } }).success).toBe(false);
    expect(parse({ video: { width: 1280, height: 720, framerate: 61 } }).success).toBe(false);
    expect(parse({ video: { width: 1280, height: 720, framerate: 0 } }).success).toBe(false);
    expect(parse({ video: { width: 1280, height: 720 } }).success).toBe(false);
    expect(parse({ video: { width: 3840, height: 2160, framerate: 60 } }).success).toBe(true);
    // An app may follow its viewer's size; anything but a boolean is refused.
    expect(parse({ video: { width: 1280, height: 720, framerate: 30, resizable: true } }).success).toBe(true);
    expect(parse({ video: { width: 1280, height: 720, framerate: 30, resizable: 'yes' } }).success).toBe(false);
  });

  it('accepts "runtime": "node" and nothing else; no runtime by default', () => {
    expect(Manifest.parse(BASE_MANIFEST).runtime).toBeUndefined();
    expect(parse({ runtime: 'node' }).success).toBe(true);
    expect(parse({ runtime: 'python' }).success).toBe(false);
    expect(parse({ runtime: '' }).success).toBe(false);
  });

  it('takes a seccomp profile by name ("base" unless told), and nothing that is not one', () => {
    expect(Manifest.parse(BASE_MANIFEST).syscalls).toBe('base');
    expect(Manifest.parse({ ...BASE_MANIFEST, syscalls: 'browser' }).syscalls).toBe('browser');
    for (const bad of ['all', '', '../base', 'BASE', null, ['base']])
      expect(parse({ syscalls: bad }).success, String(bad)).toBe(false);
  });

  it('rejects unknown keys in resources and permissions', () => {
    expect(parse({ resources: { gpu: 1 } }).success).toBe(false);
    expect(parse({ permissions: [{ path: 'docs', access: ['read'], recursive: true }] }).success).toBe(false);
    expect(parse({ permissions: [{ path: 'docs', access: [] }] }).success).toBe(false);
    expect(parse({ permissions: [{ path: 'docs', access: ['execute'] }] }).success).toBe(false);
    expect(parse({ permissions: [{ path: 'docs', access: ['read', 'write'] }] }).success).toBe(true);
  });
});
