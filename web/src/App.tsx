import { Route, Routes } from "react-router";
import { APPS } from "./apps";
import { Layout } from "./components/Layout";
import { NotFoundPage } from "./components/NotFoundPage";
import { ChatPage } from "./chat/ChatPage";
import { PlaceholderPage } from "./components/PlaceholderPage";
import { ApiDocsPage } from "./apidocs/ApiDocsPage";
import { StatusPage } from "./status/StatusPage";
import { LoginPage } from "./auth/LoginPage";
import { RequireAuth } from "./auth/RequireAuth";
import { KeysPage } from "./account/KeysPage";
import { UsagePage } from "./account/UsagePage";
import { AuditLogPage } from "./account/AuditPage";
import { CallsPage } from "./llm/CallsPage";
import { JobsPage } from "./jobs/JobsPage";
import { ExtensionsPage } from "./extensions/ExtensionsPage";

/**
 * Every UI route. The server answers any other non-API GET with index.html, so these deep-link.
 * Status, the API reference and sign-in are public; the rest need a signed-in user.
 */
export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<StatusPage />} />
        <Route path="status" element={<StatusPage />} />
        <Route path="api-docs" element={<ApiDocsPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route path="keys" element={<KeysPage />} />
          <Route path="usage" element={<UsagePage />} />
          <Route path="audit" element={<AuditLogPage />} />
          <Route path="llm-calls" element={<CallsPage />} />
          <Route path="jobs" element={<JobsPage />} />
          <Route path="extensions" element={<ExtensionsPage />} />
          <Route path="chat" element={<ChatPage />} />
          {APPS.filter((app) => app.path !== "/extensions" && app.path !== "/chat").map((app) => (
            <Route key={app.path} path={app.path.slice(1)} element={<PlaceholderPage app={app} />} />
          ))}
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
