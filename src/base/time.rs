//! Foundation: instants and half-open intervals, local times resolved in a
//! zone the RFC 5545 way, midnight of a date in a zone, and instants written
//! for people ("Sun 2026-12-06 02:00 CET (01:00 UTC)").

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// A half-open interval `[start, end)` in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// First second of the interval, in seconds since the Unix epoch (UTC), included.
    pub start: i64,
    /// Second the interval ends at, in seconds since the Unix epoch (UTC), excluded.
    pub end: i64,
}

impl Interval {
    /// Whether they share an instant; an empty interval shares none.
    pub fn overlaps(self, other: Interval) -> bool {
        self.start < other.end
            && other.start < self.end
            && self.start < self.end
            && other.start < other.end
    }

    /// Whether `inner` lies wholly inside `self` (ends may touch).
    pub fn contains(self, inner: Interval) -> bool {
        self.start <= inner.start && inner.end <= self.end
    }
}

/// The instant of a local datetime, resolved the RFC 5545 way: a time in a
/// DST gap moves forward by the gap, one in a fold takes the earlier instant.
pub fn resolve_local(tz: &TimeZone, local: jiff::civil::DateTime) -> ZonedDateTime {
    tz.to_ambiguous_zoned_datetime(local)
        .compatible()
        .unwrap_or_else(|_| Timestamp::MIN.to_zoned_datetime(tz.clone()))
}

/// Midnight of `date` in `tz` (the first instant of the day where a DST gap
/// swallows midnight).
pub fn day_start(date: Date, tz: &TimeZone) -> ZonedDateTime {
    resolve_local(tz, date.to_datetime(jiff::civil::Time::midnight()))
}

/// The instant `seconds` after the epoch, read in `tz` (clamped to jiff's
/// range, which the loader's year bounds keep far away).
pub fn at_second(seconds: i64, tz: &TimeZone) -> ZonedDateTime {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::MIN)
        .to_zoned_datetime(tz.clone())
}

/// "2026-12-06 02:00 CET (01:00 UTC)": local time and UTC.
pub fn moment(z: &ZonedDateTime) -> String {
    let utc = z.timestamp().to_zoned_datetime(TimeZone::UTC);
    if z.offset().seconds() == 0
        && z.time_zone()
            .iana_name()
            .is_none_or(|name| name == "UTC" || name == "Etc/UTC")
    {
        return z.strftime("%a %Y-%m-%d %H:%M UTC").to_string();
    }
    let utc_text = if utc.date() == z.date() {
        utc.strftime("%H:%M UTC").to_string()
    } else {
        utc.strftime("%Y-%m-%d %H:%M UTC").to_string()
    };
    format!("{} ({utc_text})", z.strftime("%a %Y-%m-%d %H:%M %Z"))
}

/// "from … to …" of an interval read in `tz`.
pub fn span_text(interval: Interval, tz: &TimeZone) -> String {
    let at = |s: i64| at_second(s, tz);
    format!(
        "{} to {}",
        moment(&at(interval.start)),
        moment(&at(interval.end))
    )
}
