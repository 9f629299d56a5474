import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '../server/generated/app-sdk/index.ts';
import { createExplorerServer, type GrantInfo } from '../server/explorer.ts';
import { createOffice, type Office } from '../server/office.ts';
import { FileRoot } from '../server/paths.ts';
import type { SearchResponse } from '../server/search-contract.ts';
import { Search } from '../server/search.ts';
import { makeDocx } from '../../../e2e/lib/office-files.ts';
import { writeTextPdfPages } from '../../../e2e/lib/sample-files.ts';

// GET /api/search on a temporary folder standing for /files, through the explorer server's real
// HTTP handler (in this process: the route, the index, pdftotext and LibreOffice are the real ones).
// Two grants are shared; a third folder beside them is not, and must never show up.

let tmp: string;
let files: string;
let office: Office | null = null;
const servers: http.Server[] = [];

/** The explorer server on `files` with these grants; its URL. */
async function start(grants: GrantInfo[], extra: { officePdf?: (p: string) => Promise<string> } = {}) {
  const server = createExplorerServer({
    root: files,
    uiDir: path.join(tmp, 'no-ui'),
    grants,
    control: createControlClient({ socketPath: undefined }),
    officePdf: extra.officePdf ?? (() => Promise.reject(new Error('no office worker in this test'))),
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function search(base: string, q: string, scope = 'names', extra = ''): Promise<SearchResponse> {
  const res = await fetch(`${base}/api/search?q=${encodeURIComponent(q)}&in=${scope}${extra}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as SearchResponse;
}

const put = (rel: string, data: string | Buffer = 'x') => {
  const file = path.join(files, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
};

const GRANTS: GrantInfo[] = [
  { path: '/files/Reports', access: 'read' },
  { path: '/files/Photos', access: 'read-write' },
];
let base: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-search-'));
  files = path.join(tmp, 'files');
  put('Reports/2024/Q1/Élan Résumé FINAL.txt', 'first line\nThe Café budget is approved.\nlast line\n');
  put('Reports/2024/Q2/notes.md', 'nothing here\n');
  put('Reports/Archive/old/older/oldest/resume-draft.txt', 'draft\n');
  put('Photos/résumé photo.png', Buffer.alloc(64, 1));
  put('Photos/Trip/IMG_0001.jpg', Buffer.alloc(64, 2));
  // Beside the grants, not shared: never searched.
  put('Private/resume-secret.txt', 'Café secret\n');
  // Links lead outside (to the private folder, and to a file there): never followed.
  fs.symlinkSync(path.join(files, 'Private'), path.join(files, 'Reports/linked-folder'));
  fs.symlinkSync(path.join(files, 'Private/resume-secret.txt'), path.join(files, 'Reports/resume-link.txt'));
  // A PDF deep in the tree with a word on page 7 only.
  fs.mkdirSync(path.join(files, 'Reports/2024/Q3/board'), { recursive: true });
  writeTextPdfPages(
    path.join(files, 'Reports/2024/Q3/board/minutes.pdf'),
    Array.from({ length: 9 }, (_, i) =>
      i === 6
        ? ['The board approved the Zanzibar expansion plan.', 'Votes were unanimous.']
        : [`Page ${i + 1} of the minutes.`, 'Routine business.'],
    ),
  );
  base = await start(GRANTS);
}, 30_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await office?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('names', () => {
  it('finds a name in any folder of any grant, ignoring case and accents, and says where it is', async () => {
    const r = await search(base, 'RESUME');
    const paths = r.results.map((x) => x.path).sort();
    expect(paths).toEqual([
      '/files/Photos/résumé photo.png',
      '/files/Reports/2024/Q1/Élan Résumé FINAL.txt',
      '/files/Reports/Archive/old/older/oldest/resume-draft.txt',
    ]);
    const elan = r.results.find((x) => x.name.startsWith('Élan'))!;
    expect(elan).toMatchObject({
      folder: '/files/Reports/2024/Q1',
      kind: 'file',
      type: 'text',
      size: fs.statSync(path.join(files, 'Reports/2024/Q1/Élan Résumé FINAL.txt')).size,
      page: null,
      snippet: null,
    });
    // The match is marked on the name as written.
    expect(elan.name.slice(elan.nameMatch!.start, elan.nameMatch!.end)).toBe('Résumé');
    expect(r).toMatchObject({ more: false, walk: 'complete', in: 'names', query: 'RESUME' });
    expect((await search(base, 'élan')).results.map((x) => x.name)).toEqual(['Élan Résumé FINAL.txt']);
    // Folders are found too.
    expect((await search(base, 'trip')).results).toMatchObject([{ path: '/files/Photos/Trip', kind: 'folder' }]);
  });

  it('never follows a link and never looks outside the grants', async () => {
    const r = await search(base, 'secret');
    expect(r.results).toEqual([]);
    expect((await search(base, 'link')).results.map((x) => x.name)).toEqual([]);
    expect((await search(base, 'Café', 'contents')).results.map((x) => x.path)).toEqual([
      '/files/Reports/2024/Q1/Élan Résumé FINAL.txt',
    ]);
  });

  it('follows the tree as it changes: new, renamed and removed entries', async () => {
    expect((await search(base, 'budget-2025')).results).toEqual([]);
    put('Reports/2024/Q2/budget-2025.txt', 'b');
    expect((await search(base, 'budget-2025')).results.map((x) => x.path)).toEqual([
      '/files/Reports/2024/Q2/budget-2025.txt',
    ]);
    fs.renameSync(path.join(files, 'Reports/2024/Q2'), path.join(files, 'Reports/2024/Q2-final'));
    expect((await search(base, 'budget-2025')).results.map((x) => x.path)).toEqual([
      '/files/Reports/2024/Q2-final/budget-2025.txt',
    ]);
    // A folder turned into a link: its entries are gone from the results.
    fs.renameSync(path.join(files, 'Reports/2024/Q2-final'), path.join(tmp, 'moved-out'));
    fs.symlinkSync(path.join(tmp, 'moved-out'), path.join(files, 'Reports/2024/Q2-final'));
    expect((await search(base, 'budget-2025')).results).toEqual([]);
  });

  it('is bounded: at most `limit` results, with "more"', async () => {
    for (let i = 0; i < 130; i++) put(`Photos/Many/item-${String(i).padStart(3, '0')}.txt`);
    const r = await search(base, 'item-');
    expect(r.results).toHaveLength(100);
    expect(r.more).toBe(true);
    const few = await search(base, 'item-', 'names', '&limit=5');
    expect(few.results.map((x) => x.name)).toEqual([
      'item-000.txt',
      'item-001.txt',
      'item-002.txt',
      'item-003.txt',
      'item-004.txt',
    ]);
    expect(few.more).toBe(true);
    expect((await search(base, 'item-12', 'names', '&limit=500')).results).toHaveLength(10);
  });

  it('stops at the depth bound and says so', async () => {
    put(`Photos/${Array.from({ length: 35 }, (_, i) => `d${i}`).join('/')}/deepest-file.txt`);
    const r = await search(base, 'deepest-file');
    expect(r.results).toEqual([]);
    expect(r.walk).toBe('depth');
    fs.rmSync(path.join(files, 'Photos/d0'), { recursive: true });
    expect((await search(base, 'deepest-file')).walk).toBe('complete');
  });

  it('refuses bad requests with a clear error', async () => {
    const bad = async (query: string) => {
      const res = await fetch(`${base}/api/search?${query}`);
      return { status: res.status, body: (await res.json()) as { error: string; message: string } };
    };
    expect(await bad('')).toMatchObject({
      status: 400,
      body: { error: 'invalid', message: expect.stringMatching(/missing/) },
    });
    expect(await bad('q=%20%20')).toMatchObject({ status: 400 });
    expect(await bad(`q=${'a'.repeat(201)}`)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/longer/) },
    });
    expect(await bad('q=a%00b')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/control/) } });
    expect(await bad('q=a&in=everything')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/names/) },
    });
    expect(await bad('q=a&limit=0')).toMatchObject({ status: 400 });
    expect(await bad('q=a&limit=501')).toMatchObject({ status: 400 });
    expect(await bad('q=a&limit=2.5')).toMatchObject({ status: 400 });
    expect((await fetch(`${base}/api/search?q=a`, { method: 'POST' })).status).toBe(415);
  });
});

describe('inside files', () => {
  it('finds a word on page 7 of a PDF deep in a folder: page 7, with a snippet marking it', async () => {
    const r = await search(base, 'zanzibar', 'contents');
    expect(r.results).toHaveLength(1);
    const hit = r.results[0]!;
    expect(hit).toMatchObject({ path: '/files/Reports/2024/Q3/board/minutes.pdf', type: 'pdf', page: 7, line: null });
    expect(hit.snippet!.text).toContain('board approved the Zanzibar expansion');
    expect(hit.snippet!.text.slice(hit.snippet!.start, hit.snippet!.end)).toBe('Zanzibar');
    // "minutes" is on every page: one result per page, at most five for the file.
    const pages = (await search(base, 'of the minutes', 'contents')).results.map((x) => x.page);
    expect(pages).toEqual([1, 2, 3, 4, 5]);
  });

  it('finds a word in a text file, with its line, ignoring accents', async () => {
    const r = await search(base, 'cafe budget', 'contents');
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ name: 'Élan Résumé FINAL.txt', line: 2, page: null });
    const s = r.results[0]!.snippet!;
    expect(s.text.slice(s.start, s.end)).toBe('Café budget');
  });

  it('says what it did not search: too large, damaged, only partly', async () => {
    put(
      'Reports/big/huge.log',
      Buffer.concat([Buffer.alloc(2 * 1024 * 1024 + 10, 'a'), Buffer.from(' needle-after-2mb\n')]),
    );
    put('Reports/big/broken.pdf', '%PDF-1.4\nthis is not a PDF at all, needle-after-2mb\n');
    const r = await search(base, 'needle-after-2mb', 'contents');
    expect(r.results).toEqual([]);
    expect(r.skipped.partly).toBe(1);
    expect(r.skipped.unreadable).toBe(1);
    expect(r.skippedFiles).toEqual(
      expect.arrayContaining([
        { path: '/files/Reports/big/huge.log', reason: 'partly' },
        { path: '/files/Reports/big/broken.pdf', reason: 'unreadable' },
      ]),
    );
    fs.rmSync(path.join(files, 'Reports/big'), { recursive: true });
  });

  it('stops at its time budget and names what was not reached', async () => {
    // The budget is an option of the search itself (the route uses the default): none at all here.
    const s = new Search({ root: new FileRoot(files), grants: GRANTS.map((g) => g.path), contentsBudgetMs: 0 });
    const r = await s.run({ query: 'zanzibar', scope: 'contents', limit: 10 }, new AbortController().signal);
    expect(r.results).toEqual([]);
    expect(r.skipped.time).toBeGreaterThan(3);
    expect(r.skippedFiles.every((f) => f.reason === 'time')).toBe(true);
  });

  it('finds a word in a Word document on the page LibreOffice lays it out on', async () => {
    const docs = path.join(files, 'Reports/2024/docs');
    fs.mkdirSync(docs, { recursive: true });
    await makeDocx(path.join(docs, 'quarterly.docx'), 4);
    await makeDocx(path.join(docs, 'other.docx'), 2);
    office = createOffice({ root: new FileRoot(files), workDir: path.join(tmp, 'office') });
    const converted: string[] = [];
    const withOffice = await start(GRANTS, {
      officePdf: (p) => {
        converted.push(p);
        return office!.pdf(p);
      },
    });
    const r = await search(withOffice, 'chapter 3 quarterly', 'contents');
    expect(r.results.map((x) => [x.path, x.page])).toEqual([['/files/Reports/2024/docs/quarterly.docx', 3]]);
    expect(r.results[0]!.snippet!.text).toMatch(/Chapter 3 Quarterly Report/);
    // Only the document whose words match was laid out (the other one has no chapter 3).
    expect(converted).toEqual(['/files/Reports/2024/docs/quarterly.docx']);
    // Without LibreOffice: the hit is still found, without a page, and said to be so.
    const r2 = await search(base, 'chapter 3 quarterly', 'contents');
    expect(r2.results.map((x) => [x.path, x.page])).toEqual([['/files/Reports/2024/docs/quarterly.docx', null]]);
    expect(r2.skipped['not-converted']).toBe(1);
  }, 120_000);
});
