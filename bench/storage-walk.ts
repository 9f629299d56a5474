/**
 * What the owner-storage walk costs on trees an app can shape (issue 16, item 6): usage of a
 * folder 25,000 levels deep and of a flat folder of 10,000 files, and deleting the deep folder
 * (to the trash, where its links are broken) and purging it, with the descriptors held meanwhile.
 *
 *   node bench/storage-walk.ts [--levels 25000] [--files 10000] [--runs 3]
 *
 * Prints one line per measurement (median of the runs, and the slowest). Everything stays in a
 * temporary folder, removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OwnerStorage } from '../server/src/storage/owner-storage.ts';
import { DIR_FLAGS } from '../server/src/storage/paths.ts';
import { removeTree } from '../server/src/storage/tree.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    levels: { type: 'string', default: '25000' },
    files: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
  },
});
const LEVELS = Number(values.levels);
const FILES = Number(values.files);
const RUNS = Number(values.runs);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-walk-'));
const storage = new OwnerStorage({
  rootDir: tmp,
  maxUploadBytes: 1 << 30,
  quotaBytes: 1 << 40,
  trashRetentionMs: 86_400_000,
});
const openFds = () => fs.readdirSync('/proc/self/fd').length;

/** Folders "d" in each other, made through descriptors as an app's mkdir loop would. */
function nest(top: string, levels: number): void {
  fs.mkdirSync(top);
  let fd = fs.openSync(top, DIR_FLAGS);
  for (let i = 0; i < levels; i++) {
    fs.mkdirSync(`/proc/self/fd/${fd}/d`);
    const next = fs.openSync(`/proc/self/fd/${fd}/d`, DIR_FLAGS);
    fs.closeSync(fd);
    fd = next;
  }
  fs.writeFileSync(`/proc/self/fd/${fd}/bottom.bin`, Buffer.alloc(1000));
  fs.closeSync(fd);
}

/**
 * Runs `fn` RUNS times (after `setup`, not timed); prints the median and slowest time, and the
 * most descriptors above the start seen meanwhile.
 */
async function measure(what: string, fn: () => Promise<unknown>, setup?: () => Promise<void>): Promise<void> {
  const times: number[] = [];
  let most = 0;
  for (let run = 0; run < RUNS; run++) {
    await setup?.();
    const before = openFds();
    const sampler = setInterval(() => (most = Math.max(most, openFds() - before)), 5);
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    clearInterval(sampler);
  }
  const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(9);
  console.log(`${what.padEnd(40)} median ${ms(median(times)!)}  slowest ${ms(Math.max(...times))}  fds +${most}`);
}

try {
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${load}, ${RUNS} runs, ${tmp}`);

  const deepOwner = 'deep-owner';
  const deepRoot = storage.ensureRoot(deepOwner);
  let t = performance.now();
  nest(path.join(deepRoot, 'deep'), LEVELS);
  console.log(`(made ${LEVELS} levels in ${(performance.now() - t).toFixed(0)} ms)`);
  await measure(`usage, ${LEVELS} levels deep`, () => storage.usage(deepOwner));
  let trashed = '';
  await measure(
    `delete to the trash, ${LEVELS} levels`,
    async () => (trashed = (await storage.delete(deepOwner, 'deep')).id),
    async () => {
      if (trashed) await storage.restore(deepOwner, trashed);
    },
  );
  await measure(
    `purge from the trash, ${LEVELS} levels`,
    async () => {
      await storage.purge(deepOwner, trashed);
      trashed = '';
    },
    async () => {
      if (trashed) return;
      nest(path.join(deepRoot, 'deep'), LEVELS);
      trashed = (await storage.delete(deepOwner, 'deep')).id;
    },
  );

  const flatOwner = 'flat-owner';
  const flat = path.join(storage.ensureRoot(flatOwner), 'flat');
  fs.mkdirSync(flat);
  t = performance.now();
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(flat, `file-${i}.txt`), 'x'.repeat(100));
  console.log(`(made ${FILES} files in ${(performance.now() - t).toFixed(0)} ms)`);
  await measure(`usage, ${FILES} files in one folder`, () => storage.usage(flatOwner));
  await measure(`list, ${FILES} files in one folder`, () => storage.list(flatOwner, 'flat'));
} finally {
  await removeTree(tmp);
}
