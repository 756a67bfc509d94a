/** The navigation: every app, account and server page, in three sections. */
import type { ReactNode } from "react";
import { NavLink as RouterNavLink, useLocation } from "react-router";
import { NavLink, Stack, Text } from "@mantine/core";
import {
  IconActivity,
  IconApi,
  IconBrain,
  IconChartLine,
  IconCode,
  IconKey,
  IconListCheck,
  IconMessages,
  IconPuzzle,
  IconReceipt,
  IconShieldCheck,
  IconTerminal2,
} from "@tabler/icons-react";

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

export function Navigation({ onNavigate }: { onNavigate?: () => void }) {
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
