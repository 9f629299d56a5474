/** The fields of a share (client, paths, apps, expiry, session length, watermark, oversight) and saving them. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Slider from '@mui/material/Slider';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import {
  TERMS_MAX_CHARS,
  WATERMARK_DEFAULT_DENSITY,
  WATERMARK_OPACITY,
  type WatermarkDensity,
} from '@vitrine/protocol';
import { dialogFormLayout } from '../shared/ActionDialog.tsx';
import { describeError, fromDateTimeLocal, normalizePath, toDateTimeLocal } from '../shared/format.ts';
import { SwitchField } from '../shared/SwitchField.tsx';
import { defaultShareApps, ShareAppsField } from './ShareAppsField.tsx';
import { ShareCreated } from './ShareCreated.tsx';
import { ShareOversightFields, type OversightValues } from './ShareOversightFields.tsx';
import { pathRow, pathRowProblem, SharePathRows, type PathRow } from './SharePathRows.tsx';
import type { CreatedShare, Share } from './sharesApi.ts';
import { createShare, updateShare } from './sharesApi.ts';
import { useInstalledApps } from './useInstalledApps.ts';

const DEFAULT_EXPIRY_DAYS = 7;
const MAX_SESSION_MINUTES = 24 * 60;

function initialRows(share: Share | null | undefined, initialPaths: string[] | undefined): PathRow[] {
  if (share) return share.paths.map((p) => pathRow(p.path === '' ? '/' : p.path, p.access));
  const paths = initialPaths?.length ? initialPaths : [''];
  return paths.map((p) => pathRow(p, 'view'));
}

function defaultExpiry(): string {
  return toDateTimeLocal(new Date(Date.now() + DEFAULT_EXPIRY_DAYS * 24 * 3600 * 1000));
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ShareFormProps {
  onClose: () => void;
  /** Edit this share; without it the form creates a new one. */
  share?: Share | null;
  /** "Share again": a new share prefilled from this earlier one (same client, paths and settings). */
  template?: Share | null;
  /** Paths to prefill a new share with (e.g. the entry the owner chose "Share" on). */
  initialPaths?: string[];
  /** After a share was created or changed. */
  onSaved?: (share: Share) => void;
  /** While saving: the dialog around the form does not close on a click outside. */
  onBusy: (busy: boolean) => void;
}

/** The share's fields and their checks; mounted afresh with each opening of the dialog. */
export function ShareForm(props: ShareFormProps) {
  const { share, template, initialPaths, onClose, onSaved, onBusy } = props;
  const editing = !!share;
  const again = !share && template ? template : null;
  // The fields start from the share being edited or, sharing again, from the earlier one.
  const prefill = share ?? again;
  const [email, setEmail] = useState(prefill?.clientEmail ?? '');
  const [label, setLabel] = useState(prefill?.label ?? '');
  const [rows, setRows] = useState<PathRow[]>(() => initialRows(prefill, initialPaths));
  const installed = useInstalledApps();
  // Null until the owner chooses (a new share): the default, once the installed apps are known.
  const [chosenApps, setChosenApps] = useState<string[] | null>(prefill?.apps ?? null);
  const apps = chosenApps ?? defaultShareApps(installed.apps);
  // Unknown apps (the list failed, or nothing is installed): the server's default, or what the share has.
  const sendApps = chosenApps !== null || (installed.apps?.length ?? 0) > 0;
  const [initialExpiry] = useState(() => (share ? toDateTimeLocal(new Date(share.expiresAt)) : defaultExpiry()));
  const [expiry, setExpiry] = useState(initialExpiry);
  // Validation compares with the time the dialog opened (render stays pure); submitting checks again.
  const [openedAt] = useState(() => Date.now());
  const [maxMinutes, setMaxMinutes] = useState(prefill?.maxSessionMinutes?.toString() ?? '');
  const [watermark, setWatermark] = useState(prefill?.watermark ?? true);
  const [density, setDensity] = useState<WatermarkDensity>(prefill?.watermarkDensity ?? WATERMARK_DEFAULT_DENSITY);
  const [opacity, setOpacity] = useState(prefill?.watermarkOpacity ?? WATERMARK_OPACITY.default);
  const [oversight, setOversight] = useState<OversightValues>({
    recording: prefill?.recording ?? false,
    liveView: prefill?.liveView ?? false,
    termsText: prefill?.terms?.text ?? '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [attempted, setAttempted] = useState(false);
  const [created, setCreated] = useState<CreatedShare | null>(null);

  const emailProblem = editing ? null : EMAIL_RE.test(email.trim()) ? null : 'Enter the client’s e-mail address.';
  const rowProblems = rows.map(pathRowProblem);
  const expiresAt = fromDateTimeLocal(expiry);
  // An unchanged expiry of an existing share is left alone (the field drops its seconds).
  const expiryChanged = !share || expiry !== initialExpiry;
  const expiryProblem = !expiresAt
    ? 'Enter a date and time.'
    : expiryChanged && Date.parse(expiresAt) <= openedAt
      ? 'Choose a time in the future.'
      : null;
  const minutes = maxMinutes.trim() === '' ? null : Number(maxMinutes);
  const minutesProblem =
    minutes === null || (Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_SESSION_MINUTES)
      ? null
      : `A whole number of minutes from 1 to ${MAX_SESSION_MINUTES}, or empty for no limit.`;
  const termsProblem = oversight.termsText.length > TERMS_MAX_CHARS;
  const appsProblem = sendApps && apps.length === 0 ? 'Choose at least one app.' : null;
  const invalid = !!(
    emailProblem ||
    rowProblems.some(Boolean) ||
    appsProblem ||
    expiryProblem ||
    minutesProblem ||
    termsProblem
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (invalid || !expiresAt) return;
    if (expiryChanged && Date.parse(expiresAt) <= Date.now()) {
      setError('The expiry time has passed; choose a time in the future.');
      return;
    }
    const paths = rows.map((r) => ({ path: normalizePath(r.path), access: r.access }));
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      if (share) {
        const updated = await updateShare(share.id, {
          label: label.trim(),
          paths,
          // Unchanged apps are left alone: one uninstalled since would otherwise refuse every other edit.
          ...(sendApps && apps.join('\n') !== share.apps.join('\n') ? { apps } : {}),
          ...(expiryChanged ? { expiresAt } : {}),
          maxSessionMinutes: minutes,
          watermark,
          watermarkDensity: density,
          watermarkOpacity: opacity,
          ...oversight,
        });
        onSaved?.(updated);
        onClose();
      } else {
        const result = await createShare({
          clientEmail: email.trim(),
          label: label.trim(),
          paths,
          ...(sendApps ? { apps } : {}),
          expiresAt,
          maxSessionMinutes: minutes,
          watermark,
          watermarkDensity: density,
          watermarkOpacity: opacity,
          ...oversight,
          ...(again ? { againOf: again.id } : {}),
        });
        setCreated(result);
        onSaved?.(result.share);
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  if (created) return <ShareCreated created={created} onClose={onClose} />;

  const show = (problem: string | null) => (attempted ? problem : null);

  return (
    <Box component="form" noValidate onSubmit={(e: FormEvent) => void submit(e)} sx={dialogFormLayout}>
      <DialogTitle id="share-dialog-title">
        {editing ? 'Edit share' : again ? 'Share again' : 'Share with a client'}
      </DialogTitle>
      <DialogContent>
        <Stack sx={{ gap: 2.5, pt: 1 }}>
          {error && (
            <Alert severity="error" data-testid="error-message">
              {error}
            </Alert>
          )}
          {editing && share.liveSessions > 0 && (
            <Alert severity="warning">
              Saving ends the {share.liveSessions === 1 ? 'session' : `${share.liveSessions} sessions`} running on this
              share; the client can open it again under the new terms.
            </Alert>
          )}
          <TextField
            label="Client e-mail"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={editing || !!again}
            required={!editing}
            autoFocus={!editing && !again}
            fullWidth
            error={!!show(emailProblem)}
            helperText={
              show(emailProblem) ??
              (editing
                ? 'A share stays with the client it was made for.'
                : again
                  ? 'Sharing again is for the same client, with a new invitation link.'
                  : undefined)
            }
            slotProps={{ htmlInput: { 'data-testid': 'share-email', autoComplete: 'off' } }}
          />
          <TextField
            label="Label (optional)"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            fullWidth
            placeholder="e.g. Q3 contract review"
            slotProps={{ htmlInput: { 'data-testid': 'share-label', maxLength: 100 } }}
          />

          <SharePathRows rows={rows} setRows={setRows} problems={rowProblems.map(show)} />

          <ShareAppsField installed={installed} value={apps} onChange={setChosenApps} problem={show(appsProblem)} />

          <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ gap: 2 }}>
            <TextField
              label="Expires"
              type="datetime-local"
              value={expiry}
              onChange={(e) => setExpiry(e.target.value)}
              fullWidth
              required
              error={!!show(expiryProblem)}
              helperText={show(expiryProblem) ?? 'The client loses access then.'}
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'share-expiry' } }}
            />
            <TextField
              label="Maximum session length (minutes)"
              type="number"
              value={maxMinutes}
              onChange={(e) => setMaxMinutes(e.target.value)}
              fullWidth
              error={!!show(minutesProblem)}
              helperText={show(minutesProblem) ?? 'Empty: no limit.'}
              slotProps={{
                htmlInput: { 'data-testid': 'share-max-minutes', min: 1, max: MAX_SESSION_MINUTES, step: 1 },
              }}
            />
          </Stack>

          <SwitchField
            label="Watermark the client’s screen with their e-mail address"
            checked={watermark}
            onChange={setWatermark}
            testId="share-watermark"
          />
          {watermark && (
            <WatermarkSettings density={density} setDensity={setDensity} opacity={opacity} setOpacity={setOpacity} />
          )}
          <ShareOversightFields
            values={oversight}
            onChange={setOversight}
            termsVersion={share?.terms?.version ?? null}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          disabled={busy || (attempted && invalid)}
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="share-submit"
        >
          {editing ? 'Save' : 'Create share'}
        </Button>
      </DialogActions>
    </Box>
  );
}

const DENSITIES: Array<{ value: WatermarkDensity; label: string }> = [
  { value: 'sparse', label: 'Sparse' },
  { value: 'normal', label: 'Normal' },
  { value: 'dense', label: 'Dense' },
];

/**
 * How the watermark looks: how many stamps (each quarter of the screen carries at least one at
 * every density) and how strongly they show, within the bounds the server keeps text readable in.
 */
function WatermarkSettings(props: {
  density: WatermarkDensity;
  setDensity: (d: WatermarkDensity) => void;
  opacity: number;
  setOpacity: (o: number) => void;
}) {
  const { density, setDensity, opacity, setOpacity } = props;
  const percent = (v: number) => `${Math.round(v * 100)} %`;
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ gap: 3, pl: { sm: 6 }, alignItems: { sm: 'center' } }}>
      <Box>
        <Typography variant="body2" color="text.secondary" id="share-watermark-density-label" sx={{ mb: 0.5 }}>
          Stamps
        </Typography>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={density}
          onChange={(_, d: WatermarkDensity | null) => d && setDensity(d)}
          aria-labelledby="share-watermark-density-label"
          data-testid="share-watermark-density"
        >
          {DENSITIES.map((d) => (
            <ToggleButton key={d.value} value={d.value} data-testid={`share-watermark-density-${d.value}`}>
              {d.label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      <Box sx={{ flex: 1, minWidth: 180 }}>
        <Typography variant="body2" color="text.secondary" id="share-watermark-opacity-label">
          Strength: {percent(opacity)}
        </Typography>
        <Slider
          size="small"
          min={WATERMARK_OPACITY.min}
          max={WATERMARK_OPACITY.max}
          step={0.01}
          value={opacity}
          onChange={(_, v) => setOpacity(Array.isArray(v) ? v[0]! : v)}
          valueLabelDisplay="auto"
          valueLabelFormat={percent}
          getAriaValueText={percent}
          aria-labelledby="share-watermark-opacity-label"
          slotProps={{ input: { 'data-testid': 'share-watermark-opacity' } as object }}
        />
      </Box>
    </Stack>
  );
}
