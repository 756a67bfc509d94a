import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { MantineProvider, localStorageColorSchemeManager } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import "@mantine/core/styles.css";
import { App } from "./App";
import { getSession } from "./auth/current";
import { createQueryClient } from "./api/query";
import { COLOR_SCHEME_KEY, cssVariablesResolver, theme } from "./theme";
import "./ui/global.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// Start resuming a stored session before the first render needs it.
getSession();

// Toasts are rare (after an action), so their code loads after the first paint.
const Notifications = lazy(() => import("./ui/Notifications"));

const queryClient = createQueryClient();
const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });

createRoot(root).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      colorSchemeManager={colorSchemeManager}
    >
      <Suspense>
        <Notifications />
      </Suspense>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
