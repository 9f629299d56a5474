import fs from 'node:fs';
import path from 'node:path';

/**
 * The stored files a backup takes (owners' storage and recordings), as an index of entries with
 * their names as exact bytes (apps may write names that are not UTF-8) and what a restore must
 * give back: type, mode, owner, times, a link's target. Regular files' contents follow in the
 * archive as `files/data/<n>`. Uploads in progress (`<owner>/tmp`) are not taken: they were never
 * files of the owner's. FIFOs and sockets an app left are counted as skipped.
 */
export type Area = 'storage' | 'recordings';

export interface IndexEntry {
  area: Area;
  /** The path below the area's folder, base64 of its bytes. */
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  /** Nanoseconds since the epoch (a decimal string): listings show the time to the millisecond it had. */
  mtimeNs: string;
  /** A link's target, base64. */
  target?: string;
  /** A file's content entry in the archive. */
  data?: string;
}

const SKIPPED_FOLDERS = /^\.(rotate|retired)-/;

export function indexFiles(roots: Record<Area, string>): { entries: IndexEntry[]; skipped: number } {
  const entries: IndexEntry[] = [];
  let skipped = 0;
  let files = 0;
  const walk = (area: Area, root: string, rel: Buffer[]) => {
    const dir = Buffer.concat([Buffer.from(`${root}/`), joinBytes(rel)]);
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
      // Top level: owners' folders only (not a key rotation's copies); an owner's tmp: uploads in progress.
      if (rel.length === 0 && SKIPPED_FOLDERS.test(name.toString())) continue;
      const sub = [...rel, name];
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = fs.lstatSync(full, { bigint: true });
      const base = {
        area,
        path: joinBytes(sub).toString('base64'),
        mode: Number(st.mode) & 0o7777,
        uid: Number(st.uid),
        gid: Number(st.gid),
        mtimeNs: st.mtimeNs.toString(),
      };
      if (st.isDirectory()) {
        entries.push({ ...base, type: 'dir' });
        if (!(area === 'storage' && sub.length === 2 && name.toString() === 'tmp')) walk(area, root, sub);
      } else if (st.isFile()) {
        entries.push({ ...base, type: 'file', data: `files/data/${String(++files).padStart(7, '0')}` });
      } else if (st.isSymbolicLink()) {
        entries.push({
          ...base,
          type: 'symlink',
          target: fs.readlinkSync(full, { encoding: 'buffer' }).toString('base64'),
        });
      } else {
        skipped++;
      }
    }
  };
  for (const area of ['storage', 'recordings'] as const) if (fs.existsSync(roots[area])) walk(area, roots[area], []);
  return { entries, skipped };
}

/** An entry's place on this machine, as bytes (for fs calls, which take Buffers). */
export function hostPathOf(roots: Record<Area, string>, entry: Pick<IndexEntry, 'area' | 'path'>): Buffer {
  const rel = Buffer.from(entry.path, 'base64');
  const segments = splitBytes(rel);
  if (
    segments.some((s) => s.length === 0 || s.equals(Buffer.from('.')) || s.equals(Buffer.from('..')) || s.includes(0))
  ) {
    throw new Error(`unsafe path in the backup's file index: ${JSON.stringify(rel.toString())}`);
  }
  return Buffer.concat([Buffer.from(`${path.resolve(roots[entry.area])}/`), rel]);
}

/** The owner a path belongs to (its first segment). */
export function ownerOf(entry: Pick<IndexEntry, 'path'>): string {
  return splitBytes(Buffer.from(entry.path, 'base64'))[0]!.toString();
}

function joinBytes(segments: Buffer[]): Buffer {
  return Buffer.concat(segments.flatMap((s, i) => (i ? [Buffer.from('/'), s] : [s])));
}

function splitBytes(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x2f); i !== -1; i = bytes.indexOf(0x2f, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return out;
}
