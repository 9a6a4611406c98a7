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
    let mut out = String::with_capacity(40);
    push_moment(&mut out, z.timestamp(), z.time_zone());
    out
}

/// "from … to …" of an interval read in `tz`.
pub fn span_text(interval: Interval, tz: &TimeZone) -> String {
    let at = |s: i64| Timestamp::from_second(s).unwrap_or(Timestamp::MIN);
    let mut out = String::with_capacity(80);
    push_moment(&mut out, at(interval.start), tz);
    out.push_str(" to ");
    push_moment(&mut out, at(interval.end), tz);
    out
}

/// Appends [`moment`] of `ts` read in `tz`: the fields written one by
/// one (a finding message holds two or four of them, and `strftime` parses
/// its pattern each time); the same text as
/// `strftime("%a %Y-%m-%d %H:%M %Z")` and the UTC part.
fn push_moment(out: &mut String, ts: Timestamp, tz: &TimeZone) {
    let info = tz.to_offset_info(ts);
    let offset = info.offset();
    let local = offset.to_datetime(ts);
    let utc = jiff::tz::Offset::UTC.to_datetime(ts);
    if !(1000..=9999).contains(&local.year()) || !(1000..=9999).contains(&utc.year()) {
        // Outside four-digit years (which the loader does not accept).
        out.push_str(&moment_by_strftime(&ts.to_zoned_datetime(tz.clone())));
        return;
    }
    let utc_only = offset.seconds() == 0
        && tz
            .iana_name()
            .is_none_or(|name| name == "UTC" || name == "Etc/UTC");
    push_weekday(out, local.date());
    out.push(' ');
    push_date(out, local.date());
    out.push(' ');
    push_hh_mm(out, local.time());
    if utc_only {
        out.push_str(" UTC");
        return;
    }
    out.push(' ');
    out.push_str(info.abbreviation());
    out.push_str(" (");
    if utc.date() != local.date() {
        push_date(out, utc.date());
        out.push(' ');
    }
    push_hh_mm(out, utc.time());
    out.push_str(" UTC)");
}

fn push_weekday(out: &mut String, date: Date) {
    use jiff::civil::Weekday::*;
    out.push_str(match date.weekday() {
        Monday => "Mon",
        Tuesday => "Tue",
        Wednesday => "Wed",
        Thursday => "Thu",
        Friday => "Fri",
        Saturday => "Sat",
        Sunday => "Sun",
    });
}

/// Two decimal digits of `n` (0 to 99).
fn push_two(out: &mut String, n: i8) {
    let n = n.unsigned_abs();
    out.push(char::from(b'0' + n / 10 % 10));
    out.push(char::from(b'0' + n % 10));
}

/// `YYYY-MM-DD` of a date of a four-digit year.
fn push_date(out: &mut String, date: Date) {
    let year = date.year().unsigned_abs();
    for div in [1000, 100, 10, 1] {
        out.push(char::from(b'0' + (year / div % 10) as u8));
    }
    out.push('-');
    push_two(out, date.month());
    out.push('-');
    push_two(out, date.day());
}

fn push_hh_mm(out: &mut String, time: jiff::civil::Time) {
    push_two(out, time.hour());
    out.push(':');
    push_two(out, time.minute());
}

/// [`moment`] through `strftime`: the years [`push_moment`] does not
/// write itself, and the oracle of its tests.
fn moment_by_strftime(z: &ZonedDateTime) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn zones() -> Vec<TimeZone> {
        let mut zones: Vec<TimeZone> = [
            "UTC",
            "Etc/UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/Sao_Paulo",
            "Europe/London",
            "Africa/Casablanca",
        ]
        .iter()
        .map(|name| TimeZone::get(name).unwrap())
        .collect();
        zones.push(TimeZone::fixed(jiff::tz::offset(0)));
        zones.push(TimeZone::fixed(
            jiff::tz::Offset::from_seconds(5 * 3600 + 1800).unwrap(),
        ));
        zones.push(TimeZone::fixed(jiff::tz::offset(-10)));
        zones.push(TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap());
        zones
    }

    #[test]
    fn a_moment_reads_local_time_its_zone_and_utc() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let at = |s| {
            Timestamp::from_second(s)
                .unwrap()
                .to_zoned_datetime(berlin.clone())
        };
        // 2026-12-06 01:00 UTC is 02:00 CET; 2026-12-05 23:30 UTC the next day in Berlin.
        assert_eq!(
            moment(&at(1_796_518_800)),
            "Sun 2026-12-06 02:00 CET (01:00 UTC)"
        );
        assert_eq!(
            moment(&at(1_796_513_400)),
            "Sun 2026-12-06 00:30 CET (2026-12-05 23:30 UTC)"
        );
        let utc = Timestamp::from_second(1_796_518_800)
            .unwrap()
            .to_zoned_datetime(TimeZone::UTC);
        assert_eq!(moment(&utc), "Sun 2026-12-06 01:00 UTC");
        assert_eq!(
            span_text(
                Interval {
                    start: 1_796_518_800,
                    end: 1_796_522_400
                },
                &berlin
            ),
            "Sun 2026-12-06 02:00 CET (01:00 UTC) to Sun 2026-12-06 03:00 CET (02:00 UTC)"
        );
    }

    proptest! {
        #[test]
        fn the_moment_written_field_by_field_is_the_strftime_one(
            seconds in -2_208_988_800i64..7_258_118_400, // 1900 to 2200
            zone in 0usize..14,
        ) {
            let tz = zones().swap_remove(zone);
            let z = Timestamp::from_second(seconds).unwrap().to_zoned_datetime(tz);
            prop_assert_eq!(moment(&z), moment_by_strftime(&z));
        }
    }
}
