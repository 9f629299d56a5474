/** The owner's storage: browse folders, upload (button or drag and drop), organise, download, share. */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ChangeEvent, DragEvent } from 'react';
import Box from '@mui/material/Box';
import Breadcrumbs from '@mui/material/Breadcrumbs';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Link from '@mui/material/Link';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import CloudUploadIcon from '@mui/icons-material/CloudUpload';
import CreateNewFolderIcon from '@mui/icons-material/CreateNewFolder';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import DownloadIcon from '@mui/icons-material/Download';
import DriveFileMoveIcon from '@mui/icons-material/DriveFileMove';
import DriveFileRenameOutlineIcon from '@mui/icons-material/DriveFileRenameOutline';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import ShareIcon from '@mui/icons-material/Share';
import { FileKindIcon } from '../components/FileKindIcon.tsx';
import { Loading, PageAlert, ReloadButton } from '../components/PageParts.tsx';
import { ActionDialog, ShareDialog, StoragePathField } from '../components/ShareDialog.tsx';
import { navigate, useLocation } from '../router.ts';
import type { FileEntry, FolderListing, StorageUsage, TrashItem, UploadItem } from '../services/files.ts';
import {
  createFolder,
  deleteEntry,
  downloadUrl,
  getUsage,
  listFolder,
  moveEntry,
  restoreTrashItem,
  uploads,
} from '../services/files.ts';
import {
  describeError,
  displayPath,
  formatBytes,
  formatDateTime,
  joinPath,
  nameProblem,
  normalizePath,
  parentPath,
  pathCrumbs,
  usagePercent,
} from '../services/format.ts';

type SortKey = 'name' | 'size' | 'modified';

type DialogState =
  | { kind: 'new-folder' }
  | { kind: 'rename'; entry: FileEntry }
  | { kind: 'move'; entry: FileEntry }
  | { kind: 'share'; entry: FileEntry };

function sortEntries(entries: FileEntry[], key: SortKey, asc: boolean): FileEntry[] {
  const dir = asc ? 1 : -1;
  const byName = (a: FileEntry, b: FileEntry) =>
    a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  return [...entries].sort((a, b) => {
    // Folders stay on top whatever the order.
    if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
    let c = 0;
    if (key === 'size') c = a.size - b.size;
    else if (key === 'modified') c = Date.parse(a.modifiedAt) - Date.parse(b.modifiedAt);
    return (c || byName(a, b)) * dir;
  });
}

/** The folder in `?path=`, so a reload or a shared URL opens the same folder. */
function folderFromSearch(search: string): string {
  return normalizePath(new URLSearchParams(search).get('path') ?? '');
}

export function FilesPage() {
  const location = useLocation();
  const folder = folderFromSearch(location.search);

  const [listing, setListing] = useState<{ folder: string; data: FolderListing } | null>(null);
  const [loadError, setLoadError] = useState<{ folder: string; message: string; status: number | null } | null>(null);
  const [usage, setUsage] = useState<StorageUsage | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'name', asc: true });
  const [menu, setMenu] = useState<{ anchor: HTMLElement; entry: FileEntry } | null>(null);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [fieldValue, setFieldValue] = useState('');
  const [trashed, setTrashed] = useState<{ item: TrashItem; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(() => setReloadKey((k) => k + 1), []);

  useEffect(() => {
    const ctrl = new AbortController();
    listFolder(folder, ctrl.signal)
      .then((data) => {
        setListing({ folder, data });
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        const status =
          typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : null;
        setLoadError({ folder, message: describeError(err), status });
      });
    getUsage(ctrl.signal)
      .then(setUsage)
      .catch(() => {
        // The usage bar is a nicety; the listing reports real trouble.
      });
    return () => ctrl.abort();
  }, [folder, reloadKey]);

  // A finished upload into the folder on screen shows up in it (batched: many small files finish together).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = uploads.onUploaded(() => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [refresh]);

  const openFolder = (path: string) => {
    const params = new URLSearchParams(location.search);
    if (path) params.set('path', path);
    else params.delete('path');
    const qs = params.toString();
    setActionError(null);
    navigate(location.pathname + (qs ? `?${qs}` : ''));
  };

  const startUploads = (files: File[]) => {
    if (files.length === 0) return;
    const max = usage?.maxUploadBytes ?? 0;
    const accepted: File[] = [];
    for (const file of files) {
      // Refused before sending a byte: the server would answer 413 file-too-large anyway.
      if (max > 0 && file.size > max) {
        uploads.reject(
          folder,
          file.name,
          `${file.name} is ${formatBytes(file.size)}; the largest file you can upload is ${formatBytes(max)}.`,
          'file-too-large',
          file.size,
        );
      } else {
        accepted.push(file);
      }
    }
    uploads.add(folder, accepted);
  };

  const onPickFiles = (e: ChangeEvent<HTMLInputElement>) => {
    startUploads(Array.from(e.target.files ?? []));
    e.target.value = ''; // picking the same file again still fires a change
  };

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

  const onDragEnter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth.current++;
    setDragging(true);
  };
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    const files: File[] = [];
    const items = Array.from(e.dataTransfer.items ?? []).filter((i) => i.kind === 'file');
    if (items.length > 0) {
      for (const item of items) {
        const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
        const file = item.getAsFile();
        if (entry?.isDirectory) {
          uploads.reject(folder, entry.name, 'Folders cannot be uploaded: create the folder, then drop its files.');
        } else if (file) {
          files.push(file);
        }
      }
    } else {
      files.push(...Array.from(e.dataTransfer.files));
    }
    startUploads(files);
  };

  const openDialog = (d: DialogState) => {
    setMenu(null);
    setActionError(null);
    if (d.kind === 'rename') setFieldValue(d.entry.name);
    else if (d.kind === 'move') setFieldValue(parentPath(d.entry.path));
    else setFieldValue('');
    setDialog(d);
  };

  const trash = async (entry: FileEntry) => {
    setMenu(null);
    setActionError(null);
    try {
      const item = await deleteEntry(entry.path);
      setTrashed({ item, name: entry.name });
      refresh();
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
      refresh();
    } catch (err) {
      setActionError(`Could not restore ${name}: ${describeError(err)}`);
    }
  };

  const entries = useMemo(
    () => (listing && listing.folder === folder ? sortEntries(listing.data.entries, sort.key, sort.asc) : null),
    [listing, folder, sort],
  );
  const loading = !entries && !(loadError && loadError.folder === folder);
  const shownError = loadError && loadError.folder === folder ? loadError : null;
  // A folder that is not there (any more): offer the top level rather than asking for it again.
  const folderGone = shownError?.status === 404 && folder !== '';

  const sortBy = (key: SortKey) => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }));

  const nameDialogProblem = dialog?.kind === 'new-folder' || dialog?.kind === 'rename' ? nameProblem(fieldValue) : null;

  return (
    <Box
      data-testid="files-dropzone"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      sx={{ position: 'relative', minHeight: '70vh', p: { xs: 2, md: 3 } }}
    >
      {dragging && (
        <Box
          sx={{
            position: 'absolute',
            inset: 8,
            zIndex: 10,
            border: 2,
            borderStyle: 'dashed',
            borderColor: 'primary.main',
            borderRadius: 2,
            bgcolor: 'rgba(122, 162, 247, 0.08)',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            pointerEvents: 'none',
          }}
        >
          <Typography variant="h6" color="primary">
            Drop to upload to {displayPath(folder)}
          </Typography>
        </Box>
      )}

      <Stack direction={{ xs: 'column', md: 'row' }} sx={{ gap: 2, alignItems: { md: 'center' }, mb: 2 }}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 0.5 }}>
            Files
          </Typography>
          <Breadcrumbs aria-label="Current folder" data-testid="breadcrumb" maxItems={6}>
            {pathCrumbs(folder).map((c, i, all) =>
              i === all.length - 1 ? (
                <Typography key={c.path} color="text.primary" data-path={c.path} aria-current="page">
                  {c.name || 'All files'}
                </Typography>
              ) : (
                <Link
                  key={c.path}
                  component="button"
                  type="button"
                  underline="hover"
                  color="inherit"
                  data-path={c.path}
                  onClick={() => openFolder(c.path)}
                >
                  {c.name || 'All files'}
                </Link>
              ),
            )}
          </Breadcrumbs>
        </Box>
        <UsageBar usage={usage} />
      </Stack>

      <Stack direction="row" sx={{ gap: 1, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button variant="contained" startIcon={<CloudUploadIcon />} onClick={() => fileInput.current?.click()}>
          Upload
        </Button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          onChange={onPickFiles}
          data-testid="files-upload-input"
          aria-label="Files to upload"
        />
        <Button
          variant="outlined"
          startIcon={<CreateNewFolderIcon />}
          onClick={() => openDialog({ kind: 'new-folder' })}
          data-testid="files-new-folder"
        >
          New folder
        </Button>
        <Box sx={{ flex: 1 }} />
        <Typography variant="body2" color="text.secondary" sx={{ display: { xs: 'none', sm: 'block' } }}>
          Drop files anywhere here to upload them.
        </Typography>
        <ReloadButton onClick={refresh} />
      </Stack>

      <PageAlert
        actionError={actionError}
        onDismiss={() => setActionError(null)}
        loadError={shownError?.message}
        onRetry={folderGone ? () => openFolder('') : refresh}
        retryLabel={folderGone ? 'All files' : 'Retry'}
      />

      <UploadList currentFolder={folder} />

      {loading && <Loading label="Loading the folder" />}
      {entries && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label={`Contents of ${displayPath(folder)}`}>
            <TableHead>
              <TableRow>
                <TableCell sortDirection={sort.key === 'name' ? (sort.asc ? 'asc' : 'desc') : false}>
                  <TableSortLabel
                    active={sort.key === 'name'}
                    direction={sort.key === 'name' && !sort.asc ? 'desc' : 'asc'}
                    onClick={() => sortBy('name')}
                  >
                    Name
                  </TableSortLabel>
                </TableCell>
                <TableCell align="right" sx={{ width: 120 }}>
                  <TableSortLabel
                    active={sort.key === 'size'}
                    direction={sort.key === 'size' && !sort.asc ? 'desc' : 'asc'}
                    onClick={() => sortBy('size')}
                  >
                    Size
                  </TableSortLabel>
                </TableCell>
                <TableCell sx={{ width: 200, display: { xs: 'none', sm: 'table-cell' } }}>
                  <TableSortLabel
                    active={sort.key === 'modified'}
                    direction={sort.key === 'modified' && !sort.asc ? 'desc' : 'asc'}
                    onClick={() => sortBy('modified')}
                  >
                    Modified
                  </TableSortLabel>
                </TableCell>
                <TableCell align="right" sx={{ width: 64 }}>
                  <Box component="span" sx={visuallyHidden}>
                    Actions
                  </Box>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {entries.length === 0 && (
                <TableRow>
                  <TableCell colSpan={4} sx={{ py: 6, textAlign: 'center', color: 'text.secondary' }}>
                    This folder is empty. Drop files here or use Upload.
                  </TableCell>
                </TableRow>
              )}
              {entries.map((entry) => (
                <TableRow
                  key={entry.path}
                  hover
                  data-testid="file-row"
                  data-name={entry.name}
                  data-kind={entry.kind}
                  data-path={entry.path}
                  onClick={entry.kind === 'folder' ? () => openFolder(entry.path) : undefined}
                  sx={{ cursor: entry.kind === 'folder' ? 'pointer' : 'default' }}
                >
                  <TableCell sx={{ maxWidth: 0, width: '100%' }}>
                    <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, minWidth: 0 }}>
                      <FileKindIcon kind={entry.kind} />
                      {entry.kind === 'folder' ? (
                        <Link
                          component="button"
                          type="button"
                          underline="hover"
                          color="inherit"
                          onClick={(e) => {
                            e.stopPropagation();
                            openFolder(entry.path);
                          }}
                          sx={ellipsis}
                        >
                          {entry.name}
                        </Link>
                      ) : (
                        <Typography variant="body2" sx={ellipsis} title={entry.name}>
                          {entry.name}
                        </Typography>
                      )}
                    </Stack>
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }}>
                    {entry.kind === 'folder' ? '—' : formatBytes(entry.size)}
                  </TableCell>
                  <TableCell
                    sx={{ whiteSpace: 'nowrap', color: 'text.secondary', display: { xs: 'none', sm: 'table-cell' } }}
                  >
                    {formatDateTime(entry.modifiedAt)}
                  </TableCell>
                  <TableCell align="right" sx={{ py: 0 }}>
                    <IconButton
                      size="small"
                      aria-label={`Actions for ${entry.name}`}
                      data-testid="file-menu"
                      onClick={(e) => {
                        e.stopPropagation();
                        setMenu({ anchor: e.currentTarget, entry });
                      }}
                    >
                      <MoreVertIcon fontSize="small" />
                    </IconButton>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      <Menu anchorEl={menu?.anchor ?? null} open={menu !== null} onClose={() => setMenu(null)}>
        {menu?.entry.kind === 'file' && (
          <MenuItem
            component="a"
            href={downloadUrl(menu.entry.path)}
            download={menu.entry.name}
            onClick={() => setMenu(null)}
            data-testid="file-download"
          >
            <ListItemIcon>
              <DownloadIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Download</ListItemText>
          </MenuItem>
        )}
        <MenuItem onClick={() => menu && openDialog({ kind: 'share', entry: menu.entry })} data-testid="file-share">
          <ListItemIcon>
            <ShareIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Share…</ListItemText>
        </MenuItem>
        <MenuItem onClick={() => menu && openDialog({ kind: 'rename', entry: menu.entry })} data-testid="file-rename">
          <ListItemIcon>
            <DriveFileRenameOutlineIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Rename…</ListItemText>
        </MenuItem>
        <MenuItem onClick={() => menu && openDialog({ kind: 'move', entry: menu.entry })} data-testid="file-move">
          <ListItemIcon>
            <DriveFileMoveIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Move…</ListItemText>
        </MenuItem>
        <MenuItem onClick={() => menu && void trash(menu.entry)} data-testid="file-delete">
          <ListItemIcon>
            <DeleteOutlinedIcon fontSize="small" color="error" />
          </ListItemIcon>
          <ListItemText slotProps={{ primary: { color: 'error' } }}>Move to trash</ListItemText>
        </MenuItem>
      </Menu>

      <ActionDialog
        open={dialog?.kind === 'new-folder'}
        title={`New folder in ${displayPath(folder)}`}
        confirmLabel="Create"
        confirmDisabled={!!nameDialogProblem}
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await createFolder(joinPath(folder, fieldValue.trim()));
          refresh();
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
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          if (dialog?.kind !== 'rename') return;
          const name = fieldValue.trim();
          if (name !== dialog.entry.name)
            await moveEntry(dialog.entry.path, joinPath(parentPath(dialog.entry.path), name));
          refresh();
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
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          if (dialog?.kind !== 'move') return;
          const target = joinPath(normalizePath(fieldValue), dialog.entry.name);
          if (target === dialog.entry.path) throw new Error(`${dialog.entry.name} is already in that folder.`);
          if (dialog.entry.kind === 'folder' && target.startsWith(`${dialog.entry.path}/`)) {
            throw new Error('A folder cannot be moved into itself.');
          }
          await moveEntry(dialog.entry.path, target);
          refresh();
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
        onClose={() => setDialog(null)}
        initialPaths={dialog?.kind === 'share' ? [dialog.entry.path] : []}
        onSaved={() => setNotice('Share created.')}
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

const ellipsis = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 } as const;

const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

function UsageBar({ usage }: { usage: StorageUsage | null }) {
  if (!usage) return <Box sx={{ minWidth: 240 }} />;
  const pct = usagePercent(usage.usedBytes, usage.quotaBytes);
  const limited = usage.quotaBytes > 0;
  return (
    <Box data-testid="usage" sx={{ minWidth: 240 }}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
        {limited
          ? `${formatBytes(usage.usedBytes)} of ${formatBytes(usage.quotaBytes)} used`
          : `${formatBytes(usage.usedBytes)} used`}
      </Typography>
      {limited && (
        <LinearProgress
          variant="determinate"
          value={pct}
          color={pct >= 90 ? 'error' : pct >= 75 ? 'warning' : 'primary'}
          aria-label="Storage used"
          sx={{ height: 6, borderRadius: 3 }}
        />
      )}
    </Box>
  );
}

function UploadList({ currentFolder }: { currentFolder: string }) {
  const items = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot);
  if (items.length === 0) return null;
  const finished = items.filter((i) => i.state === 'done' || i.state === 'failed').length;
  const running = items.length - finished;
  return (
    <Paper variant="outlined" sx={{ mb: 2, p: 1.5 }} data-testid="upload-list">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1, gap: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          {running > 0 ? `Uploading ${running} of ${items.length}` : `Uploads (${items.length})`}
        </Typography>
        {finished > 0 && (
          <Button size="small" onClick={() => uploads.clearFinished()} data-testid="uploads-clear">
            Clear finished
          </Button>
        )}
      </Stack>
      <Stack sx={{ gap: 1 }}>
        {items.map((item) => (
          <UploadRow key={item.id} item={item} currentFolder={currentFolder} />
        ))}
      </Stack>
    </Paper>
  );
}

function UploadRow({ item, currentFolder }: { item: UploadItem; currentFolder: string }) {
  const pct = item.total > 0 ? Math.min(100, (item.loaded / item.total) * 100) : item.state === 'done' ? 100 : 0;
  const color = item.state === 'failed' ? 'error' : item.state === 'done' ? 'success' : 'primary';
  return (
    <Box data-testid="upload-row" data-name={item.name} data-state={item.state}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" sx={{ ...ellipsis, flex: 1 }} title={item.name}>
          {item.name}
          {item.folder !== currentFolder && (
            <Typography component="span" variant="caption" color="text.secondary">
              {' '}
              → {displayPath(item.folder)}
            </Typography>
          )}
        </Typography>
        <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
          {item.state === 'queued' && 'Waiting'}
          {item.state === 'uploading' && `${formatBytes(item.loaded)} of ${formatBytes(item.total)}`}
          {item.state === 'done' && `Done · ${formatBytes(item.size)}`}
          {item.state === 'failed' && 'Failed'}
        </Typography>
        {item.state === 'failed' && item.code === 'exists' && item.retryable && (
          <Button size="small" onClick={() => uploads.retry(item.id, { overwrite: true })} data-testid="upload-replace">
            Replace
          </Button>
        )}
        {item.state === 'failed' && item.code !== 'exists' && item.retryable && (
          <Button size="small" onClick={() => uploads.retry(item.id)} data-testid="upload-retry">
            Retry
          </Button>
        )}
        <Tooltip title={item.state === 'queued' || item.state === 'uploading' ? 'Cancel' : 'Dismiss'}>
          <IconButton
            size="small"
            aria-label={item.state === 'queued' || item.state === 'uploading' ? 'Cancel upload' : 'Dismiss'}
            onClick={() => uploads.cancel(item.id)}
            data-testid="upload-cancel"
          >
            <CloseIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Stack>
      <LinearProgress
        variant={item.state === 'queued' ? 'indeterminate' : 'determinate'}
        value={pct}
        color={color}
        aria-label={`Upload of ${item.name}`}
        sx={{ height: 4, borderRadius: 2, mt: 0.5, opacity: item.state === 'queued' ? 0.4 : 1 }}
      />
      {item.state === 'failed' && item.error && (
        <Typography variant="caption" color="error" data-testid="upload-error" sx={{ display: 'block', mt: 0.5 }}>
          {item.error}
        </Typography>
      )}
    </Box>
  );
}
