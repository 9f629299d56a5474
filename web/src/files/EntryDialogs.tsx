/** The Files page's dialogs: a new folder here, renaming one entry, moving some, sharing one. */
import { useState } from 'react';
import type { FocusEvent } from 'react';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { splitExtension } from '@vitrine/protocol';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import { displayPath, joinPath, nameProblem, parentPath } from '../shared/format.ts';
import { ShareDialog } from '../shares/ShareDialog.tsx';
import type { FileEntry } from './filesApi.ts';
import { createFolder, moveEntry } from './filesApi.ts';
import { FolderPicker } from './FolderPicker.tsx';
import { canMoveInto, moveEntries, movedText } from './moveEntries.ts';

export type EntryDialog =
  | { kind: 'new-folder' }
  | { kind: 'rename'; entry: FileEntry }
  | { kind: 'move'; entries: FileEntry[] }
  | { kind: 'share'; entry: FileEntry };

/** What the dialog's text field starts with: the current name, or nothing. */
export function initialFieldValue(dialog: EntryDialog): string {
  return dialog.kind === 'rename' ? dialog.entry.name : '';
}

/** Renaming selects the name without its extension ("q3" of "q3.pdf"), a folder's whole name. */
function selectStem(e: FocusEvent<HTMLInputElement | HTMLTextAreaElement>, kind: FileEntry['kind']) {
  const input = e.target;
  const [stem] = splitExtension(input.value);
  input.setSelectionRange(0, kind === 'folder' ? input.value.length : stem.length);
}

interface EntryDialogsProps {
  /** The open dialog, or null. */
  dialog: EntryDialog | null;
  /** The folder on screen (where a new folder goes). */
  folder: string;
  /** The open dialog's text field (kept by the page, which fills it when opening the dialog). */
  fieldValue: string;
  setFieldValue: (value: string) => void;
  onClose: () => void;
  /** After a folder was created, renamed or moved. */
  onChanged: () => void;
  /** After a share was created. */
  onShared: () => void;
  /** Something to tell the owner after the dialog closed ("Moved 3 items to /Reports"). */
  onNotice: (text: string) => void;
}

export function EntryDialogs(props: EntryDialogsProps) {
  const { dialog, folder, fieldValue, setFieldValue, onClose, onChanged, onShared, onNotice } = props;
  const nameDialogProblem = dialog?.kind === 'new-folder' || dialog?.kind === 'rename' ? nameProblem(fieldValue) : null;

  return (
    <>
      <ActionDialog
        open={dialog?.kind === 'new-folder'}
        title={`New folder in ${displayPath(folder)}`}
        confirmLabel="Create"
        confirmDisabled={!!nameDialogProblem}
        onClose={onClose}
        onConfirm={async () => {
          await createFolder(joinPath(folder, fieldValue.trim()));
          onChanged();
        }}
      >
        <TextField
          label="Folder name"
          value={fieldValue}
          onChange={(e) => setFieldValue(e.target.value)}
          autoFocus
          fullWidth
          error={fieldValue !== '' && !!nameDialogProblem}
          helperText={fieldValue !== '' ? nameDialogProblem : null}
          slotProps={{ htmlInput: { 'data-testid': 'folder-name-input', autoComplete: 'off', spellCheck: false } }}
        />
      </ActionDialog>

      <ActionDialog
        open={dialog?.kind === 'rename'}
        title={dialog?.kind === 'rename' ? `Rename “${dialog.entry.name}”` : 'Rename'}
        confirmLabel="Rename"
        confirmDisabled={!!nameDialogProblem}
        onClose={onClose}
        onConfirm={async () => {
          if (dialog?.kind !== 'rename') return;
          // Left as it was (spaces and all): nothing to do. Otherwise what was typed, trimmed.
          if (fieldValue === dialog.entry.name) return;
          const name = fieldValue.trim();
          if (name !== dialog.entry.name) {
            await moveEntry(dialog.entry, joinPath(parentPath(dialog.entry.path), name));
          }
          onChanged();
        }}
      >
        <TextField
          label="New name"
          value={fieldValue}
          onChange={(e) => setFieldValue(e.target.value)}
          autoFocus
          fullWidth
          error={!!nameDialogProblem}
          helperText={nameDialogProblem}
          onFocus={(e) => {
            if (dialog?.kind === 'rename') selectStem(e, dialog.entry.kind);
          }}
          slotProps={{
            htmlInput: {
              'data-testid': 'rename-input',
              autoComplete: 'off',
              spellCheck: false,
              style: { whiteSpace: 'pre' },
            },
          }}
        />
      </ActionDialog>

      <MoveDialog
        entries={dialog?.kind === 'move' ? dialog.entries : null}
        from={folder}
        onClose={onClose}
        onMoved={(text) => {
          onChanged();
          onNotice(text);
        }}
        onPartly={onChanged}
      />

      <ShareDialog
        open={dialog?.kind === 'share'}
        onClose={onClose}
        initialPaths={dialog?.kind === 'share' ? [dialog.entry.path] : []}
        onSaved={onShared}
      />
    </>
  );
}

interface MoveDialogProps {
  /** What to move; null when the dialog is closed. */
  entries: FileEntry[] | null;
  /** The folder on screen: where browsing starts. */
  from: string;
  onClose: () => void;
  /** All moved (or nothing needed moving); the text says what happened. */
  onMoved: (text: string) => void;
  /** Some moved, some did not (the dialog stays open with why). */
  onPartly: () => void;
}

/** Move to a folder picked by browsing (never by typing a path). */
function MoveDialog({ entries, from, onClose, onMoved, onPartly }: MoveDialogProps) {
  const [target, setTarget] = useState(from);
  const [openedFor, setOpenedFor] = useState<FileEntry[] | null>(null);
  // Each opening starts where the owner is.
  if (entries !== openedFor) {
    setOpenedFor(entries);
    if (entries) setTarget(from);
  }
  const list = entries ?? [];
  const excluded = list.filter((e) => e.kind === 'folder').map((e) => e.path);
  const possible = canMoveInto(list, target);
  const title = list.length === 1 ? `Move “${list[0]!.name}”` : `Move ${list.length} items`;

  return (
    <ActionDialog
      open={entries !== null}
      title={title}
      confirmLabel="Move here"
      confirmDisabled={!possible}
      onClose={onClose}
      onConfirm={async () => {
        const outcome = await moveEntries(list, target);
        if (outcome.failed.length > 0) {
          if (outcome.moved.length > 0) onPartly();
          throw new Error(outcome.failed.join(' '));
        }
        onMoved(movedText(outcome.moved, target));
      }}
    >
      <FolderPicker value={target} onChange={setTarget} excluded={excluded} />
      <Typography
        variant="body2"
        color="text.secondary"
        data-testid="move-destination"
        sx={{ overflowWrap: 'anywhere' }}
      >
        {possible
          ? `Moves to ${displayPath(target)}.`
          : list.every((e) => parentPath(e.path) === joinPath(target, ''))
            ? `Already in ${displayPath(target)}: open another folder.`
            : 'A folder cannot be moved into itself: open another folder.'}
      </Typography>
    </ActionDialog>
  );
}
