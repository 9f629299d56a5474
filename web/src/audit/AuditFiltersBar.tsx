/**
 * The Audit page's filters: person, share, action family, outcome, a time range, and for admins
 * the whole server. Native selects (quick to use with the keyboard, and simple to drive in tests).
 */
import type { ReactNode } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import FilterAltOffIcon from '@mui/icons-material/FilterAltOff';
import type { Share } from '@vitrine/protocol';
import { fromDateTimeLocal, toDateTimeLocal } from '../shared/format.ts';
import { SwitchField } from '../shared/SwitchField.tsx';
import {
  hasFilters,
  NO_FILTERS,
  OUTCOMES,
  type AuditFilters,
  type AuditOutcome,
  type AuditPerson,
} from './auditApi.ts';
import { ACTION_FAMILIES } from './auditText.ts';

interface FilterSelectProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  options: readonly { value: string; label: string }[];
}

function FilterSelect({ label, value, onChange, testId, options }: FilterSelectProps) {
  // A value from the URL that is not among the options (a deleted share…) still shows.
  const all = options.some((o) => o.value === value) ? options : [...options, { value, label: value }];
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      sx={{ minWidth: 170, flex: '1 1 170px', maxWidth: 280 }}
      slotProps={{ select: { native: true }, inputLabel: { shrink: true }, htmlInput: { 'data-testid': testId } }}
    >
      {all.map((o) => (
        <option key={o.value} value={o.value} data-testid={o.value ? `audit-option-${o.value}` : undefined}>
          {o.label}
        </option>
      ))}
    </TextField>
  );
}

function TimeField(props: { label: string; value: string; onChange: (iso: string) => void; testId: string }) {
  const { label, value, onChange, testId } = props;
  const local = value ? toDateTimeLocal(new Date(value)) : '';
  return (
    <TextField
      size="small"
      type="datetime-local"
      label={label}
      value={local}
      onChange={(e) => {
        if (!e.target.value) return onChange('');
        // Incomplete input (the browser is still being typed into) changes nothing yet.
        const iso = fromDateTimeLocal(e.target.value);
        if (iso) onChange(iso);
      }}
      sx={{ flex: '1 1 200px', maxWidth: 240 }}
      slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': testId } }}
    />
  );
}

const OUTCOME_WORDS: Record<AuditOutcome, string> = { ok: 'Succeeded', denied: 'Refused', failed: 'Failed' };

export interface AuditFiltersBarProps {
  filters: AuditFilters;
  onChange: (filters: AuditFilters) => void;
  people: AuditPerson[] | null;
  shares: Share[] | null;
  /** Offers the whole server (`scope=server`). */
  admin: boolean;
  /** More controls at the end of the bar. */
  children?: ReactNode;
}

export function AuditFiltersBar({ filters, onChange, people, shares, admin, children }: AuditFiltersBarProps) {
  const set = (change: Partial<AuditFilters>) => onChange({ ...filters, ...change });
  const personOptions = [
    { value: '', label: 'Everyone' },
    ...(people ?? []).map((p) => ({ value: p.id, label: `${p.displayName} (${p.email})` })),
  ];
  const shareOptions = [
    { value: '', label: 'All shares' },
    ...(shares ?? []).map((s) => ({ value: s.id, label: `${s.label || 'Untitled share'} · ${s.clientEmail}` })),
  ];
  const outcomeOptions = [{ value: '', label: 'All' }, ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_WORDS[o] }))];

  return (
    <Stack direction="row" sx={{ gap: 1.5, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
      <FilterSelect
        label="Person"
        value={filters.person}
        onChange={(person) => set({ person })}
        testId="audit-filter-person"
        options={personOptions}
      />
      <FilterSelect
        label="Share"
        value={filters.share}
        onChange={(share) => set({ share })}
        testId="audit-filter-share"
        options={shareOptions}
      />
      <FilterSelect
        label="Action"
        value={filters.action}
        onChange={(action) => set({ action: action as AuditFilters['action'] })}
        testId="audit-filter-action"
        options={ACTION_FAMILIES}
      />
      <FilterSelect
        label="Outcome"
        value={filters.outcome}
        onChange={(outcome) => set({ outcome: outcome as AuditFilters['outcome'] })}
        testId="audit-filter-outcome"
        options={outcomeOptions}
      />
      <TimeField label="From" value={filters.from} onChange={(from) => set({ from })} testId="audit-filter-from" />
      <TimeField label="To" value={filters.to} onChange={(to) => set({ to })} testId="audit-filter-to" />
      {admin && (
        <SwitchField
          label="Whole server"
          checked={filters.scope === 'server'}
          // Someone else's people and shares mean nothing in the other scope.
          onChange={(server) => set({ scope: server ? 'server' : 'mine', person: '' })}
          testId="audit-scope-server"
        />
      )}
      {hasFilters(filters) && (
        <Button
          size="small"
          startIcon={<FilterAltOffIcon />}
          onClick={() => onChange({ ...NO_FILTERS, view: filters.view, scope: filters.scope })}
          data-testid="audit-clear-filters"
        >
          Clear filters
        </Button>
      )}
      {children}
    </Stack>
  );
}
