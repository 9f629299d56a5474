import { useLayoutEffect, useRef } from 'react';
import { effectiveType } from '../lib/fileTypes.ts';
import { formatSize } from '../lib/format.ts';
import type { Action } from '../lib/keymap.ts';
import type { Entry, EntryType } from '../lib/types.ts';
import { ImageViewer } from './ImageViewer.tsx';
import { DocumentViewer } from './DocumentViewer.tsx';
import { EmptyFile, MetaCard } from './MetaCard.tsx';
import { PdfViewer } from './PdfViewer.tsx';
import { SheetViewer } from './SheetViewer.tsx';
import { TextViewer } from './TextViewer.tsx';
import { VideoPlayer } from './VideoPlayer.tsx';
import { AudioPlayer } from './AudioPlayer.tsx';

export type PreviewKind = Exclude<EntryType, 'folder'>;

export function previewKind(entry: Entry): PreviewKind {
  const t = effectiveType(entry);
  return t === 'folder' ? 'other' : t;
}

interface Props {
  entry: Entry;
  onClose: () => void;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
  /** The page to open a paged document at (1-based: a search hit's page). */
  initialPage?: number | undefined;
}

/** The preview takes the whole window below its bar; Esc (or Backspace) returns to the list. */
export function Preview({ entry, onClose, registerKeys, initialPage }: Props) {
  const root = useRef<HTMLDivElement | null>(null);
  const kind = previewKind(entry);

  // Focus the viewer's scrollable area so the keys work at once.
  useLayoutEffect(() => {
    const el = root.current;
    const target = el?.querySelector<HTMLElement>(
      '.pdf-scroller, .sheet-scroller, .image-stage, .video-stage, .text-scroller, .meta-stage',
    );
    (target ?? el)?.focus();
  }, [entry.path]);

  const header = (
    <div className="preview-title">
      <button type="button" className="back-button" data-testid="preview-close" onClick={onClose} title="Back (Esc)">
        ← Back
      </button>
      <span className="preview-name" data-testid="preview-name" title={entry.name}>
        {entry.name}
      </span>
      {entry.size ? <span className="bar-text muted">{formatSize(entry.size)}</span> : null}
    </div>
  );

  let viewer;
  // Nothing to show, whatever the type says: say so rather than show an empty viewer.
  if (entry.kind === 'file' && entry.size === 0) viewer = <EmptyFile entry={entry} header={header} />;
  else
    switch (kind) {
      case 'pdf':
        viewer = <PdfViewer entry={entry} header={header} registerKeys={registerKeys} initialPage={initialPage} />;
        break;
      case 'document':
        viewer = (
          <DocumentViewer
            key={entry.path}
            entry={entry}
            header={header}
            registerKeys={registerKeys}
            initialPage={initialPage}
          />
        );
        break;
      case 'image':
        viewer = <ImageViewer entry={entry} header={header} registerKeys={registerKeys} />;
        break;
      case 'video':
        viewer = <VideoPlayer entry={entry} header={header} registerKeys={registerKeys} />;
        break;
      case 'audio':
        viewer = <AudioPlayer entry={entry} header={header} registerKeys={registerKeys} />;
        break;
      case 'spreadsheet':
        viewer = <SheetViewer key={entry.path} entry={entry} header={header} registerKeys={registerKeys} />;
        break;
      case 'text':
        viewer = <TextViewer entry={entry} header={header} registerKeys={registerKeys} />;
        break;
      default:
        viewer = <MetaCard entry={entry} header={header} />;
    }

  return (
    <div
      ref={root}
      className="preview"
      data-testid="preview"
      data-kind={kind}
      data-path={entry.path}
      data-keyctx={kind}
      tabIndex={-1}
    >
      {viewer}
    </div>
  );
}
