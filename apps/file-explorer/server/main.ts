// The File Explorer's server, inside the session sandbox (docs/file-explorer.md):
//   node /app/server/main.ts [--port 8123] [--root /files] [--ui /app/ui/dist] [--ready-file F]
// Listens on 127.0.0.1 only; prints "listening <port>" once it accepts connections, and writes
// the port to --ready-file (for run.sh, which has no HTTP client to poll with).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createControlClient } from './control.ts';
import { createExplorerServer, parseGrants } from './explorer.ts';
import { createOffice, setSharedOffice } from './office.ts';
import { FileRoot, checkSandboxPath } from './paths.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8123' },
    root: { type: 'string', default: '/files' },
    ui: { type: 'string', default: path.resolve(import.meta.dirname, '../ui/dist') },
    'ready-file': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`explorer: bad --port ${values.port}\n`);
  process.exit(2);
}

/** VITRINE_OPEN: what the person asked to see first (a path under /files); anything else is ignored. */
function openFirst(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return checkSandboxPath(value, 'VITRINE_OPEN');
  } catch (err) {
    process.stderr.write(`explorer: ignoring VITRINE_OPEN: ${(err as Error).message}\n`);
    return null;
  }
}

const control = createControlClient(process.env.VITRINE_CONTROL_SOCKET);
// LibreOffice's profile, private copies and converted results: the sandbox's /tmp, never /files.
const officeDir = path.join(os.tmpdir(), `vitrine-office-${process.pid}`);
const office = createOffice({ root: new FileRoot(values.root), workDir: officeDir });
setSharedOffice(office);
const server = createExplorerServer({
  root: values.root,
  uiDir: values.ui,
  grants: parseGrants(process.env.VITRINE_GRANTS),
  control,
  openFirst: openFirst(process.env.VITRINE_OPEN),
  office,
  officePdf: (p) => office.pdf(p),
});

server.listen(port, '127.0.0.1', () => {
  const actual = (server.address() as { port: number }).port;
  if (values['ready-file']) fs.writeFileSync(values['ready-file'], `${actual}\n`);
  process.stdout.write(`listening ${actual}\n`);
});

const stop = () => {
  control.close();
  void office.close().then(() => fs.rmSync(officeDir, { recursive: true, force: true }));
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
