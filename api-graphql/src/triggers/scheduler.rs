//! Fires Schedule Trigger nodes of active workflows.
//!
//! Every `weft serve` process runs a scheduler; a due time fires once across all of them because
//! each process first claims it (see [`super::fire`]): the first claim wins, the others skip. A run missed while no
//! process was up fires once at start-up when its due time lies within the catch-up window and
//! after the workflow's last change; older misses are skipped (documented in the README).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::Notify;
use weft_domain::triggers::{SCHEDULE_TRIGGER, Schedule};
use weft_projections::WorkflowRow;

use super::watch::WorkflowListener;

/// One due time of one schedule node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledRun {
    /// The workflow.
    pub workflow_id: String,
    /// The version that was active when the run was planned.
    pub version: u64,
    /// The Schedule Trigger node.
    pub node_id: String,
    /// The due time.
    pub due: DateTime<Utc>,
    /// The trigger item (n8n's Schedule Trigger output).
    pub item: Value,
}

/// Starts the execution of a due schedule.
#[async_trait]
pub trait FireSchedule: Send + Sync {
    /// Starts the run unless another process started it already.
    async fn fire(&self, run: ScheduledRun);
}

struct Entry {
    workflow_id: String,
    version: u64,
    node_id: String,
    schedule: Schedule,
    timezone: chrono_tz::Tz,
    /// Earliest due time that may still fire (catch-up applies only after this).
    not_before: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
}

/// The schedules of all active workflows, kept current by [`super::watch::watch_workflows`].
pub struct Scheduler {
    entries: Mutex<BTreeMap<(String, String), Entry>>,
    changed: Notify,
    catch_up: Duration,
}

impl Scheduler {
    /// A scheduler that catches up runs missed within `catch_up` before start-up.
    pub fn new(catch_up: Duration) -> Self {
        Self {
            entries: Mutex::new(BTreeMap::new()),
            changed: Notify::new(),
            catch_up,
        }
    }

    /// Fires due schedules until the process ends.
    pub async fn run(self: Arc<Self>, firer: Arc<dyn FireSchedule>) {
        for run in self.missed_runs(Utc::now()) {
            fire(&firer, run);
        }
        loop {
            let now = Utc::now();
            for run in self.take_due(now) {
                fire(&firer, run);
            }
            let wait = self
                .earliest_next()
                .map(|next| (next - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.changed.notified() => {}
            }
        }
    }

    /// The latest due time of each schedule that passed while nothing ran, within the window.
    fn missed_runs(&self, now: DateTime<Utc>) -> Vec<ScheduledRun> {
        let window_start = now - chrono::Duration::from_std(self.catch_up).unwrap_or_default();
        let entries = self.entries.lock().expect("scheduler lock");
        entries
            .values()
            .filter_map(|entry| {
                let due = entry.schedule.latest_at_or_before(now)?;
                (due >= window_start && due >= entry.not_before).then(|| entry.run(due))
            })
            .collect()
    }

    /// Runs due at `now`; each entry moves on to its next due time after `now` (several due
    /// times that passed at once fire once).
    fn take_due(&self, now: DateTime<Utc>) -> Vec<ScheduledRun> {
        let mut entries = self.entries.lock().expect("scheduler lock");
        let mut due = Vec::new();
        for entry in entries.values_mut() {
            if let Some(next) = entry.next.filter(|next| *next <= now) {
                due.push(entry.run(next));
                entry.next = entry.schedule.next_after(now);
            }
        }
        due
    }

    fn earliest_next(&self) -> Option<DateTime<Utc>> {
        let entries = self.entries.lock().expect("scheduler lock");
        entries.values().filter_map(|e| e.next).min()
    }

    fn entries_of(row: &WorkflowRow, now: DateTime<Utc>) -> Vec<Entry> {
        if !row.active || row.archived {
            return Vec::new();
        }
        let timezone_name = row.definition.settings.timezone.as_deref();
        let timezone = timezone_name
            .and_then(|name| name.parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC);
        let not_before = DateTime::parse_from_rfc3339(&row.updated_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        row.definition
            .nodes
            .iter()
            .filter(|node| !node.disabled && node.node_type == SCHEDULE_TRIGGER)
            .filter_map(|node| {
                let schedule = Schedule::from_node(node, timezone_name)
                    .map_err(|error| tracing::warn!(%error, "schedule not registered"))
                    .ok()?;
                Some(Entry {
                    workflow_id: row.id.clone(),
                    version: row.version,
                    node_id: node.id.clone(),
                    next: schedule.next_after(now),
                    schedule,
                    timezone,
                    not_before,
                })
            })
            .collect()
    }
}

fn fire(firer: &Arc<dyn FireSchedule>, run: ScheduledRun) {
    let firer = firer.clone();
    tokio::spawn(async move { firer.fire(run).await });
}

impl Entry {
    fn run(&self, due: DateTime<Utc>) -> ScheduledRun {
        ScheduledRun {
            workflow_id: self.workflow_id.clone(),
            version: self.version,
            node_id: self.node_id.clone(),
            due,
            item: trigger_item(due, self.timezone),
        }
    }
}

/// The item a Schedule Trigger outputs, as n8n builds it.
fn trigger_item(due: DateTime<Utc>, timezone: chrono_tz::Tz) -> Value {
    let local = due.with_timezone(&timezone);
    json!({
        "timestamp": local.to_rfc3339(),
        "Readable date": local.format("%B %-d, %Y, %-I:%M:%S %p").to_string(),
        "Readable time": local.format("%-I:%M:%S %p").to_string(),
        "Day of week": local.format("%A").to_string(),
        "Year": local.format("%Y").to_string(),
        "Month": local.format("%B").to_string(),
        "Day of month": local.format("%d").to_string(),
        "Hour": local.format("%H").to_string(),
        "Minute": local.format("%M").to_string(),
        "Second": local.format("%S").to_string(),
        "Timezone": format!("{} (UTC{})", timezone.name(), local.format("%:z")),
    })
}

impl WorkflowListener for Scheduler {
    fn workflow_changed(&self, row: &WorkflowRow) {
        let now = Utc::now();
        let mut entries = self.entries.lock().expect("scheduler lock");
        entries.retain(|(workflow_id, _), _| workflow_id != &row.id);
        for entry in Self::entries_of(row, now) {
            entries.insert((entry.workflow_id.clone(), entry.node_id.clone()), entry);
        }
        drop(entries);
        self.changed.notify_one();
    }

    fn replace_all(&self, rows: &[WorkflowRow]) {
        let now = Utc::now();
        let mut entries = self.entries.lock().expect("scheduler lock");
        entries.clear();
        for entry in rows.iter().flat_map(|row| Self::entries_of(row, now)) {
            entries.insert((entry.workflow_id.clone(), entry.node_id.clone()), entry);
        }
        drop(entries);
        self.changed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use weft_domain::definition::{Node, WorkflowDefinition};
    use weft_domain::environment::Environment;

    use super::*;

    fn row(active: bool, updated_at: &str, expression: &str) -> WorkflowRow {
        let mut node = Node::new("s", SCHEDULE_TRIGGER, "Schedule");
        node.parameters = json!({ "rule": { "interval": [{ "field": "cronExpression", "expression": expression }] } });
        WorkflowRow {
            id: "wf".into(),
            name: "Nightly".into(),
            description: String::new(),
            environment: Environment::Testing,
            active,
            archived: false,
            version: 3,
            parent: None,
            created_at: updated_at.into(),
            created_by: "user:a".into(),
            updated_at: updated_at.into(),
            updated_by: "user:a".into(),
            definition: WorkflowDefinition {
                nodes: vec![node],
                ..Default::default()
            },
        }
    }

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap()
    }

    #[test]
    fn due_times_fire_once_and_move_on() {
        let scheduler = Scheduler::new(Duration::from_secs(3600));
        scheduler.workflow_changed(&row(true, "2026-11-27T00:00:00Z", "0 * * * *"));
        assert!(scheduler.earliest_next().is_some());
        // Force a known state: the next due time is 10:00.
        scheduler
            .entries
            .lock()
            .unwrap()
            .values_mut()
            .for_each(|e| e.next = Some(at(10, 0, 0)));
        assert!(scheduler.take_due(at(9, 59, 59)).is_empty());
        let due = scheduler.take_due(at(10, 0, 1));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].due, at(10, 0, 0));
        assert_eq!(due[0].version, 3);
        assert_eq!(due[0].item["Hour"], "10");
        assert_eq!(scheduler.earliest_next(), Some(at(11, 0, 0)));
        assert!(scheduler.take_due(at(10, 30, 0)).is_empty());
    }

    #[test]
    fn a_missed_run_fires_once_within_the_window_and_after_the_last_change() {
        let scheduler = Scheduler::new(Duration::from_secs(3600));
        scheduler.replace_all(&[row(true, "2026-11-27T08:00:00Z", "0 * * * *")]);
        let missed = scheduler.missed_runs(at(10, 20, 0));
        assert_eq!(
            missed.iter().map(|r| r.due).collect::<Vec<_>>(),
            vec![at(10, 0, 0)]
        );
        // Outside the catch-up window: skipped.
        let narrow = Scheduler::new(Duration::from_secs(60));
        narrow.replace_all(&[row(true, "2026-11-27T08:00:00Z", "0 * * * *")]);
        assert!(narrow.missed_runs(at(10, 20, 0)).is_empty());
        // Activated (changed) after the due time: nothing was missed.
        scheduler.replace_all(&[row(true, "2026-11-27T10:10:00Z", "0 * * * *")]);
        assert!(scheduler.missed_runs(at(10, 20, 0)).is_empty());
    }

    #[test]
    fn inactive_workflows_have_no_schedules() {
        let scheduler = Scheduler::new(Duration::from_secs(3600));
        scheduler.replace_all(&[row(true, "2026-11-27T00:00:00Z", "0 * * * *")]);
        assert!(scheduler.earliest_next().is_some());
        scheduler.workflow_changed(&row(false, "2026-11-27T00:00:00Z", "0 * * * *"));
        assert_eq!(scheduler.earliest_next(), None);
    }
}
