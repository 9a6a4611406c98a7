//! Model stage: the time value kinds of inventory.md (durations, times of
//! day, zones, local and offset datetimes) and their parsers.
//!
//! Parsers return a sentence saying what is wrong; the loader turns it into
//! an `invalid-time` finding at the value.

use std::fmt;

use jiff::civil::{self, Date, Time};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ZonedDateTime as Zoned};

/// A duration: calendar days (from `d` and `w`) then exact minutes (from
/// `h` and `m`). `1d2h` is one calendar day in the zone, then two hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    /// Calendar days in the zone (`d`, and 7 for each `w`).
    pub days: u32,
    /// Exact minutes after the days (`h` and `m`).
    pub minutes: u32,
}

/// Upper bounds that keep arithmetic far from overflow: about 27 years.
const MAX_DAYS: u64 = 10_000;
const MAX_MINUTES: u64 = MAX_DAYS * 24 * 60;

impl Duration {
    /// Parses `"90m"`, `"2h"`, `"1h30m"`, `"3d"`, `"2w"`: numbers with the
    /// units `w`, `d`, `h`, `m`, each at most once, largest first.
    pub fn parse(text: &str) -> Result<Duration, String> {
        if text.is_empty() {
            return Err("an empty duration".to_string());
        }
        if text.contains(char::is_whitespace) {
            return Err(format!("`{text}` has a space"));
        }
        let units = ['w', 'd', 'h', 'm'];
        let mut next_unit = 0;
        let (mut days, mut minutes) = (0u64, 0u64);
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(format!("`{text}` is not a duration"));
            }
            let Ok(number) = rest[..digits].parse::<u64>() else {
                return Err(format!("`{text}` is too long a duration"));
            };
            let Some(unit) = rest[digits..].chars().next() else {
                return Err(format!("`{text}` has a number without a unit"));
            };
            let Some(position) = units.iter().position(|&u| u == unit) else {
                return Err(format!("`{text}` has the unknown unit `{unit}`"));
            };
            if position < next_unit {
                return Err(format!(
                    "`{text}` repeats a unit or puts a smaller one first"
                ));
            }
            next_unit = position + 1;
            match unit {
                'w' => days = days.saturating_add(number.saturating_mul(7)),
                'd' => days = days.saturating_add(number),
                'h' => minutes = minutes.saturating_add(number.saturating_mul(60)),
                _ => minutes = minutes.saturating_add(number),
            }
            if days > MAX_DAYS || minutes > MAX_MINUTES {
                return Err(format!(
                    "`{text}` is too long a duration (at most {MAX_DAYS}d)"
                ));
            }
            rest = &rest[digits + unit.len_utf8()..];
        }
        Ok(Duration {
            days: days as u32,
            minutes: minutes as u32,
        })
    }

    /// Whether it is `0m`.
    pub fn is_zero(self) -> bool {
        self.days == 0 && self.minutes == 0
    }

    /// The instant this long after `start`: calendar days in `start`'s zone,
    /// then exact minutes.
    pub fn after(self, start: &Zoned) -> Zoned {
        let days = start
            .checked_add(Span::new().days(i64::from(self.days)))
            .unwrap_or_else(|_| start.clone());
        days.checked_add(Span::new().minutes(i64::from(self.minutes)))
            .unwrap_or(days)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0m");
        }
        // Weeks only when they are whole: "30d" reads better than "4w2d".
        let (weeks, days) = if self.days.is_multiple_of(7) {
            (self.days / 7, 0)
        } else {
            (0, self.days)
        };
        let (hours, minutes) = (self.minutes / 60, self.minutes % 60);
        for (n, unit) in [(weeks, 'w'), (days, 'd'), (hours, 'h'), (minutes, 'm')] {
            if n > 0 {
                write!(f, "{n}{unit}")?;
            }
        }
        Ok(())
    }
}

/// How to write a duration, for help lines.
pub const DURATION_FORM: &str = "write numbers with the units w, d, h, m, largest first: \"90m\", \"2h\", \"1h30m\", \"3d\", \"2w\"";
/// How to write a time of day, for help lines.
pub const TIME_FORM: &str = "write \"HH:MM\" on a 24-hour clock, such as \"02:00\"; \
     a period that runs to midnight starts earlier and lasts longer";
/// How to write a zone, for help lines.
pub const ZONE_FORM: &str =
    "use an IANA name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"";

/// Parses a time of day `"HH:MM"` (or `"HH:MM:SS"`), 00:00 to 23:59:59.
pub fn parse_time_of_day(text: &str) -> Result<Time, String> {
    let bad = || {
        format!(
            "`{text}` is not a time of day; write it as \"HH:MM\" on a 24-hour clock, such as \"02:00\" or \"23:30\""
        )
    };
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let number = |i: usize| parts.get(i).map_or(Ok(0), |p| p.parse::<i8>());
    let (Ok(hour), Ok(minute), Ok(second)) = (number(0), number(1), number(2)) else {
        return Err(bad());
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!(
            "`{text}` is not a time of day: hours go from 00 to 23 and minutes from 00 to 59"
        ));
    }
    Time::new(hour, minute, second, 0).map_err(|_| bad())
}

/// An IANA time zone with the name it was written as.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The canonical IANA name from the bundled database (the name written when the database has
    /// none).
    pub name: String,
    /// The zone's rules.
    pub tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Zone {
    /// Looks the name up in the time-zone data bundled into the binary, so
    /// results do not depend on the machine.
    pub fn parse(name: &str) -> Result<Zone, String> {
        match jiff::tz::db().get(name) {
            Ok(tz) => Ok(Zone {
                name: tz.iana_name().unwrap_or(name).to_string(),
                tz,
            }),
            Err(_) => Err(format!("`{name}` is not a known time zone")),
        }
    }

    /// Coordinated Universal Time, the default zone.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }
}

/// A TOML datetime: local (read in the entity's zone) or with an offset
/// (an absolute instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTime {
    /// Without offset: read in the entity's zone.
    Local(civil::DateTime),
    /// With an offset (or `Z`): an absolute instant.
    Offset(Timestamp),
}

impl DateTime {
    /// The instant, reading a local value in `tz` the RFC 5545 way: a time
    /// in a gap moves forward by the gap, one in a fold takes the earlier
    /// instant.
    pub fn instant(&self, tz: &TimeZone) -> Timestamp {
        match self {
            DateTime::Offset(ts) => *ts,
            DateTime::Local(dt) => tz
                .to_ambiguous_timestamp(*dt)
                .compatible()
                .unwrap_or(Timestamp::MIN),
        }
    }
}

/// The years a date may fall in: wide enough for any plan, and far from
/// the ends of the calendar arithmetic so that adding durations is safe.
pub const YEARS: std::ops::RangeInclusive<u16> = 1900..=2999;

/// Converts a TOML date to a civil date, or says why it is not one (`YEARS` bounds it).
pub fn date_from_toml(date: toml::value::Date) -> Result<Date, String> {
    if !YEARS.contains(&date.year) {
        return Err(format!(
            "{date} is out of range: years from {} to {} are supported",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Date::new(date.year as i16, date.month as i8, date.day as i8)
        .map_err(|e| format!("{date} is not a calendar date: {e}"))
}

/// Converts a TOML date-time. Kinds of TOML datetimes that are not of the
/// wanted kind are the caller's concern (a `schema` finding).
pub fn datetime_from_toml(value: &toml::value::Datetime) -> Option<Result<DateTime, String>> {
    let (date, time) = (value.date?, value.time?);
    let date = match date_from_toml(date) {
        Ok(date) => date,
        Err(e) => return Some(Err(e)),
    };
    let time = match Time::new(
        time.hour as i8,
        time.minute as i8,
        time.second.unwrap_or(0) as i8,
        time.nanosecond.unwrap_or(0) as i32,
    ) {
        Ok(time) => time,
        Err(_) => {
            return Some(Err(format!(
                "{value} is not a valid time of day (a leap second?)"
            )));
        }
    };
    let local = date.to_datetime(time);
    Some(match value.offset {
        None => Ok(DateTime::Local(local)),
        Some(offset) => {
            let minutes = match offset {
                toml::value::Offset::Z => 0,
                toml::value::Offset::Custom { minutes } => minutes,
            };
            jiff::tz::Offset::from_seconds(i32::from(minutes) * 60)
                .and_then(|offset| offset.to_timestamp(local))
                .map(DateTime::Offset)
                .map_err(|_| format!("{value} is out of range"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_documented_form() {
        let d = |text| Duration::parse(text).unwrap();
        assert_eq!(
            d("90m"),
            Duration {
                days: 0,
                minutes: 90
            }
        );
        assert_eq!(
            d("2h"),
            Duration {
                days: 0,
                minutes: 120
            }
        );
        assert_eq!(
            d("1h30m"),
            Duration {
                days: 0,
                minutes: 90
            }
        );
        assert_eq!(
            d("3d"),
            Duration {
                days: 3,
                minutes: 0
            }
        );
        assert_eq!(
            d("2w"),
            Duration {
                days: 14,
                minutes: 0
            }
        );
        assert_eq!(
            d("1w2d3h4m"),
            Duration {
                days: 9,
                minutes: 184
            }
        );
        assert_eq!(d("1h30m").to_string(), "1h30m");
        assert_eq!(d("2w").to_string(), "2w");
        assert_eq!(d("30d").to_string(), "30d");
        assert_eq!(d("1w2d3h4m").to_string(), "9d3h4m");
    }

    #[test]
    fn malformed_durations_say_how_to_write_them() {
        for bad in [
            "",
            "90",
            "2H",
            "1.5h",
            "-2h",
            "30m1h",
            "1h1h",
            "h",
            "2 h",
            "99999999999999999999m",
            "1w18446744073709551615d",
            "20000d",
        ] {
            let err = Duration::parse(bad).unwrap_err();
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(
            Duration::parse("30m1h")
                .unwrap_err()
                .contains("smaller one first")
        );
    }

    #[test]
    fn calendar_days_follow_the_zone_and_hours_are_exact() {
        let berlin = Zone::parse("Europe/Berlin").unwrap().tz;
        // 2026-03-29 is spring-forward in Berlin: 02:00 -> 03:00.
        let start = civil::date(2026, 3, 28)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(berlin)
            .unwrap();
        let one_day = Duration::parse("1d").unwrap().after(&start);
        assert_eq!(one_day.datetime(), civil::date(2026, 3, 29).at(12, 0, 0, 0));
        let day_hours = Duration::parse("24h").unwrap().after(&start);
        assert_eq!(
            day_hours.datetime(),
            civil::date(2026, 3, 29).at(13, 0, 0, 0)
        );
    }

    #[test]
    fn times_of_day() {
        assert_eq!(
            parse_time_of_day("02:00").unwrap(),
            jiff::civil::time(2, 0, 0, 0)
        );
        assert_eq!(
            parse_time_of_day("23:59:30").unwrap(),
            jiff::civil::time(23, 59, 30, 0)
        );
        for bad in [
            "25:00",
            "24:00",
            "2:00",
            "02:60",
            "0200",
            "",
            "02:00:00:00",
            "ab:cd",
        ] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
        assert!(parse_time_of_day("25:00").unwrap_err().contains("00 to 23"));
    }

    #[test]
    fn zones_come_from_the_bundled_database() {
        assert_eq!(
            Zone::parse("America/New_York").unwrap().name,
            "America/New_York"
        );
        assert!(
            Zone::parse("Mars/Olympus")
                .unwrap_err()
                .contains("not a known time zone")
        );
    }
}
