/**
 * What the audit trail costs: API latency of a command (recorded before it is answered) and of
 * a query (buffered), raw append rates one by one and grouped, and the speed of `verify`, on
 * the embedded database and on a PostgreSQL server.
 *
 *   node bench/audit.ts [--runs N]
 *
 * Prints a table (medians over the runs; each run starts a fresh server) and writes
 * bench/AUDIT-RESULTS.md. Everything stays on 127.0.0.1 or a Unix socket.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { api, startTestServer, type TestServer } from '../server/test/helpers.ts';
import { startTestPostgres } from '../server/test/postgres.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const REQUESTS = 200;
const APPENDS = 300;
const GROUPED = 2000;

interface Run {
  commandP50: number;
  commandP95: number;
  queryP50: number;
  queryP95: number;
  appendsPerSecond: number;
  groupedPerSecond: number;
  verifyPerSecond: number;
  events: number;
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function oneRun(server: TestServer): Promise<Run> {
  const owner = server.owner;
  const commands = await timed(REQUESTS, async (i) => {
    const res = await api(owner, 'POST', '/api/files/folders', { path: `bench-${i}` });
    if (res.status !== 201) throw new Error(`folder: ${res.status}`);
  });
  const queries = await timed(REQUESTS, async () => {
    const res = await api(owner, 'GET', '/api/shares');
    if (res.status !== 200) throw new Error(`shares: ${res.status}`);
  });
  const entry = {
    actor: { id: owner.me.id, role: 'owner' as const },
    action: 'api.describe' as const,
    outcome: 'ok' as const,
  };
  let t = performance.now();
  for (let i = 0; i < APPENDS; i++) await server.audit.record({ ...entry, detail: { i } });
  const appendsPerSecond = APPENDS / ((performance.now() - t) / 1000);
  t = performance.now();
  await Promise.all(Array.from({ length: GROUPED }, (_, i) => server.audit.record({ ...entry, detail: { i } })));
  const groupedPerSecond = GROUPED / ((performance.now() - t) / 1000);
  t = performance.now();
  const verified = await server.auditStore.verify();
  if (!verified.ok) throw new Error(`verify: ${verified.problem}`);
  const verifyPerSecond = verified.checked / ((performance.now() - t) / 1000);
  return {
    commandP50: percentile(commands, 50)!,
    commandP95: percentile(commands, 95)!,
    queryP50: percentile(queries, 50)!,
    queryP95: percentile(queries, 95)!,
    appendsPerSecond,
    groupedPerSecond,
    verifyPerSecond,
    events: verified.checked,
  };
}

const rows: string[] = [];
for (const kind of ['pglite', 'postgres'] as const) {
  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    const pg = kind === 'postgres' ? startTestPostgres() : undefined;
    const server = await startTestServer({ LOG_LEVEL: 'error', ...(pg ? { DATABASE_URL: pg.url } : {}) });
    try {
      runs.push(await oneRun(server));
      process.stderr.write(`${kind}: run ${r + 1}/${RUNS} done\n`);
    } finally {
      await server.close();
      pg?.stop();
    }
  }
  const m = (k: keyof Run) => median(runs.map((x) => x[k]))!;
  rows.push(
    `| ${kind} | ${m('commandP50').toFixed(1)} / ${m('commandP95').toFixed(1)} | ${m('queryP50').toFixed(1)} / ${m('queryP95').toFixed(1)} | ${Math.round(m('appendsPerSecond'))} | ${Math.round(m('groupedPerSecond'))} | ${Math.round(m('verifyPerSecond'))} (${Math.round(m('events'))} events) |`,
  );
}

const table = [
  `Audit trail, medians of ${RUNS} runs (${REQUESTS} requests per kind per run; ${new Date().toISOString().slice(0, 10)}, ${process.version})`,
  '',
  '| database | command ms p50 / p95 (record before answer) | query ms p50 / p95 (buffered) | appends/s one by one | appends/s grouped | verify events/s |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
fs.writeFileSync(path.join(import.meta.dirname, 'AUDIT-RESULTS.md'), `# Audit trail benchmark\n\n${table}\n`);
