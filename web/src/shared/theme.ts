import { createTheme } from '@mui/material/styles';

/** Dark, quiet theme; system fonts only (no web-font download, friendlier to a strict CSP). */
export const theme = createTheme({
  palette: {
    mode: 'dark',
    primary: { main: '#7aa2f7' },
    secondary: { main: '#bb9af7' },
    error: { main: '#f7768e' },
    warning: { main: '#e0af68' },
    success: { main: '#9ece6a' },
    background: { default: '#16161e', paper: '#1f2130' },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
    button: { textTransform: 'none', fontWeight: 600 },
  },
  components: {
    MuiCard: { defaultProps: { variant: 'outlined' } },
    MuiButton: { defaultProps: { disableElevation: true } },
  },
});
