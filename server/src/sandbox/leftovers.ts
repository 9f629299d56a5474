import fs from 'node:fs';
import path from 'node:path';
import { removeSessionFolder } from './session-mounts.ts';

/**
 * Removes what a crashed previous run left in the sessions folder: processes whose command line
 * runs inside it (sandboxes, encoders) are killed, then the session folders are removed (what
 * was mounted in them first: their log folders). Their
 * cgroups are removed separately (`removeInstanceGroups`).
 */
export function removeSessionLeftovers(runtimeDir: string, sessionsDir: string): { processes: number; dirs: number } {
  fs.mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(runtimeDir, 0o700);
  fs.mkdirSync(sessionsDir, { recursive: true, mode: 0o700 });
  const marker = sessionsDir + path.sep;
  let processes = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes(marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      processes++;
    } catch {
      // already gone
    }
  }
  const dirs = fs.readdirSync(sessionsDir);
  for (const d of dirs) removeSessionFolder(path.join(sessionsDir, d));
  return { processes, dirs: dirs.length };
}
