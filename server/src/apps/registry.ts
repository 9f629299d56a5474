import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppInfo } from '@vitrine/protocol';
import { Manifest } from './manifest.ts';

export interface App {
  id: string;
  dir: string;
  /** Absolute path of the executable, checked to stay inside `dir`. */
  binaryPath: string;
  manifest: Manifest;
}

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const APP_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Scans APPS_ROOT: every sub-folder with a valid manifest and an executable binary is an app,
 * named by its folder. A broken app is logged and skipped so it never hides the others.
 */
export async function discoverApps(appsRoot: string, log: Logger): Promise<Map<string, App>> {
  const apps = new Map<string, App>();
  let entries: string[];
  try {
    entries = (await fs.readdir(appsRoot)).sort();
  } catch (err) {
    log.warn({ appsRoot, err: (err as Error).message }, 'cannot read APPS_ROOT; no apps available');
    return apps;
  }
  for (const id of entries) {
    const dir = path.join(appsRoot, id);
    if (!(await fs.stat(dir).catch(() => null))?.isDirectory()) continue;
    const result = await loadApp(id, dir);
    if ('error' in result) {
      log.warn({ app: id, reason: result.error }, 'skipping app with invalid manifest');
      continue;
    }
    apps.set(id, result);
  }
  log.info({ apps: [...apps.keys()] }, 'apps discovered');
  return apps;
}

export async function loadApp(id: string, dir: string): Promise<App | { error: string }> {
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
  return { id, dir: realDir, binaryPath, manifest: parsed.data };
}

export function toAppInfo(app: App): AppInfo {
  const { name, version, description, type, video } = app.manifest;
  return { id: app.id, name, version, description, type, video };
}
