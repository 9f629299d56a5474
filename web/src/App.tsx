import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { AppsPage } from './pages/AppsPage.tsx';
import { ViewerPage } from './pages/ViewerPage.tsx';
import { matchRoute, useLocation } from './router.ts';
import { theme } from './theme.ts';

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      {route.name === 'session' ? (
        // Keyed so another session or codec choice remounts the viewer with fresh state.
        <ViewerPage key={route.sessionId + location.search} sessionId={route.sessionId} search={location.search} />
      ) : (
        <AppsPage />
      )}
    </ThemeProvider>
  );
}
