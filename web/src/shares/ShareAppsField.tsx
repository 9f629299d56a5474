/**
 * The share form's choice of apps: which installed apps the client may open the share in (the
 * server refuses every other). An app the share names that is no longer installed stays listed, so
 * the owner sees it and can take it off.
 */
import Alert from '@mui/material/Alert';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import Typography from '@mui/material/Typography';
import { DEFAULT_SHARE_APPS } from '@vitrine/protocol';
import type { AppInfo } from '../shared/sessionsApi.ts';
import type { InstalledApps } from './useInstalledApps.ts';

/**
 * What a new share opens in before the owner chooses: the default apps that are installed, else
 * the first installed app; nothing while the list is loading or when no app is installed.
 */
export function defaultShareApps(apps: AppInfo[] | null): string[] {
  if (!apps || apps.length === 0) return [];
  const installed = DEFAULT_SHARE_APPS.filter((id) => apps.some((a) => a.id === id));
  return installed.length > 0 ? installed : [apps[0]!.id];
}

interface Props {
  installed: InstalledApps;
  /** The chosen app ids, in the order they were chosen. */
  value: string[];
  onChange: (apps: string[]) => void;
  /** Shown once the owner tried to save. */
  problem: string | null;
}

export function ShareAppsField({ installed, value, onChange, problem }: Props) {
  const { apps, loadError } = installed;
  const toggle = (id: string, on: boolean) => onChange(on ? [...value, id] : value.filter((v) => v !== id));
  const gone = value.filter((id) => !apps?.some((a) => a.id === id));
  return (
    <FormControl component="fieldset" error={!!problem} data-testid="share-apps">
      {/* Titled like the form's other sections (a FormLabel would turn the primary colour on focus). */}
      <Typography component="legend" variant="subtitle2" sx={{ p: 0, mb: 0.5 }}>
        Apps the client can open
      </Typography>
      {loadError && (
        <Alert severity="warning" sx={{ my: 1 }}>
          The installed apps could not be listed ({loadError}): a new share opens in the File Explorer, an edited one
          keeps its apps.
        </Alert>
      )}
      {apps === null && !loadError && (
        <Typography variant="body2" color="text.secondary">
          Loading the installed apps…
        </Typography>
      )}
      {apps !== null && apps.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No app is installed on this server; the share opens in the File Explorer once it is.
        </Typography>
      )}
      <FormGroup row sx={{ columnGap: 2 }}>
        {apps?.map((app) => (
          <FormControlLabel
            key={app.id}
            label={app.name}
            title={app.description}
            control={
              <Checkbox
                checked={value.includes(app.id)}
                onChange={(e) => toggle(app.id, e.target.checked)}
                slotProps={{ input: { 'data-testid': `share-app-${app.id}` } as object }}
              />
            }
          />
        ))}
        {apps !== null &&
          gone.map((id) => (
            <FormControlLabel
              key={id}
              label={`${id} (not installed)`}
              control={
                <Checkbox
                  checked
                  onChange={() => toggle(id, false)}
                  slotProps={{ input: { 'data-testid': `share-app-${id}` } as object }}
                />
              }
            />
          ))}
      </FormGroup>
      <FormHelperText sx={{ mx: 0 }}>
        {problem ?? 'The client sees only these apps for this share; the server refuses any other.'}
      </FormHelperText>
    </FormControl>
  );
}
