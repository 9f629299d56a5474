// The File Explorer's server, inside the session sandbox (docs/file-explorer.md):
//   node /app/server/main.ts [--port 8123] [--root /files] [--ui /app/ui/dist] [--ready-file F]
// Listens on 127.0.0.1 only; prints "listening <port>" once it accepts connections, and writes
// the port to --ready-file (for run.sh, which has no HTTP client to poll with).
//
// The port opens before the explorer's modules load (≈ 250 ms of the ≈ 300 ms this takes):
// run.sh starts Chromium once the port is open, and Chromium's own start-up (its first request
// comes ≈ 0.5 s later) hides the loading; a request that comes sooner waits for it.
//
// What the session shares and what to show first come from the control channel's `init`, however
// long it takes: the server may start the explorer before its session exists (`warmStart` in the
// manifest) and bind it to one later. Until then every request waits, so Chromium shows a blank
// page, never an error. Only without a control channel at all (run outside Vitrine, as tests do)
// does the environment say (VITRINE_GRANTS, VITRINE_OPEN).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Office } from './office.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8123' },
    root: { type: 'string', default: '/files' },
    ui: { type: 'string' },
    'ready-file': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`explorer: bad --port ${values.port}\n`);
  process.exit(2);
}

const server = http.createServer();
const early: Array<[http.IncomingMessage, http.ServerResponse]> = [];
const hold = (req: http.IncomingMessage, res: http.ServerResponse) => early.push([req, res]);
server.on('request', hold);
// Said before the modules load (which would hold up the listening event).
await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
const actual = (server.address() as { port: number }).port;
if (values['ready-file']) fs.writeFileSync(values['ready-file'], `${actual}\n`);
process.stdout.write(`listening ${actual}\n`);

// The app SDK (sdk/), copied here by scripts/setup.sh: the sandbox has no workspace to import from.
const { createControlClient } = await import('./generated/app-sdk/index.ts');
const { createExplorerServer, grantsFromInit, parseGrants } = await import('./explorer.ts');
const { createOffice, setSharedOffice } = await import('./office.ts');
const { FileRoot, checkSandboxPath } = await import('./paths.ts');

/** What the person asked to see first, if it is a path under /files; anything else is ignored. */
function openFirst(value: string | undefined, from: string): string | null {
  if (!value) return null;
  try {
    return checkSandboxPath(value, from);
  } catch (err) {
    process.stderr.write(`explorer: ignoring ${from}: ${(err as Error).message}\n`);
    return null;
  }
}

const control = createControlClient({ log: (m) => process.stderr.write(`explorer control: ${m}\n`) });
// LibreOffice's profile, private copies and converted results: the sandbox's /tmp, never /files.
const officeDir = path.join(os.tmpdir(), `vitrine-office-${process.pid}`);
let office: Office | undefined;

// The session ends (`shutdown`, or SIGTERM): stop LibreOffice and drop its copies; the SDK then exits.
// Listened for before `init`: an explorer started ahead of its session may be ended without one.
const stop = async () => {
  server.close();
  server.closeAllConnections();
  await office?.close();
  fs.rmSync(officeDir, { recursive: true, force: true });
  control.close();
};
control.onShutdown(stop);
process.on('SIGINT', () => void stop().then(() => process.exit(0)));

// No timeout: a warm-started explorer waits for its session as long as the server keeps it.
const init = control.available ? await control.ready(Infinity) : null;
// Null with a channel: closed before any session came; there is nothing to serve.
if (init || !control.available) {
  const grants = init ? grantsFromInit(init.grants) : parseGrants(process.env.VITRINE_GRANTS);
  const open = init ? openFirst(init.open, 'init.open') : openFirst(process.env.VITRINE_OPEN, 'VITRINE_OPEN');
  // Made only now: before its session, the sandbox's /files may not hold the grants yet.
  const libreOffice = createOffice({ root: new FileRoot(values.root), workDir: officeDir });
  office = libreOffice;
  setSharedOffice(libreOffice);
  createExplorerServer({
    server,
    root: values.root,
    uiDir: values.ui ?? path.resolve(import.meta.dirname, '../ui/dist'),
    grants,
    control,
    openFirst: open,
    office: libreOffice,
    officePdf: (p) => libreOffice.pdf(p),
  });
  server.off('request', hold);
  // Those whose browser gave up waiting are not answered.
  for (const [req, res] of early.splice(0)) if (!req.socket.destroyed) server.emit('request', req, res);
}
