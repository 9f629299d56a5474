/** The Files page's buttons: Upload (with its hidden file picker), New folder, and Reload. */
import { useRef } from 'react';
import type { ChangeEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import CloudUploadIcon from '@mui/icons-material/CloudUpload';
import CreateNewFolderIcon from '@mui/icons-material/CreateNewFolder';
import { ReloadButton } from '../shared/PageParts.tsx';

interface FilesToolbarProps {
  onPickFiles: (e: ChangeEvent<HTMLInputElement>) => void;
  onNewFolder: () => void;
  onReload: () => void;
}

export function FilesToolbar({ onPickFiles, onNewFolder, onReload }: FilesToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  return (
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
        onClick={onNewFolder}
        data-testid="files-new-folder"
      >
        New folder
      </Button>
      <Box sx={{ flex: 1 }} />
      <Typography variant="body2" color="text.secondary" sx={{ display: { xs: 'none', sm: 'block' } }}>
        Drop files anywhere here to upload them.
      </Typography>
      <ReloadButton onClick={onReload} />
    </Stack>
  );
}
