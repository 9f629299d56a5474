/** The small icon before a file or folder name in the storage tables. */
import FolderIcon from '@mui/icons-material/Folder';
import InsertDriveFileOutlinedIcon from '@mui/icons-material/InsertDriveFileOutlined';
import type { FileEntry } from './filesApi.ts';

export function FileKindIcon({ kind }: { kind: FileEntry['kind'] }) {
  return kind === 'folder' ? (
    <FolderIcon fontSize="small" color="primary" />
  ) : (
    <InsertDriveFileOutlinedIcon fontSize="small" color="action" />
  );
}
