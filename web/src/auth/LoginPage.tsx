import { useRef, useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router";
import {
  Alert,
  Box,
  Button,
  Center,
  Image,
  Paper,
  PasswordInput,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { IconAlertTriangle, IconInfoCircle } from "@tabler/icons-react";
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
  // Kept across the two tabs, so switching mode does not lose what was typed.
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (state.status === "signed-in") return <Navigate to={next} replace />;

  const switchMode = (to: Mode) =>
    setParams(
      (p) => {
        if (to === "register") p.set("mode", "register");
        else p.delete("mode");
        return p;
      },
      { replace: true },
    );

  const notice = state.status === "signed-out" ? NOTICES[state.reason] : undefined;

  return (
    <Center mih="calc(100dvh - 160px)" py="xl">
      <Paper withBorder shadow="sm" radius="lg" p={{ base: "lg", sm: "xl" }} w="100%" maw={420}>
        <Stack align="center" gap={6} mb="lg">
          <Image src="/favicon.svg" alt="" w={44} h={44} />
          <Title order={1} fz={24} ta="center">
            {mode === "login" ? "Sign in" : "Create an account"}
          </Title>
          <Text size="sm" c="dimmed" ta="center">
            {mode === "login"
              ? "Welcome back to Cistern."
              : "The first account on a new server becomes its administrator."}
          </Text>
        </Stack>

        <Tabs
          keepMounted={false}
          value={mode}
          onChange={(v) => switchMode(v === "register" ? "register" : "login")}
          variant="pills"
        >
          <Tabs.List grow mb="lg" aria-label="Account">
            <Tabs.Tab value="login">Sign in</Tabs.Tab>
            <Tabs.Tab value="register">Create account</Tabs.Tab>
          </Tabs.List>

          {notice && (
            <Alert
              color="blue"
              variant="light"
              icon={<IconInfoCircle size={18} />}
              mb="md"
              data-testid="session-notice"
            >
              {notice}
            </Alert>
          )}

          <Tabs.Panel value="login">
            <AuthForm key="login" mode="login" {...{ email, setEmail, password, setPassword }} />
          </Tabs.Panel>
          <Tabs.Panel value="register">
            <AuthForm key="register" mode="register" {...{ email, setEmail, password, setPassword }} />
          </Tabs.Panel>
        </Tabs>
      </Paper>
    </Center>
  );
}

/** The email and password form of one mode; a failed attempt's message shows on its field or above the button. */
function AuthForm({
  mode,
  email,
  setEmail,
  password,
  setPassword,
}: {
  mode: Mode;
  email: string;
  setEmail: (email: string) => void;
  password: string;
  setPassword: (password: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: "email" | "password" } | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = getSession();
      await (mode === "login" ? session.login(email.trim(), password) : session.register(email.trim(), password));
      // The session is now signed in; the page's <Navigate> takes the user to `next`.
    } catch (err) {
      const field = errorField(err);
      const known = field === "email" || field === "password" ? field : undefined;
      setError({ message: describe(err), field: known });
      setBusy(false);
      if (known) (known === "email" ? emailRef : passwordRef).current?.focus();
    }
  };

  const fieldError = (f: "email" | "password") => (error?.field === f ? error.message : undefined);
  const formError = error && !error.field ? error.message : undefined;

  return (
    <form onSubmit={submit} noValidate data-testid="auth-form" aria-label={mode === "login" ? "Sign in" : "Register"}>
      <Stack gap="md">
        <TextInput
          ref={emailRef}
          label="Email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          withAsterisk={false}
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fieldError("email")}
          data-autofocus
        />
        <PasswordInput
          ref={passwordRef}
          label="Password"
          name="password"
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          required
          withAsterisk={false}
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          description={mode === "register" ? "10 to 128 characters." : undefined}
          error={fieldError("password")}
          // Mantine marks only its wrapper invalid; screen readers need it on the input itself.
          aria-invalid={fieldError("password") ? true : undefined}
          visibilityToggleButtonProps={{ "aria-label": "Show or hide the password" }}
        />
      </Stack>

      {/* Present from the start, so screen readers announce a message when it appears. A
            field's message shows under its field; here it is only read out. */}
      <Box role="alert" data-testid="auth-error" mt={formError ? "md" : 0}>
        {formError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} p="sm">
            {formError}
          </Alert>
        ) : (
          <VisuallyHidden>{error?.message}</VisuallyHidden>
        )}
      </Box>

      <Button type="submit" fullWidth loading={busy} size="md" mt="lg">
        {mode === "login" ? "Sign in" : "Create account"}
      </Button>
    </form>
  );
}
