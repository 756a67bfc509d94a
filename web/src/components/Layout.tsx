/**
 * The shell every page sits in: a header (brand, theme switch, account menu), the navigation
 * (a side bar on wide screens, a drawer on phones) and the routed page.
 */
import { lazy, Suspense, useState } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Text,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import { IconLogout, IconMoon, IconSun } from "@tabler/icons-react";
import { getSession, useSession } from "../auth/current";
import { Navigation } from "./Navigation";

// The phone drawer (and the scroll-area and focus-trap code it brings) loads on first use.
const NavDrawer = lazy(() => import("./NavDrawer"));

export function Layout() {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 232, breakpoint: "sm", collapsed: { mobile: true } }}
      padding={{ base: "sm", sm: "lg" }}
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={drawerOpen}
              onClick={() => {
                setDrawerUsed(true);
                setDrawerOpen((o) => !o);
              }}
              hiddenFrom="sm"
              size="sm"
              aria-label={drawerOpen ? "Close navigation" : "Open navigation"}
            />
            <UnstyledButton component={Link} to="/" aria-label="Cistern home">
              <Group gap={8} wrap="nowrap">
                <img src="/favicon.svg" alt="" width={26} height={26} />
                <Text fw={700} size="lg">
                  Cistern
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <SignedIn />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" style={{ overflowY: "auto" }} visibleFrom="sm">
        <Navigation />
      </AppShell.Navbar>
      {drawerUsed && (
        <Suspense>
          <NavDrawer opened={drawerOpen} onClose={() => setDrawerOpen(false)} />
        </Suspense>
      )}
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

/** Light / dark. Starts from the system's choice; a click remembers the other one. */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme("light");
  const next = computed === "dark" ? "light" : "dark";
  const label = `Switch to ${next} theme`;
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={label}
      title={label}
      data-testid="theme-toggle"
    >
      {computed === "dark" ? <IconSun size={18} /> : <IconMoon size={18} />}
    </ActionIcon>
  );
}

/** Who is signed in (email and role), with a way out; or a way in. */
function SignedIn() {
  const state = useSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [leaving, setLeaving] = useState(false);

  if (state.status === "loading") return <div aria-hidden="true" style={{ width: 90 }} />;
  if (state.status === "signed-out") {
    return pathname === "/login" ? null : (
      <Button component={Link} to="/login" size="sm">
        Sign in
      </Button>
    );
  }
  const { email, role } = state.user;
  const signOut = async () => {
    setLeaving(true);
    await getSession().logout();
    setLeaving(false);
    navigate("/login", { replace: true });
  };
  return (
    <Group gap="xs" wrap="nowrap" data-testid="signed-in">
      <Text size="sm" truncate maw={{ base: 96, xs: 240 }} data-testid="user-email" title={email} visibleFrom="xs">
        {email}
      </Text>
      <Badge
        size="sm"
        variant="light"
        color={role === "admin" ? "grape" : "gray"}
        data-testid="user-role"
        visibleFrom="xs"
      >
        {role}
      </Badge>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={() => void signOut()}
        loading={leaving}
        aria-label={`Sign out ${email}`}
        title="Sign out"
      >
        <IconLogout size={18} />
      </ActionIcon>
    </Group>
  );
}
