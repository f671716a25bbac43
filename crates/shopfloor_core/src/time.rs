//! Timestamps: UTC, millisecond precision; RFC 3339 or epoch milliseconds in, RFC 3339 `Z` out.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Earliest and latest instants accepted (years 0001 through 9999), so that every stored value
/// formats as a four-digit-year RFC 3339 string.
const MIN_MS: i64 = -62_135_596_800_000;
const MAX_MS: i64 = 253_402_300_799_999;

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now().timestamp_millis())
    }

    pub fn from_millis(ms: i64) -> Result<Self, String> {
        if (MIN_MS..=MAX_MS).contains(&ms) {
            Ok(Timestamp(ms))
        } else {
            Err(format!(
                "{ms} is outside the supported range of epoch milliseconds (years 1 to 9999)"
            ))
        }
    }

    /// RFC 3339 with or without offset (no zone means UTC), `T` or a space between date and time.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let err = || format!("'{text}' is not a timestamp (use RFC 3339, e.g. 2025-01-01T00:00:00Z, or epoch milliseconds)");
        let normalized = if t.len() > 10 && t.as_bytes()[10] == b' ' {
            format!("{}T{}", &t[..10], &t[11..])
        } else {
            t.to_string()
        };
        if let Ok(dt) = DateTime::parse_from_rfc3339(&normalized) {
            return Self::from_millis(dt.timestamp_millis());
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(&normalized, fmt) {
                return Self::from_millis(Utc.from_utc_datetime(&naive).timestamp_millis());
            }
        }
        if let Ok(date) = chrono::NaiveDate::parse_from_str(&normalized, "%Y-%m-%d") {
            let naive = date.and_hms_opt(0, 0, 0).ok_or_else(err)?;
            return Self::from_millis(Utc.from_utc_datetime(&naive).timestamp_millis());
        }
        Err(err())
    }

    pub fn millis(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Utc.timestamp_millis_opt(self.0).single() {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_zone_offset_and_space_are_accepted() {
        let z = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
        assert_eq!(Timestamp::parse("2025-01-01 01:00:00+01:00").unwrap(), z);
        assert_eq!(Timestamp::parse("2025-01-01T00:00:00").unwrap(), z);
        assert_eq!(Timestamp::parse("2025-01-01").unwrap(), z);
        assert_eq!(z.to_string(), "2025-01-01T00:00:00.000Z");
    }

    #[test]
    fn milliseconds_are_kept() {
        let t = Timestamp::parse("2025-03-04T05:06:07.891Z").unwrap();
        assert_eq!(t.to_string(), "2025-03-04T05:06:07.891Z");
    }

    #[test]
    fn garbage_and_out_of_range_are_rejected() {
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("2025-13-01T00:00:00Z").is_err());
        assert!(Timestamp::from_millis(i64::MAX).is_err());
    }
}
