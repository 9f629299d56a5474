import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppInfo } from '@vitrine/protocol';
import { fingerprintFolder, FolderError, readFolderVersion } from './folder-hash.ts';
import { Manifest } from './manifest.ts';

/** One version of an app; plain data, so a launch plan can carry it to a worker. */
export interface App {
  id: string;
  /** The folder sessions run from: the immutable copy of this version (or, hashed only, the app's own folder). */
  dir: string;
  /** Absolute path of the executable, checked to stay inside `dir`. */
  binaryPath: string;
  manifest: Manifest;
  /** SHA-256 of the app's folder (apps/folder-hash.ts): the version sessions are pinned to. */
  hash: string;
}

/** An app as discovery found it: the version, and where it came from to notice when that changes. */
export interface LoadedApp {
  app: App;
  /** Its folder under APPS_ROOT (a real path). */
  source: string;
  /** `fingerprintFolder(source)` when it was read. */
  fingerprint: string;
}

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const APP_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** What a scan of APPS_ROOT found: the apps, and the folders refused with their reasons. */
export interface AppScan {
  apps: Map<string, LoadedApp>;
  refused: Map<string, string>;
}

/**
 * Scans APPS_ROOT: every sub-folder with a valid manifest and an executable binary is an app,
 * named by its folder; a refused one never hides the others. With `snapshotsDir`, each is copied
 * to `snapshotsDir/<hash>` and runs from there. An app in `known` whose folder still has the
 * same fingerprint is kept as it was (not read and hashed again).
 */
export async function scanApps(
  appsRoot: string,
  snapshotsDir: string | null,
  known: ReadonlyMap<string, LoadedApp> = new Map(),
): Promise<AppScan> {
  const scan: AppScan = { apps: new Map(), refused: new Map() };
  for (const id of (await fs.readdir(appsRoot)).sort()) {
    const dir = path.join(appsRoot, id);
    if (!(await fs.stat(dir).catch(() => null))?.isDirectory()) continue;
    const before = known.get(id);
    if (before && (await unchanged(before, dir))) {
      scan.apps.set(id, before);
      continue;
    }
    const result = await loadApp(id, dir, snapshotsDir);
    if ('error' in result) scan.refused.set(id, result.error);
    else scan.apps.set(id, result);
  }
  return scan;
}

/** The folder is still the one `loaded` was read from, with the same fingerprint. */
async function unchanged(loaded: LoadedApp, dir: string): Promise<boolean> {
  const real = await fs.realpath(dir).catch(() => null);
  if (real !== loaded.source) return false;
  try {
    return fingerprintFolder(real) === loaded.fingerprint;
  } catch {
    return false;
  }
}

/** `scanApps`, each refusal logged with its reason; an unreadable APPS_ROOT is no apps. */
export async function discoverApps(
  appsRoot: string,
  log: Logger,
  snapshotsDir: string | null = null,
): Promise<Map<string, LoadedApp>> {
  let scan: AppScan;
  try {
    scan = await scanApps(appsRoot, snapshotsDir);
  } catch (err) {
    log.warn({ appsRoot, err: (err as Error).message }, 'cannot read APPS_ROOT; no apps available');
    return new Map();
  }
  for (const [id, reason] of scan.refused) log.warn({ app: id, reason }, 'skipping refused app');
  log.info({ apps: [...scan.apps.keys()] }, 'apps discovered');
  return scan.apps;
}

export async function loadApp(
  id: string,
  dir: string,
  snapshotsDir: string | null = null,
): Promise<LoadedApp | { error: string }> {
  if (!APP_ID.test(id)) return { error: `folder name "${id}" is not a valid app id (a-z, 0-9, . _ -)` };
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    return { error: 'no manifest.json' };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { error: `manifest.json is not JSON: ${(err as Error).message}` };
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`).join('; ') };
  }
  const realDir = await fs.realpath(dir);
  let binaryPath: string;
  try {
    binaryPath = await fs.realpath(path.join(realDir, parsed.data.binary));
  } catch {
    return { error: `binary "${parsed.data.binary}" does not exist (was the app built?)` };
  }
  if (!binaryPath.startsWith(realDir + path.sep)) return { error: 'binary resolves outside the app folder' };
  const isFile = (await fs.stat(binaryPath)).isFile();
  const executable = await fs.access(binaryPath, fs.constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!isFile || !executable) return { error: `binary "${parsed.data.binary}" is not an executable file` };
  for (const [inside, file] of Object.entries(parsed.data.etc)) {
    const real = await fs.realpath(path.join(realDir, file)).catch(() => null);
    if (!real || !real.startsWith(realDir + path.sep) || !(await fs.stat(real)).isFile()) {
      return { error: `etc.${inside}: "${file}" is not a file inside the app folder` };
    }
  }
  let version;
  try {
    version = await readFolderVersion(realDir, snapshotsDir);
  } catch (err) {
    // Refused (a link out, a device) or unreadable: either way this app is skipped, not the others.
    const why = err instanceof FolderError ? err.message : `cannot be read (${(err as Error).message})`;
    return { error: `the app folder is refused: ${why}` };
  }
  const runsFrom = version.copy ?? realDir;
  const app: App = {
    id,
    dir: runsFrom,
    binaryPath: path.join(runsFrom, path.relative(realDir, binaryPath)),
    manifest: parsed.data,
    hash: version.hash,
  };
  return { app, source: realDir, fingerprint: version.fingerprint };
}

export function toAppInfo(app: App): AppInfo {
  const { name, version, description, type, video } = app.manifest;
  return { id: app.id, name, version, description, type, video };
}
