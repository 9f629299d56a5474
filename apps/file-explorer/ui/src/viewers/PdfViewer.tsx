import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { fileUrl, reportEvent } from '../api.ts';
import type { Action } from '../lib/keymap.ts';
import {
  anchorAt,
  computeLayout,
  currentPage,
  pageScales,
  pageLeft,
  scrollTopForAnchor,
  scrollTopForPage,
  visiblePages,
  zoomIn,
  zoomOut,
  type Anchor,
  type Layout,
  type Size,
  type ZoomMode,
} from '../lib/pdfLayout.ts';
import { RenderQueue } from '../lib/renderQueue.ts';
import type { Entry } from '../lib/types.ts';
import { visibleRange } from '../lib/windowing.ts';
import { useRevealingScroller } from '../components/useRevealingScroller.ts';
import { loadPdfJs, PDFJS_ASSETS } from './pdfjs.ts';

/**
 * Largest canvas (pixels) a page is rendered into (16 MB); beyond it (above ~300% for a letter page)
 * the page is rendered smaller and stretched. The screen shows under 1 M pixels anyway.
 */
const MAX_CANVAS_PIXELS = 4_000_000;
/** Pages bigger than this (pixels) are rendered only when visible, without a neighbour in advance. */
const OVERSCAN_MAX_PIXELS = 2_500_000;
const THUMB_WIDTH = 120;
const THUMB_LABEL = 24;
const THUMB_GAP = 12;
const SCROLL_STEP = 60;
const PAGE_VIEWED_DEBOUNCE_MS = 600;

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
  /** The page to open at (1-based; a search hit's page); the first page if absent or out of range. */
  initialPage?: number | undefined;
  /** Where the PDF's bytes come from: the file itself unless given (a converted office document). */
  url?: string | undefined;
}

export function PdfViewer({ entry, header, registerKeys, initialPage, url }: Props) {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sizes, setSizes] = useState<Size[]>([]);
  const [mode, setMode] = useState<ZoomMode>('fit-width');
  const [customScale, setCustomScale] = useState(1);
  const [viewport, setViewport] = useState<Size>({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const [thumbs, setThumbs] = useState(true);
  const [pageField, setPageField] = useState('1');
  const [editingPage, setEditingPage] = useState(false);
  const scroller = useRef<HTMLDivElement | null>(null);
  const pageInput = useRef<HTMLInputElement | null>(null);
  const pendingAnchor = useRef<{ anchor: Anchor; layout: Layout } | null>(null);
  const keepPlaceRef = useRef<() => void>(() => {});
  const wheelZoom = useRef<(action: Action) => boolean>(() => false);
  const queue = useMemo(() => new RenderQueue(1), []);

  // Open the document: only page 1's size is known at first; the others are assumed alike and
  // corrected as they are rendered (fetching every page up front would read the whole file).
  useEffect(() => {
    let cancelled = false;
    let task: { destroy(): Promise<void> } | null = null;
    (async () => {
      const pdfjs = await loadPdfJs();
      const loadingTask = pdfjs.getDocument({
        url: url ?? fileUrl(entry.path),
        cMapUrl: `${PDFJS_ASSETS}cmaps/`,
        cMapPacked: true,
        standardFontDataUrl: `${PDFJS_ASSETS}standard_fonts/`,
        wasmUrl: `${PDFJS_ASSETS}wasm/`,
        iccUrl: `${PDFJS_ASSETS}iccs/`,
        disableAutoFetch: true,
        disableStream: true,
        rangeChunkSize: 256 * 1024,
        enableXfa: false,
      });
      task = loadingTask;
      if (cancelled) {
        void loadingTask.destroy();
        return;
      }
      const pdf = await loadingTask.promise;
      if (cancelled) return;
      const first = await pdf.getPage(1);
      const vp = first.getViewport({ scale: 1 });
      if (cancelled) return;
      setSizes(new Array(pdf.numPages).fill({ width: vp.width, height: vp.height }));
      setDoc(pdf);
    })().catch((err: unknown) => {
      if (cancelled) return;
      const name = err instanceof Error ? err.name : '';
      setError(
        name === 'PasswordException'
          ? 'This PDF is protected by a password.'
          : name === 'InvalidPDFException'
            ? 'This file is not a valid PDF.'
            : `This PDF cannot be shown${err instanceof Error && err.message ? `: ${err.message}` : '.'}`,
      );
    });
    return () => {
      cancelled = true;
      // Ends the worker's work on this document and frees its memory.
      if (task) void task.destroy();
    };
  }, [entry.path, url]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const s = scroller.current;
      if (!s) return;
      keepPlaceRef.current();
      setViewport({ width: s.clientWidth, height: s.clientHeight });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const numPages = sizes.length;
  const scales = useMemo(() => pageScales(sizes, mode, customScale, viewport), [sizes, mode, customScale, viewport]);
  const layout = useMemo(() => computeLayout(sizes, scales, mode, viewport), [sizes, scales, mode, viewport]);
  const current = Math.max(0, currentPage(layout, scrollTop, viewport.height));
  /** The zoom shown and stepped from: the current page's. */
  const scale = scales[current] ?? customScale;
  const pixels = (layout.widths[current] ?? 0) * (layout.heights[current] ?? 0);
  const { start, end } = visiblePages(layout, scrollTop, viewport.height, pixels > OVERSCAN_MAX_PIXELS ? 0 : 1);
  const inView = visiblePages(layout, scrollTop, viewport.height, 0);

  // After a zoom or a page-size correction, put the reader back on the same spot. The anchor is
  // taken against the layout on screen; one taken against an older layout is stale.
  const layoutRef = useRef(layout);
  const sizesRef = useRef(sizes);
  useLayoutEffect(() => {
    sizesRef.current = sizes;
  });
  useLayoutEffect(() => {
    layoutRef.current = layout;
    const el = scroller.current;
    const pending = pendingAnchor.current;
    pendingAnchor.current = null;
    if (!el || !pending) return;
    // In "fit page" the page stays centred; otherwise the same spot stays in the middle.
    el.scrollTop =
      mode === 'fit-page'
        ? scrollTopForPage(layout, pending.anchor.page, el.clientHeight)
        : scrollTopForAnchor(layout, pending.anchor, el.clientHeight);
    setScrollTop(el.scrollTop);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- mode changes come with a new layout
  }, [layout]);

  const keepPlace = useCallback(() => {
    const el = scroller.current;
    const shown = layoutRef.current;
    if (!el || pendingAnchor.current?.layout === shown) return;
    pendingAnchor.current = { anchor: anchorAt(shown, el.scrollTop, el.clientHeight), layout: shown };
  }, []);
  useLayoutEffect(() => {
    keepPlaceRef.current = keepPlace;
  }, [keepPlace]);

  const onPageSize = useCallback(
    (index: number, size: Size) => {
      const o = sizesRef.current[index];
      if (!o || (Math.abs(o.width - size.width) < 0.5 && Math.abs(o.height - size.height) < 0.5)) return;
      keepPlace();
      setSizes((old) => {
        const next = old.slice();
        next[index] = size;
        return next;
      });
    },
    [keepPlace],
  );

  const goToPage = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el || numPages === 0) return;
      const i = Math.max(0, Math.min(numPages - 1, index));
      el.scrollTop = scrollTopForPage(layout, i, el.clientHeight);
      setScrollTop(el.scrollTop);
    },
    [layout, numPages],
  );

  // Open at the page asked for, once the document and the viewer's size are known.
  const openedAtPage = useRef(false);
  useLayoutEffect(() => {
    if (openedAtPage.current || !doc || numPages === 0 || viewport.height === 0) return;
    openedAtPage.current = true;
    if (initialPage !== undefined && initialPage > 1) goToPage(initialPage - 1);
  }, [doc, numPages, viewport.height, goToPage, initialPage]);

  const setZoom = (nextMode: ZoomMode, nextScale?: number) => {
    keepPlace();
    if (nextMode === 'custom') setCustomScale(nextScale ?? scale);
    setMode(nextMode);
  };

  // The page field follows the current page unless it is being typed in.
  const shownPage = editingPage ? pageField : String(current + 1);

  // page-viewed (with the page count and zoom, for the owner's reading report), once the visible
  // page and zoom have settled; also once when the document is first shown, so a document read on
  // its first page only still says how many pages it has.
  const lastReported = useRef<string | null>(null);
  const zoomPercent = Math.round(scale * 100);
  useEffect(() => {
    if (!doc || numPages === 0) return;
    const page = current + 1;
    const t = setTimeout(() => {
      const key = `${page}:${zoomPercent}`;
      if (key !== lastReported.current) {
        lastReported.current = key;
        reportEvent({ kind: 'page-viewed', path: entry.path, page, pages: numPages, zoom: zoomPercent });
      }
    }, PAGE_VIEWED_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [current, doc, entry.path, numPages, zoomPercent]);

  // Ctrl+wheel zooms the document, never the kiosk page.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (ev: WheelEvent) => {
      if (!ev.ctrlKey) return;
      ev.preventDefault();
      wheelZoom.current(ev.deltaY < 0 ? 'zoom-in' : 'zoom-out');
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  const handleKey = (action: Action): boolean => {
    const el = scroller.current;
    switch (action) {
      case 'next-page':
        goToPage(current + 1);
        return true;
      case 'prev-page':
        goToPage(current - 1);
        return true;
      case 'first-page':
        goToPage(0);
        return true;
      case 'last-page':
        goToPage(numPages - 1);
        return true;
      case 'scroll-down':
        if (mode === 'fit-page') goToPage(current + 1);
        else if (el) el.scrollTop += SCROLL_STEP;
        return true;
      case 'scroll-up':
        if (mode === 'fit-page') goToPage(current - 1);
        else if (el) el.scrollTop -= SCROLL_STEP;
        return true;
      case 'goto-page':
        pageInput.current?.focus();
        pageInput.current?.select();
        return true;
      case 'zoom-in':
        setZoom('custom', zoomIn(scale));
        return true;
      case 'zoom-out':
        setZoom('custom', zoomOut(scale));
        return true;
      case 'fit-width':
        setZoom('fit-width');
        return true;
      case 'fit-page':
        setZoom('fit-page');
        return true;
      case 'toggle-thumbnails':
        keepPlace();
        setThumbs((t) => !t);
        return true;
      case 'leave-input':
        scroller.current?.focus();
        return true;
    }
    return false;
  };
  useLayoutEffect(() => {
    registerKeys(handleKey);
    wheelZoom.current = handleKey;
  });

  const submitPage = () => {
    const n = Number.parseInt(pageField, 10);
    setEditingPage(false);
    if (Number.isFinite(n)) goToPage(n - 1);
    scroller.current?.focus();
  };

  const pages = [];
  if (doc) {
    for (let i = start; i < end; i++) {
      pages.push(
        <PdfPage
          key={i}
          doc={doc}
          index={i}
          scale={scales[i] ?? 1}
          top={layout.pageTops[i]!}
          left={pageLeft(layout, i)}
          width={layout.widths[i]!}
          height={layout.heights[i]!}
          priority={i >= inView.start && i < inView.end ? 0 : 1}
          queue={queue}
          onSize={onPageSize}
        />,
      );
    }
  }

  return (
    <div className="viewer pdf-viewer" data-testid="pdf-viewer" data-page={current + 1} data-pages={numPages}>
      <div className="preview-bar">
        {header}
        <div className="bar-group">
          <button
            type="button"
            data-testid="pdf-prev"
            onClick={() => goToPage(current - 1)}
            title="Previous page (PageUp)"
          >
            ◀ Prev
          </button>
          <label className="page-field">
            Page
            <input
              ref={pageInput}
              data-testid="pdf-page-input"
              inputMode="numeric"
              value={shownPage}
              size={4}
              aria-label="Go to page (g)"
              onFocus={(ev) => {
                setPageField(String(current + 1));
                setEditingPage(true);
                ev.currentTarget.select();
              }}
              onBlur={() => setEditingPage(false)}
              onChange={(ev) => setPageField(ev.target.value.replace(/[^0-9]/g, ''))}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter') {
                  ev.preventDefault();
                  submitPage();
                }
              }}
            />
            <span data-testid="pdf-page-count">of {numPages || '…'}</span>
          </label>
          <button
            type="button"
            data-testid="pdf-next"
            onClick={() => goToPage(current + 1)}
            title="Next page (PageDown)"
          >
            Next ▶
          </button>
        </div>
        <div className="bar-group">
          <button type="button" data-testid="pdf-zoom-out" onClick={() => handleKey('zoom-out')} title="Zoom out (-)">
            −
          </button>
          <span className="zoom-value" data-testid="pdf-zoom">
            {Math.round(scale * 100)}%
          </span>
          <button type="button" data-testid="pdf-zoom-in" onClick={() => handleKey('zoom-in')} title="Zoom in (+)">
            +
          </button>
          <button
            type="button"
            data-testid="pdf-fit-width"
            aria-pressed={mode === 'fit-width'}
            onClick={() => handleKey('fit-width')}
            title="Fit width (w)"
          >
            Width
          </button>
          <button
            type="button"
            data-testid="pdf-fit-page"
            aria-pressed={mode === 'fit-page'}
            onClick={() => handleKey('fit-page')}
            title="Fit page (p)"
          >
            Page
          </button>
          <button
            type="button"
            data-testid="pdf-thumbnails-toggle"
            aria-pressed={thumbs}
            onClick={() => handleKey('toggle-thumbnails')}
            title="Thumbnails (t)"
          >
            Thumbs
          </button>
        </div>
      </div>
      <div className="pdf-body">
        {thumbs && doc ? (
          <Thumbnails doc={doc} sizes={sizes} current={current} queue={queue} onPick={goToPage} />
        ) : null}
        <div
          ref={scroller}
          className="pdf-scroller"
          data-testid="pdf-scroller"
          data-zoom-mode={mode}
          tabIndex={0}
          onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
        >
          {error ? (
            <div className="viewer-message" role="alert" data-testid="pdf-error">
              {error}
            </div>
          ) : !doc ? (
            <div className="viewer-message">Opening…</div>
          ) : (
            <div className="pdf-strip" style={{ height: layout.total, width: layout.pagesWidth, minWidth: '100%' }}>
              {pages}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

interface PageProps {
  doc: PDFDocumentProxy;
  index: number;
  scale: number;
  top: number;
  left: number;
  width: number;
  height: number;
  priority: number;
  queue: RenderQueue;
  onSize: (index: number, size: Size) => void;
}

/** One page: a white sheet at its place in the strip, its canvas rendered when it comes into view. */
function PdfPage({ doc, index, scale, top, left, width, height, priority, queue, onSize }: PageProps) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [rendered, setRendered] = useState(false);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    setRendered(false);
    const cancel = queue.schedule(priority, async (signal) => {
      const page = await doc.getPage(index + 1);
      if (signal.aborted) return;
      const natural = page.getViewport({ scale: 1 });
      onSize(index, { width: natural.width, height: natural.height });
      // Crisp at devicePixelRatio 1: the canvas is exactly the page's CSS size, unless that would
      // exceed MAX_CANVAS_PIXELS, when it is rendered smaller and stretched.
      const w = Math.floor(natural.width * scale);
      const h = Math.floor(natural.height * scale);
      const ratio = Math.min(1, Math.sqrt(MAX_CANVAS_PIXELS / Math.max(1, w * h))) * (window.devicePixelRatio || 1);
      const vp = page.getViewport({ scale: scale * ratio });
      c.width = Math.max(1, Math.floor(vp.width));
      c.height = Math.max(1, Math.floor(vp.height));
      const task = page.render({ canvas: c, viewport: vp });
      const onAbort = () => task.cancel();
      signal.addEventListener('abort', onAbort);
      try {
        await task.promise;
        if (!signal.aborted) setRendered(true);
      } finally {
        signal.removeEventListener('abort', onAbort);
        page.cleanup();
      }
    });
    return () => {
      cancel();
    };
    // Re-render on zoom; a priority change alone does not restart a render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, index, scale, queue, onSize]);

  // Free the pixels as soon as the page leaves the window of mounted pages.
  useEffect(() => {
    const c = canvas.current;
    return () => {
      if (c) {
        c.width = 0;
        c.height = 0;
      }
    };
  }, []);

  return (
    <div
      className="pdf-page"
      data-testid="pdf-page"
      data-page-number={index + 1}
      data-rendered={rendered}
      style={{ top, left, width, height }}
    >
      <canvas ref={canvas} style={{ width, height }} />
    </div>
  );
}

interface ThumbProps {
  doc: PDFDocumentProxy;
  sizes: readonly Size[];
  current: number;
  queue: RenderQueue;
  onPick: (index: number) => void;
}

/** The thumbnail strip, windowed like the file list (a 300-page PDF mounts a dozen thumbnails). */
function Thumbnails({ doc, sizes, current, queue, onPick }: ThumbProps) {
  const first = sizes[0] ?? { width: 612, height: 792 };
  const thumbHeight = Math.round((THUMB_WIDTH * first.height) / first.width);
  const slot = thumbHeight + THUMB_LABEL + THUMB_GAP;

  const { scrollerRef, scrollTop, height, setScrollTop } = useRevealingScroller(current, slot, 600);

  const { start, end } = visibleRange(scrollTop, height, slot, sizes.length, 1);
  const items = [];
  for (let i = start; i < end; i++) {
    items.push(
      <button
        type="button"
        tabIndex={-1}
        key={i}
        className={i === current ? 'thumb current' : 'thumb'}
        style={{ top: i * slot + THUMB_GAP / 2, height: thumbHeight + THUMB_LABEL }}
        data-testid="pdf-thumbnail"
        data-page-number={i + 1}
        onClick={() => onPick(i)}
      >
        <Thumb doc={doc} index={i} width={THUMB_WIDTH} height={thumbHeight} queue={queue} />
        <span className="thumb-label">{i + 1}</span>
      </button>,
    );
  }
  return (
    <div
      ref={scrollerRef}
      className="pdf-thumbs"
      data-testid="pdf-thumbnails"
      onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
    >
      <div style={{ height: sizes.length * slot, position: 'relative' }}>{items}</div>
    </div>
  );
}

function Thumb({
  doc,
  index,
  width,
  height,
  queue,
}: {
  doc: PDFDocumentProxy;
  index: number;
  width: number;
  height: number;
  queue: RenderQueue;
}) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const cancel = queue.schedule(2, async (signal) => {
      const page = await doc.getPage(index + 1);
      if (signal.aborted) return;
      const natural = page.getViewport({ scale: 1 });
      const vp = page.getViewport({ scale: width / natural.width });
      c.width = Math.max(1, Math.floor(vp.width));
      c.height = Math.max(1, Math.floor(vp.height));
      const task = page.render({ canvas: c, viewport: vp });
      const onAbort = () => task.cancel();
      signal.addEventListener('abort', onAbort);
      try {
        await task.promise;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
    return () => {
      cancel();
      c.width = 0;
      c.height = 0;
    };
  }, [doc, index, width, queue]);
  return <canvas ref={canvas} className="thumb-canvas" style={{ width, height }} />;
}
