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
 * suggests what is in Projects), and once a folder's name is typed out, what is inside it too
 * (`Projects` suggests `Projects/Archive`). A native `<datalist>` rather than a popup list:
 * nothing covers the dialog's buttons, and the browser filters as the person types. (Moving
 * uses FolderPicker, which browses instead.)
 */
export function StoragePathField(props: StoragePathFieldProps) {
  const { value, onChange, label, testId, foldersOnly = false, helperText, error, autoFocus, placeholder } = props;
  const listId = useId();
  const trimmed = value.trim();
  const dir = trimmed.endsWith('/') ? normalizePath(trimmed) : parentPath(trimmed);
  // The typed path itself, when it may be a folder whose contents to suggest as well.
  const inside = trimmed.endsWith('/') ? '' : normalizePath(trimmed);
  const key = `${dir}\n${inside}`;
  const cache = useRef(new Map<string, FileEntry[]>());
  const [listing, setListing] = useState<{ key: string; entries: FileEntry[] } | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const list = (folder: string) => {
      const cached = cache.current.get(folder);
      if (cached) return Promise.resolve(cached);
      return listFolder(folder, ctrl.signal).then(
        (l) => {
          cache.current.set(folder, l.entries);
          return l.entries;
        },
        // No such folder (yet), or not reachable: the field stays free text.
        () => [] as FileEntry[],
      );
    };
    const known = cache.current.has(dir) && (!inside || cache.current.has(inside));
    // Debounced: typing a long path should not list every prefix on the way.
    const timer = setTimeout(
      () => {
        void Promise.all([list(dir), inside ? list(inside) : Promise.resolve([])]).then(([here, within]) => {
          if (!ctrl.signal.aborted) setListing({ key, entries: [...here, ...within] });
        });
      },
      known ? 0 : 150,
    );
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [dir, inside, key]);

  const suggestions =
    listing?.key === key
      ? listing.entries
          // What only a ref can address (an unusual name) or nothing can open is no path to share.
          .filter((e) => !e.ref && e.kind !== 'special' && (!foldersOnly || e.kind === 'folder'))
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
