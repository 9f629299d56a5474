import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { AppCatalog, appReloadDetail } from './app-catalog.ts';

let tmp: string;
let root: string;
let copies: string;
let clock: number;
const log = { warn: () => {}, info: () => {} };

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-catalog-')));
  root = path.join(tmp, 'apps');
  copies = path.join(tmp, 'runtime', 'apps');
  fs.mkdirSync(root);
  clock = 1_000_000;
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** APPS_ROOT/<id>: a script that prints its version file. */
function writeApp(id: string, version: string): void {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\ncat version.txt\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version.txt'), version);
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ manifest: 2, name: id, version, type: 'x11', binary: 'run.sh' }),
  );
}

const open = () => AppCatalog.open({ root, snapshotsDir: copies, log, now: () => clock });
const versionIn = (dir: string) => fs.readFileSync(path.join(dir, 'version.txt'), 'utf8');
const GRACE = 61_000;

describe('the app catalog', () => {
  it('runs each app from a copy named by its hash, and removes copies a previous run left', async () => {
    fs.mkdirSync(path.join(copies, 'f'.repeat(64)), { recursive: true });
    writeApp('hello', '1');
    const catalog = await open();
    const app = catalog.get('hello')!;
    expect(app.dir).toBe(path.join(copies, app.hash));
    expect(app.binaryPath).toBe(path.join(copies, app.hash, 'run.sh'));
    expect(versionIn(app.dir)).toBe('1');
    expect(fs.readdirSync(copies)).toEqual([app.hash]);
  });

  it('refuses to launch an app whose folder changed until it is reloaded', async () => {
    writeApp('hello', '1');
    const catalog = await open();
    const before = catalog.forLaunch('hello')!;
    fs.writeFileSync(path.join(root, 'hello', 'version.txt'), '2');
    const refusal = (() => {
      try {
        catalog.forLaunch('hello');
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ status: 409, code: 'app-changed' });
    expect((refusal as Error).message).toMatch(/an admin must reload the apps/);
    // Listing and sessions still see the loaded version.
    expect(catalog.get('hello')).toBe(before);
    const changes = await catalog.reload();
    expect(changes).toEqual({
      added: [],
      updated: [{ id: 'hello', from: before.hash, to: catalog.get('hello')!.hash }],
      removed: [],
      refused: [],
      unchanged: [],
    });
    expect(versionIn(catalog.forLaunch('hello')!.dir)).toBe('2');
    expect(catalog.forLaunch('nothing')).toBeUndefined();
  });

  it('a folder removed from disk is refused at launch, and gone after a reload', async () => {
    writeApp('hello', '1');
    writeApp('other', '1');
    const catalog = await open();
    fs.rmSync(path.join(root, 'other'), { recursive: true });
    expect(() => catalog.forLaunch('other')).toThrow(/changed on disk/);
    const changes = await catalog.reload();
    expect(changes.removed).toEqual([{ id: 'other', hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(changes.unchanged).toEqual(['hello']);
    expect(catalog.get('other')).toBeUndefined();
    expect(catalog.list().map((a) => a.id)).toEqual(['hello']);
  });

  it('adds new folders, and drops an app whose new version is refused, saying why', async () => {
    writeApp('hello', '1');
    const catalog = await open();
    writeApp('added', '1');
    fs.writeFileSync(path.join(root, 'hello', 'manifest.json'), '{ "manifest": 2, "audio": true }');
    const changes = await catalog.reload();
    expect(changes.added.map((a) => a.id)).toEqual(['added']);
    expect(changes.refused).toEqual([{ id: 'hello', reason: expect.stringMatching(/audio: version 2 declares/) }]);
    expect(changes.removed.map((a) => a.id)).toEqual(['hello']);
    expect(catalog.get('hello')).toBeUndefined();
    expect(appReloadDetail(changes)).toMatchObject({ added: [expect.stringMatching(/^added@[0-9a-f]{12}$/)] });
  });

  it('keeps the copy a running session started from, and removes it once no session uses it', async () => {
    writeApp('hello', '1');
    const catalog = await open();
    const old = catalog.get('hello')!;
    catalog.sessionStarted('s1', old);
    fs.writeFileSync(path.join(root, 'hello', 'version.txt'), '2');
    await catalog.reload();
    const current = catalog.get('hello')!;
    clock += GRACE;
    await catalog.reload();
    // Still used by s1: the old version stays on disk, unchanged.
    expect(versionIn(old.dir)).toBe('1');
    expect(versionIn(current.dir)).toBe('2');
    catalog.sessionEnded('s1');
    expect(fs.existsSync(old.dir)).toBe(false);
    expect(fs.readdirSync(copies)).toEqual([current.hash]);
  });

  it('keeps a superseded copy for a grace period (a launch planned just before the reload)', async () => {
    writeApp('hello', '1');
    const catalog = await open();
    const old = catalog.get('hello')!;
    fs.writeFileSync(path.join(root, 'hello', 'version.txt'), '2');
    await catalog.reload();
    expect(fs.existsSync(old.dir)).toBe(true);
    clock += GRACE;
    catalog.sessionStarted('s2', catalog.get('hello')!);
    catalog.sessionEnded('s2');
    expect(fs.existsSync(old.dir)).toBe(false);
  });

  it('without a copies folder (the API tier) hashes the apps in place', async () => {
    writeApp('hello', '1');
    const catalog = await AppCatalog.open({ root, snapshotsDir: null, log });
    expect(catalog.get('hello')!.dir).toBe(path.join(root, 'hello'));
    expect(fs.existsSync(copies)).toBe(false);
  });
});
