/**
 * How long this machine takes to touch fresh memory, 256 MiB at a time: on a VM whose hypervisor
 * takes back the guest's free pages (virtio-balloon free page reporting), the first touch of a
 * page it took back traps to the host and costs ~30× more. Explains why a new session's start
 * gets slower once the host holds several GiB of sessions (bench/DENSITY-RESULTS.md).
 *
 *   node bench/first-touch.ts [GiB, default 8]
 *
 * Prints one line per step: how much is held, and the milliseconds the step's first touch took.
 */
const STEP = 256 * 2 ** 20;
const PAGE = 4096;
const gib = Number(process.argv[2] ?? 8);
if (!(gib > 0 && gib <= 64)) throw new Error('usage: node bench/first-touch.ts [GiB, 1–64]');

const held: Buffer[] = [];
for (let i = 0; i < (gib * 2 ** 30) / STEP; i++) {
  // allocUnsafe: the kernel maps the pages on the first write, which is what is timed.
  const b = Buffer.allocUnsafe(STEP);
  const t = performance.now();
  for (let o = 0; o < STEP; o += PAGE) b[o] = 1;
  const ms = performance.now() - t;
  held.push(b);
  process.stdout.write(`${((i + 1) * STEP) / 2 ** 30} GiB held: ${ms.toFixed(0)} ms for the last 256 MiB\n`);
}
