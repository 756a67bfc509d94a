import type { AppInfo } from "../apps";
import { usePageTitle } from "../ui/usePageTitle";

/** Stands in for an app until its real UI lands; says what the app will do. */
export function PlaceholderPage({ app }: { app: AppInfo }) {
  usePageTitle(app.name);
  return (
    <section className="page" aria-labelledby="app-title">
      <h1 id="app-title">{app.name}</h1>
      <p className="lead" data-testid="app-summary">
        {app.summary}
      </p>
      <p className="muted">This app is not built yet.</p>
    </section>
  );
}
