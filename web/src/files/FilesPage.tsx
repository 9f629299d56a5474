/** The owner's storage: browse folders, upload (button or drag and drop), organise, download, share. */
import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Snackbar from '@mui/material/Snackbar';
import CloseIcon from '@mui/icons-material/Close';
import { describeError } from '../shared/format.ts';
import { Loading, PageAlert } from '../shared/PageParts.tsx';
import { DropOverlay } from './DropOverlay.tsx';
import { EntryDialogs, initialFieldValue, type EntryDialog } from './EntryDialogs.tsx';
import { FileMenu, type MenuTarget } from './FileMenu.tsx';
import type { FileEntry, TrashItem } from './filesApi.ts';
import { deleteEntry, restoreTrashItem } from './filesApi.ts';
import { FilesToolbar } from './FilesToolbar.tsx';
import { FileTable } from './FileTable.tsx';
import { FolderHeader } from './FolderHeader.tsx';
import { UploadList } from './UploadList.tsx';
import { useFolder } from './useFolder.ts';
import { useUploadDrop } from './useUploadDrop.ts';

export function FilesPage() {
  const folder = useFolder();
  const drop = useUploadDrop(folder.path, folder.usage?.maxUploadBytes ?? 0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [dialog, setDialog] = useState<EntryDialog | null>(null);
  const [fieldValue, setFieldValue] = useState('');
  /** The entry just moved to the trash, while its Undo is offered. */
  const [trashed, setTrashed] = useState<{ item: TrashItem; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

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

  const trash = async (entry: FileEntry) => {
    setMenu(null);
    setActionError(null);
    try {
      const item = await deleteEntry(entry.path);
      setTrashed({ item, name: entry.name });
      folder.refresh();
    } catch (err) {
      setActionError(`Could not move ${entry.name} to the trash: ${describeError(err)}`);
    }
  };

  const undoTrash = async () => {
    if (!trashed) return;
    const { item, name } = trashed;
    setTrashed(null);
    try {
      await restoreTrashItem(item.id);
      folder.refresh();
    } catch (err) {
      setActionError(`Could not restore ${name}: ${describeError(err)}`);
    }
  };

  return (
    <Box
      data-testid="files-dropzone"
      {...drop.dropzone}
      sx={{ position: 'relative', minHeight: '70vh', p: { xs: 2, md: 3 } }}
    >
      {drop.dragging && <DropOverlay folder={folder.path} />}

      <FolderHeader folder={folder.path} usage={folder.usage} onOpenFolder={openFolder} />
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

      {folder.loading && <Loading label="Loading the folder" />}
      {folder.entries && (
        <FileTable
          folder={folder.path}
          entries={folder.entries}
          sort={folder.sort}
          onSort={folder.sortBy}
          onOpenFolder={openFolder}
          onMenu={(anchor, entry) => setMenu({ anchor, entry })}
        />
      )}

      <FileMenu target={menu} onClose={() => setMenu(null)} onDialog={openDialog} onTrash={(e) => void trash(e)} />

      <EntryDialogs
        dialog={dialog}
        folder={folder.path}
        fieldValue={fieldValue}
        setFieldValue={setFieldValue}
        onClose={() => setDialog(null)}
        onChanged={folder.refresh}
        onShared={() => setNotice('Share created.')}
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
      />
    </Box>
  );
}
