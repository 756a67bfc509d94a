import { Link, useLocation } from "react-router";
import { usePageTitle } from "../ui/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Not found");
  const { pathname } = useLocation();
  return (
    <section className="page" aria-labelledby="nf-title">
      <h1 id="nf-title">Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. <Link to="/">Go to the status page</Link>.
      </p>
    </section>
  );
}
