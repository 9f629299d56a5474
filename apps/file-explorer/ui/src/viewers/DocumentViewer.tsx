import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Action } from '../lib/keymap.ts';
import type { Entry } from '../lib/types.ts';
import { PdfViewer } from './PdfViewer.tsx';

/** The explorer server's PDF of an office document (LibreOffice inside the sandbox converts it). */
export const officePdfUrl = (path: string) => `/api/office/pdf?path=${encodeURIComponent(path)}`;

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
  initialPage?: number | undefined;
}

type State = { status: 'opening' } | { status: 'ready' } | { status: 'error'; code: string; message: string };

/** What the person reads when a document cannot be shown, by the server's error code. */
function explain(name: string, code: string, message: string): string {
  switch (code) {
    case 'too-large':
      return `${name} is too large to open here. ${message}`;
    case 'timeout':
      return `${name} took too long to open.`;
    case 'unavailable':
      return `Documents cannot be opened here right now.`;
    case 'unreadable':
      return `${name} cannot be opened: it is damaged or not a document this viewer reads.`;
    default:
      return `${name} cannot be opened. ${message}`;
  }
}

/**
 * Word-processing documents and presentations: converted to PDF inside the sandbox, then shown with
 * the PDF viewer (its paging, zoom, thumbnails and page-viewed reports). The first request waits for
 * the conversion (its body is dropped; the PDF viewer's own request then comes from the cache).
 */
export function DocumentViewer({ entry, header, registerKeys, initialPage }: Props) {
  const [state, setState] = useState<State>({ status: 'opening' });
  const root = useRef<HTMLDivElement | null>(null);
  const url = officePdfUrl(entry.path);

  useEffect(() => {
    // A new document is a new DocumentViewer (Preview keys it by path): it starts at 'opening'.
    const abort = new AbortController();
    (async () => {
      const res = await fetch(url, { signal: abort.signal });
      if (res.ok) {
        await res.body?.cancel();
        return setState({ status: 'ready' });
      }
      let code = `http-${res.status}`;
      let message = '';
      try {
        const body = (await res.json()) as { error?: unknown; message?: unknown };
        if (typeof body.error === 'string') code = body.error;
        if (typeof body.message === 'string') message = body.message;
      } catch {}
      setState({ status: 'error', code, message });
    })().catch((err: unknown) => {
      if (abort.signal.aborted) return;
      setState({ status: 'error', code: 'unreachable', message: err instanceof Error ? err.message : '' });
    });
    return () => abort.abort();
  }, [url]);

  // The PDF viewer's keys work at once: give its scroller the focus as soon as it exists.
  useLayoutEffect(() => {
    if (state.status === 'ready') root.current?.querySelector<HTMLElement>('.pdf-scroller')?.focus();
  }, [state.status]);

  // Until the PDF viewer takes over, only the preview's own keys (Esc, Back) apply.
  useLayoutEffect(() => {
    if (state.status !== 'ready') registerKeys(() => false);
  }, [state.status, registerKeys]);

  return (
    // data-keyctx: the PDF viewer's key map applies inside (display: contents keeps the layout).
    <div ref={root} className="document-viewer" data-keyctx="pdf" style={{ display: 'contents' }}>
      {state.status === 'ready' ? (
        <PdfViewer entry={entry} header={header} registerKeys={registerKeys} initialPage={initialPage} url={url} />
      ) : (
        <div className="viewer">
          <div className="preview-bar">{header}</div>
          <div className="meta-stage" tabIndex={0}>
            {state.status === 'opening' ? (
              <div className="viewer-message" data-testid="document-opening">
                Opening {entry.name}…
              </div>
            ) : (
              <div className="viewer-message" role="alert" data-testid="document-error" data-error={state.code}>
                {explain(entry.name, state.code, state.message)}
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
