// What running sessions as the sandbox user with grants served by the grant filesystem costs,
// against the sandbox as it was (host root in a user namespace, grants bound from descriptors):
//
//   node --disable-warning=ExperimentalWarning bench/sandbox-identity.ts [runs]
//
// One process, the same harness as the escape suite (a shell as the app, one shared folder),
// the two ways alternating (A B, A B, …) so drift hits both alike. Per way: startSandbox → the
// display is up ("ready"), teardown (every process gone, mounts removed), and reading a 64 MiB
// file of the shared folder inside the sandbox (dd's own time; page cache warm).
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxHost } from '../server/src/sandbox/sandbox.ts';
import { startSandbox } from '../server/src/sandbox/start-sandbox.ts';
import { AttackHarness } from '../server/test/sandbox/attack-harness.ts';
import { percentile } from './lib/stats.ts';

const RUNS = Number(process.argv[2] ?? 20);
const h = new AttackHarness();
await h.init();
if (!h.host.user) throw new Error('run as root: the comparison needs the sandbox user');
const shared = h.dir('shared');
fs.writeFileSync(path.join(shared, 'big.bin'), Buffer.alloc(64 * 2 ** 20, 7));
const grants = [{ hostPath: shared, sandboxPath: '/files/shared', access: 'read-write' as const }];
const ways: Record<string, SandboxHost> = {
  'as before (root in a user namespace, bind mounts)': { ...h.host, user: null, grantFs: null },
  'sandbox user + grant filesystem': h.host,
};
const samples: Record<string, { startMs: number[]; teardownMs: number[]; readMBs: number[] }> = {};
for (const name of Object.keys(ways)) samples[name] = { startMs: [], teardownMs: [], readMBs: [] };

for (let run = 0; run < RUNS; run++) {
  for (const [name, host] of Object.entries(ways)) {
    const script = 'dd if=/files/shared/big.bin of=/dev/null bs=1M 2>&1 | tail -n 1; sleep 30';
    const policy = h.policy(script, { grants });
    const t0 = performance.now();
    const sandbox = await startSandbox(host, policy, 10_000, `identity${run}`);
    await sandbox.ready;
    const t1 = performance.now();
    const log = path.join(policy.sessionDir, 'log', 'app.log');
    const said = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
    for (let i = 0; i < 500 && !/copied/.test(said()); i++) await new Promise((r) => setTimeout(r, 10));
    const line = said();
    const t2 = performance.now();
    await sandbox.destroyed();
    const t3 = performance.now();
    fs.rmSync(policy.sessionDir, { recursive: true, force: true });
    const m = /copied, ([\d.]+) s/.exec(line);
    samples[name]!.startMs.push(t1 - t0);
    samples[name]!.teardownMs.push(t3 - t2);
    if (m) samples[name]!.readMBs.push(64 / Number(m[1]));
  }
}
h.cleanup();

console.log(`\n${RUNS} runs each, alternating\n`);
console.log('| Way | start → display up p50 / p95 (ms) | teardown p50 (ms) | reading 64 MiB, warm (MiB/s, p50) |');
console.log('| --- | --- | --- | --- |');
for (const [name, s] of Object.entries(samples)) {
  const p = (xs: number[], q: number) => (percentile(xs, q) ?? NaN).toFixed(0);
  console.log(`| ${name} | ${p(s.startMs, 50)} / ${p(s.startMs, 95)} | ${p(s.teardownMs, 50)} | ${p(s.readMBs, 50)} |`);
}
