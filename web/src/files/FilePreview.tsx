/**
 * The owner's look at one of her files, in the page: pictures, PDF (the browser's viewer in a
 * frame), video, audio and text; anything else as a card with its name, size and type. From here
 * she can download it, or open it the way a client would see it (streamed, in an app).
 */
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import DownloadIcon from '@mui/icons-material/Download';
import VisibilityOutlinedIcon from '@mui/icons-material/VisibilityOutlined';
import { describeError, formatBytes, formatDateTime } from '../shared/format.ts';
import { FileKindIcon } from './FileKindIcon.tsx';
import type { FileEntry } from './filesApi.ts';
import { downloadUrl, previewUrl } from './filesApi.ts';
import { previewModeOf, typeLabel, type PreviewMode } from './fileKinds.ts';
import { entryNameText } from './nameStyle.ts';

/** Text beyond this is not loaded: the preview says so and offers the download. */
const TEXT_PREVIEW_BYTES = 512 * 1024;

interface FilePreviewProps {
  /** The file shown; null when closed. */
  entry: FileEntry | null;
  onClose: () => void;
  /** Opens the file as a client would see it (a streamed session); rejects with why not. */
  onSeeAsClient: (entry: FileEntry) => Promise<void>;
}

export function FilePreview({ entry, onClose, onSeeAsClient }: FilePreviewProps) {
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<{ path: string; message: string } | null>(null);
  const mode = entry ? previewModeOf(entry.name) : 'card';
  const shownError = entry && error?.path === entry.path ? error.message : null;

  const seeAsClient = async () => {
    if (!entry) return;
    setOpening(true);
    setError(null);
    try {
      await onSeeAsClient(entry);
    } catch (err) {
      setError({ path: entry.path, message: describeError(err) });
    } finally {
      setOpening(false);
    }
  };

  return (
    <Dialog
      open={entry !== null}
      onClose={onClose}
      fullWidth
      maxWidth="lg"
      aria-labelledby="file-preview-title"
      slotProps={{ paper: { 'data-testid': 'file-preview', 'data-mode': mode } as object }}
    >
      {entry && (
        <>
          <DialogTitle id="file-preview-title" component="div" sx={{ pr: 1.5 }}>
            <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, minWidth: 0 }}>
              <FileKindIcon kind={entry.kind} name={entry.name} fontSize="medium" />
              <Box sx={{ flex: 1, minWidth: 0 }}>
                <Typography
                  variant="h6"
                  component="h2"
                  sx={entryNameText}
                  title={entry.name}
                  data-testid="file-preview-name"
                >
                  {entry.name}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
                  {typeLabel(entry)} · {formatBytes(entry.size)}
                </Typography>
              </Box>
              <Button
                variant="contained"
                startIcon={opening ? <CircularProgress size={16} color="inherit" /> : <VisibilityOutlinedIcon />}
                disabled={opening}
                onClick={() => void seeAsClient()}
                data-testid="preview-as-client"
                sx={{ flexShrink: 0 }}
              >
                See it as the client will
              </Button>
              <Tooltip title="Download">
                <IconButton
                  component="a"
                  href={downloadUrl(entry.path)}
                  download={entry.name}
                  aria-label={`Download ${entry.name}`}
                  data-testid="preview-download"
                >
                  <DownloadIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Close">
                <IconButton onClick={onClose} aria-label="Close" data-testid="preview-close">
                  <CloseIcon />
                </IconButton>
              </Tooltip>
            </Stack>
          </DialogTitle>
          <DialogContent dividers sx={{ p: 0, bgcolor: 'background.default' }}>
            {shownError && (
              <Alert severity="error" sx={{ m: 2 }} onClose={() => setError(null)} data-testid="error-message">
                Could not open it as a client would: {shownError}
              </Alert>
            )}
            {/* Keyed: another file starts afresh (no picture or text of the last one). */}
            <PreviewBody key={entry.path} entry={entry} mode={mode} />
          </DialogContent>
        </>
      )}
    </Dialog>
  );
}

const frame = { display: 'block', width: '100%', height: '72vh', border: 0 } as const;

function PreviewBody({ entry, mode }: { entry: FileEntry; mode: PreviewMode }) {
  const [failed, setFailed] = useState(false);
  const url = previewUrl(entry.path);
  if (failed || mode === 'card') return <FileCard entry={entry} failed={failed} />;
  switch (mode) {
    case 'image':
      return (
        <Box sx={{ display: 'flex', justifyContent: 'center', alignItems: 'center', p: 2, minHeight: 240 }}>
          <Box
            component="img"
            src={url}
            alt={entry.name}
            onError={() => setFailed(true)}
            data-testid="preview-image"
            sx={{ maxWidth: '100%', maxHeight: '70vh', objectFit: 'contain', display: 'block' }}
          />
        </Box>
      );
    case 'pdf':
      return <Box component="iframe" src={url} title={entry.name} data-testid="preview-pdf" sx={frame} />;
    case 'video':
      return (
        <Box
          component="video"
          src={url}
          controls
          onError={() => setFailed(true)}
          data-testid="preview-video"
          sx={{ display: 'block', width: '100%', maxHeight: '72vh', bgcolor: 'black' }}
        />
      );
    case 'audio':
      return (
        <Box sx={{ p: 3 }}>
          <Box
            component="audio"
            src={url}
            controls
            onError={() => setFailed(true)}
            data-testid="preview-audio"
            sx={{ width: '100%' }}
          />
        </Box>
      );
    case 'text':
      return <TextPreview entry={entry} url={url} />;
  }
}

function TextPreview({ entry, url }: { entry: FileEntry; url: string }) {
  const [text, setText] = useState<{ body: string; cut: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    readStart(url, TEXT_PREVIEW_BYTES, ctrl.signal)
      .then(setText)
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(describeError(err));
      });
    return () => ctrl.abort();
  }, [url]);

  if (error) return <FileCard entry={entry} failed />;
  if (!text) {
    return (
      <Box sx={{ display: 'flex', justifyContent: 'center', py: 6 }}>
        <CircularProgress aria-label="Loading the text" />
      </Box>
    );
  }
  return (
    <>
      {text.cut && (
        <Alert severity="info" sx={{ m: 2, mb: 0 }}>
          Showing the first {formatBytes(TEXT_PREVIEW_BYTES)}; download the file to see all of it.
        </Alert>
      )}
      <Box
        component="pre"
        data-testid="preview-text"
        sx={{
          m: 0,
          p: 2,
          maxHeight: '72vh',
          overflow: 'auto',
          whiteSpace: 'pre-wrap',
          overflowWrap: 'anywhere',
          fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
          fontSize: 13,
        }}
      >
        {text.body || '(empty file)'}
      </Box>
    </>
  );
}

/** The first `limit` bytes of a file as UTF-8 text, without loading the rest. */
async function readStart(url: string, limit: number, signal: AbortSignal): Promise<{ body: string; cut: boolean }> {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new Error(`The server answered ${res.status}.`);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size >= limit) {
      cut = size > limit || !(await reader.read()).done;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const p of parts) {
    const take = p.subarray(0, Math.min(p.byteLength, bytes.byteLength - at));
    bytes.set(take, at);
    at += take.byteLength;
  }
  // Cut mid-character at the end is shown as one replacement character, not an error.
  return { body: new TextDecoder('utf-8').decode(bytes), cut };
}

/** What there is to say about a file the page does not show. */
function FileCard({ entry, failed }: { entry: FileEntry; failed: boolean }) {
  return (
    <Stack sx={{ alignItems: 'center', textAlign: 'center', gap: 1.5, py: 6, px: 3 }} data-testid="preview-card">
      <FileKindIcon kind={entry.kind} name={entry.name} fontSize="large" />
      <Typography variant="h6" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxWidth: '100%' }}>
        {entry.name}
      </Typography>
      <Typography color="text.secondary">
        {typeLabel(entry)} · {formatBytes(entry.size)} · modified {formatDateTime(entry.modifiedAt)}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {failed
          ? 'Your browser could not show this file here.'
          : 'There is no preview of this kind of file in the browser.'}{' '}
        Download it, or see it as the client will.
      </Typography>
      <Button
        variant="outlined"
        startIcon={<DownloadIcon />}
        href={downloadUrl(entry.path)}
        download={entry.name}
        data-testid="preview-card-download"
      >
        Download
      </Button>
    </Stack>
  );
}
