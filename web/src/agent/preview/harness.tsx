// TEST-ONLY: the page behind /preview-harness.html, for e2e/preview.test.mjs. It mounts the live
// preview the way the workspace page does (lazily) and lets the test set the project through
// `window.cisternPreview.setFiles(files)`; console lines are also kept in
// `window.cisternPreview.console`.
import { MantineProvider } from "@mantine/core";
import "@mantine/core/styles.css";
import { lazy, StrictMode, Suspense, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import type { ConsoleLine } from "./protocol";

const LivePreview = lazy(() => import("./index"));

declare global {
  interface Window {
    cisternPreview?: { setFiles: (files: Record<string, string>) => void; console: ConsoleLine[] };
  }
}

function Harness() {
  const [files, setFiles] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    window.cisternPreview = { setFiles, console: [] };
  }, []);
  if (files === null) return <p>Waiting for a project (window.cisternPreview.setFiles).</p>;
  return (
    <div style={{ height: "100vh" }}>
      <Suspense fallback={<p>Loading the preview…</p>}>
        <LivePreview files={files} onConsole={(line) => window.cisternPreview?.console.push(line)} />
      </Suspense>
    </div>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider>
        <main>
          <Harness />
        </main>
      </MantineProvider>
    </StrictMode>,
  );
}
