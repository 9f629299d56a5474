import type { ReactNode } from 'react';
import type { EntryType } from '../lib/types.ts';

// Flat, high-contrast file-type icons drawn inline (no icon font, nothing fetched).

const DOC = 'M5 2h8l5 5v13a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1z';
const FOLD = 'M13 2v5h5';

const COLORS: Record<EntryType, string> = {
  folder: '#b7791f',
  pdf: '#c62828',
  document: '#1e5bb8',
  spreadsheet: '#1b7a43',
  image: '#2e7d32',
  video: '#6a1b9a',
  audio: '#ad1457',
  text: '#1565c0',
  other: '#546e7a',
};

export function FileIcon({ type, size = 20 }: { type: EntryType; size?: number }) {
  const color = COLORS[type];
  if (type === 'folder') {
    return (
      <svg className="icon" width={size} height={size} viewBox="0 0 22 22" aria-hidden="true">
        <path d="M2 5a1 1 0 0 1 1-1h6l2 2h8a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1z" fill="#f6c453" />
        <path
          d="M2 5a1 1 0 0 1 1-1h6l2 2h8a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1z"
          fill="none"
          stroke={color}
          strokeWidth="1.5"
        />
      </svg>
    );
  }
  let mark: ReactNode = null;
  switch (type) {
    case 'pdf':
      mark = <rect x="6" y="12" width="10" height="5" fill={color} />;
      break;
    case 'image':
      mark = <path d="M6 18l4-5 3 3 2-2 2 4z" fill={color} />;
      break;
    case 'video':
      mark = <path d="M8 10v8l7-4z" fill={color} />;
      break;
    case 'text':
      mark = <path d="M7 11h8M7 14h8M7 17h5" stroke={color} strokeWidth="1.6" />;
      break;
  }
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 22 22" aria-hidden="true">
      <path d={DOC} fill="#fff" stroke={color} strokeWidth="1.5" />
      <path d={FOLD} fill="none" stroke={color} strokeWidth="1.5" />
      {mark}
    </svg>
  );
}
