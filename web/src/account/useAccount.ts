/**
 * The Account page's data and actions: the person's passkeys and sign-ins, loaded together, and
 * what changes them. One action at a time reports its failure in the page's banner.
 */
import { useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../shared/api.ts';
import { useSignIn } from '../signin/SignInProvider.tsx';
import type { Passkey, SignIn } from './accountApi.ts';
import { addPasskey, listPasskeys, listSignIns, removePasskey, revokeSignIn } from './accountApi.ts';

/** The action in progress: 'add', 'signout', `remove:<id>` or `revoke:<id>`. */
export type Busy = string | null;

export interface Account {
  /** Null until loaded. */
  passkeys: Passkey[] | null;
  /** The current sign-in first, then the most recently seen; null until loaded. */
  signIns: SignIn[] | null;
  /** The load's or the last action's failure, as a sentence. */
  error: string | null;
  dismissError: () => void;
  busy: Busy;
  reload: () => void;
  addPasskey: () => Promise<void>;
  removePasskey: (passkey: Passkey) => Promise<void>;
  /** Puts a passkey renamed elsewhere (the rename dialog) in the list. */
  passkeyRenamed: (passkey: Passkey) => void;
  revokeSignIn: (signIn: SignIn) => Promise<void>;
  signOut: () => Promise<void>;
}

function actionError(what: string, err: unknown): string {
  if (err instanceof ApiError && err.code === 'last-passkey') {
    return 'You cannot remove your last passkey: you could no longer sign in. Add another one first.';
  }
  return `${what}: ${errorMessage(err)}`;
}

function sortSignIns(list: SignIn[]): SignIn[] {
  return [...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

export function useAccount(): Account {
  const { signOut } = useSignIn();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [signIns, setSignIns] = useState<SignIn[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [busy, setBusy] = useState<Busy>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    Promise.all([listPasskeys(ctrl.signal), listSignIns(ctrl.signal)])
      .then(([p, s]) => {
        setPasskeys(p);
        setSignIns(sortSignIns(s));
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(`Could not load your account: ${errorMessage(err)}`);
      });
    return () => ctrl.abort();
  }, [reloadKey]);

  const run = async (key: string, what: string, action: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(actionError(what, err));
    } finally {
      setBusy(null);
    }
  };

  return {
    passkeys,
    signIns,
    error,
    dismissError: () => setError(null),
    busy,
    reload: () => setReloadKey((k) => k + 1),
    addPasskey: () =>
      run('add', 'Could not add the passkey', async () => {
        const added = await addPasskey();
        setPasskeys((list) => [...(list ?? []), added]);
      }),
    removePasskey: (p) =>
      run(`remove:${p.id}`, `Could not remove “${p.name}”`, async () => {
        await removePasskey(p.id);
        setPasskeys((list) => (list ?? []).filter((x) => x.id !== p.id));
      }),
    passkeyRenamed: (updated) => setPasskeys((list) => (list ?? []).map((x) => (x.id === updated.id ? updated : x))),
    revokeSignIn: (s) =>
      run(`revoke:${s.id}`, 'Could not end that sign-in', async () => {
        await revokeSignIn(s.id);
        setSignIns((list) => (list ?? []).filter((x) => x.id !== s.id));
      }),
    signOut: () => run('signout', 'Could not sign out', signOut),
  };
}
