import type { ReactNode } from 'react';
import { FileIcon } from '../components/Icon.tsx';
import { effectiveType, typeLabel } from '../lib/fileTypes.ts';
import { formatDate, formatSize } from '../lib/format.ts';
import type { Entry } from '../lib/types.ts';

interface MetaFrameProps {
  entry: Entry;
  header: ReactNode;
  testId: string;
  title: string;
  children: ReactNode;
}

/** The viewer of a file with nothing to show: its header, then a card with its icon and a title. */
function MetaFrame({ entry, header, testId, title, children }: MetaFrameProps) {
  return (
    <div className="viewer meta-viewer" data-testid={testId}>
      <div className="preview-bar">{header}</div>
      <div className="meta-stage" tabIndex={0}>
        <div className="meta-card">
          <FileIcon type={effectiveType(entry)} size={64} />
          <h2>{title}</h2>
          {children}
        </div>
      </div>
    </div>
  );
}

/**
 * Anything without a viewer: what is known about it. Never where it lives in the sandbox
 * (`/files/…` means nothing to the person, and names the machinery rather than their files).
 */
export function MetaCard({ entry, header }: { entry: Entry; header: ReactNode }) {
  const size = formatSize(entry.size);
  const modified = formatDate(entry.modifiedAt);
  return (
    <MetaFrame entry={entry} header={header} testId="meta-card" title="No preview for this type">
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
    </MetaFrame>
  );
}

/** A file with nothing in it: said plainly, with its name, instead of an empty viewer. */
export function EmptyFile({ entry, header }: { entry: Entry; header: ReactNode }) {
  const modified = formatDate(entry.modifiedAt);
  return (
    <MetaFrame entry={entry} header={header} testId="empty-file" title="This file is empty">
      <p className="meta-lead" data-testid="empty-name">
        {entry.name}
      </p>
      <p className="muted">It has no content to show (0 bytes){modified ? `; last changed ${modified}` : ''}.</p>
    </MetaFrame>
  );
}
