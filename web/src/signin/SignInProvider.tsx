/**
 * Who is signed in, for the whole app: `SignInProvider` loads `/api/auth/me` once and listens for
 * 401s from any API call (sign-in expired or revoked elsewhere), which sign the person out here
 * too; `App` then sends them to the sign-in page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { navigate } from '../router.ts';
import { errorMessage, onUnauthorized } from '../shared/api.ts';
import { getMe, signOut as apiSignOut, type Me } from './signInApi.ts';

export interface SignInState {
  /** The signed-in person; null when signed out (or not known yet, see `loading`). */
  me: Me | null;
  /** The first look-up of who is signed in has not answered yet. */
  loading: boolean;
  /** Why the look-up failed (e.g. the server is unreachable); null when it answered. */
  error: string | null;
  /** Asks the server again who is signed in. */
  refresh: () => Promise<void>;
  /** Records the person a sign-in or registration returned. */
  setMe: (me: Me) => void;
  /**
   * Signs this browser out (server and client), then shows the sign-in page unless `stay` is set
   * (the invitation page stays, so its link can then create a new account). Rejects if the server
   * did not confirm it.
   */
  signOut: (options?: { stay?: boolean }) => Promise<void>;
}

const SignInContext = createContext<SignInState | null>(null);

interface State {
  me: Me | null;
  loading: boolean;
  error: string | null;
}

export function SignInProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ me: null, loading: true, error: null });

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const me = await getMe(signal);
      setState({ me, loading: false, error: null });
    } catch (err) {
      if (signal?.aborted) return;
      setState((s) => ({ ...s, loading: false, error: errorMessage(err) }));
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  useEffect(() => onUnauthorized(() => setState((s) => (s.me ? { ...s, me: null } : s))), []);

  const refresh = useCallback(() => load(), [load]);
  const setMe = useCallback((me: Me) => setState({ me, loading: false, error: null }), []);
  const signOut = useCallback(async (options?: { stay?: boolean }) => {
    await apiSignOut();
    setState({ me: null, loading: false, error: null });
    // Batched with the state change: a plain sign-in page, not "sign in to get back to where you were".
    if (!options?.stay) navigate('/signin', { replace: true });
  }, []);

  const value = useMemo<SignInState>(() => ({ ...state, refresh, setMe, signOut }), [state, refresh, setMe, signOut]);
  return <SignInContext value={value}>{children}</SignInContext>;
}

export function useSignIn(): SignInState {
  const value = useContext(SignInContext);
  if (!value) throw new Error('useSignIn must be used inside <SignInProvider>');
  return value;
}
