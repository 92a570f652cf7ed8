//! The in-memory webhook route table: `/webhook/…` answers active workflows, `/webhook-test/…`
//! answers the current draft of any workflow that is not archived. Lookups take no lock held
//! across I/O and no database query: the table is rebuilt (copy on write) when a workflow changes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use weft_domain::definition::WorkflowDefinition;
use weft_domain::triggers::{WEBHOOK_TRIGGER, WebhookSpec};
use weft_projections::WorkflowRow;

use super::watch::WorkflowListener;

/// One Webhook node of one workflow version.
#[derive(Debug)]
pub struct WebhookRoute {
    /// The workflow.
    pub workflow_id: String,
    /// Its name, for messages.
    pub workflow_name: String,
    /// The version the route was built from (the one that runs).
    pub version: u64,
    /// Whether the workflow is active (`$workflow.active`).
    pub active: bool,
    /// The Webhook node.
    pub node_id: String,
    /// How it listens and responds.
    pub spec: WebhookSpec,
    /// The definition to run.
    pub definition: Arc<WorkflowDefinition>,
}

/// Which table a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteSet {
    /// `/webhook/…`: active workflows, production mode.
    Production,
    /// `/webhook-test/…`: drafts, manual mode (pinned data is used).
    Test,
}

/// The outcome of a lookup.
pub enum RouteMatch {
    /// A route answers; `params` are the `:name` segments of its path.
    Found {
        /// The route.
        route: Arc<WebhookRoute>,
        /// Path parameters.
        params: Vec<(String, String)>,
    },
    /// The path exists but not for this method.
    WrongMethod {
        /// Methods the path answers.
        allowed: Vec<String>,
    },
    /// No route has this path.
    NotFound,
}

#[derive(Default)]
struct Table {
    literal: HashMap<String, Vec<Arc<WebhookRoute>>>,
    patterns: Vec<Arc<WebhookRoute>>,
}

impl Table {
    fn build<'a>(routes: impl Iterator<Item = &'a Arc<WebhookRoute>>) -> Self {
        let mut table = Self::default();
        for route in routes {
            if route.spec.path.is_literal() {
                table
                    .literal
                    .entry(route.spec.path.to_string())
                    .or_default()
                    .push(route.clone());
            } else {
                table.patterns.push(route.clone());
            }
        }
        table
    }

    fn lookup(&self, method: &str, path: &str) -> RouteMatch {
        let path = path.trim_matches('/');
        let mut allowed = Vec::new();
        if let Some(routes) = self.literal.get(path) {
            for route in routes {
                if route.spec.method == method {
                    return RouteMatch::Found {
                        route: route.clone(),
                        params: Vec::new(),
                    };
                }
                allowed.push(route.spec.method.clone());
            }
        }
        for route in &self.patterns {
            if let Some(params) = route.spec.path.matches(path) {
                if route.spec.method == method {
                    return RouteMatch::Found {
                        route: route.clone(),
                        params,
                    };
                }
                allowed.push(route.spec.method.clone());
            }
        }
        if allowed.is_empty() {
            RouteMatch::NotFound
        } else {
            allowed.sort();
            allowed.dedup();
            RouteMatch::WrongMethod { allowed }
        }
    }
}

/// Routes of one workflow, and the order key that decides between drafts sharing a path.
struct WorkflowRoutes {
    production: Vec<Arc<WebhookRoute>>,
    test: Vec<Arc<WebhookRoute>>,
    updated_at: String,
}

/// Both route tables, kept current by [`super::watch::watch_workflows`].
#[derive(Default)]
pub struct WebhookRoutes {
    production: RwLock<Arc<Table>>,
    test: RwLock<Arc<Table>>,
    workflows: Mutex<BTreeMap<String, WorkflowRoutes>>,
}

impl WebhookRoutes {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The route answering `method` on `path` (without the `/webhook/` prefix).
    pub fn lookup(&self, set: RouteSet, method: &str, path: &str) -> RouteMatch {
        let table = match set {
            RouteSet::Production => self.production.read(),
            RouteSet::Test => self.test.read(),
        }
        .expect("route table lock")
        .clone();
        table.lookup(method, path)
    }

    /// The first webhook of `definition` whose method and path an active workflow other than
    /// `workflow_id` already listens on, described for an error message.
    pub fn conflict(&self, workflow_id: &str, definition: &WorkflowDefinition) -> Option<String> {
        let table = self.production.read().expect("route table lock").clone();
        definition
            .nodes
            .iter()
            .filter(|node| !node.disabled && node.node_type == WEBHOOK_TRIGGER)
            .filter_map(|node| WebhookSpec::from_node(node).ok())
            .find_map(|spec| match table.lookup(&spec.method, &spec.path.to_string()) {
                RouteMatch::Found { route, .. } if route.workflow_id != workflow_id => Some(format!(
                    "webhook {} /webhook/{} is already used by the active workflow `{}` ({})",
                    spec.method, spec.path, route.workflow_name, route.workflow_id
                )),
                _ => None,
            })
    }

    fn rebuild(&self, workflows: &BTreeMap<String, WorkflowRoutes>) {
        // Active workflows: the oldest id wins a shared path (activation refuses new clashes).
        let production = Table::build(workflows.values().flat_map(|w| w.production.iter()));
        // Drafts: the most recently edited workflow wins a shared path.
        let mut drafts: Vec<&WorkflowRoutes> = workflows.values().collect();
        drafts.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
        let test = Table::build(drafts.into_iter().flat_map(|w| w.test.iter()));
        *self.production.write().expect("route table lock") = Arc::new(production);
        *self.test.write().expect("route table lock") = Arc::new(test);
    }
}

fn routes_of(row: &WorkflowRow) -> Option<WorkflowRoutes> {
    if row.archived {
        return None;
    }
    let definition = Arc::new(row.definition.clone());
    let test: Vec<Arc<WebhookRoute>> = definition
        .nodes
        .iter()
        .filter(|node| !node.disabled && node.node_type == WEBHOOK_TRIGGER)
        .filter_map(|node| {
            let spec = WebhookSpec::from_node(node).ok()?;
            Some(Arc::new(WebhookRoute {
                workflow_id: row.id.clone(),
                workflow_name: row.name.clone(),
                version: row.version,
                active: row.active,
                node_id: node.id.clone(),
                spec,
                definition: definition.clone(),
            }))
        })
        .collect();
    if test.is_empty() {
        return None;
    }
    let production = if row.active { test.clone() } else { Vec::new() };
    Some(WorkflowRoutes {
        production,
        test,
        updated_at: row.updated_at.clone(),
    })
}

impl WorkflowListener for WebhookRoutes {
    fn workflow_changed(&self, row: &WorkflowRow) {
        let mut workflows = self.workflows.lock().expect("route map lock");
        match routes_of(row) {
            Some(routes) => workflows.insert(row.id.clone(), routes),
            None => workflows.remove(&row.id),
        };
        self.rebuild(&workflows);
    }

    fn replace_all(&self, rows: &[WorkflowRow]) {
        let mut workflows = self.workflows.lock().expect("route map lock");
        *workflows = rows
            .iter()
            .filter_map(|row| Some((row.id.clone(), routes_of(row)?)))
            .collect();
        self.rebuild(&workflows);
    }
}
