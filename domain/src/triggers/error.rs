//! Why a trigger node cannot be used.

/// A trigger node's parameters do not describe a usable trigger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trigger `{node}`: {reason}")]
pub struct TriggerError {
    /// The node's name.
    pub node: String,
    /// What is wrong, e.g. "cron expression `* *`: invalid pattern".
    pub reason: String,
}

impl TriggerError {
    pub(crate) fn new(node: &str, reason: impl Into<String>) -> Self {
        Self {
            node: node.to_string(),
            reason: reason.into(),
        }
    }
}
