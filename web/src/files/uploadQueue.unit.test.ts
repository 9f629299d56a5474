import { describe, expect, it } from 'vitest';
import type { UploadedFile } from '@vitrine/protocol';
import { ApiError } from '../shared/api.ts';
import { summarize, summaryText, UploadQueue, type Uploader } from './uploadQueue.ts';

const file = (name: string, size = 10) => new File([new Uint8Array(size)], name);

/** An uploader whose uploads finish (or fail) when the test says. */
function manualUploader() {
  const calls: {
    name: string;
    conflict: string | undefined;
    progress: (loaded: number, total: number) => void;
    resolve: (e: UploadedFile) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const upload: Uploader = (folder, f, onProgress, _signal, options = {}) =>
    new Promise((resolve, reject) => {
      calls.push({ name: f.name, conflict: options.conflict, progress: onProgress, resolve, reject });
    });
  const entry = (name: string, extra: Partial<UploadedFile> = {}): UploadedFile => ({
    name,
    path: name,
    kind: 'file',
    size: 10,
    modifiedAt: new Date().toISOString(),
    ...extra,
  });
  return { calls, upload, entry };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the upload header', () => {
  it('counts what is done and names the upload in progress, not how many are left', async () => {
    const { calls, upload, entry } = manualUploader();
    const queue = new UploadQueue(upload, 1);
    queue.add(
      '',
      Array.from({ length: 11 }, (_, i) => file(`f${i}.txt`)),
    );
    expect(summaryText(summarize(queue.getSnapshot()))).toBe('Uploading 1 of 11');
    calls[0]!.resolve(entry('f0.txt'));
    await flush();
    const s = summarize(queue.getSnapshot());
    expect(s).toMatchObject({ total: 11, done: 1, uploading: 1, queued: 9, bytes: 110, loaded: 10 });
    expect(summaryText(s)).toBe('Uploading 2 of 11');
    calls[1]!.progress(5, 10);
    expect(summarize(queue.getSnapshot()).loaded).toBe(15);
  });

  it('shows a range while several upload at once, and the failures apart', () => {
    expect(summaryText({ total: 11, done: 1, failed: 0, uploading: 3, queued: 7, loaded: 0, bytes: 0 })).toBe(
      'Uploading 2–4 of 11',
    );
    expect(summaryText({ total: 11, done: 10, failed: 1, uploading: 0, queued: 0, loaded: 0, bytes: 0 })).toBe(
      'Uploaded 10 of 11 · 1 failed',
    );
    expect(summaryText({ total: 3, done: 3, failed: 0, uploading: 0, queued: 0, loaded: 0, bytes: 0 })).toBe(
      'Uploaded 3 of 3',
    );
  });
});

describe('a name that is taken', () => {
  it('fails first, then replaces or keeps both as asked, and says how it was stored', async () => {
    const { calls, upload, entry } = manualUploader();
    const queue = new UploadQueue(upload, 2);
    const [a, b] = queue.add('', [file('a.txt'), file('b.txt')]);
    expect(calls.map((c) => c.conflict)).toEqual(['fail', 'fail']);
    calls[0]!.reject(new ApiError(409, 'exists', '"a.txt" already exists'));
    calls[1]!.reject(new ApiError(409, 'exists', '"b.txt" already exists'));
    await flush();
    expect(queue.getSnapshot().map((i) => [i.state, i.code, i.retryable])).toEqual([
      ['failed', 'exists', true],
      ['failed', 'exists', true],
    ]);
    queue.retry(a!, { conflict: 'replace' });
    queue.retry(b!, { conflict: 'keep-both' });
    expect(calls.slice(2).map((c) => [c.name, c.conflict])).toEqual([
      ['a.txt', 'replace'],
      ['b.txt', 'keep-both'],
    ]);
    calls[2]!.resolve(
      entry('a.txt', {
        replaced: {
          id: crypto.randomUUID(),
          originalPath: 'a.txt',
          kind: 'file',
          size: 3,
          deletedAt: '',
          purgeAt: '',
          reason: 'replaced',
        },
      }),
    );
    calls[3]!.resolve(entry('b (2).txt'));
    await flush();
    expect(queue.getSnapshot().map((i) => [i.state, i.replaced, i.savedAs])).toEqual([
      ['done', true, null],
      ['done', false, 'b (2).txt'],
    ]);
  });
});
