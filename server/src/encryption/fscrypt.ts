import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The kernel's ext4 encryption (fscrypt, v2 policies) through native/vitrine-fscrypt.c: Debian 12
 * has no fscryptctl, and the `fscrypt` tool would keep keys of its own beside ours.
 */
export const FSCRYPT_HELPER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../native/build/vitrine-fscrypt',
);

/** The raw master key size the helper's AES-256-XTS policy takes (512 bits). */
const KEY_BYTES = 64;
const IDENTIFIER = /^[0-9a-f]{32}$/;
/** Removing a key evicts its files' cached pages and inodes, which can take a while on a big tree. */
const TIMEOUT_MS = 60_000;

function checkIdentifier(identifier: string): void {
  if (!IDENTIFIER.test(identifier)) throw new Error('fscrypt: a key identifier is 32 lowercase hex digits');
}

/** Runs the helper; resolves with its one line of output, rejects with its one line of error. */
function runHelper(args: string[], stdin?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(FSCRYPT_HELPER, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout.trim());
      const line = stderr.trim().split('\n')[0];
      reject(new Error(line || `vitrine-fscrypt ${args[0] ?? ''}: ${err.message}`));
    });
    // The helper may fail (a bad path) before reading the key: that EPIPE is reported by its exit.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin);
  });
}

function expectOneOf<T extends string>(output: string, allowed: readonly T[], command: string): T {
  const found = allowed.find((a) => a === output);
  if (found === undefined) throw new Error(`vitrine-fscrypt ${command}: unexpected output ${JSON.stringify(output)}`);
  return found;
}

/**
 * Adds a 64-byte master key to the filesystem holding `fsPath` (any directory on it); resolves
 * with its identifier. The key goes on the helper's stdin, never in its arguments or environment,
 * where other processes could read it.
 */
export async function addKey(fsPath: string, rawKey: Buffer): Promise<string> {
  if (rawKey.length !== KEY_BYTES) throw new Error(`fscrypt: a key is ${KEY_BYTES} bytes, not ${rawKey.length}`);
  const identifier = await runHelper(['add-key', fsPath], rawKey);
  checkIdentifier(identifier);
  return identifier;
}

/**
 * Removes the key from the filesystem (for all users, as root). 'busy': files still open keep it
 * until closed, then removing it again finishes; 'absent': it was not there.
 */
export async function removeKey(fsPath: string, identifier: string): Promise<'removed' | 'busy' | 'absent'> {
  checkIdentifier(identifier);
  const out = await runHelper(['remove-key', fsPath, identifier]);
  return expectOneOf(out, ['removed', 'busy', 'absent'] as const, 'remove-key');
}

export async function keyStatus(
  fsPath: string,
  identifier: string,
): Promise<'present' | 'absent' | 'incompletely-removed'> {
  checkIdentifier(identifier);
  const out = await runHelper(['key-status', fsPath, identifier]);
  return expectOneOf(out, ['present', 'absent', 'incompletely-removed'] as const, 'key-status');
}

/**
 * Encrypts everything later made in `dir` (which must be empty) with the key, already added:
 * contents AES-256-XTS, names AES-256-CTS padded to 32 bytes.
 */
export async function setPolicy(dir: string, identifier: string): Promise<void> {
  checkIdentifier(identifier);
  await runHelper(['set-policy', dir, identifier]);
}

/**
 * The identifier of the key `target` is encrypted with; null when it is not encrypted, and
 * 'unsupported' when its filesystem cannot encrypt. An encrypted file (not a directory) whose
 * key is absent cannot be opened, so that rejects.
 */
export async function policyOf(target: string): Promise<string | null | 'unsupported'> {
  const out = await runHelper(['get-policy', target]);
  if (out === 'none') return null;
  if (out === 'unsupported') return out;
  checkIdentifier(out);
  return out;
}
