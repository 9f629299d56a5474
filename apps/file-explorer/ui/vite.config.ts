import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The explorer UI is served by the explorer server inside the sandbox (http://127.0.0.1:8123/),
// which has no network: everything, pdf.js's worker and data files included, comes from dist/.
const API_TARGET = process.env.EXPLORER_API ?? 'http://127.0.0.1:8123';

const PDFJS_DIR = join(import.meta.dirname, '..', '..', '..', 'node_modules', 'pdfjs-dist');
// CMaps (CJK text), the standard 14 fonts, the JPEG 2000/JBIG2/colour-management decoders (wasm).
const PDFJS_DATA = ['cmaps', 'standard_fonts', 'wasm', 'iccs'];

/** Copies pdf.js's data files to dist/pdfjs/ (and serves them there in dev). */
function pdfjsData(): Plugin {
  let outDir = 'dist';
  return {
    name: 'pdfjs-data',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use('/pdfjs', (req, res, next) => {
        const rel = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
        const file = join(PDFJS_DIR, rel);
        if (!file.startsWith(PDFJS_DIR) || !existsSync(file) || !statSync(file).isFile()) return next();
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      for (const dir of PDFJS_DATA) {
        cpSync(join(PDFJS_DIR, dir), join(outDir, 'pdfjs', dir), { recursive: true });
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), pdfjsData()],
  server: {
    proxy: { '/api': { target: API_TARGET } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2024',
    sourcemap: false,
    // The worker is large and loaded by URL; nothing gets inlined as data: URLs.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
});
