/** A storage path typed by hand, with the owner's folders (and files) as suggestions. */
import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import TextField from '@mui/material/TextField';
import { normalizePath, parentPath } from '../shared/format.ts';
import type { FileEntry } from './filesApi.ts';
import { listFolder } from './filesApi.ts';

interface StoragePathFieldProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  testId: string;
  /** Suggest folders only (a move target); otherwise files too (a share may be a single file). */
  foldersOnly?: boolean;
  helperText?: ReactNode;
  error?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
}

/**
 * A free-text storage path with suggestions: the entries of the folder being typed (`Projects/`
 * suggests what is in Projects). A native `<datalist>` rather than a popup list: nothing covers
 * the dialog's buttons, and the browser filters as the person types.
 */
export function StoragePathField(props: StoragePathFieldProps) {
  const { value, onChange, label, testId, foldersOnly = false, helperText, error, autoFocus, placeholder } = props;
  const listId = useId();
  const trimmed = value.trim();
  const dir = trimmed.endsWith('/') ? normalizePath(trimmed) : parentPath(trimmed);
  const cache = useRef(new Map<string, FileEntry[]>());
  const [listing, setListing] = useState<{ dir: string; entries: FileEntry[] } | null>(null);

  useEffect(() => {
    const cached = cache.current.get(dir);
    const ctrl = new AbortController();
    // Debounced: typing a long path should not list every prefix on the way.
    const timer = setTimeout(
      () => {
        const load = cached ? Promise.resolve(cached) : listFolder(dir, ctrl.signal).then((l) => l.entries);
        load
          .then((entries) => {
            cache.current.set(dir, entries);
            if (!ctrl.signal.aborted) setListing({ dir, entries });
          })
          .catch(() => {
            // No such folder (yet), or not reachable: the field stays free text.
            if (!ctrl.signal.aborted) setListing({ dir, entries: [] });
          });
      },
      cached ? 0 : 150,
    );
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [dir]);

  const suggestions =
    listing?.dir === dir
      ? listing.entries
          .filter((e) => !foldersOnly || e.kind === 'folder')
          .map((e) => ({ path: e.path, kind: e.kind }))
          .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }))
      : [];

  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        fullWidth
        autoFocus={autoFocus}
        error={error}
        helperText={helperText}
        placeholder={placeholder}
        autoComplete="off"
        slotProps={{ htmlInput: { 'data-testid': testId, list: listId, spellCheck: false } }}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s.path} value={s.path}>
            {s.kind === 'folder' ? 'Folder' : 'File'}
          </option>
        ))}
      </datalist>
    </>
  );
}
