import { listFolder } from './api.ts';
import type { Entry } from './lib/types.ts';

// One listing per folder shared by the tree and the file list, so a folder is fetched once.
// Edits invalidate what they touched; "refresh" clears everything.

const cache = new Map<string, Promise<Entry[]>>();

export function getListing(path: string, force = false): Promise<Entry[]> {
  let p = force ? undefined : cache.get(path);
  if (!p) {
    p = listFolder(path);
    cache.set(path, p);
    // A failure is not remembered: the next look retries.
    p.catch(() => {
      if (cache.get(path) === p) cache.delete(path);
    });
  }
  return p;
}

export function invalidate(...paths: string[]): void {
  for (const p of paths) cache.delete(p);
}

export function invalidateAll(): void {
  cache.clear();
}
