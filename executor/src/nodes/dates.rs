//! Parsing of dates the way JavaScript's `new Date(value)` accepts them (ISO 8601 forms, with or
//! without offset, `MM/DD/YYYY`, epoch milliseconds), for the condition and Date & Time nodes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// Parses a date string; naive times are taken in `default_tz` (UTC unless given).
pub fn parse_date_str(s: &str, default_tz: &FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    let s_no_z = s.strip_suffix('Z').unwrap_or(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s_no_z, fmt) {
            let tz = if s_no_z.len() != s.len() {
                FixedOffset::east_opt(0)?
            } else {
                *default_tz
            };
            return tz.from_local_datetime(&n).single();
        }
    }
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%B %d, %Y", "%d %B %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return default_tz
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .single();
        }
    }
    None
}

/// A JSON value as a date: strings are parsed, numbers are epoch milliseconds.
pub fn value_to_date(v: &Value, default_tz: &FixedOffset) -> Option<DateTime<FixedOffset>> {
    match v {
        Value::String(s) => parse_date_str(s, default_tz),
        Value::Number(n) => {
            let ms = n.as_f64()?;
            Some(
                Utc.timestamp_millis_opt(ms as i64)
                    .single()?
                    .with_timezone(default_tz),
            )
        }
        _ => None,
    }
}

/// UTC as a fixed offset.
pub fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let utc = utc();
        let ms = |s: &str| parse_date_str(s, &utc).map(|d| d.timestamp_millis());
        assert_eq!(ms("2023-01-01T00:00:00.000-05:00"), Some(1_672_549_200_000));
        assert_eq!(ms("2011-10-05T14:48:00.000Z"), Some(1_317_826_080_000));
        assert_eq!(ms("2022-08-01"), Some(1_659_312_000_000));
        assert_eq!(ms("08/01/2022"), Some(1_659_312_000_000));
        assert_eq!(ms("not a date"), None);
    }
}
