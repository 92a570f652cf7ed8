//! Wait: pauses the run for an interval or until a time, then passes the items on. The engine
//! performs the pause through the run's [`Sleeper`](crate::Sleeper), so tests can use fake time.

use std::time::Duration;

use super::dates::utc;
use super::dates::value_to_date;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::{NodeError, NodeErrorKind};

/// The Wait node.
pub struct Wait;

impl NodeType for Wait {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let resume = ctx.string("resume", 0, "timeInterval")?;
        let pause = match resume.as_str() {
            "timeInterval" => {
                let amount = ctx.number("amount", 0, 1.0)?.max(0.0);
                let seconds = match ctx.string("unit", 0, "hours")?.as_str() {
                    "seconds" => amount,
                    "minutes" => amount * 60.0,
                    "hours" => amount * 3600.0,
                    "days" => amount * 86_400.0,
                    other => {
                        return Err(NodeError::parameter(format!("unknown wait unit `{other}`")));
                    }
                };
                Duration::from_secs_f64(seconds)
            }
            "specificTime" => {
                let at = ctx.param("dateTime", 0)?.unwrap_or_default();
                let at = value_to_date(&at, &utc())
                    .ok_or_else(|| NodeError::parameter("`dateTime` is not a date"))?;
                let now = ctx.options.clock.now();
                (at.with_timezone(&chrono::Utc) - now)
                    .to_std()
                    .unwrap_or_default()
            }
            other => {
                return Err(NodeError::new(
                    NodeErrorKind::Unsupported,
                    format!("Wait mode `{other}` is not supported yet"),
                ));
            }
        };
        ctx.request_wait(pause);
        Ok(vec![ctx.items().to_vec()])
    }
}
