/** The share form's oversight: recording the client's sessions, watching them live, and terms to accept first. */
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { TERMS_MAX_CHARS } from '@vitrine/protocol';
import { SwitchField } from '../shared/SwitchField.tsx';

export interface OversightValues {
  recording: boolean;
  liveView: boolean;
  termsText: string;
}

interface Props {
  values: OversightValues;
  onChange: (values: OversightValues) => void;
  /** The version in force when editing a share with terms (a changed text becomes the next one). */
  termsVersion: number | null;
}

export function ShareOversightFields({ values, onChange, termsVersion }: Props) {
  const set = (patch: Partial<OversightValues>) => onChange({ ...values, ...patch });
  const tooLong = values.termsText.length > TERMS_MAX_CHARS;
  return (
    <Stack sx={{ gap: 1 }}>
      <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
        Oversight
      </Typography>
      <Stack>
        <SwitchField
          label="Record sessions"
          checked={values.recording}
          onChange={(recording) => set({ recording })}
          testId="share-recording"
        />
        <Typography variant="body2" color="text.secondary" sx={{ pl: 6, mt: -0.5 }}>
          The client is told before each session that it is recorded.
        </Typography>
      </Stack>
      <SwitchField
        label="Let me watch sessions live"
        checked={values.liveView}
        onChange={(liveView) => set({ liveView })}
        testId="share-live-view"
      />
      <TextField
        label="Terms the client must accept"
        value={values.termsText}
        onChange={(e) => set({ termsText: e.target.value })}
        multiline
        minRows={3}
        maxRows={12}
        fullWidth
        error={tooLong}
        helperText={
          tooLong
            ? `At most ${TERMS_MAX_CHARS.toLocaleString()} characters (now ${values.termsText.length.toLocaleString()}).`
            : termsVersion !== null
              ? `Version ${termsVersion}. Changing the text asks the client to accept it again; empty: no terms.`
              : 'Plain text the client reads and accepts, with their typed name, before their first session. Empty: no terms.'
        }
        slotProps={{ htmlInput: { 'data-testid': 'share-terms' } }}
      />
    </Stack>
  );
}
