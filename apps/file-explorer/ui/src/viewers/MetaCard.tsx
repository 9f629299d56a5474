import type { ReactNode } from 'react';
import { FileIcon } from '../components/Icon.tsx';
import { effectiveType, typeLabel } from '../lib/fileTypes.ts';
import { formatDate, formatSize } from '../lib/format.ts';
import type { Entry } from '../lib/types.ts';

/**
 * Anything without a viewer: what is known about it. Never where it lives in the sandbox
 * (`/files/…` means nothing to the person, and names the machinery rather than their files).
 */
export function MetaCard({ entry, header }: { entry: Entry; header: ReactNode }) {
  const size = formatSize(entry.size);
  const modified = formatDate(entry.modifiedAt);
  return (
    <div className="viewer meta-viewer" data-testid="meta-card">
      <div className="preview-bar">{header}</div>
      <div className="meta-stage" tabIndex={0}>
        <div className="meta-card">
          <FileIcon type={effectiveType(entry)} size={64} />
          <h2>No preview for this type</h2>
          <dl>
            <dt>Name</dt>
            <dd data-testid="meta-name">{entry.name}</dd>
            <dt>Size</dt>
            <dd data-testid="meta-size">{size || '—'}</dd>
            <dt>Modified</dt>
            <dd data-testid="meta-modified">{modified || '—'}</dd>
            <dt>Type</dt>
            <dd data-testid="meta-type">{typeLabel(entry)}</dd>
          </dl>
        </div>
      </div>
    </div>
  );
}

/** A file with nothing in it: said plainly, with its name, instead of an empty viewer. */
export function EmptyFile({ entry, header }: { entry: Entry; header: ReactNode }) {
  const modified = formatDate(entry.modifiedAt);
  return (
    <div className="viewer meta-viewer" data-testid="empty-file">
      <div className="preview-bar">{header}</div>
      <div className="meta-stage" tabIndex={0}>
        <div className="meta-card">
          <FileIcon type={effectiveType(entry)} size={64} />
          <h2>This file is empty</h2>
          <p className="meta-lead" data-testid="empty-name">
            {entry.name}
          </p>
          <p className="muted">It has no content to show (0 bytes){modified ? `; last changed ${modified}` : ''}.</p>
        </div>
      </div>
    </div>
  );
}
