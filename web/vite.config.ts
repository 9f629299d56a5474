import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API server (server/) listens on 8080; the dev server proxies /api, websockets included.
// The Host header is kept (changeOrigin: false) so the server's same-origin checks on the
// signaling socket see Origin and Host agree.
const API_TARGET = process.env.VITRINE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  html: {
    // Placeholder the server may replace per response with a random nonce (see src/main.tsx).
    cspNonce: '__VITRINE_CSP_NONCE__',
  },
  server: {
    proxy: {
      '/api': { target: API_TARGET, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_TARGET, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Long-lived vendor chunks: app updates do not invalidate the browser's cache of these.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
            { name: 'zod', test: /node_modules[\\/]zod[\\/]/, priority: 2 },
            { name: 'mui', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
