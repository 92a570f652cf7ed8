/** The shell: header and the screen for the current URL. */
import { lazy, Suspense } from 'react';
import { matchRoute, navigate, useLocation } from './router';
import { WorkflowList } from './workflows/WorkflowList';
import { logout } from './api/auth';
import { AuthGate, useSession } from './auth/AuthGate';
import { canAdminister } from './api/session';

// The editor (React Flow, forms, code editor) loads only when a workflow is opened.
const Editor = lazy(() => import('./editor/Editor'));
const ExecutionsList = lazy(() => import('./executions/ExecutionsList'));
const ExecutionView = lazy(() => import('./executions/ExecutionView'));
const CredentialsPage = lazy(() => import('./credentials/CredentialsPage'));
const UsersPage = lazy(() => import('./users/UsersPage'));
const AccountPage = lazy(() => import('./users/AccountPage'));

function NavLink({ href, label, active }: { href: string; label: string; active: boolean }) {
  return (
    <a
      href={href}
      className={active ? 'nav active' : 'nav'}
      aria-current={active ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(href);
      }}
    >
      {label}
    </a>
  );
}

/** The signed-in user, their role, and sign-out. */
function UserMenu() {
  const { user } = useSession();
  if (!user) return null;
  return (
    <div className="user-menu">
      <a
        className="user-email"
        data-testid="signed-in-user"
        href="/account"
        title="Your account and API keys"
        onClick={(event) => {
          event.preventDefault();
          navigate('/account');
        }}
      >
        {user.email}
      </a>
      <span className={`role-badge role-${user.role}`} data-testid="signed-in-role">{user.role}</span>
      <button
        type="button"
        onClick={async () => {
          await logout();
          navigate('/login', true);
        }}
      >
        Sign out
      </button>
    </div>
  );
}

export function App() {
  return (
    <AuthGate>
      <Shell />
    </AuthGate>
  );
}

function Shell() {
  const { path } = useLocation();
  const route = matchRoute(path);
  const { user } = useSession();
  const admin = canAdminister(user?.role ?? null);
  return (
    <div className="app">
      <header className="topbar">
        <a
          className="brand"
          href="/workflows"
          onClick={(event) => {
            event.preventDefault();
            navigate('/workflows');
          }}
        >
          Weft
        </a>
        <NavLink href="/workflows" label="Workflows" active={route.name === 'workflows' || route.name === 'editor' || route.name === 'versions'} />
        <NavLink href="/executions" label="Executions" active={route.name === 'executions' || route.name === 'execution'} />
        <NavLink href="/credentials" label="Credentials" active={route.name === 'credentials'} />
        {admin && <NavLink href="/users" label="Users" active={route.name === 'users'} />}
        <UserMenu />
      </header>
      <main className="screen">
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {route.name === 'workflows' && <WorkflowList />}
          {(route.name === 'editor' || route.name === 'versions') && (
            <Editor key={route.workflowId} workflowId={route.workflowId} showVersions={route.name === 'versions'} />
          )}
          {route.name === 'executions' && <ExecutionsList />}
          {route.name === 'execution' && <ExecutionView key={route.executionId} executionId={route.executionId} />}
          {route.name === 'credentials' && <CredentialsPage />}
          {route.name === 'users' && <UsersPage />}
          {route.name === 'account' && <AccountPage />}
          {route.name === 'notFound' && (
            <div className="empty">
              <h1>Page not found</h1>
              <p>Nothing lives at {route.path}.</p>
              <button type="button" onClick={() => navigate('/workflows')}>Go to workflows</button>
            </div>
          )}
        </Suspense>
      </main>
    </div>
  );
}
