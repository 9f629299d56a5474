import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Servers the tests start as processes inherit this environment: their audit key and checkpoints
 * go to a folder of this run, removed at its end (the default, /etc/vitrine for root, and a
 * developer's own AUDIT_* settings are never touched by a test). In-process servers get their own
 * (server/test/helpers.ts).
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-test-audit-'));
  process.env.AUDIT_KEY_FILE = path.join(dir, 'audit.key');
  process.env.AUDIT_CHECKPOINT_FILE = path.join(dir, 'audit-checkpoints.jsonl');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
