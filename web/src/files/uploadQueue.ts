/** The queue behind the Files page's upload list: each file's progress, and why one failed. */
import type { FileEntry, UploadConflict } from '@vitrine/protocol';
import { ApiError, type ApiErrorCode } from '../shared/api.ts';
import { uploadFile, type UploadOptions } from './filesApi.ts';

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

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
  readonly code: ApiErrorCode | null;
  /** Whether it can be tried again (the file is still at hand). */
  readonly retryable: boolean;
  /** Once done: the name it was stored under, when not its own (both were kept: "name (2).ext"). */
  readonly savedAs: string | null;
  /** Once done: it replaced a file, whose previous version is now in the trash. */
  readonly replaced: boolean;
}

export type Uploader = typeof uploadFile;

interface Pending {
  file: File;
  conflict: UploadConflict;
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
      this.files.set(id, { file, conflict: options.conflict ?? 'fail' });
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
        savedAs: null,
        replaced: false,
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
  reject(folder: string, name: string, error: string, code: ApiErrorCode | null = null, size = 0): number {
    const id = this.nextId++;
    this.items = [
      ...this.items,
      {
        id,
        name,
        folder,
        size,
        loaded: 0,
        total: size,
        state: 'failed',
        error,
        code,
        retryable: false,
        savedAs: null,
        replaced: false,
      },
    ];
    this.emit();
    return id;
  }

  /** Tries a failed upload again, optionally saying what to do when its name is taken. */
  retry(id: number, options: UploadOptions = {}): void {
    const pending = this.files.get(id);
    const item = this.items.find((i) => i.id === id);
    if (!pending || !item || item.state !== 'failed') return;
    pending.conflict = options.conflict ?? pending.conflict;
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
    this.upload(folder, pending.file, onProgress, ctrl.signal, { conflict: pending.conflict })
      .then(
        (entry) => {
          this.files.delete(id);
          this.update(id, {
            state: 'done',
            loaded: pending.file.size,
            total: pending.file.size,
            savedAs: entry.name !== pending.file.name ? entry.name : null,
            replaced: entry.replaced !== undefined,
          });
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

export interface UploadSummary {
  /** Rows in the list (uploads of this visit not dismissed). */
  total: number;
  /** Stored. */
  done: number;
  failed: number;
  /** Sending now, and waiting to. */
  uploading: number;
  queued: number;
  /** Bytes sent and to send, over the uploads that are not failed. */
  loaded: number;
  bytes: number;
}

/** The list's header figures: what is done and what is left, counted apart. */
export function summarize(items: readonly UploadItem[]): UploadSummary {
  const summary: UploadSummary = {
    total: items.length,
    done: 0,
    failed: 0,
    uploading: 0,
    queued: 0,
    loaded: 0,
    bytes: 0,
  };
  for (const i of items) {
    if (i.state === 'done') summary.done++;
    else if (i.state === 'failed') summary.failed++;
    else if (i.state === 'uploading') summary.uploading++;
    else summary.queued++;
    if (i.state !== 'failed') {
      const total = Math.max(i.total, i.size);
      summary.bytes += total;
      summary.loaded += i.state === 'done' ? total : Math.min(i.loaded, total);
    }
  }
  return summary;
}

/**
 * The header in words: "Uploading 2 of 11" names the upload in progress (the first one not done;
 * several may be sending at once: "Uploading 2–4 of 11"), "Uploaded 11 of 11" when all are.
 */
export function summaryText(s: UploadSummary): string {
  const finished = s.done + s.failed;
  const failed = s.failed > 0 ? ` · ${s.failed} failed` : '';
  if (s.uploading + s.queued === 0) return `Uploaded ${s.done} of ${s.total}${failed}`;
  const first = finished + 1;
  const last = finished + Math.max(1, s.uploading);
  return `Uploading ${first === last ? first : `${first}–${last}`} of ${s.total}${failed}`;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** The page's upload queue (uploads go on while the owner visits another screen). */
export const uploads = new UploadQueue();
