//! Suspending an execution at a long Wait and continuing it later from the same point: the run
//! data, the scheduled nodes (stack and waiting multi-input nodes) and the node states.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::run::{Execution, Task};
use super::{ExecutionResult, Suspension};
use crate::error::ExecutorError;
use crate::graph::NodeIndex;
use crate::observer::{ExecutionEvent, ExecutionObserver, ExecutionStatus};
use crate::options::{PendingTask, RecordedRun, RecordedSource, ResumeFrom, ResumePoint};
use crate::run_data::SourceRef;

impl Execution {
    fn recorded_source(&self, source: &Option<SourceRef>) -> Option<RecordedSource> {
        source.map(|s| RecordedSource {
            node_id: self.workflow.node(s.node).node.id.clone(),
            output: s.output,
            run: s.run,
        })
    }

    fn pending(&self, task: &Task) -> PendingTask {
        PendingTask {
            node_id: self.workflow.node(task.node).node.id.clone(),
            inputs: task.inputs.clone(),
            sources: task
                .sources
                .iter()
                .map(|s| self.recorded_source(s))
                .collect(),
        }
    }

    /// Ends this run as `Waiting` with everything needed to continue it.
    pub(super) fn suspend_run(
        self,
        observer: &mut dyn ExecutionObserver,
        node: NodeIndex,
        resume_at: DateTime<Utc>,
    ) -> ExecutionResult {
        let recorded = self
            .run_data
            .order()
            .iter()
            .map(|(n, r)| {
                let run = &self.run_data.runs(*n)[*r];
                RecordedRun {
                    node_id: self.workflow.node(*n).node.id.clone(),
                    outputs: run.outputs.clone(),
                    sources: run
                        .sources
                        .iter()
                        .map(|s| self.recorded_source(s))
                        .collect(),
                }
            })
            .collect();
        let stack = self.stack.iter().map(|t| self.pending(t)).collect();
        let waiting = self
            .waiting
            .iter()
            .flat_map(|(_, tasks)| tasks.iter().map(|t| self.pending(t)))
            .collect();
        let node_states: HashMap<_, _> = self
            .node_states
            .iter()
            .enumerate()
            .filter(|(_, state)| state.as_object().is_none_or(|o| !o.is_empty()))
            .map(|(i, state)| (self.workflow.node(i).node.id.clone(), (**state).clone()))
            .collect();
        let node_id = self.workflow.node(node).node.id.clone();
        observer.on_event(ExecutionEvent::Suspended {
            node_id: &node_id,
            resume_at,
        });
        observer.on_event(ExecutionEvent::Finished {
            status: ExecutionStatus::Waiting,
            error: None,
        });
        let resume = ResumeFrom {
            recorded,
            start: ResumePoint::Pending { stack, waiting },
            node_states,
        };
        ExecutionResult {
            status: ExecutionStatus::Waiting,
            error: None,
            failed_node: None,
            run_data: self.run_data,
            suspended: Some(Suspension {
                node_id,
                resume_at,
                resume,
            }),
        }
    }

    fn task(&self, pending: &PendingTask) -> Result<Task, ExecutorError> {
        let wf = &self.workflow;
        let node = wf
            .index_of(&pending.node_id)
            .ok_or_else(|| ExecutorError::UnknownNode(pending.node_id.clone()))?;
        let sources = pending
            .sources
            .iter()
            .map(|s| {
                let s = s.as_ref()?;
                Some(SourceRef {
                    node: wf.index_of(&s.node_id)?,
                    output: s.output,
                    run: s.run,
                })
            })
            .collect();
        Ok(Task {
            node,
            inputs: pending.inputs.clone(),
            sources,
        })
    }

    /// Restores the scheduled nodes of a suspended execution.
    pub(super) fn seed_pending(
        &mut self,
        stack: &[PendingTask],
        waiting: &[PendingTask],
    ) -> Result<(), ExecutorError> {
        for pending in stack {
            let task = self.task(pending)?;
            self.stack.push_back(task);
        }
        for pending in waiting {
            let task = self.task(pending)?;
            match self.waiting.iter_mut().find(|(n, _)| *n == task.node) {
                Some((_, tasks)) => tasks.push(task),
                None => self.waiting.push((task.node, vec![task])),
            }
        }
        Ok(())
    }
}
