// Office documents inside the sandbox: one LibreOffice (soffice.bin, headless, listening on a pipe)
// and one Python UNO client (../office/worker.py) that stay running, so a conversion costs ~0.5 s
// instead of LibreOffice's ~4.5 s start. Requests are queued (one at a time: LibreOffice is one
// process with one document at a time here), timed out (kill both, restart), and their results are
// cached per session in /tmp by path + size + mtime, bounded.
//
// Containment: LibreOffice runs at nice 10 with a data limit of 512 MiB (a runaway document costs the
// document, not the session; oom_score_adj is raised too where the sandbox allows), reads only a private copy
// of the document in /tmp (so nothing is ever written next to the person's file), loads with macros
// off and links not updated (worker.py, office-profile.ts), and zip bombs never reach it (zip.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { SheetInfo } from './office-contract.ts';
import { writeProfile } from './office-profile.ts';
import { ApiError, type FileRoot, openNoFollow } from './paths.ts';
import { fileType } from './types.ts';
import { checkZip, isZip } from './zip.ts';

export interface Workbook {
  sheets: SheetInfo[];
}

export interface OfficeOptions {
  root: FileRoot;
  /** Where the profile, the private copies and the cache live; in the sandbox: /tmp/office. */
  workDir: string;
  /** One conversion, LibreOffice's start included when it was not running. */
  timeoutMs?: number;
  maxInputBytes?: number;
  cacheBytes?: number;
  /** Per sheet. */
  maxRows?: number;
  maxCells?: number;
  soffice?: string;
  python?: string;
  /** Only for the test proving that the hostile document's macro is real. Never set in a session. */
  allowMacrosForTest?: boolean;
}

export interface Office {
  /** Starts LibreOffice now (low priority) unless it runs already. */
  warm(): void;
  /** The converted PDF's path (in workDir) for a document under /files. */
  pdf(sandboxPath: string): Promise<string>;
  workbook(sandboxPath: string): Promise<Workbook>;
  /** The path of a JSON file `{"cells": string[][]}` for sheet `index`. */
  sheet(sandboxPath: string, index: number): Promise<string>;
  /** Is LibreOffice up and connected (for tests and the benchmark)? */
  readonly ready: boolean;
  /** Process ids of LibreOffice and the worker while they run (for tests). */
  pids(): { soffice: number | null; worker: number | null };
  close(): Promise<void>;
}

const SOFFICE = '/usr/lib/libreoffice/program/soffice.bin';
const PYTHON = '/usr/bin/python3';
const WORKER = path.resolve(import.meta.dirname, '../office/worker.py');
/**
 * LibreOffice's data limit (RLIMIT_DATA): idle it maps ~95 MiB, peaks ~220 MiB resident on a 30-page
 * document; the explorer sandbox has 768 MiB of which Chromium, Xvfb and the server use ~270.
 */
const DATA_LIMIT_KIB = 512 * 1024;
/** soffice.bin exits with this after creating a new profile and expects to be started again. */
const E_RESTART = 81;

let shared: Office | null = null;

/** Makes `office` the one `officePdf` uses (main.ts, once). */
export function setSharedOffice(office: Office | null): void {
  shared = office;
}

/**
 * For other parts of the explorer server (e.g. search): the path of the PDF LibreOffice made of a
 * document or spreadsheet under /files (`sandboxPath`, as checked by checkSandboxPath), converted on
 * first use and then cached for the session (same path, size and mtime: same PDF). The file lives in
 * the sandbox's /tmp and may be evicted later: read it right away. Rejects with an ApiError:
 * 413 `too-large`, 422 `unreadable`, 504 `timeout`, 503 `unavailable` (no office worker here).
 */
export function officePdf(sandboxPath: string): Promise<string> {
  if (!shared) return Promise.reject(new ApiError(503, 'unavailable', 'documents cannot be opened here'));
  return shared.pdf(sandboxPath);
}

interface Job {
  request: Record<string, unknown>;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (err: ApiError) => void;
}

export function createOffice(opts: OfficeOptions): Office {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxInputBytes = opts.maxInputBytes ?? 50 * 1024 * 1024;
  const cacheBytes = opts.cacheBytes ?? 64 * 1024 * 1024;
  const maxRows = opts.maxRows ?? 100_000;
  const maxCells = opts.maxCells ?? 1_000_000;
  const work = path.resolve(opts.workDir);
  const profile = path.join(work, 'profile');
  const inbox = path.join(work, 'in');
  const cache = new Cache(path.join(work, 'cache'), cacheBytes);
  const pipeName = `vitrine-office-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;

  let soffice: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  let connected = false;
  let closed = false;
  let starting: Promise<void> | null = null;
  const queue: Job[] = [];
  let current: { job: Job; timer: NodeJS.Timeout } | null = null;
  let waitReady: { resolve: () => void; reject: (err: Error) => void } | null = null;
  let nextId = 1;

  function spawnSoffice(): void {
    // From a shell, so they hold before LibreOffice's first instruction and for every thread it
    // makes: nice 10; at most DATA_LIMIT_KIB of heap and private memory (a runaway document makes
    // LibreOffice fail its allocations and die long before the session's cgroup limit, whose OOM kill
    // would end the whole session); oom_score_adj 1000 where the sandbox lets it be written (its
    // Landlock rules keep /proc read-only, so in a session it stays 0: the data limit is what holds).
    // Both stay in the explorer server's process group (each is one process: sh and nice exec), so
    // whatever ends the server's group (the sandbox, a test) ends them too.
    const args = [
      '-c',
      `ulimit -d ${DATA_LIMIT_KIB}; (echo 1000 > /proc/self/oom_score_adj) 2>/dev/null; exec nice -n 10 "$@"`,
      'soffice',
      opts.soffice ?? SOFFICE,
      '--headless',
      '--invisible',
      '--norestore',
      '--nologo',
      '--nodefault',
      '--nolockcheck',
      '--nofirststartwizard',
      `-env:UserInstallation=${pathToFileUrl(profile)}`,
      `--accept=pipe,name=${pipeName};urp;`,
    ];
    const child = spawn('/bin/sh', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SAL_USE_VCLPLUGIN: 'svp', HOME: work },
    });
    soffice = child;
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-2000);
    });
    child.on('error', () => {});
    child.on('exit', (code) => {
      if (soffice !== child) return;
      soffice = null;
      // First start with a fresh profile: LibreOffice asks to be started again; the worker keeps
      // trying to connect meanwhile.
      if (code === E_RESTART && !closed && worker) return spawnSoffice();
      if (!closed) process.stderr.write(`office: LibreOffice exited (${code})${log ? `: ${log.trim()}` : ''}\n`);
      stopAll(
        connected
          ? new ApiError(422, 'unreadable', 'LibreOffice stopped while opening this document.')
          : new ApiError(503, 'unavailable', 'LibreOffice could not be started.'),
      );
    });
  }

  function spawnWorker(): void {
    const args = [WORKER, '--pipe', pipeName];
    if (opts.allowMacrosForTest) args.push('--allow-macros-for-test');
    const child = spawn('nice', ['-n', '10', opts.python ?? PYTHON, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HOME: work },
    });
    worker = child;
    child.on('error', () => {});
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`office worker: ${d}`));
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => onReply(child, line));
    child.on('exit', (code) => {
      if (worker !== child) return;
      worker = null;
      const err = new ApiError(
        connected ? 422 : 503,
        connected ? 'unreadable' : 'unavailable',
        connected ? 'LibreOffice stopped while opening this document.' : 'LibreOffice could not be started.',
      );
      if (!closed && code !== 0) process.stderr.write(`office: the worker exited (${code})\n`);
      stopAll(err);
    });
  }

  function onReply(child: ChildProcess, line: string): void {
    if (worker !== child) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (msg.ready === true) {
      connected = true;
      waitReady?.resolve();
      waitReady = null;
      return pump();
    }
    if (!current || msg.id !== current.job.request.id) return;
    const { job, timer } = current;
    current = null;
    clearTimeout(timer);
    if (msg.ok === true) job.resolve(msg);
    else if (msg.error === 'crashed') {
      job.reject(new ApiError(422, 'unreadable', 'LibreOffice stopped while opening this document.'));
      stopAll(null);
    } else job.reject(new ApiError(422, 'unreadable', String(msg.message ?? 'This document cannot be opened.')));
    pump();
  }

  /** Kills LibreOffice and the worker; fails the running job with `err` and every queued one too unless null. */
  function stopAll(err: ApiError | null): void {
    const s = soffice;
    const w = worker;
    const wasConnected = connected;
    soffice = null;
    worker = null;
    connected = false;
    starting = null;
    for (const c of [s, w]) if (c?.pid) kill(c.pid);
    // A killed LibreOffice leaves its pipe's socket behind (in the sandbox a private /tmp anyway).
    if (s) fs.rmSync(`/tmp/OSL_PIPE_${process.getuid?.() ?? 0}_${pipeName}`, { force: true });
    waitReady?.reject(err ?? new ApiError(503, 'unavailable', 'LibreOffice stopped.'));
    waitReady = null;
    if (current) {
      clearTimeout(current.timer);
      current.job.reject(err ?? new ApiError(422, 'unreadable', 'LibreOffice stopped while opening this document.'));
      current = null;
    }
    // Queued jobs were not the cause: they get a fresh LibreOffice (unless it could not even start).
    if (!closed && wasConnected && queue.length > 0) void ensureStarted().then(pump, failQueue);
  }

  function failQueue(err: unknown): void {
    const e = err instanceof ApiError ? err : new ApiError(503, 'unavailable', 'LibreOffice could not be started.');
    for (const job of queue.splice(0)) job.reject(e);
  }

  function ensureStarted(): Promise<void> {
    if (closed) return Promise.reject(new ApiError(503, 'unavailable', 'the office worker is closed'));
    if (connected) return Promise.resolve();
    starting ??= new Promise<void>((resolve, reject) => {
      waitReady = { resolve, reject };
      try {
        // Made on first use only: an explorer that never opens a document leaves nothing in /tmp.
        fs.mkdirSync(inbox, { recursive: true });
        if (!fs.existsSync(path.join(profile, 'user'))) writeProfile(profile, opts.allowMacrosForTest);
        spawnSoffice();
        spawnWorker();
      } catch (err) {
        waitReady = null;
        reject(new ApiError(503, 'unavailable', `LibreOffice could not be started: ${(err as Error).message}`));
      }
    }).catch((err: unknown) => {
      starting = null;
      throw err;
    });
    return starting;
  }

  function pump(): void {
    if (current || !connected || !worker) return;
    const job = queue.shift();
    if (!job) return;
    const timer = setTimeout(() => {
      // A document that hangs LibreOffice costs its own request; the next one gets a fresh one.
      if (current?.job !== job) return;
      current = null;
      job.reject(new ApiError(504, 'timeout', 'This document took too long to open.'));
      stopAll(null);
      if (!closed) void ensureStarted().catch(() => {});
    }, timeoutMs);
    current = { job, timer };
    worker.stdin!.write(JSON.stringify(job.request) + '\n');
  }

  function run(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const job: Job = { request: { ...request, id: nextId++ }, resolve, reject };
      queue.push(job);
      ensureStarted().then(pump, (err: unknown) => {
        const i = queue.indexOf(job);
        if (i >= 0) queue.splice(i, 1);
        reject(err instanceof ApiError ? err : new ApiError(503, 'unavailable', 'LibreOffice could not be started.'));
      });
    });
  }

  /**
   * A private copy of the person's file (opened without following links, size-checked, zip-checked),
   * handed to `use`, removed afterwards. Cached results are keyed by what was copied.
   */
  async function convert(sandboxPath: string, result: string, make: (copy: string, dir: string) => Promise<void>) {
    const fh = await openNoFollow(opts.root.toReal(sandboxPath));
    let copy: string | null = null;
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new ApiError(400, 'is-a-folder', 'not a file');
      if (st.size > maxInputBytes) {
        throw new ApiError(413, 'too-large', `This document is larger than ${maxInputBytes / 1024 / 1024} MiB.`);
      }
      if (st.size === 0) throw new ApiError(422, 'unreadable', 'This document is empty.');
      const key = crypto
        .createHash('sha256')
        .update(`${result}\0${sandboxPath}\0${st.size}\0${st.mtimeMs}\0${st.ino}`)
        .digest('hex')
        .slice(0, 32);
      return await cache.once(key, async () => {
        const dir = await cache.dir(key);
        const out = path.join(dir, result);
        if (fs.existsSync(out)) return out;
        // LibreOffice picks its import filter by extension (then content): keep the extension.
        const ext = path.posix
          .extname(sandboxPath)
          .toLowerCase()
          .replace(/[^.a-z0-9]/g, '');
        copy = path.join(inbox, `${key}${ext}`);
        await fs.promises.mkdir(inbox, { recursive: true });
        await fs.promises.writeFile(copy, fh.createReadStream({ autoClose: false }));
        if (await isZip(fh)) await checkZip(copy);
        await make(copy, dir);
        await cache.done(key);
        return out;
      });
    } finally {
      await fh.close();
      if (copy) await fs.promises.rm(copy, { force: true });
    }
  }

  function check(sandboxPath: string, allowed: string[]): void {
    const type = fileType(path.posix.basename(sandboxPath));
    if (!allowed.includes(type)) throw new ApiError(400, 'invalid', `not a ${allowed.join(' or ')}`);
  }

  const office: Office = {
    warm() {
      if (!closed) void ensureStarted().catch(() => {});
    },
    async pdf(sandboxPath) {
      check(sandboxPath, ['document', 'spreadsheet']);
      return convert(sandboxPath, 'document.pdf', async (copy, dir) => {
        const hidden = fileType(path.posix.basename(sandboxPath)) === 'spreadsheet'; // see worker.py
        await run({ op: 'pdf', src: copy, out: path.join(dir, 'document.pdf'), hidden });
      });
    },
    async workbook(sandboxPath) {
      check(sandboxPath, ['spreadsheet']);
      const file = await workbookFile(sandboxPath);
      return JSON.parse(await fs.promises.readFile(file, 'utf8')) as Workbook;
    },
    async sheet(sandboxPath, index) {
      check(sandboxPath, ['spreadsheet']);
      const file = await workbookFile(sandboxPath);
      const wb = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Workbook;
      if (!Number.isInteger(index) || index < 0 || index >= wb.sheets.length) {
        throw new ApiError(404, 'not-found', 'no such sheet');
      }
      return path.join(path.dirname(file), `sheet-${index}.json`);
    },
    get ready() {
      return connected;
    },
    pids() {
      return { soffice: soffice?.pid ?? null, worker: worker?.pid ?? null };
    },
    async close() {
      closed = true;
      failQueue(new ApiError(503, 'unavailable', 'the office worker is closed'));
      const exits = [soffice, worker]
        .filter((c): c is ChildProcess => c !== null && c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
      stopAll(new ApiError(503, 'unavailable', 'the office worker is closed'));
      await Promise.all(exits);
    },
  };

  /** Every sheet is extracted at once (one load): the workbook answer and sheet-<i>.json beside it. */
  function workbookFile(sandboxPath: string): Promise<string> {
    return convert(sandboxPath, 'workbook.json', async (copy, dir) => {
      const reply = await run({ op: 'workbook', src: copy, dir, maxRows, maxCells });
      await fs.promises.writeFile(path.join(dir, 'workbook.json'), JSON.stringify({ sheets: reply.sheets }));
    });
  }

  return office;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

function pathToFileUrl(p: string): string {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/');
}

/**
 * Results by key, one folder each, least recently used evicted beyond `maxBytes` (the sandbox's /tmp
 * is memory). `once` makes concurrent requests for the same key share one conversion.
 */
class Cache {
  readonly root: string;
  readonly maxBytes: number;
  readonly inFlight = new Map<string, Promise<unknown>>();
  readonly entries = new Map<string, number>();

  constructor(root: string, maxBytes: number) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = make().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    // Touch: most recently used last.
    const size = this.entries.get(key);
    if (size !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, size);
    }
    return p;
  }

  async dir(key: string): Promise<string> {
    const d = path.join(this.root, key);
    await fs.promises.mkdir(d, { recursive: true });
    return d;
  }

  /** Records the folder's size and evicts the oldest others until the cache fits. */
  async done(key: string): Promise<void> {
    const d = path.join(this.root, key);
    let size = 0;
    for (const name of await fs.promises.readdir(d)) size += (await fs.promises.stat(path.join(d, name))).size;
    this.entries.delete(key);
    this.entries.set(key, size);
    let total = 0;
    for (const s of this.entries.values()) total += s;
    for (const [k, s] of this.entries) {
      if (total <= this.maxBytes || k === key) break;
      if (this.inFlight.has(k)) continue;
      this.entries.delete(k);
      total -= s;
      await fs.promises.rm(path.join(this.root, k), { recursive: true, force: true });
    }
  }
}
