import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createControlClient } from '../server/generated/app-sdk/index.ts';
import { createExplorerServer } from '../server/explorer.ts';
import type { Office } from '../server/office.ts';

// LibreOffice costs a session ≈ 4.5 s of CPU and ≈ 150 MiB to start: the explorer starts it warm
// only once the person has been shown an office file (a listing or a root holding one), never for
// a share of PDFs, pictures or CSV files. The Office here only counts `warm()` calls: what is
// tested is when the explorer asks, not LibreOffice (office.integration.test.ts does that).

let tmp: string;
let server: http.Server;
let base: string;
let warmed = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-office-warm-'));
  const files = path.join(tmp, 'files');
  fs.mkdirSync(path.join(files, 'Plain'), { recursive: true });
  fs.mkdirSync(path.join(files, 'Deal'), { recursive: true });
  for (const name of ['a.pdf', 'b.png', 'c.csv', 'd.tsv', 'e.txt'])
    fs.writeFileSync(path.join(files, 'Plain', name), 'x');
  fs.writeFileSync(path.join(files, 'Deal', 'Contract.docx'), 'x');
  const office = { warm: () => void warmed++ } as unknown as Office;
  server = createExplorerServer({
    root: files,
    uiDir: path.join(tmp, 'no-ui'),
    grants: [
      { path: '/files/Plain', access: 'read' },
      { path: '/files/Deal', access: 'read' },
    ],
    control: createControlClient({ socketPath: undefined }),
    office,
    officeWarmDelayMs: 0,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const get = async (url: string) => expect((await fetch(base + url)).status).toBe(200);
const settle = () => new Promise((r) => setTimeout(r, 50)); // the (zero) warm-up delay is a timer

it('starts LibreOffice only once a listing shows an office file, and only once', async () => {
  await get('/api/roots');
  await get('/api/list?path=%2Ffiles%2FPlain');
  await settle();
  expect(warmed).toBe(0);
  await get('/api/list?path=%2Ffiles%2FDeal');
  await settle();
  expect(warmed).toBe(1);
  await get('/api/list?path=%2Ffiles%2FDeal');
  await settle();
  expect(warmed).toBe(1);
});
