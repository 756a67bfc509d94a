import { Route, Routes } from "react-router";
import { APPS } from "./apps";
import { Layout } from "./components/Layout";
import { NotFoundPage } from "./components/NotFoundPage";
import { PlaceholderPage } from "./components/PlaceholderPage";
import { ApiDocsPage } from "./apidocs/ApiDocsPage";
import { StatusPage } from "./status/StatusPage";

/** Every UI route. The server answers any other non-API GET with index.html, so these deep-link. */
export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<StatusPage />} />
        <Route path="status" element={<StatusPage />} />
        <Route path="api-docs" element={<ApiDocsPage />} />
        {APPS.map((app) => (
          <Route key={app.path} path={app.path.slice(1)} element={<PlaceholderPage app={app} />} />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
