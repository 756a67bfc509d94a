import { lazy, Suspense, type ComponentType } from "react";
import { Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./auth/RequireAuth";
import { LoadingRows } from "./ui/QueryView";

/**
 * A page loaded on first visit: each page is a chunk of its own, so the first paint downloads
 * the shell and the page it shows, not all twelve.
 */
function page<M>(load: () => Promise<M>, pick: (m: M) => ComponentType) {
  const Page = lazy(() => load().then((m) => ({ default: pick(m) })));
  return (
    <Suspense fallback={<LoadingRows rows={4} />}>
      <Page />
    </Suspense>
  );
}

const status = page(
  () => import("./status/StatusPage"),
  (m) => m.StatusPage,
);

/**
 * Every UI route. The server answers any other non-API GET with index.html, so these deep-link.
 * Status, the API reference and sign-in are public; the rest need a signed-in user.
 */
export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={status} />
        <Route path="status" element={status} />
        <Route
          path="api-docs"
          element={page(
            () => import("./apidocs/ApiDocsPage"),
            (m) => m.ApiDocsPage,
          )}
        />
        <Route
          path="login"
          element={page(
            () => import("./auth/LoginPage"),
            (m) => m.LoginPage,
          )}
        />
        <Route element={<RequireAuth />}>
          <Route
            path="keys"
            element={page(
              () => import("./account/KeysPage"),
              (m) => m.KeysPage,
            )}
          />
          <Route
            path="usage"
            element={page(
              () => import("./account/UsagePage"),
              (m) => m.UsagePage,
            )}
          />
          <Route
            path="audit"
            element={page(
              () => import("./account/AuditPage"),
              (m) => m.AuditLogPage,
            )}
          />
          <Route
            path="llm-calls"
            element={page(
              () => import("./llm/CallsPage"),
              (m) => m.CallsPage,
            )}
          />
          <Route
            path="jobs"
            element={page(
              () => import("./jobs/JobsPage"),
              (m) => m.JobsPage,
            )}
          />
          <Route
            path="extensions"
            element={page(
              () => import("./extensions/ExtensionsPage"),
              (m) => m.ExtensionsPage,
            )}
          />
          <Route
            path="chat"
            element={page(
              () => import("./chat/ChatPage"),
              (m) => m.ChatPage,
            )}
          />
          <Route
            path="codegen"
            element={page(
              () => import("./codegen/CodegenPage"),
              (m) => m.CodegenPage,
            )}
          />
          <Route
            path="agent"
            element={page(
              () => import("./agent/AgentPage"),
              (m) => m.AgentPage,
            )}
          />
          <Route
            path="sage"
            element={page(
              () => import("./sage/SagePage"),
              (m) => m.SagePage,
            )}
          />
          <Route
            path="sage/:projectId"
            element={page(
              () => import("./sage/ProjectPage"),
              (m) => m.ProjectPage,
            )}
          />
        </Route>
        <Route
          path="*"
          element={page(
            () => import("./components/NotFoundPage"),
            (m) => m.NotFoundPage,
          )}
        />
      </Route>
    </Routes>
  );
}
