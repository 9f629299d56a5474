/**
 * The File Explorer's search across a share (GET /api/search): a share of 5,000 files in nested
 * folders, the explorer server started as the sandbox starts it (node server/main.ts, its own
 * process), timed from a client on 127.0.0.1.
 *
 *   node bench/search.ts [--runs N] [--files N]
 *
 * - names, cold: the first search of a fresh server (the walk builds the index);
 * - names, warm: later searches (one lstat per folder to see what changed);
 * - names, after a change: a file added in one folder, then a search (that folder read again);
 * - inside files, cold then warm: text files and PDFs (pdftotext; warm: the text is cached).
 * Prints a table of medians (and the slowest run). The target: a name search answers in ≤ 1 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SearchResponse } from '../apps/file-explorer/server/search-contract.ts';
import { writeTextPdfPages } from '../e2e/lib/sample-files.ts';
import { median, range } from './lib/stats.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, files: { type: 'string', default: '5000' } },
});
const RUNS = Number(values.runs);
const FILES = Number(values.files);
const MAIN = path.resolve(import.meta.dirname, '../apps/file-explorer/server/main.ts');
const PDFS = 20;
const NAME_QUERIES = ['report', 'q3', 'invoice-0042', 'zzz-nothing', 'résumé', '.png', 'budget', 'notes-1'];

/**
 * 5,000 files: 5 top folders × 5 × 10 = 250 leaf folders of 20 files (plus the folders above),
 * named like a person's documents; one in 250 a real PDF of 3 pages, the rest small text, CSV, images.
 */
function makeShare(dir: string): void {
  const exts = ['txt', 'md', 'csv', 'png', 'jpg', 'docx', 'txt', 'log'];
  let n = 0;
  for (let a = 0; n < FILES; a++) {
    for (let b = 0; b < 5 && n < FILES; b++) {
      for (let c = 0; c < 10 && n < FILES; c++) {
        const folder = path.join(dir, `Area ${a}`, `Project ${b}`, `Q${(c % 4) + 1} batch ${c}`);
        fs.mkdirSync(folder, { recursive: true });
        for (let i = 0; i < 20 && n < FILES; i++, n++) {
          const stem = ['report', 'invoice', 'notes', 'budget', 'Résumé', 'minutes'][n % 6];
          if (n % Math.floor(FILES / PDFS) === 0) {
            writeTextPdfPages(path.join(folder, `${stem}-${String(n).padStart(4, '0')}.pdf`), [
              ['Quarterly figures'],
              [`Item ${n} approved`],
              ['Appendix'],
            ]);
            continue;
          }
          const ext = exts[n % exts.length]!;
          const body =
            ext === 'png' || ext === 'jpg' || ext === 'docx'
              ? Buffer.alloc(512, n % 251)
              : `${stem} ${n}\nline two of item ${n}\n`;
          fs.writeFileSync(path.join(folder, `${stem}-${String(n).padStart(4, '0')}.${ext}`), body);
        }
      }
    }
  }
}

interface Explorer {
  url: string;
  child: ChildProcess;
}

async function startExplorer(root: string, work: string): Promise<Explorer> {
  const ready = path.join(work, `ready-${Date.now()}`);
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--root', root, '--ui', work, '--ready-file', ready], {
    env: { PATH: process.env.PATH, TMPDIR: work },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 15_000;
  while (!fs.existsSync(ready) || fs.readFileSync(ready, 'utf8').trim() === '') {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the explorer server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `http://127.0.0.1:${Number(fs.readFileSync(ready, 'utf8'))}`, child };
}

async function stopExplorer(e: Explorer): Promise<void> {
  if (e.child.exitCode !== null) return;
  const exited = new Promise((r) => e.child.once('exit', r));
  e.child.kill('SIGKILL');
  await exited;
}

async function timed(e: Explorer, q: string, scope: 'names' | 'contents'): Promise<{ ms: number; r: SearchResponse }> {
  const t0 = performance.now();
  const res = await fetch(`${e.url}/api/search?q=${encodeURIComponent(q)}&in=${scope}`);
  const r = (await res.json()) as SearchResponse;
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${JSON.stringify(r)}`);
  if (r.walk !== 'complete') throw new Error(`the walk did not complete: ${r.walk}`);
  return { ms, r };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-bench-search-'));
const share = path.join(work, 'files');
const running = new Set<Explorer>();
const cleanup = () => {
  for (const e of running) e.child.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  const t0 = performance.now();
  makeShare(share);
  const folders = Number(
    fs.readdirSync(share, { recursive: true, withFileTypes: true }).filter((d) => d.isDirectory()).length,
  );
  console.log(`share: ${FILES} files in ${folders} folders (made in ${Math.round(performance.now() - t0)} ms)`);

  const rows: Record<string, number[]> = {
    'names, cold (first search)': [],
    'names, warm': [],
    'names, after adding a file': [],
    'inside files, cold': [],
    'inside files, warm': [],
  };
  let scanned = 0;
  for (let run = 0; run < RUNS; run++) {
    // Each run a fresh server (an empty index), and a share that was not just read (as far as a
    // benchmark can: the page cache stays warm, so "cold" is the index's coldness, not the disk's).
    const e = await startExplorer(share, work);
    running.add(e);
    try {
      const first = await timed(e, NAME_QUERIES[run % NAME_QUERIES.length]!, 'names');
      rows['names, cold (first search)']!.push(first.ms);
      scanned = first.r.scanned;
      for (const q of NAME_QUERIES) rows['names, warm']!.push((await timed(e, q, 'names')).ms);
      const added = path.join(share, 'Area 2', 'Project 3', `new-file-${run}.txt`);
      fs.writeFileSync(added, 'new');
      const after = await timed(e, `new-file-${run}`, 'names');
      if (after.r.results.length !== 1) throw new Error('the new file was not found');
      rows['names, after adding a file']!.push(after.ms);
      fs.rmSync(added);
      const cold = await timed(e, 'approved', 'contents');
      if (cold.r.results.length !== PDFS) throw new Error(`expected ${PDFS} PDF hits, got ${cold.r.results.length}`);
      rows['inside files, cold']!.push(cold.ms);
      rows['inside files, warm']!.push((await timed(e, 'line two of item 42', 'contents')).ms);
    } finally {
      await stopExplorer(e);
      running.delete(e);
    }
  }

  const fmt = (v: number | null) => (v === null ? '–' : `${Math.round(v)}`);
  console.log(
    `\n${RUNS} runs, ${scanned} entries in the index, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`,
  );
  console.log('| search | samples | median (ms) | slowest (ms) |');
  console.log('| ------ | ------: | ----------: | -----------: |');
  for (const [name, v] of Object.entries(rows)) {
    console.log(`| ${name} | ${v.length} | ${fmt(median(v))} | ${fmt(range(v)?.[1] ?? null)} |`);
  }
} finally {
  cleanup();
}
