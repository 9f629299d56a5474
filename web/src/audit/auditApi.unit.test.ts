import { describe, expect, it } from 'vitest';
import { apiParams, auditExportUrl, filtersFromSearch, filtersToParams, hasFilters, NO_FILTERS } from './auditApi.ts';

describe('audit filters', () => {
  it('reads filters from the URL and drops malformed ones', () => {
    expect(filtersFromSearch('')).toEqual(NO_FILTERS);
    expect(filtersFromSearch('?scope=server&action=file.&outcome=denied&from=2025-03-12T14:05:00.000Z')).toEqual({
      ...NO_FILTERS,
      scope: 'server',
      action: 'file.',
      outcome: 'denied',
      from: '2025-03-12T14:05:00.000Z',
    });
    expect(filtersFromSearch('?scope=all&action=DROP%20TABLE&outcome=maybe&to=yesterday')).toEqual(NO_FILTERS);
  });

  it('keeps an action or a family the protocol knows, and nothing else', () => {
    expect(filtersFromSearch('?action=share.create').action).toBe('share.create');
    expect(filtersFromSearch('?action=audit.').action).toBe('audit.');
    expect(filtersFromSearch('?action=share.frob').action).toBe('');
    expect(filtersFromSearch('?action=frob.').action).toBe('');
  });

  it('writes only the filters that are set, and builds the export link', () => {
    expect(filtersToParams(NO_FILTERS).toString()).toBe('');
    const filters = { ...NO_FILTERS, action: 'share.' as const, outcome: 'ok' as const };
    expect(filtersToParams(filters).toString()).toBe('action=share.&outcome=ok');
    expect(hasFilters(filters)).toBe(true);
    expect(hasFilters({ ...NO_FILTERS, scope: 'server' })).toBe(false);
    expect(auditExportUrl({ ...filters, scope: 'server' }, 'csv')).toBe(
      '/api/audit/export?format=csv&scope=server&action=share.&outcome=ok&view=client-activity',
    );
  });

  it('opens on client activity; the full trail is view=all, and the API is always told which', () => {
    expect(NO_FILTERS.view).toBe('client-activity');
    expect(filtersFromSearch('?view=all').view).toBe('all');
    expect(filtersFromSearch('?view=everything').view).toBe('client-activity');
    const all = { ...NO_FILTERS, view: 'all' as const };
    expect(filtersToParams(all).toString()).toBe('view=all');
    expect(hasFilters(all)).toBe(false);
    expect(apiParams(NO_FILTERS).toString()).toBe('view=client-activity');
    expect(apiParams(all).toString()).toBe('view=all');
    expect(auditExportUrl(all, 'jsonl')).toBe('/api/audit/export?format=jsonl&view=all');
  });
});
