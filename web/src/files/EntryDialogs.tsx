/** The Files page's dialogs: a new folder here, and renaming, moving or sharing one entry. */
import TextField from '@mui/material/TextField';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import { displayPath, joinPath, nameProblem, normalizePath, parentPath } from '../shared/format.ts';
import { ShareDialog } from '../shares/ShareDialog.tsx';
import type { FileEntry } from './filesApi.ts';
import { createFolder, moveEntry } from './filesApi.ts';
import { StoragePathField } from './StoragePathField.tsx';

export type EntryDialog =
  | { kind: 'new-folder' }
  | { kind: 'rename'; entry: FileEntry }
  | { kind: 'move'; entry: FileEntry }
  | { kind: 'share'; entry: FileEntry };

/** What the dialog's text field starts with: the current name, the current folder, or nothing. */
export function initialFieldValue(dialog: EntryDialog): string {
  if (dialog.kind === 'rename') return dialog.entry.name;
  if (dialog.kind === 'move') return parentPath(dialog.entry.path);
  return '';
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
}

export function EntryDialogs(props: EntryDialogsProps) {
  const { dialog, folder, fieldValue, setFieldValue, onClose, onChanged, onShared } = props;
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
        title={dialog?.kind === 'rename' ? `Rename ${dialog.entry.name}` : 'Rename'}
        confirmLabel="Rename"
        confirmDisabled={!!nameDialogProblem}
        onClose={onClose}
        onConfirm={async () => {
          if (dialog?.kind !== 'rename') return;
          const name = fieldValue.trim();
          if (name !== dialog.entry.name)
            await moveEntry(dialog.entry.path, joinPath(parentPath(dialog.entry.path), name));
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
          onFocus={(e) => e.target.select()}
          slotProps={{ htmlInput: { 'data-testid': 'rename-input', autoComplete: 'off', spellCheck: false } }}
        />
      </ActionDialog>

      <ActionDialog
        open={dialog?.kind === 'move'}
        title={dialog?.kind === 'move' ? `Move ${dialog.entry.name}` : 'Move'}
        confirmLabel="Move"
        onClose={onClose}
        onConfirm={async () => {
          if (dialog?.kind !== 'move') return;
          const target = joinPath(normalizePath(fieldValue), dialog.entry.name);
          if (target === dialog.entry.path) throw new Error(`${dialog.entry.name} is already in that folder.`);
          if (dialog.entry.kind === 'folder' && target.startsWith(`${dialog.entry.path}/`)) {
            throw new Error('A folder cannot be moved into itself.');
          }
          await moveEntry(dialog.entry.path, target);
          onChanged();
        }}
      >
        <StoragePathField
          label="Destination folder"
          value={fieldValue}
          onChange={setFieldValue}
          testId="move-target-input"
          foldersOnly
          autoFocus
          placeholder="Projects/Archive"
          helperText="Type or pick a folder; “/” or empty is the top level (All files)."
        />
      </ActionDialog>

      <ShareDialog
        open={dialog?.kind === 'share'}
        onClose={onClose}
        initialPaths={dialog?.kind === 'share' ? [dialog.entry.path] : []}
        onSaved={onShared}
      />
    </>
  );
}
