import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { getListing } from '../listingCache.ts';
import { isSecondClick } from '../lib/clicks.ts';
import { compareNames } from '../lib/listing.ts';
import { breadcrumbs, isWithin, parentPath } from '../lib/paths.ts';
import type { Entry, Root } from '../lib/types.ts';
import { FileIcon } from './Icon.tsx';

/** A modal box: Tab stays inside, Escape cancels. */
function Modal({
  title,
  onCancel,
  children,
  testId,
}: {
  title: string;
  onCancel: () => void;
  children: ReactNode;
  testId: string;
}) {
  const box = useRef<HTMLDivElement | null>(null);
  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      onCancel();
      return;
    }
    if (ev.key === 'Tab' && box.current) {
      const focusable = Array.from(
        box.current.querySelectorAll<HTMLElement>('input, button:not([disabled]), [tabindex="0"]'),
      );
      if (focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      if (ev.shiftKey && document.activeElement === first) {
        ev.preventDefault();
        last.focus();
      } else if (!ev.shiftKey && document.activeElement === last) {
        ev.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div className="overlay">
      <div
        ref={box}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        data-keyctx="dialog"
        onKeyDown={onKeyDown}
      >
        <h2 className="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

interface NameDialogProps {
  title: string;
  label: string;
  initial: string;
  submitLabel: string;
  /** Characters to select at first (a rename selects the name without its extension). */
  selectTo?: number;
  validate: (name: string) => string | null;
  onSubmit: (name: string) => Promise<void>;
  onCancel: () => void;
}

export function NameDialog({
  title,
  label,
  initial,
  submitLabel,
  selectTo,
  validate,
  onSubmit,
  onCancel,
}: NameDialogProps) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement | null>(null);

  // Focus at once (before paint), so that typing right after the key that opened the dialog lands here.
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(0, selectTo ?? el.value.length);
  }, [selectTo]);

  const submit = async () => {
    const problem = validate(value);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(value.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
      input.current?.focus();
    }
  };

  return (
    <Modal title={title} onCancel={onCancel} testId="dialog">
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          void submit();
        }}
      >
        <label className="dialog-label">
          {label}
          <input
            ref={input}
            className="dialog-input"
            data-testid="dialog-input"
            value={value}
            spellCheck={false}
            autoComplete="off"
            onChange={(ev) => setValue(ev.target.value)}
          />
        </label>
        <DialogFooter error={error} onCancel={onCancel}>
          <button type="submit" className="primary" data-testid="dialog-ok" disabled={busy}>
            {submitLabel}
          </button>
        </DialogFooter>
      </form>
    </Modal>
  );
}

interface ConfirmDialogProps {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}

export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ok = useRef<HTMLButtonElement | null>(null);
  useLayoutEffect(() => ok.current?.focus(), []);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onCancel={onCancel} testId="dialog">
      <p className="dialog-message">{message}</p>
      <DialogFooter error={error} onCancel={onCancel}>
        <button
          ref={ok}
          type="button"
          className="primary danger"
          data-testid="dialog-ok"
          disabled={busy}
          onClick={() => void confirm()}
        >
          {confirmLabel}
        </button>
      </DialogFooter>
    </Modal>
  );
}

interface MoveDialogProps {
  entry: Entry;
  root: Root;
  roots: readonly Root[];
  onMove: (destination: string) => Promise<void>;
  onCancel: () => void;
}

/**
 * Pick a destination folder within the entry's root: Up/Down choose a folder, Enter or → goes
 * into it, Backspace or ← goes up, Ctrl+Enter (or "Move here") moves.
 */
export function MoveDialog({ entry, root, roots, onMove, onCancel }: MoveDialogProps) {
  const from = parentPath(entry.path);
  const [dir, setDir] = useState(from);
  const [folders, setFolders] = useState<Entry[] | null>(null);
  const [index, setIndex] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLDivElement | null>(null);
  const lastClick = useRef<{ path: string; at: number; x: number; y: number } | null>(null);

  useEffect(() => {
    let live = true;
    getListing(dir).then(
      (entries) => {
        if (!live) return;
        // The entry cannot go into itself.
        const f = entries
          .filter((e) => e.kind === 'folder' && !isWithin(e.path, entry.path))
          .sort((a, b) => compareNames(a.name, b.name));
        setFolders(f);
        setIndex(0);
      },
      (err: unknown) => {
        if (live) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [dir, entry.path]);

  useLayoutEffect(() => list.current?.focus(), []);
  useEffect(() => {
    list.current?.querySelector('.picker-row.selected')?.scrollIntoView({ block: 'nearest' });
  }, [index, folders]);

  const atRoot = dir === root.path;
  const here = dir === from;
  const move = async () => {
    if (here) return;
    setBusy(true);
    setError(null);
    try {
      await onMove(dir);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  const up = () => {
    if (!atRoot) {
      setFolders(null);
      setDir(parentPath(dir));
    }
  };
  const into = (i: number) => {
    const f = folders?.[i];
    if (f) {
      setFolders(null);
      setDir(f.path);
    }
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    const n = folders?.length ?? 0;
    let handled = true;
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) void move();
    else if (ev.key === 'ArrowDown') setIndex((i) => Math.min(n - 1, i + 1));
    else if (ev.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
    else if (ev.key === 'Enter' || ev.key === 'ArrowRight') into(index);
    else if (ev.key === 'Backspace' || ev.key === 'ArrowLeft') up();
    else handled = false;
    if (handled) ev.preventDefault();
  };

  const crumbs = breadcrumbs(dir, roots).slice(1);
  return (
    <Modal title={`Move “${entry.name}”`} onCancel={onCancel} testId="dialog">
      <p className="dialog-message">
        To: <strong data-testid="move-destination">{crumbs.map((c) => c.label).join(' › ')}</strong>
      </p>
      <div
        ref={list}
        className="picker"
        tabIndex={0}
        role="listbox"
        aria-label="Folders"
        data-testid="move-picker"
        onKeyDown={onKeyDown}
      >
        {!atRoot ? (
          <div className="picker-row picker-up" onClick={up}>
            ↑ Up to {crumbs.length > 1 ? crumbs[crumbs.length - 2]!.label : root.name}
          </div>
        ) : null}
        {folders === null ? (
          <div className="picker-row muted">Loading…</div>
        ) : folders.length === 0 ? (
          <div className="picker-row muted">No sub-folders here.</div>
        ) : (
          folders.map((f, i) => (
            <div
              key={f.path}
              role="option"
              aria-selected={i === index}
              className={i === index ? 'picker-row selected' : 'picker-row'}
              data-testid="move-folder"
              data-name={f.name}
              onClick={(ev) => {
                setIndex(i);
                // Counted here, not by `dblclick`: see lib/clicks.ts.
                const click = { path: f.path, at: performance.now(), x: ev.clientX, y: ev.clientY };
                const second = ev.detail === 2 || isSecondClick(lastClick.current, click);
                lastClick.current = second ? null : click;
                if (second) into(i);
              }}
            >
              <FileIcon type="folder" size={18} /> {f.name}
            </div>
          ))
        )}
      </div>
      <p className="dialog-hint">Enter: open folder · Backspace: up · Ctrl+Enter: move here</p>
      <DialogFooter error={error} onCancel={onCancel}>
        <button
          type="button"
          className="primary"
          data-testid="dialog-ok"
          disabled={busy || here}
          onClick={() => void move()}
        >
          {here ? 'Already here' : 'Move here'}
        </button>
      </DialogFooter>
    </Modal>
  );
}

/** A dialog's error line (if any), then Cancel and the dialog's own confirming button. */
function DialogFooter({
  error,
  onCancel,
  children,
}: {
  error: string | null;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <>
      {error ? (
        <p className="dialog-error" role="alert" data-testid="dialog-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-buttons">
        <button type="button" data-testid="dialog-cancel" onClick={onCancel}>
          Cancel
        </button>
        {children}
      </div>
    </>
  );
}
