/** Loading data for a view: the value, the error, and a `reload` that keeps the old value shown. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** A value being loaded. */
export interface Resource<Value> {
  readonly value: Value | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Loads again; the current value stays shown meanwhile. */
  readonly reload: () => void;
}

/** Loads with `load` whenever `dependencies` change; a late answer to an older load is dropped. */
export function useResource<Value>(load: () => Promise<Value>, dependencies: readonly unknown[]): Resource<Value> {
  const [state, setState] = useState<{ value: Value | undefined; error: unknown; loading: boolean }>({
    value: undefined,
    error: undefined,
    loading: true,
  });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(() => {
    generation.current += 1;
    const mine = generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (value) => {
        if (mine === generation.current) setState({ value, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (mine === generation.current) setState((previous) => ({ value: previous.value, error, loading: false }));
      },
    );
  }, []);

  // The caller names what the load depends on.
  useEffect(reload, dependencies);
  return { ...state, reload };
}
