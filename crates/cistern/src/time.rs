//! Time helpers: the stores keep Unix milliseconds; the API speaks RFC 3339 and calendar months.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time};

/// Unix milliseconds as RFC 3339 UTC (`2026-11-21T23:06:14.974Z`).
pub fn rfc3339(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.format(&Rfc3339).unwrap_or_default()
}

/// The UTC calendar month of `ms` as `YYYY-MM`, and the RFC 3339 start of the next month.
pub fn month_and_reset(ms: i64) -> (String, String) {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (year, month) = (at.year(), at.month());
    let (next_year, next_month) = if month == Month::December {
        (year + 1, Month::January)
    } else {
        (year, month.next())
    };
    let reset = Date::from_calendar_date(next_year, next_month, 1)
        .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    (format!("{year:04}-{:02}", u8::from(month)), reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_at_year_end() {
        // 2026-12-31T23:59:59Z
        assert_eq!(
            month_and_reset(1_798_761_599_000),
            ("2026-12".into(), "2027-01-01T00:00:00Z".into())
        );
        assert_eq!(
            month_and_reset(0),
            ("1970-01".into(), "1970-02-01T00:00:00Z".into())
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
