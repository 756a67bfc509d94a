import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  /** Load again (after a change), keeping the current data on screen meanwhile. */
  reload: () => Promise<void>;
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

/**
 * Run `load` now and whenever `deps` change; abort the previous run so a slow answer never
 * overwrites a newer one.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const current = useRef<AbortController | null>(null);
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    current.current?.abort();
    const ctrl = new AbortController();
    current.current = ctrl;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await run(ctrl.signal);
      if (!ctrl.signal.aborted) setState({ data, loading: false });
    } catch (e) {
      if (!ctrl.signal.aborted) setState((s) => ({ ...s, error: e as Error, loading: false }));
    }
  }, [run]);

  useEffect(() => {
    void reload();
    return () => current.current?.abort();
  }, [reload]);

  const setData = useCallback(
    (update: (prev: T | undefined) => T | undefined) => setState((s) => ({ ...s, data: update(s.data) })),
    [],
  );
  return { ...state, reload, setData };
}
