/** The owner's own storage: `/api/files` and `/api/trash` (see docs/accounts-and-shares.md). */
import type {
  FileEntry,
  FolderListing,
  StorageUsage,
  TrashItem,
  UploadConflict,
  UploadedFile,
} from '@vitrine/protocol';
import { ApiError, apiRequest, errorFromResponse, isErrorBody } from '../shared/api.ts';
import { addressOf } from './entryName.ts';

export type { FileEntry, FolderListing, StorageUsage, TrashItem, UploadConflict, UploadedFile };

const q = (path: string) => `path=${encodeURIComponent(path)}`;

export function listFolder(path: string, signal?: AbortSignal): Promise<FolderListing> {
  return apiRequest<FolderListing>('GET', `/api/files?${q(path)}`, undefined, signal);
}

export function getUsage(signal?: AbortSignal): Promise<StorageUsage> {
  return apiRequest<StorageUsage>('GET', '/api/files/usage', undefined, signal);
}

export function createFolder(path: string): Promise<FileEntry> {
  return apiRequest<FileEntry>('POST', '/api/files/folders', { path });
}

/** An entry as the API addresses it: by `ref` when it has one (an unusual name), else by path. */
export type EntryAddress = Pick<FileEntry, 'path' | 'ref'>;

/** Move or rename (`to` is the full new path; a rename stays in the same folder). */
export function moveEntry(from: EntryAddress, to: string): Promise<FileEntry> {
  return apiRequest<FileEntry>(
    'POST',
    '/api/files/move',
    from.ref ? { fromRef: from.ref, to } : { from: from.path, to },
  );
}

/** Moves a file, folder or special entry to the trash; the returned item can be restored. */
export function deleteEntry(entry: EntryAddress): Promise<TrashItem> {
  return apiRequest<TrashItem>('DELETE', `/api/files?${addressOf(entry)}`);
}

export function listTrash(signal?: AbortSignal): Promise<TrashItem[]> {
  return apiRequest<TrashItem[]>('GET', '/api/trash', undefined, signal);
}

/** Puts an item back; with `keepBoth`, as "name (2).ext" when something is at its path now (else 409 `exists`). */
export function restoreTrashItem(id: string, options: { keepBoth?: boolean } = {}): Promise<FileEntry> {
  const query = options.keepBoth ? '?conflict=keep-both' : '';
  return apiRequest<FileEntry>('POST', `/api/trash/${encodeURIComponent(id)}/restore${query}`);
}

export async function purgeTrashItem(id: string): Promise<void> {
  await apiRequest<void>('DELETE', `/api/trash/${encodeURIComponent(id)}`);
}

/**
 * Where the browser downloads a file from (owners only): use it as an `<a href download>` or a
 * plain navigation, so the browser streams it to disk with its own progress and no memory cost.
 */
export function downloadUrl(path: string): string {
  return `/api/files/content?${q(path)}`;
}

/** The file for the owner's preview: served inline with its type when the server deems it safe to show. */
export function previewUrl(path: string): string {
  return `/api/files/content?${q(path)}&disposition=inline`;
}

export interface UploadOptions {
  /**
   * When the name is taken: `fail` (the server answers 409 `exists`), `replace` (the old version
   * goes to the trash) or `keep-both` (stored as "name (2).ext"). Decided by the server, atomically.
   */
  conflict?: UploadConflict;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || !text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function uploadError(xhr: XMLHttpRequest): ApiError {
  const body = parseJson(xhr.response);
  // A 413 with no error body is a proxy's size limit, refusing before the server could answer.
  if (xhr.status === 413 && !isErrorBody(body)) return new ApiError(413, 'file-too-large', 'The file is too large.');
  return errorFromResponse(xhr.status, xhr.statusText, body);
}

/**
 * Uploads one file into `folderPath` (XHR rather than fetch: fetch reports no upload progress).
 * Resolves the stored entry (another name after `keep-both`; `replaced` when an old version went
 * to the trash); rejects with an `ApiError` carrying the server's code and message (413
 * `file-too-large` / `quota-exceeded`, 409 `exists`), or an `AbortError` when `signal` aborts.
 */
export function uploadFile(
  folderPath: string,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
  options: UploadOptions = {},
): Promise<UploadedFile> {
  return new Promise<UploadedFile>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const path = folderPath ? `${folderPath}/${file.name}` : file.name;
    const xhr = new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbortSignal);

    xhr.open('PUT', `/api/files/content?${q(path)}&conflict=${options.conflict ?? 'fail'}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'text';

    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const entry = JSON.parse(xhr.response as string) as UploadedFile;
          onProgress(file.size, file.size);
          resolve(entry);
        } catch {
          reject(new ApiError(xhr.status, 'bad_response', 'The server sent a response that is not JSON.'));
        }
      } else {
        reject(uploadError(xhr));
      }
    };
    xhr.onerror = () => {
      done();
      reject(
        new ApiError(
          0,
          'unreachable',
          'The upload was interrupted: the server could not be reached or closed the connection.',
        ),
      );
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    xhr.send(file);
  });
}
