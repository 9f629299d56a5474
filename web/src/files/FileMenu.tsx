/**
 * What can be done with one file or folder: preview and download (files), share, rename, move,
 * move to the trash. An entry with an unusual name can be renamed or trashed; a special one (a
 * link, a pipe) only trashed.
 */
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import DownloadIcon from '@mui/icons-material/Download';
import DriveFileMoveIcon from '@mui/icons-material/DriveFileMove';
import DriveFileRenameOutlineIcon from '@mui/icons-material/DriveFileRenameOutline';
import ShareIcon from '@mui/icons-material/Share';
import VisibilityOutlinedIcon from '@mui/icons-material/VisibilityOutlined';
import { isUsual } from './entryName.ts';
import type { EntryDialog } from './EntryDialogs.tsx';
import type { FileEntry } from './filesApi.ts';
import { downloadUrl } from './filesApi.ts';

export interface MenuTarget {
  anchor: HTMLElement;
  entry: FileEntry;
}

interface FileMenuProps {
  /** The entry whose menu is open, and the button it hangs from; null when closed. */
  target: MenuTarget | null;
  onClose: () => void;
  /** Share, rename or move: opens that dialog for the entry. */
  onDialog: (dialog: EntryDialog) => void;
  onTrash: (entry: FileEntry) => void;
  onPreview: (entry: FileEntry) => void;
}

export function FileMenu({ target, onClose, onDialog, onTrash, onPreview }: FileMenuProps) {
  const usual = target !== null && isUsual(target.entry);
  const file = usual && target.entry.kind === 'file';
  return (
    <Menu anchorEl={target?.anchor ?? null} open={target !== null} onClose={onClose}>
      {file && (
        <MenuItem onClick={() => onPreview(target.entry)} data-testid="file-preview-open">
          <ListItemIcon>
            <VisibilityOutlinedIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Preview</ListItemText>
        </MenuItem>
      )}
      {file && (
        <MenuItem
          component="a"
          href={downloadUrl(target.entry.path)}
          download={target.entry.name}
          onClick={onClose}
          data-testid="file-download"
        >
          <ListItemIcon>
            <DownloadIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Download</ListItemText>
        </MenuItem>
      )}
      {usual && (
        <MenuItem onClick={() => target && onDialog({ kind: 'share', entry: target.entry })} data-testid="file-share">
          <ListItemIcon>
            <ShareIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Share…</ListItemText>
        </MenuItem>
      )}
      {target?.entry.kind !== 'special' && (
        <MenuItem onClick={() => target && onDialog({ kind: 'rename', entry: target.entry })} data-testid="file-rename">
          <ListItemIcon>
            <DriveFileRenameOutlineIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Rename…</ListItemText>
        </MenuItem>
      )}
      {usual && (
        <MenuItem onClick={() => target && onDialog({ kind: 'move', entries: [target.entry] })} data-testid="file-move">
          <ListItemIcon>
            <DriveFileMoveIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Move…</ListItemText>
        </MenuItem>
      )}
      <MenuItem onClick={() => target && onTrash(target.entry)} data-testid="file-delete">
        <ListItemIcon>
          <DeleteOutlinedIcon fontSize="small" color="error" />
        </ListItemIcon>
        <ListItemText slotProps={{ primary: { color: 'error' } }}>Move to trash</ListItemText>
      </MenuItem>
    </Menu>
  );
}
