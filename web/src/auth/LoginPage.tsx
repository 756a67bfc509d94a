import { useId, useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router";
import { ApiError, errorField } from "../api/errors";
import { usePageTitle } from "../ui/usePageTitle";
import { getSession, useSession } from "./current";
import { safeNext } from "./next";
import type { SignedOutReason } from "./session";

type Mode = "login" | "register";

const NOTICES: Partial<Record<SignedOutReason, string>> = {
  expired: "Your session has ended. Sign in again to continue.",
  unreachable: "Could not reach the server to resume your session. Sign in again, or reload once it is back.",
};

/** What to say for a failed sign-in: the server's message, plus when to retry if throttled. */
function describe(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 429 && error.retryAfter !== undefined) {
    return `${error.message} Try again in ${error.retryAfter} s.`;
  }
  return error.message;
}

/** `/login`: sign in, or create an account (`?mode=register`); then back to `?next=`. */
export function LoginPage() {
  const [params, setParams] = useSearchParams();
  const mode: Mode = params.get("mode") === "register" ? "register" : "login";
  const next = safeNext(params.get("next"));
  const state = useSession();
  usePageTitle(mode === "login" ? "Sign in" : "Create an account");

  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const ids = { email: useId(), password: useId(), hint: useId(), emailErr: useId(), passwordErr: useId() };

  if (state.status === "signed-in") return <Navigate to={next} replace />;

  const switchMode = (to: Mode) => {
    setError(null);
    setParams(
      (p) => {
        if (to === "register") p.set("mode", "register");
        else p.delete("mode");
        return p;
      },
      { replace: true },
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = getSession();
      await (mode === "login" ? session.login(email.trim(), password) : session.register(email.trim(), password));
      // The session is now signed in; the <Navigate> above takes the user to `next`.
    } catch (err) {
      const field = errorField(err);
      const known = field === "email" || field === "password" ? field : undefined;
      setError({ message: describe(err), field: known });
      setBusy(false);
      if (known) document.getElementById(known === "email" ? ids.email : ids.password)?.focus();
    }
  };

  const notice = state.status === "signed-out" ? NOTICES[state.reason] : undefined;
  const fieldError = (f: "email" | "password") => (error?.field === f ? error.message : undefined);
  const formError = error && !error.field ? error.message : undefined;

  return (
    <section className="page auth-page" aria-labelledby="auth-title">
      <div className="auth-card">
        <h1 id="auth-title">{mode === "login" ? "Sign in" : "Create an account"}</h1>
        <div className="segmented" role="group" aria-label="Account">
          <button type="button" aria-pressed={mode === "login"} onClick={() => switchMode("login")}>
            Sign in
          </button>
          <button type="button" aria-pressed={mode === "register"} onClick={() => switchMode("register")}>
            Create account
          </button>
        </div>

        {notice && !error && (
          <p className="notice" data-testid="session-notice">
            {notice}
          </p>
        )}

        <form className="form" onSubmit={submit} noValidate aria-describedby={formError ? "auth-error" : undefined}>
          <div className="field">
            <label htmlFor={ids.email}>Email</label>
            <input
              id={ids.email}
              name="email"
              type="email"
              inputMode="email"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={fieldError("email") ? true : undefined}
              aria-describedby={fieldError("email") ? ids.emailErr : undefined}
            />
            {fieldError("email") && (
              <p id={ids.emailErr} className="field-error">
                {fieldError("email")}
              </p>
            )}
          </div>

          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              name="password"
              type={showPassword ? "text" : "password"}
              autoComplete={mode === "login" ? "current-password" : "new-password"}
              required
              maxLength={128}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fieldError("password") ? true : undefined}
              aria-describedby={
                [mode === "register" ? ids.hint : "", fieldError("password") ? ids.passwordErr : ""].join(" ").trim() ||
                undefined
              }
            />
            {mode === "register" && (
              <p id={ids.hint} className="field-hint">
                10 to 128 characters.
              </p>
            )}
            {fieldError("password") && (
              <p id={ids.passwordErr} className="field-error">
                {fieldError("password")}
              </p>
            )}
            <label className="check">
              <input type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.target.checked)} />
              Show password
            </label>
          </div>

          {/* Present from the start, so screen readers announce a message when it appears. A
              field's message shows under its field; here it is only read out. */}
          <div
            id="auth-error"
            role="alert"
            className={formError ? "form-error" : "visually-hidden"}
            data-testid="auth-error"
          >
            {error?.message}
          </div>

          <button type="submit" className="primary" disabled={busy}>
            {busy
              ? mode === "login"
                ? "Signing in…"
                : "Creating account…"
              : mode === "login"
                ? "Sign in"
                : "Create account"}
          </button>
        </form>
      </div>
    </section>
  );
}
