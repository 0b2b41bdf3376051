/** An action a person starts (a button): whether it runs, and the error of the last one that failed. */
import { useCallback, useState } from 'preact/hooks';

/** A person's action in progress. */
export interface Action {
  readonly busy: boolean;
  readonly error: unknown;
  /** Runs `action`; `true` when it succeeded, `false` when it failed (the error is kept in `error`). */
  readonly run: (action: () => Promise<unknown>) => Promise<boolean>;
  /** Forgets the last error. */
  readonly clear: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}
