//! The policy's units: durations (`max_image_age = "30d"`) and dates (`expires`, `[eol]`).

use jiff::Timestamp;

const DAY: i64 = 86_400;

/// A duration → seconds. Units: `d`/`day`/`days` (also a bare number, as a string or an
/// integer), `w`/`week`/`weeks`, `mo`/`month`/`months` (30 days), `y`/`year`/`years`
/// (365 days), `h`/`hour`/`hours` and `min`/`minutes`. A bare `m` is refused: in an age it
/// reads as months as easily as minutes. Negative and overflowing values are errors.
pub fn parse_duration(v: &toml::Value) -> std::result::Result<i64, String> {
    let bad = || {
        format!(
            "{v} is not a duration (e.g. \"30d\", \"4w\", \"6mo\", \"1y\", \"36h\", or days as a number)"
        )
    };
    let too_large = || format!("{v} is too large a duration");
    if let Some(n) = v.as_integer() {
        if n < 0 {
            return Err(bad());
        }
        return n.checked_mul(DAY).ok_or_else(too_large);
    }
    let s = v.as_str().ok_or_else(bad)?.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = match num.parse() {
        Ok(n) => n,
        Err(_) if !num.is_empty() => return Err(too_large()),
        Err(_) => return Err(bad()),
    };
    let mult = match unit.trim() {
        "" | "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => 7 * DAY,
        "mo" | "month" | "months" => 30 * DAY,
        "y" | "year" | "years" => 365 * DAY,
        "h" | "hour" | "hours" => 3_600,
        "min" | "minute" | "minutes" => 60,
        "m" => {
            return Err(format!(
                "{v} is ambiguous: write \"{n}mo\" for months or \"{n}min\" for minutes"
            ));
        }
        _ => return Err(bad()),
    };
    n.checked_mul(mult).ok_or_else(too_large)
}

/// A date (`2026-01-31`, meaning through the end of that day, UTC) or an RFC 3339 time →
/// the instant it ends. Dates past the last representable instant (`9999-12-31`, a common
/// "never") end at [`Timestamp::MAX`].
pub fn parse_expiry(s: &str) -> std::result::Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s
        .parse()
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))?;
    Ok(d.tomorrow()
        .ok()
        .and_then(|next| format!("{next}T00:00:00Z").parse().ok())
        .unwrap_or(Timestamp::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates() {
        let v = |s: &str| toml::Value::String(s.into());
        assert_eq!(parse_duration(&v("4w")).unwrap(), 28 * 86_400);
        assert_eq!(parse_duration(&v("36h")).unwrap(), 36 * 3_600);
        assert!(parse_duration(&v("soon")).is_err());
        assert_eq!(
            parse_expiry("2026-01-31").unwrap().to_string(),
            "2026-02-01T00:00:00Z"
        );
        assert!(parse_expiry("2026-13-01").is_err());
    }

    // See: the audit review, finding 4.
    #[test]
    fn huge_durations_are_errors_not_panics() {
        let i = toml::Value::Integer;
        assert!(parse_duration(&i(i64::MAX)).is_err());
        assert!(parse_duration(&i(-1)).is_err());
        assert_eq!(parse_duration(&i(7)).unwrap(), 7 * 86_400);
        let v = |s: &str| toml::Value::String(s.into());
        assert!(parse_duration(&v("9223372036854775807w")).is_err());
        assert!(parse_duration(&v("99999999999999999999d")).is_err());
    }

    #[test]
    fn months_and_years_and_no_ambiguous_m() {
        let v = |s: &str| toml::Value::String(s.into());
        assert_eq!(parse_duration(&v("6mo")).unwrap(), 180 * 86_400);
        assert_eq!(parse_duration(&v("2 months")).unwrap(), 60 * 86_400);
        assert_eq!(parse_duration(&v("1y")).unwrap(), 365 * 86_400);
        assert_eq!(parse_duration(&v("90min")).unwrap(), 90 * 60);
        let e = parse_duration(&v("6m")).unwrap_err();
        assert!(e.contains("\"6mo\"") && e.contains("\"6min\""), "{e}");
    }

    #[test]
    fn the_last_representable_day_is_a_date() {
        assert_eq!(parse_expiry("9999-12-31").unwrap(), Timestamp::MAX);
        assert!(parse_expiry("2026-02-30").is_err());
    }
}
