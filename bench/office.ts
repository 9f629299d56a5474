/**
 * The File Explorer's office worker in a real session sandbox (the explorer manifest's limits: 768 MiB,
 * 256 tasks, 1 CPU): how long the explorer server takes to answer
 *   - /api/office/pdf for a 30-page .docx, LibreOffice warm (started before, as a session does once
 *     the UI has drawn) and cold (the request starts it, profile creation included),
 *   - /api/office/workbook + /api/office/sheet?index=0 for a 10-sheet .xlsx (warm),
 * and the sandbox cgroup's memory peak and task count with LibreOffice warm and a document open.
 * Medians over --runs runs (default 5; cold: 3). Chromium and Xvfb are not in this sandbox: add the
 * explorer's idle ~220 MiB / ~110 tasks (apps/file-explorer/README.md) for a whole session.
 *
 *   node bench/office.ts [--runs N]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hostNodeRuntime } from '../server/src/sandbox/sandbox.ts';
import { startSandbox } from '../server/src/sandbox/start-sandbox.ts';
import { AttackHarness } from '../server/test/sandbox/attack-harness.ts';
import { makeDocx, makeXlsx } from '../e2e/lib/office-files.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const coldRuns = Math.min(3, runs);
const log = (s: string) => process.stderr.write(`${s}\n`);

const h = new AttackHarness();
await h.init();
const app = path.resolve(import.meta.dirname, '../apps/file-explorer');
for (const dir of ['server', 'office']) fs.cpSync(path.join(app, dir), path.join(h.appDir, dir), { recursive: true });
const files = h.dir('files');
await makeDocx(path.join(files, 'Report.docx'), 30);
await makeXlsx(path.join(files, 'Book.xlsx'), 10, 200);
// A distinct copy per run: every request is a conversion, never the cache.
for (let i = 0; i < runs; i++) {
  fs.copyFileSync(path.join(files, 'Report.docx'), path.join(files, `Report-${i}.docx`));
  fs.copyFileSync(path.join(files, 'Book.xlsx'), path.join(files, `Book-${i}.xlsx`));
}

/** Runs `client` (JavaScript, has `get(url)` → ms) next to the explorer server in a sandbox. */
async function inSandbox(client: string): Promise<{ output: string; peakMiB: number; tasks: number }> {
  const js = `
    const get = async (u) => { const t = performance.now(); const r = await fetch('http://127.0.0.1:8123' + u);
      await r.arrayBuffer(); if (r.status !== 200) throw new Error(u + ' ' + r.status); return performance.now() - t; };
    (async () => { ${client} })().catch((e) => console.log('ERROR ' + e.message));`;
  const script = `node /app/server/main.ts --port 8123 --root /files --ready-file /tmp/ready >/dev/null 2>&1 &
    while [ ! -s /tmp/ready ]; do sleep 0.02; done
    node -e '${js.replaceAll("'", "'\\''")}'
    echo "TASKS $(ls -d /proc/[0-9]*/task/* | wc -l)"`;
  const policy = h.policy(script, {
    syscalls: 'browser',
    nodeRuntime: hostNodeRuntime(),
    loopbackTcp: true,
    limits: { memoryBytes: 768 * 2 ** 20, pids: 256, cpu: 1 },
    grants: [{ hostPath: files, sandboxPath: '/files', access: 'read' }],
  });
  const sandbox = await startSandbox(h.host, policy, 10_000, path.basename(policy.sessionDir));
  const timer = setTimeout(() => sandbox.kill(), 300_000);
  const cg = sandbox.cgroup;
  await sandbox.exited;
  clearTimeout(timer);
  let peak = 0;
  // cgroup v2 names it memory.peak, v1 memory.max_usage_in_bytes.
  for (const file of ['memory.peak', 'memory.max_usage_in_bytes']) {
    const f = cg ? path.join(cg.dirs[0]!, file) : '';
    if (peak === 0 && f && fs.existsSync(f)) peak = Number(fs.readFileSync(f, 'utf8')) / 2 ** 20;
  }
  const output = fs.readFileSync(path.join(policy.sessionDir, 'log', 'app.log'), 'utf8');
  await sandbox.destroyed();
  fs.rmSync(policy.sessionDir, { recursive: true, force: true });
  return { output, peakMiB: peak, tasks: Number(/TASKS (\d+)/.exec(output)?.[1] ?? NaN) };
}

const numbers = (output: string, key: string) =>
  [...output.matchAll(new RegExp(`^${key} ([\\d.]+)`, 'gm'))].map((m) => Number(m[1]));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

try {
  log('warm: one sandbox, LibreOffice started first, then each run converts a fresh copy');
  const warm = await inSandbox(`
    await get('/api/roots');
    const t = performance.now();
    // Warm-up conversion (LibreOffice's start and profile): what the session does once the UI is up.
    await get('/api/office/pdf?path=/files/Report.docx');
    console.log('WARMUP ' + (performance.now() - t).toFixed(0));
    for (let i = 0; i < ${runs}; i++) console.log('DOCX ' + (await get('/api/office/pdf?path=/files/Report-' + i + '.docx')).toFixed(0));
    for (let i = 0; i < ${runs}; i++) {
      const a = await get('/api/office/workbook?path=/files/Book-' + i + '.xlsx');
      const b = await get('/api/office/sheet?path=/files/Book-' + i + '.xlsx&index=0');
      console.log('XLSX ' + (a + b).toFixed(0));
    }`);
  if (/ERROR/.test(warm.output)) throw new Error(warm.output);
  const cold: number[] = [];
  const coldPeaks: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    log(`cold ${i + 1}/${coldRuns}: a fresh sandbox, the request starts LibreOffice`);
    const r = await inSandbox(
      `console.log('COLD ' + (await get('/api/office/pdf?path=/files/Report-${i}.docx')).toFixed(0));`,
    );
    if (/ERROR/.test(r.output)) throw new Error(r.output);
    cold.push(...numbers(r.output, 'COLD'));
    coldPeaks.push(r.peakMiB);
  }
  const rows: [string, string][] = [
    [`30-page .docx → PDF, warm (median of ${runs})`, `${median(numbers(warm.output, 'DOCX'))} ms`],
    [`30-page .docx → PDF, cold (median of ${coldRuns})`, `${median(cold)} ms`],
    [`10-sheet .xlsx workbook + first sheet, warm (median of ${runs})`, `${median(numbers(warm.output, 'XLSX'))} ms`],
    ['first conversion of the session (LibreOffice start + profile)', `${median(numbers(warm.output, 'WARMUP'))} ms`],
    ['sandbox memory peak, warm run (server + LibreOffice, no Chromium)', `${warm.peakMiB.toFixed(0)} MiB`],
    ['sandbox memory peak, cold runs (median)', `${median(coldPeaks).toFixed(0)} MiB`],
    ['tasks (threads) after the warm run', String(warm.tasks)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`| ${'Office worker (explorer sandbox, 768 MiB, 1 CPU)'.padEnd(w)} | value      |`);
  console.log(`| ${'-'.repeat(w)} | ---------: |`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v.padStart(10)} |`);
} finally {
  h.cleanup();
}
