/** The owner's own storage: `/api/files` and `/api/trash` (see docs/accounts-and-shares.md). */
import type { FileEntry, FolderListing, StorageUsage, TrashItem } from '@vitrine/protocol';
import { ApiError, apiRequest } from './api.ts';

export type { FileEntry, FolderListing, StorageUsage, TrashItem };

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

/** Move or rename (`to` is the full new path; a rename stays in the same folder). */
export function moveEntry(from: string, to: string): Promise<FileEntry> {
  return apiRequest<FileEntry>('POST', '/api/files/move', { from, to });
}

/** Moves a file or folder to the trash; the returned item can be restored. */
export function deleteEntry(path: string): Promise<TrashItem> {
  return apiRequest<TrashItem>('DELETE', `/api/files?${q(path)}`);
}

export function listTrash(signal?: AbortSignal): Promise<TrashItem[]> {
  return apiRequest<TrashItem[]>('GET', '/api/trash', undefined, signal);
}

export function restoreTrashItem(id: string): Promise<FileEntry> {
  return apiRequest<FileEntry>('POST', `/api/trash/${encodeURIComponent(id)}/restore`);
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

export function downloadFile(path: string): void {
  const a = document.createElement('a');
  a.href = downloadUrl(path);
  a.download = '';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export interface UploadOptions {
  /** Replace a file already at that path (otherwise the server answers 409 `exists`). */
  overwrite?: boolean;
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
  const err = parseJson(xhr.response) as { error?: unknown; message?: unknown } | null;
  if (err && typeof err.error === 'string') {
    const message = typeof err.message === 'string' && err.message ? err.message : err.error;
    return new ApiError(xhr.status, err.error, message);
  }
  if (xhr.status === 502 || xhr.status === 503 || xhr.status === 504) {
    return new ApiError(0, 'unreachable', 'Cannot reach the Vitrine server. Check that it is running and try again.');
  }
  if (xhr.status === 413) return new ApiError(413, 'file-too-large', 'The file is too large.');
  return new ApiError(xhr.status, `http_${xhr.status}`, `The server answered ${xhr.status} ${xhr.statusText}`.trim());
}

/**
 * Uploads one file into `folderPath` (XHR rather than fetch: fetch reports no upload progress).
 * Resolves the new entry; rejects with an `ApiError` carrying the server's code and message
 * (413 `file-too-large` / `quota-exceeded`, 409 `exists`), or an `AbortError` when `signal` aborts.
 */
export function uploadFile(
  folderPath: string,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
  options: UploadOptions = {},
): Promise<FileEntry> {
  return new Promise<FileEntry>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const path = folderPath ? `${folderPath}/${file.name}` : file.name;
    const xhr = new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbortSignal);

    xhr.open('PUT', `/api/files/content?${q(path)}${options.overwrite ? '&overwrite=true' : ''}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'text';

    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const entry = JSON.parse(xhr.response as string) as FileEntry;
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

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

// ---------------------------------------------------------------------------------------------
// Upload queue

export type UploadState = 'queued' | 'uploading' | 'done' | 'failed';

export interface UploadItem {
  readonly id: number;
  readonly name: string;
  /** The folder it goes into ("" = the root). */
  readonly folder: string;
  readonly size: number;
  readonly loaded: number;
  readonly total: number;
  readonly state: UploadState;
  /** Why it failed, for people (the server's message when it answered). */
  readonly error: string | null;
  /** The server's error code when it answered (`exists`, `quota-exceeded`, `file-too-large`…). */
  readonly code: string | null;
  /** Whether it can be tried again (the file is still at hand). */
  readonly retryable: boolean;
}

export type Uploader = typeof uploadFile;

interface Pending {
  file: File;
  overwrite: boolean;
}

/**
 * Uploads files a few at a time and remembers how each went. One queue lives as long as the page
 * (module scope), so uploads carry on while the owner looks at another screen. Subscribe with
 * `useSyncExternalStore(queue.subscribe, queue.getSnapshot)`.
 */
export class UploadQueue {
  private items: readonly UploadItem[] = [];
  private readonly files = new Map<number, Pending>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly waiting: number[] = [];
  private active = 0;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();
  private readonly uploadedListeners = new Set<(entry: FileEntry, folder: string) => void>();
  private readonly upload: Uploader;
  readonly concurrency: number;

  constructor(upload: Uploader = uploadFile, concurrency = 3) {
    this.upload = upload;
    this.concurrency = concurrency;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): readonly UploadItem[] => this.items;

  /** Called after each successful upload (e.g. to refresh the folder shown). */
  onUploaded(listener: (entry: FileEntry, folder: string) => void): () => void {
    this.uploadedListeners.add(listener);
    return () => this.uploadedListeners.delete(listener);
  }

  /** Queues files for `folder`; returns their ids. */
  add(folder: string, files: Iterable<File>, options: UploadOptions = {}): number[] {
    const ids: number[] = [];
    const added: UploadItem[] = [];
    for (const file of files) {
      const id = this.nextId++;
      this.files.set(id, { file, overwrite: options.overwrite ?? false });
      this.waiting.push(id);
      added.push({
        id,
        name: file.name,
        folder,
        size: file.size,
        loaded: 0,
        total: file.size,
        state: 'queued',
        error: null,
        code: null,
        retryable: false,
      });
      ids.push(id);
    }
    if (added.length === 0) return ids;
    this.items = [...this.items, ...added];
    this.emit();
    this.pump();
    return ids;
  }

  /** Shows something that will not be uploaded at all (a dropped folder, a file over the limit). */
  reject(folder: string, name: string, error: string, code: string | null = null, size = 0): number {
    const id = this.nextId++;
    this.items = [
      ...this.items,
      { id, name, folder, size, loaded: 0, total: size, state: 'failed', error, code, retryable: false },
    ];
    this.emit();
    return id;
  }

  /** Tries a failed upload again, optionally replacing what is at its path. */
  retry(id: number, options: UploadOptions = {}): void {
    const pending = this.files.get(id);
    const item = this.items.find((i) => i.id === id);
    if (!pending || !item || item.state !== 'failed') return;
    pending.overwrite = options.overwrite ?? pending.overwrite;
    this.update(id, { state: 'queued', loaded: 0, error: null, code: null, retryable: false });
    this.waiting.push(id);
    this.pump();
  }

  /** Stops an upload (or takes it out of the queue) and removes its row. */
  cancel(id: number): void {
    const at = this.waiting.indexOf(id);
    if (at >= 0) this.waiting.splice(at, 1);
    this.controllers.get(id)?.abort();
    this.dismiss(id);
  }

  /** Removes a row (running uploads are cancelled). */
  dismiss(id: number): void {
    this.controllers.get(id)?.abort();
    this.files.delete(id);
    this.items = this.items.filter((i) => i.id !== id);
    this.emit();
  }

  /** Removes the rows of uploads that are over (done or failed). */
  clearFinished(): void {
    for (const i of this.items) if (i.state === 'done' || i.state === 'failed') this.files.delete(i.id);
    this.items = this.items.filter((i) => i.state === 'queued' || i.state === 'uploading');
    this.emit();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const pending = this.files.get(id);
      const item = this.items.find((i) => i.id === id);
      if (!pending || !item) continue;
      this.start(id, item.folder, pending);
    }
  }

  private start(id: number, folder: string, pending: Pending): void {
    this.active++;
    const ctrl = new AbortController();
    this.controllers.set(id, ctrl);
    this.update(id, { state: 'uploading', loaded: 0 });
    const onProgress = (loaded: number, total: number) => {
      if (!ctrl.signal.aborted) this.update(id, { loaded, total });
    };
    this.upload(folder, pending.file, onProgress, ctrl.signal, { overwrite: pending.overwrite })
      .then(
        (entry) => {
          this.files.delete(id);
          this.update(id, { state: 'done', loaded: pending.file.size, total: pending.file.size });
          for (const l of this.uploadedListeners) l(entry, folder);
        },
        (err: unknown) => {
          if (ctrl.signal.aborted || isAbortError(err)) return; // cancelled: its row is gone
          const code = err instanceof ApiError ? err.code : null;
          // Too large stays too large; anything else (a conflict, a full quota, the network) may pass later.
          const retryable = code !== 'file-too-large';
          this.update(id, { state: 'failed', error: errorText(err), code, retryable });
        },
      )
      .finally(() => {
        this.active--;
        this.controllers.delete(id);
        this.pump();
      });
  }

  private update(id: number, change: Partial<Omit<UploadItem, 'id'>>): void {
    let found = false;
    this.items = this.items.map((i) => {
      if (i.id !== id) return i;
      found = true;
      return { ...i, ...change };
    });
    if (found) this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** The page's upload queue (uploads go on while the owner visits another screen). */
export const uploads = new UploadQueue();
