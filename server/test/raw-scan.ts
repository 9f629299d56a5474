import fs from 'node:fs';
import path from 'node:path';

const CHUNK = 16 * 2 ** 20;

/**
 * What a thief with the disk sees: every byte of every file under `dir` (the encrypted volume's
 * image among them) read raw, without entering another filesystem mounted below it (the volume's
 * plaintext view, which only the running server's keys open). Returns "<needle> in <file>" per hit.
 */
export function scanRaw(dir: string, needles: Record<string, Buffer>): string[] {
  const hits: string[] = [];
  const device = fs.statSync(dir).dev;
  const longest = Math.max(...Object.values(needles).map((n) => n.length));
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at)) {
      const p = path.join(at, name);
      const st = fs.lstatSync(p);
      if (st.dev !== device) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) for (const what of scanFile(p, needles, longest)) hits.push(`${what} in ${p}`);
    }
  };
  walk(dir);
  return hits;
}

function scanFile(file: string, needles: Record<string, Buffer>, longest: number): Set<string> {
  const found = new Set<string>();
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK + longest);
    let carried = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, carried, CHUNK, null);
      if (n === 0) break;
      const view = buf.subarray(0, carried + n);
      for (const [what, needle] of Object.entries(needles)) if (view.includes(needle)) found.add(what);
      // Keep the tail so a needle across two reads is still seen.
      carried = Math.min(longest - 1, view.length);
      view.copy(buf, 0, view.length - carried);
    }
  } finally {
    fs.closeSync(fd);
  }
  return found;
}
