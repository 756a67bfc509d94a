// The coding workspace's live preview: builds the project in the browser (esbuild-wasm in a
// worker) and shows it in a sandboxed iframe, with the page's console below.
//
// Why a served shell and postMessage (not srcdoc or a blob: document): a srcdoc or blob: frame
// inherits this page's Content-Security-Policy (`script-src 'self'`: no inline or blob: scripts,
// no import map), and a sandboxed frame's opaque origin makes every module script a CORS fetch
// the app's assets do not answer. So the frame loads `/preview/shell.html`, which the server
// sends with a policy of its own (inline and blob: scripts, no network), and receives the built
// code and the vendored React as text; it makes them blob: URLs of its own origin and maps the
// React specifiers with an import map. See docs/agent.md, "Live preview".
import { ActionIcon, Box, Group, ScrollArea, Text, Tooltip } from "@mantine/core";
import { IconRefresh, IconTrash } from "@tabler/icons-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { messagePlace } from "./build";
import { buildInWorker } from "./builder";
import type { BuildMessage, BuildOutcome, ConsoleLine, ShellEvent, ShellRequest } from "./protocol";
import { vendorModules } from "./vendor";

export type { ConsoleLine } from "./protocol";

export interface LivePreviewProps {
  /** The project: path → text. A change rebuilds the preview (debounced 300 ms). */
  files: Record<string, string>;
  /** Each line of the preview's console and each uncaught error, as it happens. */
  onConsole?: (line: ConsoleLine) => void;
}

/** The shell's URL (web/public/preview/shell.html, served with its own CSP). */
const SHELL_URL = "/preview/shell.html";
const DEBOUNCE_MS = 300;
const MAX_LINES = 500;

type Status =
  | { phase: "building" }
  | { phase: "rendering"; ms: number }
  | { phase: "ready"; ms: number }
  | { phase: "failed"; title: string };

const LEVEL_COLOR: Record<ConsoleLine["level"], string | undefined> = {
  log: undefined,
  info: undefined,
  debug: "dimmed",
  warn: "yellow.8",
  error: "red.7",
};

function failurePage(title: string, errors: BuildMessage[]): ShellRequest {
  return {
    type: "cistern-preview:message",
    title,
    errors: errors.map((e) => ({ ...e, place: messagePlace(e) })),
  };
}

async function toShellRequest(outcome: BuildOutcome): Promise<ShellRequest> {
  if (!outcome.ok) return failurePage(outcome.title, outcome.errors);
  return { type: "cistern-preview:render", document: outcome.document, modules: await vendorModules() };
}

function isShellEvent(data: unknown): data is ShellEvent {
  return (
    typeof data === "object" &&
    data !== null &&
    String((data as { type?: unknown }).type).startsWith("cistern-preview:")
  );
}

function statusText(status: Status): string {
  switch (status.phase) {
    case "building":
      return "Building…";
    case "rendering":
      return `Built in ${status.ms} ms, loading…`;
    case "ready":
      return `Built in ${status.ms} ms`;
    case "failed":
      return status.title;
  }
}

/** The live preview of `files`; esbuild-wasm and React's vendored copy load on first render. */
export function LivePreview({ files, onConsole }: LivePreviewProps) {
  const [status, setStatus] = useState<Status>({ phase: "building" });
  const [frame, setFrame] = useState<{ key: number; request: ShellRequest } | null>(null);
  const [lines, setLines] = useState<ConsoleLine[]>([]);
  const frameRef = useRef<HTMLIFrameElement>(null);
  const requestRef = useRef<ShellRequest | null>(null);
  const onConsoleRef = useRef(onConsole);
  const firstBuild = useRef(true);
  const generation = useRef(0);

  useEffect(() => {
    onConsoleRef.current = onConsole;
  }, [onConsole]);

  const show = useCallback((request: ShellRequest) => {
    requestRef.current = request;
    setLines([]);
    setFrame((f) => ({ key: (f?.key ?? 0) + 1, request }));
  }, []);

  // Build on mount at once, then 300 ms after the last change; a newer build wins.
  useEffect(() => {
    const mine = ++generation.current;
    const delay = firstBuild.current ? 0 : DEBOUNCE_MS;
    firstBuild.current = false;
    const timer = window.setTimeout(() => {
      setStatus({ phase: "building" });
      // React's vendored copy downloads while esbuild starts and builds (a rejection is caught
      // where it is awaited, in toShellRequest).
      vendorModules().catch(() => undefined);
      buildInWorker(files)
        .then(async (outcome) => ({ outcome, request: await toShellRequest(outcome) }))
        .then(({ outcome, request }) => {
          if (mine !== generation.current) return;
          setStatus(outcome.ok ? { phase: "rendering", ms: outcome.ms } : { phase: "failed", title: outcome.title });
          show(request);
        })
        .catch((error: unknown) => {
          if (mine !== generation.current) return;
          const text = error instanceof Error ? error.message : String(error);
          setStatus({ phase: "failed", title: "The preview could not be built" });
          show(failurePage("The preview could not be built", [{ text }]));
        });
    }, delay);
    return () => window.clearTimeout(timer);
  }, [files, show]);

  // Messages from the current frame only (the user's code runs there: trust nothing in them).
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const frameWindow = frameRef.current?.contentWindow;
      if (!frameWindow || event.source !== frameWindow || !isShellEvent(event.data)) return;
      const data = event.data;
      if (data.type === "cistern-preview:ready" && requestRef.current) {
        // The shell's origin is opaque ("null"): "*" is the only target that reaches it.
        frameWindow.postMessage(requestRef.current, "*");
      } else if (data.type === "cistern-preview:rendered") {
        setStatus((s) => (s.phase === "rendering" ? { phase: "ready", ms: s.ms } : s));
      } else if (data.type === "cistern-preview:console") {
        const level = (["log", "info", "warn", "error", "debug"] as const).find((l) => l === data.level) ?? "log";
        const line: ConsoleLine = { level, text: String(data.text).slice(0, 10000) };
        setLines((all) => [...all.slice(-(MAX_LINES - 1)), line]);
        onConsoleRef.current?.(line);
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  const reload = () => {
    if (frame) show(frame.request);
  };

  return (
    <Box style={{ display: "flex", flexDirection: "column", height: "100%", minHeight: 320 }}>
      <Group justify="space-between" wrap="nowrap" px="xs" py={4} gap="xs">
        <Text
          size="sm"
          c={status.phase === "failed" ? "red.7" : "dimmed"}
          role="status"
          aria-live="polite"
          truncate
          data-testid="preview-status"
        >
          {statusText(status)}
        </Text>
        <Tooltip label="Reload the preview">
          <ActionIcon variant="subtle" aria-label="Reload the preview" onClick={reload} disabled={!frame}>
            <IconRefresh size={18} />
          </ActionIcon>
        </Tooltip>
      </Group>
      <Box style={{ flex: 1, minHeight: 200, borderBlock: "1px solid var(--mantine-color-default-border)" }}>
        {frame && (
          <iframe
            key={frame.key}
            ref={frameRef}
            src={SHELL_URL}
            title="Live preview"
            sandbox="allow-scripts"
            referrerPolicy="no-referrer"
            style={{ border: 0, width: "100%", height: "100%", display: "block", background: "white" }}
          />
        )}
      </Box>
      <Group justify="space-between" px="xs" py={2}>
        <Text size="xs" fw={600} id="preview-console-label">
          Console{lines.length > 0 ? ` (${lines.length})` : ""}
        </Text>
        <Tooltip label="Clear the console">
          <ActionIcon variant="subtle" size="sm" aria-label="Clear the console" onClick={() => setLines([])}>
            <IconTrash size={14} />
          </ActionIcon>
        </Tooltip>
      </Group>
      <ScrollArea h={140} px="xs" type="auto" aria-labelledby="preview-console-label" data-testid="preview-console">
        {lines.map((line, i) => (
          <Text
            key={i}
            size="xs"
            ff="monospace"
            c={LEVEL_COLOR[line.level]}
            style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}
          >
            {line.text}
          </Text>
        ))}
      </ScrollArea>
    </Box>
  );
}
