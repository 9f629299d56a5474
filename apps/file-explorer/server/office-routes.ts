// The explorer server's /api/office/* routes (docs/file-explorer.md): documents and presentations as
// PDF, spreadsheets as sheets of cells as LibreOffice shows them. Errors are ApiErrors like every
// other route's: 413 `too-large`, 422 `unreadable`, 504 `timeout`, 503 `unavailable`.
import fs from 'node:fs';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Office } from './office.ts';
import { ApiError, checkSandboxPath } from './paths.ts';

export const OFFICE_ROUTES = ['/api/office/pdf', '/api/office/workbook', '/api/office/sheet'];

export async function handleOffice(
  office: Office | undefined,
  method: string,
  url: URL,
  res: http.ServerResponse,
): Promise<void> {
  if (!OFFICE_ROUTES.includes(url.pathname)) throw new ApiError(404, 'not-found', 'no such route');
  if (method !== 'GET') throw new ApiError(405, 'method-not-allowed', `${method} not allowed here`);
  const p = checkSandboxPath(url.searchParams.get('path'));
  if (!office) throw new ApiError(503, 'unavailable', 'documents cannot be opened here');
  switch (url.pathname) {
    case '/api/office/pdf':
      return sendFile(res, await office.pdf(p), 'application/pdf');
    case '/api/office/workbook': {
      const data = Buffer.from(JSON.stringify(await office.workbook(p)));
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length });
      return void res.end(data);
    }
    case '/api/office/sheet': {
      const raw = url.searchParams.get('index') ?? '';
      if (!/^\d{1,6}$/.test(raw)) throw new ApiError(400, 'invalid', 'index must be a sheet number from 0');
      return sendFile(res, await office.sheet(p, Number(raw)), 'application/json; charset=utf-8');
    }
  }
}

/** A converted file from the cache; the whole of it (pdf.js reads a URL without ranges here). */
async function sendFile(res: http.ServerResponse, file: string, type: string): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const { size } = await fh.stat();
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': String(size),
      'Content-Security-Policy': "sandbox; default-src 'none'",
    });
    await pipeline(fh.createReadStream({ autoClose: false }), res);
  } finally {
    await fh.close();
  }
}
