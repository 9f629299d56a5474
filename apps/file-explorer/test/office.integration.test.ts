import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, makeHostileOdt, makeOdt, makePptx, makeXlsx, makeZipBomb } from '../../../e2e/lib/office-files.ts';
import { createExplorerServer } from '../server/explorer.ts';
import { createOffice, type Office } from '../server/office.ts';
import { FileRoot } from '../server/paths.ts';
import { createControlClient } from '../server/generated/app-sdk/index.ts';

// The office worker (real LibreOffice, real worker.py) outside any sandbox: conversions, the
// spreadsheet contract, limits, timeouts, crashes, zip bombs, and the hostile document's macro
// really running when (and only when) macros are deliberately allowed.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'office-files-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'office-work-'));
const marker = path.join(root, 'macro-ran.txt');
const offices: Office[] = [];
let office: Office;
let server: http.Server;
let base: string;
/** Connections to the loopback listener the hostile document's linked image points at. */
let linkHits = 0;
let linkServer: http.Server;
let imageUrl: string;

function open(opts: Partial<Parameters<typeof createOffice>[0]> = {}): Office {
  const o = createOffice({ root: new FileRoot(root), workDir: fs.mkdtempSync(path.join(work, 'o-')), ...opts });
  offices.push(o);
  return o;
}

beforeAll(async () => {
  linkServer = http.createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  linkServer.on('connection', () => linkHits++);
  await new Promise<void>((r) => linkServer.listen(0, '127.0.0.1', r));
  imageUrl = `http://127.0.0.1:${(linkServer.address() as AddressInfo).port}/image.png`;
  await makeDocx(path.join(root, 'Report.docx'), 30);
  await makePptx(path.join(root, 'Deck.pptx'));
  makeOdt(path.join(root, 'Note.odt'), 'Plain ODT heading', 'A paragraph of an ODF text document.');
  await makeXlsx(path.join(root, 'Book.xlsx'), 3, 10);
  await makeXlsx(path.join(root, 'Long.xlsx'), 1, 50_000);
  makeZipBomb(path.join(root, 'Bomb.docx'), 2);
  makeZipBomb(path.join(root, 'Liar.docx'), 1, true);
  makeHostileOdt(path.join(root, 'Hostile.odt'), marker, imageUrl);
  fs.writeFileSync(path.join(root, 'Broken.docx'), 'PK\u0003\u0004 this is not really a zip');
  office = open();
  office.warm();
  server = createExplorerServer({
    root,
    uiDir: path.join(root, 'no-ui'),
    grants: [{ path: '/files', access: 'read' }],
    control: createControlClient({ socketPath: undefined }),
    office,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await Promise.all(offices.map((o) => o.close()));
  server?.close();
  linkServer?.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pdfText = (file: string, page: number) =>
  execFileSync('pdftotext', ['-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' });
const pdfPages = (file: string) =>
  Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);

describe('documents as PDF', () => {
  it('converts a 30-page .docx, a .pptx and an .odt, page by page', async () => {
    const docx = await office.pdf('/files/Report.docx');
    expect(docx.startsWith(work)).toBe(true);
    expect(pdfPages(docx)).toBe(30);
    expect(pdfText(docx, 1)).toContain('Chapter 1 Quarterly Report');
    expect(pdfText(docx, 1)).toContain('Revenue');
    expect(pdfText(docx, 17)).toContain('Chapter 17 Quarterly Report');
    const pptx = await office.pdf('/files/Deck.pptx');
    expect(pdfPages(pptx)).toBe(3);
    expect(pdfText(pptx, 2)).toContain('Slide 2 Roadmap');
    expect(pdfText(await office.pdf('/files/Note.odt'), 1)).toContain('Plain ODT heading');
    // Nothing was written next to the person's files (no lock file, no copy).
    expect(fs.readdirSync(root).sort()).toEqual(
      [
        'Bomb.docx',
        'Book.xlsx',
        'Broken.docx',
        'Deck.pptx',
        'Hostile.odt',
        'Liar.docx',
        'Long.xlsx',
        'Note.odt',
        'Report.docx',
      ].sort(),
    );
  }, 120_000);

  it('serves the PDF at /api/office/pdf, again from the cache', async () => {
    const res = await fetch(`${base}/api/office/pdf?path=${encodeURIComponent('/files/Report.docx')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const t = Date.now();
    expect((await fetch(`${base}/api/office/pdf?path=${encodeURIComponent('/files/Report.docx')}`)).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(200);
  }, 60_000);

  it('refuses zip bombs before LibreOffice sees them (413), and says what is unreadable (422)', async () => {
    for (const name of ['Bomb.docx', 'Liar.docx']) {
      const res = await fetch(`${base}/api/office/pdf?path=${encodeURIComponent(`/files/${name}`)}`);
      expect(res.status, name).toBe(413);
      expect(((await res.json()) as { error: string }).error).toBe('too-large');
    }
    const res = await fetch(`${base}/api/office/pdf?path=/files/Broken.docx`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toBe('unreadable');
    expect((await fetch(`${base}/api/office/pdf?path=/files/nope.docx`)).status).toBe(404);
    expect((await fetch(`${base}/api/office/pdf?path=/etc/passwd`)).status).toBe(400);
  }, 60_000);
});

describe('spreadsheets', () => {
  it('gives the workbook and each sheet as LibreOffice shows it', async () => {
    const res = await fetch(`${base}/api/office/workbook?path=/files/Book.xlsx`);
    expect(res.status).toBe(200);
    const wb = (await res.json()) as { sheets: Record<string, unknown>[] };
    expect(wb.sheets.map((s) => s.name)).toEqual(['Sheet 1', 'Sheet 2', 'Sheet 3']);
    expect(wb.sheets[0]).toMatchObject({ rows: 11, columns: 3, frozenRows: 1, frozenColumns: 0, truncated: false });
    const widths = wb.sheets[0]!.columnWidths as number[];
    expect(widths).toHaveLength(3);
    // exceljs widths 20 / 14 / 12 characters: the first column is the widest.
    expect(widths[0]!).toBeGreaterThan(widths[1]!);
    const sheet = await fetch(`${base}/api/office/sheet?path=/files/Book.xlsx&index=1`);
    expect(sheet.status).toBe(200);
    const { cells } = (await sheet.json()) as { cells: string[][] };
    expect(cells).toHaveLength(11);
    expect(cells[0]).toEqual(['Name', 'Amount', 'Date']);
    expect(cells[1]).toEqual(['Item 2-1', '1,234.50 €', '2024-01-01']);
    expect((await fetch(`${base}/api/office/sheet?path=/files/Book.xlsx&index=3`)).status).toBe(404);
    expect((await fetch(`${base}/api/office/sheet?path=/files/Book.xlsx&index=x`)).status).toBe(400);
    expect((await fetch(`${base}/api/office/workbook?path=/files/Report.docx`)).status).toBe(400);
  }, 60_000);

  it('reads a 50,000-row sheet whole, and truncates beyond the limits', async () => {
    const wb = await office.workbook('/files/Long.xlsx');
    expect(wb.sheets[0]).toMatchObject({ rows: 50_001, columns: 3, truncated: false });
    const cells = (
      JSON.parse(fs.readFileSync(await office.sheet('/files/Long.xlsx', 0), 'utf8')) as { cells: string[][] }
    ).cells;
    expect(cells).toHaveLength(50_001);
    expect(cells[50_000]![0]).toBe('Item 1-50000');
    const small = open({ maxRows: 1000, maxCells: 2400 });
    const cut = await small.workbook('/files/Long.xlsx');
    // 2,400 cells / 3 columns = 800 rows.
    expect(cut.sheets[0]).toMatchObject({ rows: 800, columns: 3, truncated: true });
    const cutCells = (
      JSON.parse(fs.readFileSync(await small.sheet('/files/Long.xlsx', 0), 'utf8')) as { cells: string[][] }
    ).cells;
    expect(cutCells).toHaveLength(800);
  }, 120_000);
});

describe('failures cost the document, not the worker', () => {
  it('times a conversion out (504), then converts the next document with a fresh LibreOffice', async () => {
    const slow = open({ timeoutMs: 100 });
    slow.warm();
    await expect.poll(() => slow.ready, { timeout: 60_000 }).toBe(true);
    const hung = slow.pids().soffice!;
    // The clock starts once LibreOffice runs; 30 pages take longer than 100 ms.
    await expect(slow.pdf('/files/Report.docx')).rejects.toMatchObject({ status: 504, code: 'timeout' });
    // The LibreOffice that hung is gone (killed, then reaped: on a loaded machine that is not
    // always done by the time the 504 is out), and a fresh one comes up.
    await expect.poll(() => alive(hung), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => slow.ready, { timeout: 60_000 }).toBe(true);
    expect(slow.pids().soffice).not.toBe(hung);
  }, 60_000);

  it('restarts after LibreOffice is killed', async () => {
    const o = open();
    await o.pdf('/files/Note.odt');
    const { soffice } = o.pids();
    expect(soffice).toBeGreaterThan(0);
    process.kill(soffice!, 'SIGKILL');
    await expect.poll(() => o.pids().soffice !== soffice, { timeout: 10_000 }).toBe(true);
    expect(pdfPages(await o.pdf('/files/Deck.pptx'))).toBe(3);
  }, 120_000);
});

describe('the hostile document', () => {
  it("its macro really runs when macros are deliberately allowed (so the next test's silence means something)", async () => {
    fs.rmSync(marker, { force: true });
    const unsafe = open({ allowMacrosForTest: true });
    await unsafe.pdf('/files/Hostile.odt');
    await expect.poll(() => fs.existsSync(marker), { timeout: 10_000 }).toBe(true);
    expect(fs.readFileSync(marker, 'utf8')).toContain('macro ran');
    await unsafe.close();
    fs.rmSync(marker, { force: true });
  }, 120_000);

  it('with the explorer’s settings: no macro runs and the linked image is never fetched', async () => {
    linkHits = 0;
    const pdf = await office.pdf('/files/Hostile.odt');
    expect(pdfText(pdf, 1)).toContain('Hostile document');
    // Give an asynchronous macro or fetch every chance to happen.
    await new Promise((r) => setTimeout(r, 2000));
    expect(fs.existsSync(marker)).toBe(false);
    expect(linkHits).toBe(0);
  }, 60_000);
});
