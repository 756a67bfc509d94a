import { useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { APPS } from "../apps";
import { getSession, useSession } from "../auth/current";

const PLATFORM_LINKS = [
  { to: "/status", label: "Status" },
  { to: "/api-docs", label: "API reference" },
];

const ACCOUNT_LINKS = [
  { to: "/keys", label: "API keys" },
  { to: "/usage", label: "Usage" },
  { to: "/llm-calls", label: "LLM calls" },
  { to: "/audit", label: "Audit log" },
  { to: "/jobs", label: "Jobs" },
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
        <SignedIn />
      </header>
      <nav className="nav" aria-label="Main">
        <NavSection title="Server" links={PLATFORM_LINKS} />
        <NavSection title="Apps" links={APPS.map((a) => ({ to: a.path, label: a.name }))} />
        <NavSection title="Account" links={ACCOUNT_LINKS} />
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

/** Who is signed in, with a way out; or a way in. */
function SignedIn() {
  const state = useSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [leaving, setLeaving] = useState(false);

  if (state.status === "loading") return <div className="who" aria-hidden="true" />;
  if (state.status === "signed-out") {
    return (
      <div className="who">
        {pathname !== "/login" && (
          <Link to="/login" className="button-link">
            Sign in
          </Link>
        )}
      </div>
    );
  }
  const { email, role } = state.user;
  const signOut = async () => {
    setLeaving(true);
    await getSession().logout();
    setLeaving(false);
    navigate("/login", { replace: true });
  };
  return (
    <div className="who" data-testid="signed-in">
      <span className="who-email" data-testid="user-email" title={email}>
        {email}
      </span>
      <span className={`badge ${role === "admin" ? "badge-admin" : "badge-role"}`} data-testid="user-role">
        {role}
      </span>
      <button type="button" onClick={() => void signOut()} disabled={leaving}>
        {leaving ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
