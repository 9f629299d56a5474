import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { fileUrl } from '../api.ts';
import { extensionOf } from '../lib/fileTypes.ts';
import type { Action } from '../lib/keymap.ts';
import { MAX_ZOOM, MIN_ZOOM, zoomIn, zoomOut } from '../lib/pdfLayout.ts';
import type { Entry } from '../lib/types.ts';

const PAN_STEP = 80;
const MARGIN = 16;

interface Props {
  entry: Entry;
  header: ReactNode;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
}

interface View {
  fit: boolean;
  scale: number;
  x: number;
  y: number;
}

/**
 * Images through <img> only: an <img> never runs an SVG's scripts nor loads what it references, and
 * Chromium applies EXIF orientation (image-orientation: from-image). Zoom (+/-, wheel), pan (drag,
 * arrows), fit to window.
 */
export function ImageViewer({ entry, header, registerKeys }: Props) {
  const box = useRef<HTMLDivElement | null>(null);
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const [boxSize, setBoxSize] = useState({ width: 0, height: 0 });
  const [view, setView] = useState<View>({ fit: true, scale: 1, x: 0, y: 0 });
  const drag = useRef<{ id: number; x: number; y: number } | null>(null);
  const isSvg = extensionOf(entry.name) === 'svg';

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setBoxSize({ width: el.clientWidth, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const fitScale = useCallback(() => {
    if (!natural || boxSize.width === 0) return 1;
    const s = Math.min((boxSize.width - 2 * MARGIN) / natural.width, (boxSize.height - 2 * MARGIN) / natural.height);
    // Raster images are not blown up past 100% to fit; vector ones may be.
    return Math.max(0.01, isSvg ? s : Math.min(1, s));
  }, [natural, boxSize, isSvg]);

  const scale = view.fit ? fitScale() : view.scale;
  const w = natural ? natural.width * scale : 0;
  const h = natural ? natural.height * scale : 0;
  // The image's centre sits at the stage's centre plus the pan offset.
  const tx = Math.round((view.fit ? 0 : view.x) - w / 2);
  const ty = Math.round((view.fit ? 0 : view.y) - h / 2);

  // Keep at least part of the image on screen.
  const clamp = useCallback(
    (x: number, y: number, s: number) => {
      if (!natural) return { x: 0, y: 0 };
      const mx = Math.max(0, (natural.width * s + boxSize.width) / 2 - 60);
      const my = Math.max(0, (natural.height * s + boxSize.height) / 2 - 60);
      return { x: Math.max(-mx, Math.min(mx, x)), y: Math.max(-my, Math.min(my, y)) };
    },
    [natural, boxSize],
  );

  /** Zoom to `next`, keeping the point at (cx, cy) (box coordinates from the centre) in place. */
  const zoomTo = useCallback(
    (next: number, cx = 0, cy = 0) => {
      setView((v) => {
        const from = v.fit ? fitScale() : v.scale;
        const to = Math.max(MIN_ZOOM / 4, Math.min(MAX_ZOOM * 2, next));
        const k = to / from;
        const p = clamp(cx - (cx - v.x) * k, cy - (cy - v.y) * k, to);
        return { fit: false, scale: to, ...p };
      });
    },
    [fitScale, clamp],
  );

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onWheel = (ev: WheelEvent) => {
      ev.preventDefault();
      const r = el.getBoundingClientRect();
      const cx = ev.clientX - r.left - r.width / 2;
      const cy = ev.clientY - r.top - r.height / 2;
      zoomTo(scale * (ev.deltaY < 0 ? 1.25 : 0.8), cx, cy);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomTo, scale]);

  const pan = (dx: number, dy: number) =>
    setView((v) => {
      const s = v.fit ? fitScale() : v.scale;
      return { fit: false, scale: s, ...clamp(v.x + dx, v.y + dy, s) };
    });

  const handleKey = (action: Action): boolean => {
    switch (action) {
      case 'zoom-in':
        zoomTo(zoomIn(scale));
        return true;
      case 'zoom-out':
        zoomTo(zoomOut(scale));
        return true;
      case 'fit':
        setView({ fit: true, scale: 1, x: 0, y: 0 });
        return true;
      case 'actual-size':
        setView({ fit: false, scale: 1, x: 0, y: 0 });
        return true;
      case 'pan-left':
        pan(PAN_STEP, 0);
        return true;
      case 'pan-right':
        pan(-PAN_STEP, 0);
        return true;
      case 'pan-up':
        pan(0, PAN_STEP);
        return true;
      case 'pan-down':
        pan(0, -PAN_STEP);
        return true;
    }
    return false;
  };
  useLayoutEffect(() => registerKeys(handleKey));

  return (
    <div className="viewer image-viewer" data-testid="image-viewer">
      <div className="preview-bar">
        {header}
        <div className="bar-group">
          {natural ? (
            <span className="bar-text" data-testid="image-dimensions">
              {Math.round(natural.width)} × {Math.round(natural.height)}
            </span>
          ) : null}
          <button type="button" data-testid="image-zoom-out" onClick={() => handleKey('zoom-out')} title="Zoom out (-)">
            −
          </button>
          <span className="zoom-value" data-testid="image-zoom">
            {Math.round(scale * 100)}%
          </span>
          <button type="button" data-testid="image-zoom-in" onClick={() => handleKey('zoom-in')} title="Zoom in (+)">
            +
          </button>
          <button
            type="button"
            data-testid="image-fit"
            aria-pressed={view.fit}
            onClick={() => handleKey('fit')}
            title="Fit to window (0)"
          >
            Fit
          </button>
          <button type="button" data-testid="image-actual" onClick={() => handleKey('actual-size')} title="100% (1)">
            100%
          </button>
        </div>
      </div>
      <div
        ref={box}
        className="image-stage"
        data-testid="image-stage"
        tabIndex={0}
        onPointerDown={(ev) => {
          if (ev.button !== 0) return;
          ev.currentTarget.setPointerCapture(ev.pointerId);
          drag.current = { id: ev.pointerId, x: ev.clientX, y: ev.clientY };
        }}
        onPointerMove={(ev) => {
          const d = drag.current;
          if (!d || d.id !== ev.pointerId) return;
          const dx = ev.clientX - d.x;
          const dy = ev.clientY - d.y;
          drag.current = { id: d.id, x: ev.clientX, y: ev.clientY };
          pan(dx, dy);
        }}
        onPointerUp={() => {
          drag.current = null;
        }}
        onPointerCancel={() => {
          drag.current = null;
        }}
      >
        {failed ? (
          <div className="viewer-message" role="alert">
            This image cannot be shown (the file may be damaged or in an unsupported format).
          </div>
        ) : (
          <img
            src={fileUrl(entry.path)}
            alt={entry.name}
            draggable={false}
            data-testid="image"
            className="image"
            decoding="async"
            onLoad={(ev) => {
              const img = ev.currentTarget;
              // An SVG without intrinsic size reports 0: give it a box to fit.
              setNatural({ width: img.naturalWidth || 800, height: img.naturalHeight || 600 });
            }}
            onError={() => setFailed(true)}
            style={
              natural ? { width: w, height: h, transform: `translate(${tx}px, ${ty}px)` } : { visibility: 'hidden' }
            }
          />
        )}
      </div>
    </div>
  );
}
