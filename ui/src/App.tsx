/** The shell: header and the screen for the current URL. */
import { lazy, Suspense } from 'react';
import { matchRoute, navigate, useLocation } from './router';
import { WorkflowList } from './workflows/WorkflowList';

// The editor (React Flow, forms, code editor) loads only when a workflow is opened.
const Editor = lazy(() => import('./editor/Editor'));

export function App() {
  const { path } = useLocation();
  const route = matchRoute(path);
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
      </header>
      <main className="screen">
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {route.name === 'workflows' && <WorkflowList />}
          {(route.name === 'editor' || route.name === 'versions') && (
            <Editor key={route.workflowId} workflowId={route.workflowId} showVersions={route.name === 'versions'} />
          )}
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
