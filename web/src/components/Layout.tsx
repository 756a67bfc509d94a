/**
 * The shell every page sits in: a header (brand, theme switch, account menu), the navigation
 * (a side bar on wide screens, a drawer on phones) and the routed page.
 */
import { useState, type ReactNode } from "react";
import { Link, NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from "react-router";
import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Drawer,
  Group,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import {
  IconActivity,
  IconApi,
  IconBrain,
  IconChartLine,
  IconCode,
  IconKey,
  IconListCheck,
  IconLogout,
  IconMessages,
  IconMoon,
  IconPuzzle,
  IconReceipt,
  IconShieldCheck,
  IconSun,
  IconTerminal2,
} from "@tabler/icons-react";
import { getSession, useSession } from "../auth/current";

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

const SECTIONS: { title: string; items: NavItem[] }[] = [
  {
    title: "Apps",
    items: [
      { to: "/chat", label: "Chat", icon: <IconMessages size={18} /> },
      { to: "/extensions", label: "Extensions", icon: <IconPuzzle size={18} /> },
      { to: "/codegen", label: "Code generator", icon: <IconCode size={18} /> },
      { to: "/agent", label: "Coding agent", icon: <IconTerminal2 size={18} /> },
      { to: "/sage", label: "Sage", icon: <IconChartLine size={18} /> },
    ],
  },
  {
    title: "Account",
    items: [
      { to: "/keys", label: "API keys", icon: <IconKey size={18} /> },
      { to: "/usage", label: "Usage", icon: <IconReceipt size={18} /> },
      { to: "/llm-calls", label: "LLM calls", icon: <IconBrain size={18} /> },
      { to: "/jobs", label: "Jobs", icon: <IconListCheck size={18} /> },
      { to: "/audit", label: "Audit log", icon: <IconShieldCheck size={18} /> },
    ],
  },
  {
    title: "Server",
    items: [
      { to: "/status", label: "Status", icon: <IconActivity size={18} /> },
      { to: "/api-docs", label: "API reference", icon: <IconApi size={18} /> },
    ],
  },
];

export function Layout() {
  const [drawerOpen, setDrawerOpen] = useState(false);

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
              onClick={() => setDrawerOpen((o) => !o)}
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
      <Drawer
        opened={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        size={280}
        title="Cistern"
        hiddenFrom="sm"
        aria-label="Navigation"
      >
        {/* Following a link closes the drawer. */}
        <Navigation onNavigate={() => setDrawerOpen(false)} />
      </Drawer>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function Navigation({ onNavigate }: { onNavigate?: () => void }) {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Main">
      <Stack gap="md">
        {SECTIONS.map((section) => (
          <div key={section.title}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
              {section.title}
            </Text>
            {section.items.map((item) => (
              <NavLink
                key={item.to}
                component={RouterNavLink}
                to={item.to}
                label={item.label}
                leftSection={item.icon}
                // "/" shows the status page, so its link is the current one there too.
                active={pathname.startsWith(item.to) || (pathname === "/" && item.to === "/status")}
                aria-current={pathname.startsWith(item.to) ? "page" : undefined}
                onClick={onNavigate}
                styles={{ root: { borderRadius: "var(--mantine-radius-md)" } }}
              />
            ))}
          </div>
        ))}
      </Stack>
    </nav>
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
