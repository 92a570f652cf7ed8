//! When a Schedule Trigger fires. Like n8n, every interval rule becomes a cron pattern (with
//! seconds) evaluated in the workflow's timezone; unlike n8n, the second/minute that n8n picks at
//! random is 0, so every process computes the same due times and a due time can identify a run.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde_json::Value;

use super::error::TriggerError;
use crate::definition::Node;

/// Occurrences inspected when a weekly rule skips weeks, before giving up.
const MAX_SKIPPED_OCCURRENCES: usize = 1_000;

/// The fire times of one Schedule Trigger node: the earliest of its rules.
#[derive(Debug, Clone)]
pub struct Schedule {
    rules: Vec<Rule>,
    timezone: Tz,
}

#[derive(Debug, Clone)]
struct Rule {
    cron: Cron,
    /// Fire only in every n-th week (weeks counted from Monday 1970-01-05), 1 = every week.
    every_weeks: i64,
}

impl Schedule {
    /// Reads the node's `rule.interval` list. `timezone` is the workflow's IANA timezone
    /// (UTC when `None`).
    pub fn from_node(node: &Node, timezone: Option<&str>) -> Result<Self, TriggerError> {
        let error = |reason: String| TriggerError::new(&node.name, reason);
        let timezone = match timezone {
            None => Tz::UTC,
            Some(name) => {
                Tz::from_str(name).map_err(|_| error(format!("unknown timezone `{name}`")))?
            }
        };
        let intervals = node
            .parameters
            .pointer("/rule/interval")
            .and_then(Value::as_array)
            .filter(|list| !list.is_empty())
            .ok_or_else(|| error("no trigger interval configured".into()))?;
        let rules = intervals
            .iter()
            .map(|interval| Rule::from_interval(interval).map_err(&error))
            .collect::<Result<_, _>>()?;
        Ok(Self { rules, timezone })
    }

    /// The first fire time strictly after `after`, or `None` when the rules never fire again.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.timezone);
        self.rules
            .iter()
            .filter_map(|rule| rule.next_after(&local))
            .min()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The last fire time at or before `at` (used to catch up a run missed while no process was
    /// up), or `None` when the rules never fired.
    pub fn latest_at_or_before(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&self.timezone);
        self.rules
            .iter()
            .filter_map(|rule| rule.latest_at_or_before(&local))
            .max()
            .map(|t| t.with_timezone(&Utc))
    }
}

impl Rule {
    fn from_interval(interval: &Value) -> Result<Self, String> {
        let field = interval
            .get("field")
            .and_then(Value::as_str)
            .unwrap_or("days");
        let int = |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| {
            read_int(interval, key, default, range)
        };
        let mut every_weeks = 1;
        let pattern = match field {
            "seconds" => format!("*/{} * * * * *", int("secondsInterval", 30, 1..=59)?),
            "minutes" => format!("0 */{} * * * *", int("minutesInterval", 5, 1..=59)?),
            "hours" => format!(
                "0 {} */{} * * *",
                int("triggerAtMinute", 0, 0..=59)?,
                int("hoursInterval", 1, 1..=23)?
            ),
            "days" => format!(
                "0 {} {} */{} * *",
                int("triggerAtMinute", 0, 0..=59)?,
                int("triggerAtHour", 0, 0..=23)?,
                int("daysInterval", 1, 1..=31)?
            ),
            "weeks" => {
                every_weeks = int("weeksInterval", 1, 1..=52)?;
                format!(
                    "0 {} {} * * {}",
                    int("triggerAtMinute", 0, 0..=59)?,
                    int("triggerAtHour", 0, 0..=23)?,
                    week_days(interval)?
                )
            }
            "months" => format!(
                "0 {} {} {} */{} *",
                int("triggerAtMinute", 0, 0..=59)?,
                int("triggerAtHour", 0, 0..=23)?,
                int("triggerAtDayOfMonth", 1, 1..=31)?,
                int("monthsInterval", 1, 1..=12)?
            ),
            "cronExpression" => {
                let expression = interval
                    .get("expression")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .ok_or("the cron expression is empty")?;
                if expression.starts_with('=') {
                    return Err("the cron expression must be a literal, not an expression".into());
                }
                expression.to_string()
            }
            other => return Err(format!("unknown trigger interval `{other}`")),
        };
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(&pattern)
            .map_err(|e| format!("cron expression `{pattern}`: {e}"))?;
        Ok(Self { cron, every_weeks })
    }

    fn next_after(&self, after: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        let mut from = *after;
        for _ in 0..MAX_SKIPPED_OCCURRENCES {
            let next = self.cron.find_next_occurrence(&from, false).ok()?;
            if self.in_active_week(&next) {
                return Some(next);
            }
            from = next;
        }
        None
    }

    fn latest_at_or_before(&self, at: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        let mut from = *at;
        let mut inclusive = true;
        for _ in 0..MAX_SKIPPED_OCCURRENCES {
            let previous = self.cron.find_previous_occurrence(&from, inclusive).ok()?;
            if self.in_active_week(&previous) {
                return Some(previous);
            }
            from = previous;
            inclusive = false;
        }
        None
    }

    fn in_active_week(&self, time: &DateTime<Tz>) -> bool {
        if self.every_weeks == 1 {
            return true;
        }
        let first_monday = NaiveDate::from_ymd_opt(1970, 1, 5).expect("valid date");
        let days = (time.date_naive() - first_monday).num_days();
        days.div_euclid(7) % self.every_weeks == 0
    }
}

/// Reads an integer parameter (numbers or numeric strings), checking its range.
fn read_int(
    interval: &Value,
    key: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, String> {
    let value = match interval.get(key) {
        None | Some(Value::Null) => default,
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
            .ok_or_else(|| format!("`{key}` must be a whole number"))?,
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{key}` must be a whole number, got `{s}`"))?,
        Some(other) => return Err(format!("`{key}` must be a whole number, got {other}")),
    };
    if !range.contains(&value) {
        return Err(format!(
            "`{key}` must be between {} and {}, got {value}",
            range.start(),
            range.end()
        ));
    }
    Ok(value)
}

/// `triggerAtDay` (0 = Sunday … 6 = Saturday, one day or a list) as a cron day-of-week field.
fn week_days(interval: &Value) -> Result<String, String> {
    let days: Vec<i64> = match interval.get("triggerAtDay") {
        None | Some(Value::Null) => vec![0],
        Some(Value::Array(list)) => list
            .iter()
            .map(|day| read_int(&serde_json::json!({ "d": day }), "d", 0, 0..=6))
            .collect::<Result<_, _>>()
            .map_err(|_| "`triggerAtDay` must list days 0 (Sunday) to 6 (Saturday)".to_string())?,
        Some(single) => vec![
            read_int(&serde_json::json!({ "d": single }), "d", 0, 0..=6)
                .map_err(|_| "`triggerAtDay` must be a day 0 (Sunday) to 6 (Saturday)")?,
        ],
    };
    if days.is_empty() {
        return Err("`triggerAtDay` lists no day".into());
    }
    Ok(days
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(","))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn schedule(intervals: Value, timezone: Option<&str>) -> Result<Schedule, TriggerError> {
        let mut node = Node::new("s", SCHEDULE, "Schedule");
        node.parameters = json!({ "rule": { "interval": intervals } });
        Schedule::from_node(&node, timezone)
    }

    const SCHEDULE: &str = "n8n-nodes-base.scheduleTrigger";

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn seconds_interval_fires_on_aligned_seconds() {
        let s = schedule(json!([{ "field": "seconds", "secondsInterval": 15 }]), None).unwrap();
        assert_eq!(
            s.next_after(utc(2026, 1, 1, 0, 0, 14)),
            Some(utc(2026, 1, 1, 0, 0, 15))
        );
        assert_eq!(
            s.next_after(utc(2026, 1, 1, 0, 0, 15)),
            Some(utc(2026, 1, 1, 0, 0, 30))
        );
        assert_eq!(
            s.latest_at_or_before(utc(2026, 1, 1, 0, 0, 15)),
            Some(utc(2026, 1, 1, 0, 0, 15))
        );
    }

    #[test]
    fn daily_rule_uses_the_workflow_timezone() {
        let s = schedule(
            json!([{ "field": "days", "triggerAtHour": 9, "triggerAtMinute": 30 }]),
            Some("Europe/Berlin"),
        )
        .unwrap();
        // 09:30 in Berlin in winter is 08:30 UTC, in summer 07:30 UTC.
        assert_eq!(
            s.next_after(utc(2026, 1, 10, 12, 0, 0)),
            Some(utc(2026, 1, 11, 8, 30, 0))
        );
        assert_eq!(
            s.next_after(utc(2026, 7, 10, 12, 0, 0)),
            Some(utc(2026, 7, 11, 7, 30, 0))
        );
    }

    #[test]
    fn cron_expressions_accept_five_or_six_fields() {
        let five = schedule(
            json!([{ "field": "cronExpression", "expression": "15 10 * * 1" }]),
            None,
        )
        .unwrap();
        // 2026-11-27 is a Friday; the next Monday is 2026-11-30.
        assert_eq!(
            five.next_after(utc(2026, 11, 27, 0, 0, 0)),
            Some(utc(2026, 11, 30, 10, 15, 0))
        );
        let six = schedule(
            json!([{ "field": "cronExpression", "expression": "*/10 * * * * *" }]),
            None,
        )
        .unwrap();
        assert_eq!(
            six.next_after(utc(2026, 11, 27, 0, 0, 1)),
            Some(utc(2026, 11, 27, 0, 0, 10))
        );
    }

    #[test]
    fn the_earliest_rule_wins() {
        let s = schedule(
            json!([
                { "field": "hours", "hoursInterval": 6 },
                { "field": "minutes", "minutesInterval": 45 }
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            s.next_after(utc(2026, 1, 1, 5, 50, 0)),
            Some(utc(2026, 1, 1, 6, 0, 0))
        );
    }

    #[test]
    fn weekly_rule_skips_weeks() {
        let s = schedule(
            json!([{ "field": "weeks", "weeksInterval": 2, "triggerAtDay": [1], "triggerAtHour": 8 }]),
            None,
        )
        .unwrap();
        let first = s.next_after(utc(2026, 11, 27, 0, 0, 0)).unwrap();
        let second = s.next_after(first).unwrap();
        assert_eq!(second - first, chrono::Duration::days(14));
        assert_eq!(first.format("%a %H:%M").to_string(), "Mon 08:00");
    }

    #[test]
    fn bad_rules_are_named() {
        let err = schedule(
            json!([{ "field": "cronExpression", "expression": "61 * * * *" }]),
            None,
        )
        .unwrap_err();
        assert_eq!(err.node, "Schedule");
        assert!(err.reason.contains("61 * * * *"), "{}", err.reason);
        let err =
            schedule(json!([{ "field": "minutes", "minutesInterval": 0 }]), None).unwrap_err();
        assert!(err.reason.contains("minutesInterval"), "{}", err.reason);
        let err = schedule(json!([{ "field": "days" }]), Some("Mars/Olympus")).unwrap_err();
        assert!(err.reason.contains("Mars/Olympus"), "{}", err.reason);
        let err = schedule(json!([]), None).unwrap_err();
        assert!(err.reason.contains("no trigger interval"), "{}", err.reason);
    }
}
