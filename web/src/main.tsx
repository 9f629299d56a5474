// First: configures zod before @vitrine/protocol builds its schemas (see the module).
import './zodSetup.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import { App } from './App.tsx';
import { installDebugHandles } from './viewer/debugHandles.ts';

installDebugHandles();

// CSP: the build puts `<meta property="csp-nonce" nonce="__VITRINE_CSP_NONCE__">` in index.html
// (vite `html.cspNonce`). A server that replaces the placeholder per response with a fresh nonce
// can use `style-src 'self' 'nonce-…'`: emotion (MUI's styling) tags its <style> elements with it.
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce || undefined;
const emotionCache = createCache({ key: 'css', ...(nonce ? { nonce } : {}), prepend: true });

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');
createRoot(root).render(
  <StrictMode>
    <CacheProvider value={emotionCache}>
      <App />
    </CacheProvider>
  </StrictMode>,
);
