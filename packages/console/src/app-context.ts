/**
 * What every view of a signed-in console reads: the tenant's typed API client, the tenant, what
 * the server offers, and the tenant's live events.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { Capabilities } from './api/capabilities.js';
import type { ApiClient, Tenant } from './api/client.js';
import type { LiveEvent, LiveState } from './api/live-events.js';

/** The signed-in console. */
export interface AppContextValue {
  readonly api: ApiClient;
  /** The tenant key the client sends (for the few requests outside the typed API). */
  readonly key: string;
  readonly tenant: Tenant;
  readonly capabilities: Capabilities;
  readonly liveState: LiveState;
  /** Listens to the tenant's live events; returns the function that stops listening. */
  readonly onLiveEvent: (listener: (event: LiveEvent) => void) => () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

/** The signed-in console (views are only rendered inside one). */
export function useApp(): AppContextValue {
  const app = useContext(AppContext);
  if (app === null) throw new Error('a view was rendered outside the signed-in console');
  return app;
}

/**
 * Calls `refresh` shortly after live events that `matters` accepts — once per burst, since one
 * change (a booking) emits several events.
 */
export function useLiveRefresh(refresh: () => void, matters: (event: LiveEvent) => boolean, delayMs = 200): void {
  const { onLiveEvent } = useApp();
  const latest = useRef({ refresh, matters });
  latest.current = { refresh, matters };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = onLiveEvent((event) => {
      if (!latest.current.matters(event)) return;
      clearTimeout(timer);
      timer = setTimeout(() => latest.current.refresh(), delayMs);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [onLiveEvent, delayMs]);
}
