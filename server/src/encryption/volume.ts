import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { mountPoints } from '../sandbox/session-mounts.ts';
import { FSCRYPT_HELPER, policyOf } from './fscrypt.ts';

const run = promisify(execFile);

/**
 * The encrypted volume: an ext4 filesystem with the `encrypt` feature, on which each owner's
 * folders and the server's own (database, journals) carry an fscrypt policy with their own key.
 * Where DATA_DIR's filesystem can encrypt (ext4 made or tuned with `-O encrypt`) it is simply
 * DATA_DIR/volume; elsewhere a root server makes DATA_DIR/volume.img (sparse) and mounts it there.
 * Either way nothing under DATA_DIR is readable without the keys, which only the running server
 * holds in the kernel.
 */
export interface Volume {
  /** Where the volume's files are seen (DATA_DIR/volume). */
  root: string;
  kind: 'native' | 'loop';
  /** The image file of a `loop` volume (what a raw scan must read), else null. */
  image: string | null;
  close(): Promise<void>;
}

export interface VolumeSettings {
  dataDir: string;
  /** The image's size when one is made; null: 90 % of the space free on DATA_DIR's filesystem then. */
  sizeBytes: number | null;
}

export class VolumeError extends Error {}

// ext4 needs room for its own tables; below this the volume would be useless.
const MIN_IMAGE_BYTES = 64 * 1024 * 1024;

export async function openVolume(
  settings: VolumeSettings,
  log: { info?(o: object, m: string): void },
): Promise<Volume> {
  const dataDir = path.resolve(settings.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const root = path.join(dataDir, 'volume');
  const image = path.join(dataDir, 'volume.img');
  if (!fs.existsSync(image) && (await policyOf(dataDir)) !== 'unsupported') {
    fs.mkdirSync(root, { mode: 0o700, recursive: true });
    return { root, kind: 'native', image: null, close: async () => {} };
  }
  if (process.getuid?.() !== 0) {
    throw new VolumeError(
      `encryption at rest: DATA_DIR (${dataDir}) is on a filesystem without encryption, and only a server running ` +
        'as root can make and mount an encrypted volume there. Put DATA_DIR on ext4 with the encrypt feature ' +
        '(tune2fs -O encrypt <device>), run as root, or set ENCRYPTION=off to store data in the clear.',
    );
  }
  fs.mkdirSync(root, { mode: 0o700, recursive: true });
  if (isMountPoint(root)) {
    // A run that was killed left it mounted, with its keys still in the filesystem: unmounting drops
    // them, so this run starts from locked data. If something still holds it, it is reused as it is
    // (mounting the same image a second time would corrupt it).
    const unmounted = await run('umount', [root]).then(
      () => true,
      () => false,
    );
    if (!unmounted) return loopVolume(root, image);
  }
  if (!fs.existsSync(image)) await makeImage(image, settings.sizeBytes ?? autoSize(dataDir));
  // The volume holds data only: nothing on it is a device, runs set-uid, or is executed.
  await run('mount', ['-o', 'loop,nodev,nosuid,noexec', image, root]).catch((err: Error & { stderr?: string }) => {
    throw new VolumeError(`the encrypted volume ${image} cannot be mounted: ${(err.stderr ?? err.message).trim()}`);
  });
  fs.chmodSync(root, 0o700);
  log.info?.({ image }, 'encrypted volume mounted');
  return loopVolume(root, image);
}

function loopVolume(root: string, image: string): Volume {
  return {
    root,
    kind: 'loop',
    image,
    close: async () => {
      // Sessions and the database are closed by now; a busy volume is a bug worth seeing, but the
      // data must still be locked: detach it lazily rather than leave it mounted.
      await run('umount', [root]).catch(() => run('umount', ['-l', root]));
    },
  };
}

async function makeImage(image: string, bytes: number): Promise<void> {
  if (bytes < MIN_IMAGE_BYTES) {
    throw new VolumeError(`the encrypted volume would have ${bytes} bytes; it needs at least ${MIN_IMAGE_BYTES}`);
  }
  const partial = `${image}.partial`;
  fs.rmSync(partial, { force: true });
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    fs.ftruncateSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  // -m 0: no blocks reserved for root (the server is root; the reserve would only hide space).
  await run('mkfs.ext4', ['-q', '-F', '-O', 'encrypt', '-m', '0', '-L', 'vitrine', partial]);
  fs.renameSync(partial, image);
}

function autoSize(dataDir: string): number {
  const st = fs.statfsSync(dataDir);
  return Math.floor((st.bavail * st.bsize * 0.9) / 4096) * 4096;
}

/** Whether something is mounted exactly at `dir`. */
export function isMountPoint(dir: string): boolean {
  return mountPoints().includes(fs.realpathSync(dir));
}

/** What `make doctor` says of encryption at rest on this host, for DATA_DIR (made if missing). */
export async function volumeReadiness(dataDir: string): Promise<{ ok: boolean; detail: string }> {
  if (!fs.existsSync(FSCRYPT_HELPER)) return { ok: false, detail: `${FSCRYPT_HELPER} missing: run make` };
  const image = path.join(dataDir, 'volume.img');
  const root = process.getuid?.() === 0;
  if (fs.existsSync(image)) {
    return root
      ? { ok: true, detail: `volume ${image} (mounted at start)` }
      : { ok: false, detail: `volume ${image} exists, but only root can mount it` };
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if ((await policyOf(dataDir)) !== 'unsupported')
    return { ok: true, detail: `DATA_DIR's filesystem encrypts (fscrypt)` };
  return root
    ? { ok: true, detail: `a volume will be made at ${image} (DATA_DIR's filesystem cannot encrypt)` }
    : {
        ok: false,
        detail: "DATA_DIR's filesystem cannot encrypt and this user cannot mount a volume (see docs/security.md)",
      };
}
