import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Servers the tests start as processes inherit this environment: their audit key, checkpoints and master key
 * go to a folder of this run, removed at its end (the default, /etc/vitrine for root, and a
 * developer's own AUDIT_* settings are never touched by a test). In-process servers get their own
 * (server/test/helpers.ts).
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-test-audit-'));
  process.env.AUDIT_KEY_FILE = path.join(dir, 'audit.key');
  process.env.AUDIT_CHECKPOINT_FILE = path.join(dir, 'audit-checkpoints.jsonl');
  // The master key of their encrypted volumes, likewise (each server's DATA_DIR has its own keys).
  process.env.MASTER_KEY_FILE = path.join(dir, 'master.key');
  // Small volumes: many servers run, often on tmpfs, and a large one's journal takes real memory.
  process.env.ENCRYPTED_VOLUME_SIZE = '2G';
  // No warm sandboxes unless a test asks for them (warm-start tests): a warm File Explorer in every
  // server a test starts would cost each of them a Chromium's start-up and ≈ 200 MiB.
  process.env.WARM_SANDBOXES ??= '0';
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
