import { ApiError } from '../api.ts';
import type { SearchResponse, SearchScope } from '../../../server/search-contract.ts';

export type { SearchResponse, SearchResult, SearchScope, SkipReason } from '../../../server/search-contract.ts';

/** GET /api/search (docs/file-explorer.md); aborted when a newer query replaces it. */
export async function searchShares(query: string, scope: SearchScope, signal: AbortSignal): Promise<SearchResponse> {
  let res: Response;
  try {
    res = await fetch(`/api/search?q=${encodeURIComponent(query)}&in=${scope}`, { signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The explorer server cannot be reached.');
  }
  const body = (await res.json().catch(() => null)) as (SearchResponse & { error?: string; message?: string }) | null;
  if (!res.ok || !body) {
    throw new ApiError(res.status, body?.error ?? `http-${res.status}`, body?.message ?? 'The search failed.');
  }
  return body;
}
