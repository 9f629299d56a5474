import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIAGNOSTICS = path.join(repoRoot, 'apps', 'diagnostics');

export interface BenchApp {
  id: string;
  width: number;
  height: number;
  /** Redraws per second; 0 = static (redraws only on input). */
  fps: number;
}

/**
 * A temporary APPS_ROOT with one copy of the diagnostics app per variant. The binary is copied,
 * not symlinked: the registry requires the resolved binary path to stay inside the app folder.
 */
export function createAppsRoot(apps: readonly BenchApp[]): { root: string; remove(): void } {
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
      name: `Diagnostics ${app.width}x${app.height} ${app.fps === 0 ? 'static' : `${app.fps} fps`}`,
      args: ['--fps', String(app.fps)],
      video: { width: app.width, height: app.height, framerate: 30 },
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
