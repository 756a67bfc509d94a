import { Navigate, Outlet, useLocation } from "react-router";
import { Text } from "@mantine/core";
import { useSession } from "./current";
import { loginPath } from "./next";

/** Routes under this need a signed-in user; others are sent to sign in and brought back. */
export function RequireAuth() {
  const state = useSession();
  const { pathname, search, hash } = useLocation();
  if (state.status === "loading") {
    return (
      <Text c="dimmed" role="status">
        Resuming your session…
      </Text>
    );
  }
  if (state.status === "signed-out") return <Navigate to={loginPath(pathname + search + hash)} replace />;
  return <Outlet />;
}
