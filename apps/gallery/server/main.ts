// The gallery's server, inside the session sandbox (apps/gallery/README.md):
//   node /app/server/main.ts [--port 8124] [--root /files] [--ready-file F]
// Listens on 127.0.0.1 only and writes the port to --ready-file once it accepts connections (run.sh
// has no HTTP client to poll with); requests wait for the server's `init` (grants, locale).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
// The app SDK (sdk/), copied here by scripts/setup.sh: the sandbox has no workspace to import from.
import { createControlClient } from '../generated/app-sdk/index.ts';
import { contextOf } from './context.ts';
import { galleryHandler, type GalleryContext } from './gallery-server.ts';
import { FILES, FileRoot } from './paths.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8124' },
    root: { type: 'string', default: FILES },
    'ready-file': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`gallery: bad --port ${values.port}\n`);
  process.exit(2);
}

const control = createControlClient({ log: (m) => process.stderr.write(`gallery control: ${m}\n`) });
const context: Promise<GalleryContext> = control.ready(10_000).then(contextOf);

const server = http.createServer(
  galleryHandler({
    root: new FileRoot(values.root),
    uiDir: path.resolve(import.meta.dirname, '../ui'),
    context,
    report: (event) => control.event(event),
  }),
);
await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
const actual = (server.address() as { port: number }).port;
if (values['ready-file']) fs.writeFileSync(values['ready-file'], `${actual}\n`);
process.stdout.write(`listening ${actual}\n`);

// The session ends (`shutdown`, or SIGTERM): stop serving; the SDK then exits the process, and
// Chromium, whose page is gone, goes with the sandbox.
control.onShutdown(() => {
  server.close();
  server.closeAllConnections();
});
