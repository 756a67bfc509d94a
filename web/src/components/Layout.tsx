import { NavLink, Outlet, useLocation } from "react-router";
import { APPS } from "../apps";

const PLATFORM_LINKS = [
  { to: "/status", label: "Status" },
  { to: "/api-docs", label: "API reference" },
];

/** Header, navigation and the routed page. The status page also answers at "/". */
export function Layout() {
  return (
    <div className="shell">
      <header className="header">
        <NavLink to="/" className="brand" end>
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Cistern</span>
        </NavLink>
      </header>
      <nav className="nav" aria-label="Main">
        <NavSection title="Server" links={PLATFORM_LINKS} />
        <NavSection title="Apps" links={APPS.map((a) => ({ to: a.path, label: a.name }))} />
      </nav>
      <main className="main" id="main">
        <Outlet />
      </main>
    </div>
  );
}

function NavSection({ title, links }: { title: string; links: { to: string; label: string }[] }) {
  // "/" shows the status page, so its link is the current one there too.
  const atRoot = useLocation().pathname === "/";
  return (
    <div className="nav-section">
      <div className="nav-title">{title}</div>
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <NavLink to={l.to} className={({ isActive }) => (isActive || (atRoot && l.to === "/status") ? "nav-link active" : "nav-link")}>
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  );
}
