import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLED = path.join(repoRoot, 'apps');
const DIAGNOSTICS = path.join(BUNDLED, 'diagnostics');

export interface BenchApp {
  id: string;
  width: number;
  height: number;
  /** Redraws per second; 0 = static (redraws only on input). */
  fps: number;
  /** `--busy`: content that changes most pixels every frame around the pattern. */
  busy?: boolean;
}

/** A bundled app (a folder of apps/) served unchanged under another id. */
export interface BundledApp {
  id: string;
  /** Folder name under apps/. */
  from: string;
}

/** The parts of a bundled manifest the report quotes. */
export interface BundledManifest {
  name: string;
  binary: string;
  args: string[];
  resources?: { cpu?: number; memory?: string; pids?: number };
  video: { width: number; height: number; framerate: number };
}

export function readBundledManifest(from: string): BundledManifest {
  return JSON.parse(fs.readFileSync(path.join(BUNDLED, from, 'manifest.json'), 'utf8')) as BundledManifest;
}

/**
 * A temporary APPS_ROOT with one copy of the diagnostics app per variant, plus unchanged copies
 * of bundled apps (manifest and binary). Binaries are copied, not symlinked: the registry
 * requires the resolved binary path to stay inside the app folder. `linked` apps (whole folders
 * with more than a binary, e.g. file-explorer) are symlinked as they are: the registry resolves
 * the link, so the app folder and its binary are the real ones under apps/.
 */
export function createAppsRoot(
  apps: readonly BenchApp[],
  bundled: readonly BundledApp[] = [],
  linked: readonly BundledApp[] = [],
): { root: string; remove(): void } {
  const binary = path.join(DIAGNOSTICS, 'bin', 'vitrine-diagnostics');
  if (!fs.existsSync(binary))
    throw new Error(`${binary} is missing: run \`make setup\` (builds apps/diagnostics) first`);
  const base = JSON.parse(fs.readFileSync(path.join(DIAGNOSTICS, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-apps-'));
  for (const app of apps) {
    const dir = path.join(root, app.id);
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.copyFileSync(binary, path.join(dir, 'bin', 'vitrine-diagnostics'));
    fs.chmodSync(path.join(dir, 'bin', 'vitrine-diagnostics'), 0o755);
    const manifest = {
      ...base,
      name: `Diagnostics ${app.width}x${app.height} ${app.fps === 0 ? 'static' : `${app.fps} fps`}${app.busy ? ' busy' : ''}`,
      args: ['--fps', String(app.fps), ...(app.busy ? ['--busy'] : [])],
      video: { width: app.width, height: app.height, framerate: 30 },
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  for (const app of bundled) {
    const src = path.join(BUNDLED, app.from);
    const dir = path.join(root, app.id);
    const { binary } = readBundledManifest(app.from);
    const from = path.join(src, binary);
    if (!fs.existsSync(from)) throw new Error(`${from} is missing: run \`make setup\` first`);
    fs.mkdirSync(path.dirname(path.join(dir, binary)), { recursive: true });
    fs.copyFileSync(path.join(src, 'manifest.json'), path.join(dir, 'manifest.json'));
    fs.copyFileSync(from, path.join(dir, binary));
    // Keep it executable (e.g. xclock's run.sh) whatever the umask did to the copy.
    fs.chmodSync(path.join(dir, binary), (fs.statSync(from).mode & 0o777) | 0o755);
  }
  for (const app of linked) fs.symlinkSync(path.join(BUNDLED, app.from), path.join(root, app.id), 'dir');
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
