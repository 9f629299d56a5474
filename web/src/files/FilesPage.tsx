/**
 * The owner's storage: browse folders, upload (button or drag and drop), preview, organise
 * (select, drag onto folders, move by browsing), download, share.
 */
import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import DriveFileMoveOutlinedIcon from '@mui/icons-material/DriveFileMoveOutlined';
import { navigate, sessionPath } from '../router.ts';
import { describeError } from '../shared/format.ts';
import { Loading, PageAlert } from '../shared/PageParts.tsx';
import { previewAsClient } from '../shared/sessionsApi.ts';
import { DropOverlay } from './DropOverlay.tsx';
import { EntryDialogs, initialFieldValue, type EntryDialog } from './EntryDialogs.tsx';
import { FileMenu, type MenuTarget } from './FileMenu.tsx';
import { FilePreview } from './FilePreview.tsx';
import type { FileEntry, TrashItem } from './filesApi.ts';
import { deleteEntry, restoreTrashItem } from './filesApi.ts';
import { FilesToolbar } from './FilesToolbar.tsx';
import { FileTable } from './FileTable.tsx';
import { FolderHeader } from './FolderHeader.tsx';
import { moveEntries, movedText } from './moveEntries.ts';
import { UploadList } from './UploadList.tsx';
import { useEntryDrag } from './useEntryDrag.ts';
import { useFolder } from './useFolder.ts';
import { useUploadDrop } from './useUploadDrop.ts';

export function FilesPage() {
  const folder = useFolder();
  const drop = useUploadDrop(folder.path, folder.usage?.maxUploadBytes ?? 0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [dialog, setDialog] = useState<EntryDialog | null>(null);
  const [fieldValue, setFieldValue] = useState('');
  const [previewing, setPreviewing] = useState<FileEntry | null>(null);
  /** What was just moved to the trash, while its Undo is offered. */
  const [trashed, setTrashed] = useState<{ items: TrashItem[]; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** Selected paths, of the folder they were selected in (another folder starts with none). */
  const [selection, setSelection] = useState<{ folder: string; paths: ReadonlySet<string> }>({
    folder: folder.path,
    paths: new Set(),
  });
  const selected = useMemo(
    () => (selection.folder === folder.path ? selection.paths : new Set<string>()),
    [selection, folder.path],
  );
  const selectedEntries = (folder.entries ?? []).filter((e) => selected.has(e.path));

  const select = (paths: string[], on: boolean) => {
    const next = new Set(selected);
    for (const p of paths) {
      if (on) next.add(p);
      else next.delete(p);
    }
    setSelection({ folder: folder.path, paths: next });
  };
  const clearSelection = () => setSelection({ folder: folder.path, paths: new Set() });

  const openFolder = (path: string) => {
    setActionError(null);
    folder.open(path);
  };

  const openDialog = (d: EntryDialog) => {
    setMenu(null);
    setActionError(null);
    setFieldValue(initialFieldValue(d));
    setDialog(d);
  };

  const moveInto = async (entries: FileEntry[], to: string) => {
    setActionError(null);
    const outcome = await moveEntries(entries, to);
    if (outcome.moved.length > 0) {
      clearSelection();
      folder.refresh();
      setNotice(movedText(outcome.moved, to));
    }
    if (outcome.failed.length > 0) setActionError(outcome.failed.join(' '));
  };
  const drag = useEntryDrag(
    (entry) => (selected.has(entry.path) ? selectedEntries : [entry]),
    (entries, to) => void moveInto(entries, to),
  );

  const trash = async (entries: FileEntry[]) => {
    setMenu(null);
    setActionError(null);
    const items: TrashItem[] = [];
    const failed: string[] = [];
    for (const entry of entries) {
      try {
        items.push(await deleteEntry(entry));
      } catch (err) {
        failed.push(`Could not move ${entry.name} to the trash: ${describeError(err)}`);
      }
    }
    if (items.length > 0) {
      setTrashed({ items, name: items.length === 1 ? entries[0]!.name : `${items.length} items` });
      clearSelection();
      folder.refresh();
    }
    if (failed.length > 0) setActionError(failed.join(' '));
  };

  const undoTrash = async () => {
    if (!trashed) return;
    const { items, name } = trashed;
    setTrashed(null);
    try {
      for (const item of items) await restoreTrashItem(item.id);
    } catch (err) {
      setActionError(`Could not restore ${name}: ${describeError(err)}`);
    }
    folder.refresh();
  };

  const seeAsClient = async (entry: FileEntry) => {
    const session = await previewAsClient(entry.path);
    navigate(sessionPath(session.id));
  };

  return (
    <Box
      data-testid="files-dropzone"
      {...drop.dropzone}
      sx={{ position: 'relative', minHeight: '70vh', p: { xs: 2, md: 3 }, minWidth: 0 }}
    >
      {drop.dragging && <DropOverlay folder={folder.path} />}

      <FolderHeader folder={folder.path} usage={folder.usage} onOpenFolder={openFolder} drag={drag} />
      <FilesToolbar
        onPickFiles={drop.onPickFiles}
        onNewFolder={() => openDialog({ kind: 'new-folder' })}
        onReload={folder.refresh}
      />

      <PageAlert
        actionError={actionError}
        onDismiss={() => setActionError(null)}
        loadError={folder.loadError}
        onRetry={folder.gone ? () => openFolder('') : folder.refresh}
        retryLabel={folder.gone ? 'All files' : 'Retry'}
      />

      <UploadList currentFolder={folder.path} />

      {selectedEntries.length > 0 && (
        <Paper
          variant="outlined"
          data-testid="selection-bar"
          sx={{ mb: 1, px: 1.5, py: 0.5, display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}
        >
          <Typography variant="body2" sx={{ fontWeight: 600, mr: 1 }} data-testid="selection-count">
            {selectedEntries.length} selected
          </Typography>
          <Button
            size="small"
            startIcon={<DriveFileMoveOutlinedIcon />}
            onClick={() => openDialog({ kind: 'move', entries: selectedEntries })}
            data-testid="selection-move"
          >
            Move…
          </Button>
          <Button
            size="small"
            color="error"
            startIcon={<DeleteOutlinedIcon />}
            onClick={() => void trash(selectedEntries)}
            data-testid="selection-delete"
          >
            Move to trash
          </Button>
          <Box sx={{ flex: 1 }} />
          <Typography variant="caption" color="text.secondary" sx={{ display: { xs: 'none', md: 'block' } }}>
            Drag them onto a folder to move them there.
          </Typography>
          <Button size="small" color="inherit" onClick={clearSelection} data-testid="selection-clear">
            Clear
          </Button>
        </Paper>
      )}

      {folder.loading && <Loading label="Loading the folder" />}
      {folder.entries && (
        <FileTable
          folder={folder.path}
          entries={folder.entries}
          sort={folder.sort}
          onSort={folder.sortBy}
          onOpenFolder={openFolder}
          onOpenFile={setPreviewing}
          onMenu={(anchor, entry) => setMenu({ anchor, entry })}
          selected={selected}
          onSelect={select}
          drag={drag}
        />
      )}

      <FileMenu
        target={menu}
        onClose={() => setMenu(null)}
        onDialog={openDialog}
        onTrash={(e) => void trash([e])}
        onPreview={(e) => {
          setMenu(null);
          setPreviewing(e);
        }}
      />

      <FilePreview entry={previewing} onClose={() => setPreviewing(null)} onSeeAsClient={seeAsClient} />

      <EntryDialogs
        dialog={dialog}
        folder={folder.path}
        fieldValue={fieldValue}
        setFieldValue={setFieldValue}
        onClose={() => setDialog(null)}
        onChanged={() => {
          clearSelection();
          folder.refresh();
        }}
        onShared={() => setNotice('Share created.')}
        onNotice={setNotice}
      />

      <Snackbar
        open={trashed !== null}
        autoHideDuration={8000}
        onClose={(_e, reason) => {
          if (reason !== 'clickaway') setTrashed(null);
        }}
        message={trashed ? `Moved ${trashed.name} to the trash` : ''}
        data-testid="trash-snackbar"
        action={
          <>
            <Button color="primary" size="small" onClick={() => void undoTrash()} data-testid="trash-undo">
              Undo
            </Button>
            <IconButton size="small" aria-label="Close" color="inherit" onClick={() => setTrashed(null)}>
              <CloseIcon fontSize="small" />
            </IconButton>
          </>
        }
      />
      <Snackbar
        open={notice !== null && trashed === null}
        autoHideDuration={4000}
        onClose={() => setNotice(null)}
        message={notice ?? ''}
        data-testid="files-notice"
      />
    </Box>
  );
}
