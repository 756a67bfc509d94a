/**
 * The page's one session, created on first use (so modules that import the API client
 * can be unit-tested in Node without a window).
 */
import { useSyncExternalStore } from "react";
import { browserDeps, Session, type SessionState } from "./session";

let instance: Session | undefined;

export function getSession(): Session {
  if (!instance) {
    const session = new Session(browserDeps());
    instance = session;
    // Another tab signing out signs this one out too.
    window.addEventListener("storage", (e) => {
      if (e.storageArea === window.localStorage) session.onStorage(e.key, e.newValue);
    });
    void session.start();
  }
  return instance;
}

/** The session's state, re-rendering on every change. */
export function useSession(): SessionState {
  const session = getSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user; only for components under RequireAuth. */
export function useUser() {
  const state = useSession();
  if (state.status !== "signed-in") throw new Error("useUser outside a signed-in route");
  return state.user;
}
