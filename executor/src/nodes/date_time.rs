//! Date & Time: v1 (moment-style formats: format a date, add or subtract a duration) and v2
//! (Luxon-style: current date, add/subtract, format, round, time between, extract a part).

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDateTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::dates::parse_date_str;
use super::fields;
use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::expr::to_template_string;
use crate::item::{Item, PairedItem};

/// The Date & Time node.
pub struct DateTimeNode;

fn zone(name: &str) -> Result<Tz, NodeError> {
    name.parse::<Tz>()
        .map_err(|_| NodeError::parameter(format!("unknown time zone `{name}`")))
}

fn workflow_zone(ctx: &NodeContext<'_>) -> Tz {
    ctx.workflow
        .definition
        .settings
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// Epoch numbers: up to 11 integer digits are seconds, longer ones milliseconds.
fn from_epoch(n: f64) -> Option<DateTime<Utc>> {
    let ms = if n.abs() < 1e11 { n * 1000.0 } else { n };
    Utc.timestamp_millis_opt(ms.round() as i64).single()
}

/// Parses a date value: epoch numbers or numeric strings, then date strings in `tz`.
fn parse_value(value: &Value, tz: Tz) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(n) = t.parse::<f64>() {
                return from_epoch(n);
            }
            let offset = tz.offset_from_utc_datetime(&Utc::now().naive_utc());
            let fixed: FixedOffset = chrono::Offset::fix(&offset);
            parse_date_str(t, &fixed).map(|d| d.with_timezone(&Utc))
        }
        _ => None,
    }
}

/// Parses with a moment-style `fromFormat`, interpreting naive values in `tz`.
fn parse_with_format(value: &Value, format: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = to_template_string(Some(value));
    match format {
        "x" => {
            return Utc
                .timestamp_millis_opt(text.trim().parse::<f64>().ok()? as i64)
                .single();
        }
        "X" => {
            return Utc
                .timestamp_millis_opt((text.trim().parse::<f64>().ok()? * 1000.0) as i64)
                .single();
        }
        _ => {}
    }
    let mut chrono_fmt = String::new();
    let mut rest = format;
    let table = [
        ("YYYY", "%Y"),
        ("YY", "%y"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("HH", "%H"),
        ("mm", "%M"),
        ("ss", "%S"),
        ("M", "%m"),
        ("D", "%d"),
    ];
    'outer: while !rest.is_empty() {
        for (token, spec) in table {
            if let Some(r) = rest.strip_prefix(token) {
                chrono_fmt.push_str(spec);
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next()?;
        chrono_fmt.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let naive = NaiveDateTime::parse_from_str(&text, &chrono_fmt)
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(&text, &chrono_fmt)
                .ok()?
                .and_hms_opt(0, 0, 0)
        })?;
    tz.from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A format token and how to render it.
type Token<'a> = (&'a str, &'a dyn Fn(&DateTime<Tz>) -> String);

/// Formats with moment tokens (v1) or Luxon tokens (v2).
fn format_date(dt: &DateTime<Tz>, format: &str, luxon: bool) -> String {
    let moment: &[Token] = &[
        ("YYYY", &|d| format!("{:04}", d.year())),
        ("YY", &|d| format!("{:02}", d.year() % 100)),
        ("MMMM", &|d| d.format("%B").to_string()),
        ("MMM", &|d| d.format("%b").to_string()),
        ("MM", &|d| format!("{:02}", d.month())),
        ("M", &|d| d.month().to_string()),
        ("Do", &|d| ordinal(d.day())),
        ("DD", &|d| format!("{:02}", d.day())),
        ("D", &|d| d.day().to_string()),
        ("dddd", &|d| d.format("%A").to_string()),
        ("ddd", &|d| d.format("%a").to_string()),
        ("HH", &|d| format!("{:02}", d.hour())),
        ("H", &|d| d.hour().to_string()),
        ("hh", &|d| format!("{:02}", d.hour12().1)),
        ("h", &|d| d.hour12().1.to_string()),
        ("mm", &|d| format!("{:02}", d.minute())),
        ("m", &|d| d.minute().to_string()),
        ("ss", &|d| format!("{:02}", d.second())),
        ("s", &|d| d.second().to_string()),
        ("SSS", &|d| format!("{:03}", d.timestamp_subsec_millis())),
        ("A", &|d| {
            if d.hour() < 12 {
                "AM".into()
            } else {
                "PM".into()
            }
        }),
        ("a", &|d| {
            if d.hour() < 12 {
                "am".into()
            } else {
                "pm".into()
            }
        }),
        ("ZZ", &|d| d.format("%z").to_string()),
        ("Z", &|d| d.format("%:z").to_string()),
        ("X", &|d| d.timestamp().to_string()),
        ("x", &|d| d.timestamp_millis().to_string()),
    ];
    let luxon_tokens: &[Token] = &[
        ("yyyy", &|d| format!("{:04}", d.year())),
        ("yy", &|d| format!("{:02}", d.year() % 100)),
        ("MMMM", &|d| d.format("%B").to_string()),
        ("MMM", &|d| d.format("%b").to_string()),
        ("MM", &|d| format!("{:02}", d.month())),
        ("M", &|d| d.month().to_string()),
        ("dd", &|d| format!("{:02}", d.day())),
        ("d", &|d| d.day().to_string()),
        ("EEEE", &|d| d.format("%A").to_string()),
        ("EEE", &|d| d.format("%a").to_string()),
        ("HH", &|d| format!("{:02}", d.hour())),
        ("H", &|d| d.hour().to_string()),
        ("hh", &|d| format!("{:02}", d.hour12().1)),
        ("h", &|d| d.hour12().1.to_string()),
        ("mm", &|d| format!("{:02}", d.minute())),
        ("m", &|d| d.minute().to_string()),
        ("ss", &|d| format!("{:02}", d.second())),
        ("s", &|d| d.second().to_string()),
        ("SSS", &|d| format!("{:03}", d.timestamp_subsec_millis())),
        ("a", &|d| {
            if d.hour() < 12 {
                "AM".into()
            } else {
                "PM".into()
            }
        }),
        ("ZZ", &|d| d.format("%:z").to_string()),
        ("X", &|d| d.timestamp().to_string()),
        ("x", &|d| d.timestamp_millis().to_string()),
    ];
    let table = if luxon { luxon_tokens } else { moment };
    let mut out = String::new();
    let mut rest = format;
    'outer: while !rest.is_empty() {
        let quote = if luxon { '\'' } else { '[' };
        if let Some(r) = rest.strip_prefix(quote) {
            let close = if luxon { '\'' } else { ']' };
            let end = r.find(close).unwrap_or(r.len());
            out.push_str(&r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
            continue;
        }
        for (token, f) in table {
            if let Some(r) = rest.strip_prefix(token) {
                out.push_str(&f(dt));
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn shift(dt: DateTime<Tz>, unit: &str, amount: f64) -> Option<DateTime<Tz>> {
    let whole = amount.trunc() as i64;
    let months = |d: DateTime<Tz>, m: i64| {
        if m >= 0 {
            d.checked_add_months(Months::new(m as u32))
        } else {
            d.checked_sub_months(Months::new((-m) as u32))
        }
    };
    let ms = |n: f64| Duration::milliseconds(n.round() as i64);
    match unit.trim_end_matches('s') {
        "year" => months(dt, whole * 12),
        "quarter" => months(dt, whole * 3),
        "month" => months(dt, whole),
        "week" => Some(dt + ms(amount * 604_800_000.0)),
        "day" => Some(dt + ms(amount * 86_400_000.0)),
        "hour" => Some(dt + ms(amount * 3_600_000.0)),
        "minute" => Some(dt + ms(amount * 60_000.0)),
        "second" => Some(dt + ms(amount * 1000.0)),
        "millisecond" => Some(dt + ms(amount)),
        _ => None,
    }
}

fn luxon_iso(dt: &DateTime<Tz>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

fn round(dt: DateTime<Tz>, unit: &str, up: bool) -> Option<DateTime<Tz>> {
    let tz = dt.timezone();
    let naive = dt.naive_local();
    let start = match unit.trim_end_matches('s') {
        "year" => naive
            .date()
            .with_month(1)?
            .with_day(1)?
            .and_hms_opt(0, 0, 0)?,
        "month" => naive.date().with_day(1)?.and_hms_opt(0, 0, 0)?,
        "week" => (naive.date()
            - Duration::days(i64::from(naive.weekday().num_days_from_monday())))
        .and_hms_opt(0, 0, 0)?,
        "day" => naive.date().and_hms_opt(0, 0, 0)?,
        "hour" => naive.date().and_hms_opt(naive.hour(), 0, 0)?,
        "minute" => naive.date().and_hms_opt(naive.hour(), naive.minute(), 0)?,
        "second" => naive.with_nanosecond(0)?,
        _ => return None,
    };
    let start = tz.from_local_datetime(&start).single()?;
    if up && start != dt {
        shift(start, unit, 1.0)
    } else {
        Some(start)
    }
}

fn output_item(
    ctx: &NodeContext<'_>,
    index: usize,
    include_input: bool,
    field: &str,
    value: Value,
) -> Item {
    let source = &ctx.items()[index];
    let mut json = if include_input {
        source.json.clone()
    } else {
        Map::new()
    };
    fields::set(&mut json, field, value, true);
    Item {
        json,
        binary: None,
        paired_item: PairedItem::item(index),
    }
}

fn v1(ctx: &mut NodeContext<'_>, index: usize) -> Result<Option<Item>, NodeError> {
    let value = ctx.param("value", index)?.unwrap_or(Value::Null);
    if value.is_null() {
        return Ok(None);
    }
    let field = ctx.string("dataPropertyName", index, "data")?;
    let from_format = ctx.string("options.fromFormat", index, "")?;
    let workflow_tz = workflow_zone(ctx);
    let invalid = || {
        NodeError::operation(
            "The date input format could not be recognized. Please set the \"From Format\" field",
        )
        .at_item(index)
    };
    if ctx.string("action", index, "format")? == "calculate" {
        let from_tz = workflow_tz;
        let parsed = if from_format.is_empty() {
            parse_value(&value, from_tz)
        } else {
            parse_with_format(&value, &from_format, from_tz)
        };
        let dt = parsed.ok_or_else(invalid)?.with_timezone(&from_tz);
        let amount = ctx.number("duration", index, 0.0)?;
        let unit = ctx.string("timeUnit", index, "days")?;
        let sign = if ctx.string("operation", index, "add")? == "subtract" {
            -1.0
        } else {
            1.0
        };
        let shifted = shift(dt, &unit, sign * amount)
            .ok_or_else(|| NodeError::parameter(format!("unknown time unit `{unit}`")))?;
        let text = shifted
            .with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut item = ctx.items()[index].clone();
        fields::set(&mut item.json, &field, Value::String(text), true);
        return Ok(Some(Item {
            paired_item: PairedItem::item(index),
            ..item
        }));
    }
    let from_tz = match ctx.string("options.fromTimezone", index, "")? {
        t if t.is_empty() => workflow_tz,
        t => zone(&t)?,
    };
    let to_tz = match ctx.string("options.toTimezone", index, "")? {
        t if t.is_empty() => from_tz,
        t => zone(&t)?,
    };
    let parsed = if from_format.is_empty() {
        match &value {
            Value::String(s) if s.contains('T') || s.contains('-') && !s.contains('/') => {
                parse_value(&value, from_tz)
            }
            _ => parse_value(&value, Tz::UTC),
        }
    } else {
        parse_with_format(&value, &from_format, from_tz)
    };
    let dt = parsed.ok_or_else(invalid)?.with_timezone(&to_tz);
    let to_format = ctx.string("toFormat", index, "MM/DD/YYYY")?;
    let mut item = ctx.items()[index].clone();
    fields::set(
        &mut item.json,
        &field,
        Value::String(format_date(&dt, &to_format, false)),
        true,
    );
    Ok(Some(Item {
        paired_item: PairedItem::item(index),
        ..item
    }))
}

fn v2(ctx: &mut NodeContext<'_>, index: usize) -> Result<Option<Item>, NodeError> {
    let tz = match ctx.string("options.timezone", index, "")? {
        t if t.is_empty() => workflow_zone(ctx),
        t => zone(&t)?,
    };
    let include = ctx.boolean("options.includeInputFields", index, false)?;
    let date = |ctx: &mut NodeContext<'_>, name: &str| -> Result<DateTime<Tz>, NodeError> {
        let v = ctx.param(name, index)?.unwrap_or(Value::Null);
        parse_value(&v, tz)
            .map(|d| d.with_timezone(&tz))
            .ok_or_else(|| {
                NodeError::operation(format!("Invalid date: '{}'", to_template_string(Some(&v))))
                    .at_item(index)
            })
    };
    let operation = ctx.string("operation", index, "getCurrentDate")?;
    let (field, value) = match operation.as_str() {
        "getCurrentDate" => {
            let now = ctx.options.clock.now().with_timezone(&tz);
            (
                ctx.string("outputFieldName", index, "currentDate")?,
                Value::String(luxon_iso(&now)),
            )
        }
        "addToDate" | "subtractFromDate" => {
            let dt = date(ctx, "magnitude")?;
            let unit = ctx.string("timeUnit", index, "days")?;
            let amount = ctx.number("duration", index, 0.0)?;
            let sign = if operation == "subtractFromDate" {
                -1.0
            } else {
                1.0
            };
            let shifted = shift(dt, &unit, sign * amount)
                .ok_or_else(|| NodeError::parameter(format!("unknown time unit `{unit}`")))?;
            (
                ctx.string("outputFieldName", index, "newDate")?,
                Value::String(luxon_iso(&shifted)),
            )
        }
        "formatDate" => {
            let dt = date(ctx, "date")?;
            let mut format = ctx.string("format", index, "MM/dd/yyyy")?;
            if format == "custom" {
                format = ctx.string("customFormat", index, "")?;
            }
            (
                ctx.string("outputFieldName", index, "formattedDate")?,
                Value::String(format_date(&dt, &format, true)),
            )
        }
        "roundDate" => {
            let dt = date(ctx, "date")?;
            let up = ctx.string("mode", index, "roundDown")? == "roundUp";
            let unit = ctx.string(if up { "to" } else { "toNearest" }, index, "month")?;
            let rounded = round(dt, &unit, up)
                .ok_or_else(|| NodeError::parameter(format!("unknown unit `{unit}`")))?;
            (
                ctx.string("outputFieldName", index, "roundedDate")?,
                Value::String(luxon_iso(&rounded)),
            )
        }
        "getTimeBetweenDates" => {
            let start = date(ctx, "startDate")?;
            let end = date(ctx, "endDate")?;
            let units = ctx.param("units", index)?.unwrap_or(json!(["day"]));
            let units: Vec<String> = match units {
                Value::Array(l) => l
                    .iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect(),
                Value::String(s) => s.split(',').map(|u| u.trim().to_string()).collect(),
                _ => vec!["day".into()],
            };
            let sizes = [
                ("year", 31_536_000_000.0),
                ("month", 2_592_000_000.0),
                ("week", 604_800_000.0),
                ("day", 86_400_000.0),
                ("hour", 3_600_000.0),
                ("minute", 60_000.0),
                ("second", 1000.0),
                ("millisecond", 1.0),
            ];
            let mut remaining = (end - start).num_milliseconds() as f64;
            let mut diff = Map::new();
            let chosen: Vec<(&str, f64)> = sizes
                .iter()
                .copied()
                .filter(|(u, _)| units.iter().any(|x| x.trim_end_matches('s') == *u))
                .collect();
            for (i, (unit, size)) in chosen.iter().enumerate() {
                let amount = if i + 1 == chosen.len() {
                    remaining / size
                } else {
                    (remaining / size).trunc()
                };
                remaining -= amount * size;
                diff.insert(format!("{unit}s"), super::set::number_value(amount));
            }
            (
                ctx.string("outputFieldName", index, "timeDifference")?,
                Value::Object(diff),
            )
        }
        "extractDate" => {
            let dt = date(ctx, "date")?;
            let part = ctx.string("part", index, "month")?;
            let value = match part.as_str() {
                "year" => dt.year() as u32,
                "month" => dt.month(),
                "week" => dt.iso_week().week(),
                "day" => dt.day(),
                "hour" => dt.hour(),
                "minute" => dt.minute(),
                "second" => dt.second(),
                other => return Err(NodeError::parameter(format!("unknown date part `{other}`"))),
            };
            (
                ctx.string("outputFieldName", index, "datePart")?,
                Value::from(value),
            )
        }
        other => {
            return Err(NodeError::parameter(format!(
                "unknown Date & Time operation `{other}`"
            )));
        }
    };
    Ok(Some(output_item(ctx, index, include, &field, value)))
}

impl NodeType for DateTimeNode {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let mut out = Vec::new();
        for index in 0..ctx.items().len() {
            let result = if ctx.node.type_version < 2.0 {
                v1(ctx, index)
            } else {
                v2(ctx, index)
            };
            match result {
                Ok(Some(item)) => out.push(item),
                Ok(None) => {}
                Err(e) if ctx.continue_on_fail() => out.push(super::error_item(&e, index)),
                Err(e) => return Err(e),
            }
        }
        Ok(vec![out])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_moment_and_luxon_tokens() {
        let dt = Utc
            .with_ymd_and_hms(2022, 8, 1, 0, 0, 0)
            .unwrap()
            .with_timezone(&Tz::US__Hawaii);
        assert_eq!(format_date(&dt, "YYYY/MM/DD", false), "2022/07/31");
        assert_eq!(
            format_date(&dt, "yyyy-MM-dd HH:mm", true),
            "2022-07-31 14:00"
        );
        assert_eq!(format_date(&dt, "x", false), "1659312000000");
    }

    #[test]
    fn parses_epochs_and_formats() {
        assert_eq!(
            parse_value(&json!(1682918315), Tz::UTC)
                .unwrap()
                .timestamp(),
            1_682_918_315
        );
        assert_eq!(
            parse_value(&json!("1682918315906"), Tz::UTC)
                .unwrap()
                .timestamp_millis(),
            1_682_918_315_906
        );
        let d = parse_with_format(&json!("2022-01-12"), "YYYY-DD-MM", Tz::US__Hawaii).unwrap();
        assert_eq!(d.to_rfc3339(), "2022-12-01T10:00:00+00:00");
    }
}
