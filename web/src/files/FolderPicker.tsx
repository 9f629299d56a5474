/**
 * Choosing a folder of the owner's storage by browsing it: where it is (breadcrumbs), its
 * subfolders to open, and a new folder made on the spot. The folder shown is the one chosen.
 * Folders being moved (and what is inside them) cannot be opened: nothing moves into itself.
 */
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Breadcrumbs from '@mui/material/Breadcrumbs';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import CreateNewFolderOutlinedIcon from '@mui/icons-material/CreateNewFolderOutlined';
import FolderIcon from '@mui/icons-material/Folder';
import { describeError, isWithin, joinPath, nameProblem, pathCrumbs } from '../shared/format.ts';
import type { FileEntry } from './filesApi.ts';
import { createFolder, listFolder } from './filesApi.ts';
import { entryNameText } from './nameStyle.ts';

interface FolderPickerProps {
  /** The folder chosen (and shown). */
  value: string;
  onChange: (folder: string) => void;
  /** Folders that may not be opened or chosen (those being moved). */
  excluded: readonly string[];
}

export function FolderPicker({ value, onChange, excluded }: FolderPickerProps) {
  const [listing, setListing] = useState<{ path: string; folders: FileEntry[] } | null>(null);
  const [error, setError] = useState<{ path: string; message: string } | null>(null);
  const [reload, setReload] = useState(0);
  const [newName, setNewName] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    listFolder(value, ctrl.signal)
      .then((l) => {
        setListing({ path: value, folders: l.entries.filter((e) => e.kind === 'folder' && !e.ref) });
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError({ path: value, message: describeError(err) });
      });
    return () => ctrl.abort();
  }, [value, reload]);

  const shown = listing?.path === value ? listing.folders : null;
  const shownError = error?.path === value ? error.message : null;
  const isExcluded = (path: string) => excluded.some((x) => isWithin(path, x));
  const newNameProblem = newName === null ? null : nameProblem(newName);

  const create = async () => {
    if (newName === null || newNameProblem) return;
    setCreating(true);
    setCreateError(null);
    try {
      const folder = await createFolder(joinPath(value, newName.trim()));
      setNewName(null);
      onChange(folder.path);
    } catch (err) {
      setCreateError(describeError(err));
    } finally {
      setCreating(false);
    }
  };

  return (
    <Stack sx={{ gap: 1, minWidth: 0 }} data-testid="folder-picker" data-path={value}>
      <Breadcrumbs aria-label="Folder shown" maxItems={5} sx={{ minWidth: 0 }}>
        {pathCrumbs(value).map((c, i, all) =>
          i === all.length - 1 ? (
            <Typography
              key={c.path}
              color="text.primary"
              aria-current="location"
              data-testid="folder-picker-crumb"
              data-path={c.path}
              sx={{ ...entryNameText, maxWidth: 260, fontWeight: 600 }}
              title={c.label}
            >
              {c.label}
            </Typography>
          ) : (
            <Link
              key={c.path}
              component="button"
              type="button"
              underline="hover"
              color="inherit"
              data-testid="folder-picker-crumb"
              data-path={c.path}
              onClick={() => onChange(c.path)}
              sx={{ ...entryNameText, maxWidth: 200, verticalAlign: 'bottom' }}
              title={c.label}
            >
              {c.label}
            </Link>
          ),
        )}
      </Breadcrumbs>

      <Paper variant="outlined" sx={{ height: 280, overflowY: 'auto', minWidth: 0 }}>
        {shownError && (
          <Alert
            severity="error"
            sx={{ m: 1 }}
            action={
              <Button color="inherit" size="small" onClick={() => setReload((r) => r + 1)}>
                Retry
              </Button>
            }
          >
            {shownError}
          </Alert>
        )}
        {!shown && !shownError && (
          <Box sx={{ display: 'flex', justifyContent: 'center', py: 4 }}>
            <CircularProgress size={24} aria-label="Loading folders" />
          </Box>
        )}
        {shown && shown.length === 0 && (
          <Typography color="text.secondary" sx={{ p: 2 }} data-testid="folder-picker-empty">
            No folders in here. Move here, or make a new folder.
          </Typography>
        )}
        {shown && shown.length > 0 && (
          <List dense disablePadding aria-label="Folders">
            {shown.map((f) => {
              const blocked = isExcluded(f.path);
              return (
                <ListItemButton
                  key={f.path}
                  disabled={blocked}
                  onClick={() => onChange(f.path)}
                  data-testid="folder-picker-item"
                  data-path={f.path}
                  title={f.name}
                >
                  <ListItemIcon sx={{ minWidth: 36 }}>
                    <FolderIcon fontSize="small" color="primary" />
                  </ListItemIcon>
                  <ListItemText
                    primary={f.name}
                    secondary={blocked ? 'Being moved' : null}
                    slotProps={{ primary: { sx: entryNameText } }}
                    sx={{ minWidth: 0 }}
                  />
                  {!blocked && <ChevronRightIcon fontSize="small" color="action" />}
                </ListItemButton>
              );
            })}
          </List>
        )}
      </Paper>

      {newName === null ? (
        <Box>
          <Button
            size="small"
            startIcon={<CreateNewFolderOutlinedIcon />}
            onClick={() => {
              setCreateError(null);
              setNewName('');
            }}
            data-testid="folder-picker-new"
          >
            New folder here
          </Button>
        </Box>
      ) : (
        <Stack direction="row" sx={{ gap: 1, alignItems: 'flex-start' }}>
          <TextField
            size="small"
            label="New folder name"
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            onKeyDown={(e) => {
              // Enter makes the folder here, not the dialog's Move.
              if (e.key === 'Enter') {
                e.preventDefault();
                void create();
              }
              if (e.key === 'Escape') {
                e.stopPropagation();
                setNewName(null);
              }
            }}
            autoFocus
            error={(newName !== '' && !!newNameProblem) || !!createError}
            helperText={createError ?? (newName !== '' ? newNameProblem : null)}
            sx={{ flex: 1 }}
            slotProps={{
              htmlInput: { 'data-testid': 'folder-picker-new-name', autoComplete: 'off', spellCheck: false },
            }}
          />
          <Button
            variant="outlined"
            onClick={() => void create()}
            disabled={creating || !!newNameProblem}
            data-testid="folder-picker-create"
          >
            Create
          </Button>
          <Button onClick={() => setNewName(null)} disabled={creating}>
            Cancel
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
