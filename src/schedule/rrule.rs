//! Schedule stage: the RFC 5545 RRULE subset of inventory.md, parsed and expanded to dates.
//!
//! Supported parts: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT, UNTIL,
//! BYDAY (with ordinals such as `1SU`, `-1FR`), BYMONTHDAY (negative too), BYMONTH,
//! BYSETPOS and WKST. The time of day is not part of the rule: a period's
//! occurrences start at its `start` time, so BYHOUR and friends are rejected.
//!
//! Expansion works on whole days. Because nothing finer than a day is involved,
//! every RFC 5545 "expand" and "limit" step reduces to one question per day of a
//! period (day, week from WKST, month, year): does the day satisfy every BY part?
//! The days that do, in order, are the period's set; BYSETPOS then picks from it.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;

/// How often the rule repeats: the length of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// One BYDAY entry: a weekday, optionally the n-th (or n-th from the end, when
/// negative) of its month or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekdayNum {
    pub ordinal: Option<i8>,
    pub weekday: Weekday,
}

/// The UNTIL bound in its three RFC 5545 forms; it is inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Until {
    /// `YYYYMMDD`: compared with the occurrence's date.
    Date(Date),
    /// `YYYYMMDDTHHMMSS`: compared with the occurrence's local start.
    Local(DateTime),
    /// `YYYYMMDDTHHMMSSZ`: compared with the occurrence's start instant.
    Utc(Timestamp),
}

/// A parsed, valid recurrence rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRule {
    pub freq: Freq,
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<Until>,
    pub by_day: Vec<WeekdayNum>,
    pub by_month_day: Vec<i8>,
    pub by_month: Vec<i8>,
    pub by_set_pos: Vec<i16>,
    pub wkst: Weekday,
}

/// An invalid RRULE: what is wrong and how to fix it, and the byte range within the RRULE string of the offending part (so the caller can point at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRuleError {
    pub message: String,
    pub range: Range<usize>,
}

impl fmt::Display for RRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RRuleError {}

fn error(message: impl Into<String>, range: Range<usize>) -> RRuleError {
    RRuleError {
        message: message.into(),
        range,
    }
}

const SUPPORTED: [&str; 9] = [
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
];
const TIME_OF_DAY_PARTS: [&str; 3] = ["BYHOUR", "BYMINUTE", "BYSECOND"];
const OTHER_UNSUPPORTED: [&str; 2] = ["BYWEEKNO", "BYYEARDAY"];
const WEEKDAY_HINT: &str = "use MO, TU, WE, TH, FR, SA or SU";

impl FromStr for RRule {
    type Err = RRuleError;

    fn from_str(s: &str) -> Result<RRule, RRuleError> {
        Parser::new(s).parse()
    }
}

/// Parses one RRULE string, remembering where each part was so that errors
/// (including those between parts, found only at the end) can point at it.
struct Parser<'s> {
    s: &'s str,
    /// Each part seen so far: its upper-case name and the range of NAME=VALUE.
    seen: Vec<(&'static str, Range<usize>)>,
    /// The range of each BYDAY entry, parallel to `rule.by_day`.
    by_day_ranges: Vec<Range<usize>>,
    freq: Option<Freq>,
    rule: RRule,
}

impl<'s> Parser<'s> {
    fn new(s: &'s str) -> Parser<'s> {
        Parser {
            s,
            seen: Vec::new(),
            by_day_ranges: Vec::new(),
            freq: None,
            rule: RRule {
                freq: Freq::Daily,
                interval: 1,
                count: None,
                until: None,
                by_day: Vec::new(),
                by_month_day: Vec::new(),
                by_month: Vec::new(),
                by_set_pos: Vec::new(),
                wkst: Weekday::Monday,
            },
        }
    }

    fn parse(mut self) -> Result<RRule, RRuleError> {
        let body = self.body();
        if body.is_empty() {
            return Err(error(
                "the RRULE is empty: write one such as FREQ=WEEKLY;BYDAY=SA,SU",
                0..self.s.len(),
            ));
        }
        for part in pieces(self.s, body.clone(), ';') {
            self.part(part, body.clone())?;
        }
        self.check_combination(body)?;
        Ok(self.rule)
    }

    /// The range after surrounding whitespace and an optional `RRULE:` prefix.
    fn body(&self) -> Range<usize> {
        let mut range = trim(self.s, 0..self.s.len());
        let prefix = range.start..range.start + "RRULE:".len();
        if self
            .s
            .get(prefix.clone())
            .is_some_and(|p| p.eq_ignore_ascii_case("RRULE:"))
        {
            range = trim(self.s, prefix.end..range.end);
        }
        range
    }

    fn text(&self, range: &Range<usize>) -> &'s str {
        &self.s[range.clone()]
    }

    fn part(&mut self, part: Range<usize>, body: Range<usize>) -> Result<(), RRuleError> {
        if part.is_empty() {
            // Point at the stray `;` itself: the empty part has no width.
            let at = self.s[part.start..body.end]
                .find(';')
                .map(|i| part.start + i)
                .or_else(|| {
                    self.s[body.start..part.start]
                        .rfind(';')
                        .map(|i| body.start + i)
                })
                .unwrap_or(part.start);
            return Err(error(
                "empty RRULE part: remove the extra `;`",
                at..(at + 1).min(self.s.len()),
            ));
        }
        let Some(eq) = self.text(&part).find('=') else {
            return Err(error(
                format!(
                    "RRULE part `{}` has no `=`: write each part as NAME=VALUE, e.g. FREQ=WEEKLY",
                    self.text(&part)
                ),
                part,
            ));
        };
        let name_range = trim(self.s, part.start..part.start + eq);
        let value = trim(self.s, part.start + eq + 1..part.end);
        let written = self.text(&name_range);
        if written.is_empty() {
            return Err(error(
                format!(
                    "RRULE part `{}` has no name before `=`: write NAME=VALUE, e.g. FREQ=WEEKLY",
                    self.text(&part)
                ),
                part,
            ));
        }
        let Some(name) = SUPPORTED
            .iter()
            .copied()
            .find(|n| n.eq_ignore_ascii_case(written))
        else {
            return Err(unsupported_part(written, name_range));
        };
        if self.seen.iter().any(|(n, _)| *n == name) {
            return Err(error(
                format!("{name} is given twice: keep one {name}"),
                part,
            ));
        }
        self.seen.push((name, part.clone()));
        if value.is_empty() {
            return Err(error(
                format!("{name} has no value: give one after `=`, or remove {name}"),
                part,
            ));
        }
        match name {
            "FREQ" => self.freq = Some(self.freq_value(value)?),
            "INTERVAL" => self.rule.interval = self.positive("INTERVAL", value)?,
            "COUNT" => self.rule.count = Some(self.positive("COUNT", value)?),
            "UNTIL" => self.rule.until = Some(parse_until(self.text(&value), value)?),
            "BYDAY" => self.by_day(value)?,
            "BYMONTHDAY" => {
                self.rule.by_month_day = self.numbers(
                    "BYMONTHDAY",
                    value,
                    31,
                    true,
                    "a day of the month: 1 to 31, or -1 to -31 counting back from the month's end",
                )?
            }
            "BYMONTH" => {
                self.rule.by_month =
                    self.numbers("BYMONTH", value, 12, false, "a month: 1 to 12")?
            }
            "BYSETPOS" => self.rule.by_set_pos = self.numbers(
                "BYSETPOS",
                value,
                366,
                true,
                "a position in each period's set: 1 to 366, or -1 to -366 counting from the end",
            )?,
            _ => {
                let code = self.text(&value);
                self.rule.wkst = weekday_from_code(code).ok_or_else(|| {
                    error(
                        format!("WKST `{code}` is not a weekday: {WEEKDAY_HINT}"),
                        value,
                    )
                })?;
            }
        }
        Ok(())
    }

    fn freq_value(&self, value: Range<usize>) -> Result<Freq, RRuleError> {
        let written = self.text(&value);
        match written.to_ascii_uppercase().as_str() {
            "DAILY" => Ok(Freq::Daily),
            "WEEKLY" => Ok(Freq::Weekly),
            "MONTHLY" => Ok(Freq::Monthly),
            "YEARLY" => Ok(Freq::Yearly),
            upper @ ("SECONDLY" | "MINUTELY" | "HOURLY") => Err(error(
                format!(
                    "FREQ={upper} is not supported: the time of day comes from the period's `start`; \
                     use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"
                ),
                value,
            )),
            _ => Err(error(
                format!(
                    "FREQ `{written}` is not a frequency: use DAILY, WEEKLY, MONTHLY or YEARLY"
                ),
                value,
            )),
        }
    }

    fn positive(&self, name: &str, value: Range<usize>) -> Result<u32, RRuleError> {
        let written = self.text(&value);
        integer(written, false)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                error(
                    format!(
                        "{name} `{written}` is not a whole number of 1 or more: write e.g. {name}=2"
                    ),
                    value,
                )
            })
    }

    /// A comma list of non-zero integers up to `max` (and down to `-max` when `signed`).
    fn numbers<T: TryFrom<i64>>(
        &self,
        name: &str,
        value: Range<usize>,
        max: i64,
        signed: bool,
        what: &str,
    ) -> Result<Vec<T>, RRuleError> {
        let mut out = Vec::new();
        for item in self.items(name, value)? {
            let written = self.text(&item);
            let n = integer(written, signed)
                .filter(|n| *n != 0 && n.abs() <= max && (signed || *n > 0))
                .and_then(|n| T::try_from(n).ok());
            match n {
                Some(n) => out.push(n),
                None => {
                    return Err(error(format!("{name} `{written}` is not {what}"), item));
                }
            }
        }
        Ok(out)
    }

    /// The ranges of a comma list's entries; an empty entry is an error.
    fn items(&self, name: &str, value: Range<usize>) -> Result<Vec<Range<usize>>, RRuleError> {
        let items = pieces(self.s, value.clone(), ',');
        if items.iter().any(|i| i.is_empty()) {
            return Err(error(
                format!("{name} has an empty entry in its list: remove the extra `,`"),
                value,
            ));
        }
        Ok(items)
    }

    fn by_day(&mut self, value: Range<usize>) -> Result<(), RRuleError> {
        for item in self.items("BYDAY", value)? {
            let written = self.text(&item);
            let split = written.len().saturating_sub(2);
            let weekday = written
                .get(split..)
                .and_then(weekday_from_code)
                .ok_or_else(|| {
                    error(
                        format!(
                            "BYDAY `{written}` is not a weekday: {WEEKDAY_HINT}, \
                             optionally after an ordinal such as 1SU or -1FR"
                        ),
                        item.clone(),
                    )
                })?;
            let prefix = &written[..split];
            let ordinal = if prefix.is_empty() {
                None
            } else {
                let n = integer(prefix, true).ok_or_else(|| {
                    error(
                        format!(
                            "BYDAY `{written}` has a bad ordinal `{prefix}`: write a number such as 1SU, +2MO or -1FR"
                        ),
                        item.clone(),
                    )
                })?;
                if n == 0 {
                    return Err(error(
                        format!(
                            "BYDAY `{written}` has the ordinal 0: count from 1 (1SU is the first Sunday) \
                             or from -1 (-1SU is the last), or drop the number for every such weekday"
                        ),
                        item,
                    ));
                }
                // The real bound depends on FREQ, checked once all parts are read.
                Some(i8::try_from(n).unwrap_or(i8::MAX))
            };
            self.rule.by_day.push(WeekdayNum { ordinal, weekday });
            self.by_day_ranges.push(item);
        }
        Ok(())
    }

    fn range_of(&self, name: &str) -> Option<Range<usize>> {
        self.seen
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r.clone())
    }

    /// Checks that need more than one part: FREQ is known only once all are read.
    fn check_combination(&mut self, body: Range<usize>) -> Result<(), RRuleError> {
        let Some(freq) = self.freq else {
            return Err(error(
                "FREQ is missing: every RRULE needs one, e.g. FREQ=WEEKLY;BYDAY=SA,SU",
                body,
            ));
        };
        self.rule.freq = freq;
        if let (Some(count), Some(until)) = (self.range_of("COUNT"), self.range_of("UNTIL")) {
            let later = if count.start > until.start {
                count
            } else {
                until
            };
            return Err(error(
                "COUNT and UNTIL cannot both be given: keep COUNT (how many) or UNTIL (until when)",
                later,
            ));
        }
        for (day, range) in self.rule.by_day.iter().zip(&self.by_day_ranges) {
            let Some(n) = day.ordinal else { continue };
            let written = &self.s[range.clone()];
            let limit = match freq {
                Freq::Monthly => 5,
                Freq::Yearly => 53,
                Freq::Daily | Freq::Weekly => {
                    return Err(error(
                        format!(
                            "BYDAY `{written}` has an ordinal, which needs FREQ=MONTHLY or FREQ=YEARLY: \
                             drop the number to mean every {}",
                            weekday_code(day.weekday)
                        ),
                        range.clone(),
                    ));
                }
            };
            if i32::from(n).abs() > limit {
                return Err(error(
                    format!(
                        "BYDAY `{written}`: with FREQ={} the ordinal runs from 1 to {limit} or -1 to -{limit}",
                        freq_code(freq)
                    ),
                    range.clone(),
                ));
            }
        }
        if freq == Freq::Weekly
            && let Some(range) = self.range_of("BYMONTHDAY")
        {
            return Err(error(
                "BYMONTHDAY cannot be used with FREQ=WEEKLY: use FREQ=MONTHLY, or BYDAY for weekdays",
                range,
            ));
        }
        if let Some(range) = self.range_of("BYSETPOS")
            && self.rule.by_day.is_empty()
            && self.rule.by_month_day.is_empty()
            && self.rule.by_month.is_empty()
        {
            return Err(error(
                "BYSETPOS needs another part to pick from: add BYDAY, BYMONTHDAY or BYMONTH",
                range,
            ));
        }
        Ok(())
    }
}

fn unsupported_part(written: &str, range: Range<usize>) -> RRuleError {
    let upper = written.to_ascii_uppercase();
    if TIME_OF_DAY_PARTS.contains(&upper.as_str()) {
        error(
            format!(
                "{upper} is not supported: the time of day comes from the period's `start`; remove {upper}"
            ),
            range,
        )
    } else if OTHER_UNSUPPORTED.contains(&upper.as_str()) {
        error(
            format!(
                "{upper} is not supported (the time of day comes from the period's `start`, \
                 and days are chosen with BYMONTH, BYMONTHDAY and BYDAY): remove {upper}"
            ),
            range,
        )
    } else {
        error(
            format!(
                "unknown RRULE part `{written}`: the supported parts are {}",
                SUPPORTED.join(", ")
            ),
            range,
        )
    }
}

/// Splits `range` of `s` at `sep`, giving each piece's range without surrounding whitespace.
fn pieces(s: &str, range: Range<usize>, sep: char) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    for (i, c) in s[range.clone()].char_indices() {
        if c == sep {
            out.push(trim(s, start..range.start + i));
            start = range.start + i + c.len_utf8();
        }
    }
    out.push(trim(s, start..range.end));
    out
}

fn trim(s: &str, range: Range<usize>) -> Range<usize> {
    let text = &s[range.clone()];
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    if lead == text.len() {
        range.start..range.start
    } else {
        range.start + lead..range.end - trail
    }
}

/// A decimal integer, with an optional `+`/`-` when `signed`; None when malformed.
fn integer(text: &str, signed: bool) -> Option<i64> {
    let digits = if signed {
        text.strip_prefix(['+', '-']).unwrap_or(text)
    } else {
        text
    };
    // Ten digits bound the value well inside i64 and above every valid one.
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(if text.starts_with('-') { -n } else { n })
}

fn parse_until(written: &str, range: Range<usize>) -> Result<Until, RRuleError> {
    let b = written.as_bytes();
    let digits = |from: usize, to: usize| -> Option<i32> {
        b.get(from..to)?.iter().try_fold(0i32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
        })
    };
    let form = || {
        error(
            format!(
                "UNTIL `{written}` is not a date or date-time: write YYYYMMDD, \
                 YYYYMMDDTHHMMSS (local time) or YYYYMMDDTHHMMSSZ (UTC), e.g. UNTIL=20261231"
            ),
            range.clone(),
        )
    };
    let is = |i: usize, c: u8| b.get(i).is_some_and(|x| x.eq_ignore_ascii_case(&c));
    let utc = match b.len() {
        8 => None,
        15 if is(8, b'T') => Some(false),
        16 if is(8, b'T') && is(15, b'Z') => Some(true),
        _ => return Err(form()),
    };
    let (Some(y), Some(m), Some(d)) = (digits(0, 4), digits(4, 6), digits(6, 8)) else {
        return Err(form());
    };
    let date = i16::try_from(y)
        .ok()
        .zip(i8::try_from(m).ok().zip(i8::try_from(d).ok()))
        .and_then(|(y, (m, d))| Date::new(y, m, d).ok())
        .ok_or_else(|| {
            error(
                format!(
                    "UNTIL `{written}` is not a real calendar date: check the month (01 to 12) \
                     and that the day exists in it"
                ),
                range.clone(),
            )
        })?;
    let Some(utc) = utc else {
        return Ok(Until::Date(date));
    };
    let (Some(h), Some(mi), Some(sec)) = (digits(9, 11), digits(11, 13), digits(13, 15)) else {
        return Err(form());
    };
    let time = Time::new(h as i8, mi as i8, sec as i8, 0).map_err(|_| {
        error(
            format!(
                "UNTIL `{written}` is not a real time of day: HHMMSS runs from 000000 to 235959"
            ),
            range.clone(),
        )
    })?;
    let local = date.to_datetime(time);
    if !utc {
        return Ok(Until::Local(local));
    }
    TimeZone::UTC
        .to_timestamp(local)
        .map(Until::Utc)
        .map_err(|_| error(format!("UNTIL `{written}` is out of range"), range))
}

fn weekday_from_code(code: &str) -> Option<Weekday> {
    const CODES: [(&str, Weekday); 7] = [
        ("MO", Weekday::Monday),
        ("TU", Weekday::Tuesday),
        ("WE", Weekday::Wednesday),
        ("TH", Weekday::Thursday),
        ("FR", Weekday::Friday),
        ("SA", Weekday::Saturday),
        ("SU", Weekday::Sunday),
    ];
    CODES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, w)| *w)
}

fn weekday_code(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

fn freq_code(freq: Freq) -> &'static str {
    match freq {
        Freq::Daily => "DAILY",
        Freq::Weekly => "WEEKLY",
        Freq::Monthly => "MONTHLY",
        Freq::Yearly => "YEARLY",
    }
}

/// The canonical RFC 5545 text (upper case, INTERVAL and WKST only when not the
/// default), suitable for an ICS `RRULE:` line.
impl fmt::Display for RRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, name: &str, v: &[T]) -> fmt::Result {
            if v.is_empty() {
                return Ok(());
            }
            write!(f, ";{name}=")?;
            for (i, x) in v.iter().enumerate() {
                write!(f, "{}{x}", if i == 0 { "" } else { "," })?;
            }
            Ok(())
        }
        write!(f, "FREQ={}", freq_code(self.freq))?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if let Some(count) = self.count {
            write!(f, ";COUNT={count}")?;
        }
        let ymd = |d: Date| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
        let hms = |t: Time| format!("{:02}{:02}{:02}", t.hour(), t.minute(), t.second());
        match self.until {
            None => {}
            Some(Until::Date(d)) => write!(f, ";UNTIL={}", ymd(d))?,
            Some(Until::Local(dt)) => write!(f, ";UNTIL={}T{}", ymd(dt.date()), hms(dt.time()))?,
            Some(Until::Utc(ts)) => {
                let dt = TimeZone::UTC.to_datetime(ts);
                write!(f, ";UNTIL={}T{}Z", ymd(dt.date()), hms(dt.time()))?;
            }
        }
        list(f, "BYMONTH", &self.by_month)?;
        list(f, "BYMONTHDAY", &self.by_month_day)?;
        let days: Vec<String> = self
            .by_day
            .iter()
            .map(|d| match d.ordinal {
                Some(n) => format!("{n}{}", weekday_code(d.weekday)),
                None => weekday_code(d.weekday).to_string(),
            })
            .collect();
        list(f, "BYDAY", &days)?;
        list(f, "BYSETPOS", &self.by_set_pos)?;
        if self.wkst != Weekday::Monday {
            write!(f, ";WKST={}", weekday_code(self.wkst))?;
        }
        Ok(())
    }
}

impl RRule {
    /// Why this rule's occurrences would depend on the day it is read when it has no DTSTART (`from`): Some(reason) for INTERVAL > 1, COUNT, FREQ=WEEKLY without BYDAY, FREQ=MONTHLY without BYDAY/BYMONTHDAY, FREQ=YEARLY without BYMONTH/BYDAY/BYMONTHDAY etc; None when it is well defined without a start.
    #[must_use]
    pub fn needs_dtstart(&self) -> Option<&'static str> {
        let no_day = self.by_day.is_empty() && self.by_month_day.is_empty();
        if self.interval > 1 {
            Some(
                "INTERVAL above 1 counts periods from the recurrence's start: give it a `from` date",
            )
        } else if self.count.is_some() {
            Some(
                "COUNT counts occurrences from the recurrence's start: give it a `from` date, or use UNTIL",
            )
        } else if self.freq == Freq::Weekly && self.by_day.is_empty() {
            Some(
                "FREQ=WEEKLY without BYDAY repeats on the start's weekday: add BYDAY (e.g. BYDAY=SA) or a `from` date",
            )
        } else if self.freq == Freq::Monthly && no_day {
            Some(
                "FREQ=MONTHLY without BYDAY or BYMONTHDAY repeats on the start's day of the month: \
                 add BYMONTHDAY (e.g. BYMONTHDAY=1) or a `from` date",
            )
        } else if self.freq == Freq::Yearly && no_day {
            Some(
                "FREQ=YEARLY without BYDAY or BYMONTHDAY repeats on the start's month and day: \
                 add BYMONTH and BYMONTHDAY (e.g. BYMONTH=12;BYMONTHDAY=24) or a `from` date",
            )
        } else {
            None
        }
    }

    /// Start dates of the occurrences that fall in [from, to] (inclusive), in ascending order, for a recurrence whose DTSTART date is `dtstart` (None: no start; then it is only called when needs_dtstart() is None). INTERVAL and COUNT count from dtstart. An occurrence starts at `start` local time in `tz` on its date; UNTIL is inclusive and compared as RFC 5545 does: a Date against the occurrence date, a Local datetime against the occurrence's local start, a Utc timestamp against the occurrence's start instant in tz (resolve the local start compatibly: gap -> forward, fold -> earlier).
    ///
    /// Should it be called without a start on a rule that needs one, INTERVAL
    /// and COUNT are ignored and missing BY parts default from `from`.
    ///
    /// The work is proportional to the number of periods from the one holding
    /// `from` (from `dtstart` with COUNT, which must count every occurrence) to
    /// `to`, and a rule that can never match gives up after one 400-year cycle
    /// of the Gregorian calendar, after which every period would repeat.
    #[must_use]
    pub fn dates(
        &self,
        dtstart: Option<Date>,
        start: Time,
        tz: &TimeZone,
        from: Date,
        to: Date,
    ) -> Vec<Date> {
        let mut out = Vec::new();
        if from > to {
            return out;
        }
        let anchor = dtstart.unwrap_or(from);
        let (interval, count) = match dtstart {
            Some(_) => (i64::from(self.interval.max(1)), self.count),
            None => (1, None),
        };
        let plan = Plan::new(self, anchor);
        let first_day = epoch_day(anchor);
        let from_day = epoch_day(from);
        let last_day = epoch_day(to).min(self.until_bound(tz));

        let first_period = plan.period_of(first_day);
        let mut period = first_period;
        if count.is_none() {
            // Nothing before `from` needs counting: jump to the aligned period holding it.
            let target = plan.period_of(from_day.max(first_day));
            period += (target - first_period) / interval * interval;
        }
        let cycle = plan.periods_per_cycle();
        let give_up = cycle / gcd(interval, cycle);
        let mut empty_run = 0;
        let mut remaining = count;
        let mut set = Vec::new();
        while plan.period_days(period).start <= last_day {
            plan.occurrences(period, &mut set);
            empty_run = if set.is_empty() { empty_run + 1 } else { 0 };
            if empty_run >= give_up {
                break;
            }
            for &day in &set {
                if day < first_day {
                    continue;
                }
                if day > last_day {
                    return out;
                }
                let date = date_of(day);
                if !self.until_allows(date, start, tz) {
                    return out;
                }
                if day >= from_day {
                    out.push(date);
                }
                if let Some(left) = remaining.as_mut() {
                    *left -= 1;
                    if *left == 0 {
                        return out;
                    }
                }
            }
            period += interval;
        }
        out
    }

    fn until_allows(&self, date: Date, start: Time, tz: &TimeZone) -> bool {
        match self.until {
            None => true,
            Some(Until::Date(until)) => date <= until,
            Some(Until::Local(until)) => date.to_datetime(start) <= until,
            Some(Until::Utc(until)) => tz
                .to_ambiguous_timestamp(date.to_datetime(start))
                .compatible()
                .is_ok_and(|instant| instant <= until),
        }
    }

    /// An epoch day after which no occurrence can satisfy UNTIL; only a bound
    /// for the loop, `until_allows` decides exactly.
    fn until_bound(&self, tz: &TimeZone) -> i64 {
        match self.until {
            None => i64::MAX,
            Some(Until::Date(until)) => epoch_day(until),
            Some(Until::Local(until)) => epoch_day(until.date()),
            // Offsets (and a gap pushing a start forward) stay within a day or so.
            Some(Until::Utc(until)) => epoch_day(tz.to_datetime(until).date()) + 2,
        }
    }
}

/// A rule with its missing BY parts filled in from the start date, as RFC 5545
/// says, ready to tell which days of a period occur.
struct Plan<'r> {
    rule: &'r RRule,
    /// Allowed months, indexed 1 to 12.
    months: [bool; 13],
    month_days: Vec<i64>,
    /// (Monday-based weekday, ordinal) pairs.
    days: Vec<(i64, Option<i64>)>,
    /// Whether BYDAY ordinals count within the year rather than the month.
    ordinal_in_year: bool,
    /// The epoch day of some week start (WKST), modulo 7.
    week_shift: i64,
}

impl<'r> Plan<'r> {
    fn new(rule: &'r RRule, anchor: Date) -> Plan<'r> {
        let mut by_month: Vec<i64> = rule.by_month.iter().map(|&m| i64::from(m)).collect();
        let mut month_days: Vec<i64> = rule.by_month_day.iter().map(|&d| i64::from(d)).collect();
        let mut days: Vec<(i64, Option<i64>)> = rule
            .by_day
            .iter()
            .map(|d| {
                (
                    i64::from(d.weekday.to_monday_zero_offset()),
                    d.ordinal.map(i64::from),
                )
            })
            .collect();
        let no_day = days.is_empty() && month_days.is_empty();
        match rule.freq {
            Freq::Daily => {}
            Freq::Weekly if days.is_empty() => {
                days.push((i64::from(anchor.weekday().to_monday_zero_offset()), None));
            }
            Freq::Weekly => {}
            Freq::Monthly if no_day => month_days.push(i64::from(anchor.day())),
            Freq::Monthly => {}
            Freq::Yearly if no_day => {
                if by_month.is_empty() {
                    by_month.push(i64::from(anchor.month()));
                }
                month_days.push(i64::from(anchor.day()));
            }
            Freq::Yearly => {}
        }
        let mut months = [by_month.is_empty(); 13];
        for m in by_month {
            if let Some(slot) = usize::try_from(m).ok().and_then(|m| months.get_mut(m)) {
                *slot = true;
            }
        }
        let wkst = i64::from(rule.wkst.to_monday_zero_offset());
        Plan {
            rule,
            months,
            month_days,
            days,
            ordinal_in_year: rule.freq == Freq::Yearly && rule.by_month.is_empty(),
            week_shift: (wkst - EPOCH_WEEKDAY).rem_euclid(7),
        }
    }

    /// Index of the period holding `day`, counted in periods of the rule's FREQ.
    fn period_of(&self, day: i64) -> i64 {
        match self.rule.freq {
            Freq::Daily => day,
            Freq::Weekly => (day - self.week_shift).div_euclid(7),
            Freq::Monthly => {
                let (y, m, _) = civil(day);
                y * 12 + m - 1
            }
            Freq::Yearly => civil(day).0,
        }
    }

    /// The epoch days of one period.
    fn period_days(&self, period: i64) -> Range<i64> {
        match self.rule.freq {
            Freq::Daily => period..period + 1,
            Freq::Weekly => {
                let first = period * 7 + self.week_shift;
                first..first + 7
            }
            Freq::Monthly => {
                let (y, m) = (period.div_euclid(12), period.rem_euclid(12) + 1);
                let first = days_from_civil(y, m, 1);
                first..first + days_in_month(y, m)
            }
            Freq::Yearly => days_from_civil(period, 1, 1)..days_from_civil(period + 1, 1, 1),
        }
    }

    /// Periods in 400 Gregorian years, after which dates and weekdays repeat.
    fn periods_per_cycle(&self) -> i64 {
        match self.rule.freq {
            Freq::Daily => 146_097,
            Freq::Weekly => 146_097 / 7,
            Freq::Monthly => 400 * 12,
            Freq::Yearly => 400,
        }
    }

    /// Fills `set` with the period's occurrences (epoch days, ascending), after BYSETPOS.
    fn occurrences(&self, period: i64, set: &mut Vec<i64>) {
        set.clear();
        let range = self.period_days(period);
        let mut day = range.start;
        // Walk month by month so that a month BYMONTH excludes costs nothing.
        while day < range.end {
            let (y, m, d) = civil(day);
            let month_len = days_in_month(y, m);
            let stop = (day + month_len - d + 1).min(range.end);
            if self.months[m as usize] {
                for (i, n) in (day..stop).enumerate() {
                    if self.day_matches(n, y, d + i as i64, month_len) {
                        set.push(n);
                    }
                }
            }
            day = stop;
        }
        if self.rule.by_set_pos.is_empty() {
            return;
        }
        let len = set.len() as i64;
        let mut picked: Vec<i64> = self
            .rule
            .by_set_pos
            .iter()
            .filter_map(|&pos| {
                let pos = i64::from(pos);
                let index = if pos > 0 { pos - 1 } else { len + pos };
                (0..len).contains(&index).then(|| set[index as usize])
            })
            .collect();
        picked.sort_unstable();
        picked.dedup();
        *set = picked;
    }

    /// Whether epoch day `n`, which is day `d` of a month of `month_len` days in
    /// year `y`, satisfies BYMONTHDAY and BYDAY (BYMONTH is checked per month).
    fn day_matches(&self, n: i64, y: i64, d: i64, month_len: i64) -> bool {
        let month_day_ok = self.month_days.is_empty()
            || self.month_days.iter().any(|&md| {
                if md > 0 {
                    d == md
                } else {
                    d == month_len + 1 + md
                }
            });
        if !month_day_ok {
            return false;
        }
        if self.days.is_empty() {
            return true;
        }
        let weekday = (n + EPOCH_WEEKDAY).rem_euclid(7);
        self.days.iter().any(|&(w, ordinal)| {
            w == weekday
                && ordinal.is_none_or(|k| {
                    // Which occurrence of this weekday the day is, from the start and from the end.
                    let (index, len) = if self.ordinal_in_year {
                        let first = days_from_civil(y, 1, 1);
                        (n - first, days_from_civil(y + 1, 1, 1) - first)
                    } else {
                        (d - 1, month_len)
                    };
                    k == index / 7 + 1 || k == -((len - 1 - index) / 7 + 1)
                })
        })
    }
}

/// 1970-01-01, epoch day 0, was a Thursday (Monday-based offset 3).
const EPOCH_WEEKDAY: i64 = 3;

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn epoch_day(date: Date) -> i64 {
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

fn date_of(day: i64) -> Date {
    let (y, m, d) = civil(day);
    // `dates` only converts days between its `from` and `to`, which are Dates.
    Date::new(y as i16, m as i8, d as i8).expect("epoch day within the range of jiff dates")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of an epoch day; the inverse of `days_from_civil`.
fn civil(n: i64) -> (i64, i64, i64) {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn rule(text: &str) -> RRule {
        text.parse()
            .unwrap_or_else(|e: RRuleError| panic!("{text}: {}", e.message))
    }

    /// Occurrence dates of `text` in [from, to], starting at midnight UTC.
    fn expand(text: &str, dtstart: Option<&str>, from: &str, to: &str) -> Vec<String> {
        expand_at(text, dtstart, time(0, 0, 0, 0), "UTC", from, to)
    }

    fn expand_at(
        text: &str,
        dtstart: Option<&str>,
        start: Time,
        zone: &str,
        from: &str,
        to: &str,
    ) -> Vec<String> {
        let tz = TimeZone::get(zone).unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        rule(text)
            .dates(dtstart.map(day), start, &tz, day(from), day(to))
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    /// The error's message and the text its range points at.
    fn parse_error(text: &str) -> (String, &str) {
        let e = text.parse::<RRule>().unwrap_err();
        (e.message, &text[e.range])
    }

    // Parsing.

    #[test]
    fn parses_every_part_case_insensitively_with_prefix() {
        let parsed = rule(
            "rrule:freq=monthly;interval=2;count=5;byday=1su,-1FR,+2mo;bymonthday=-1,15;\
             bymonth=1,12;bysetpos=1,-1;wkst=su",
        );
        let day = |ordinal, weekday| WeekdayNum { ordinal, weekday };
        assert_eq!(
            parsed,
            RRule {
                freq: Freq::Monthly,
                interval: 2,
                count: Some(5),
                until: None,
                by_day: vec![
                    day(Some(1), Weekday::Sunday),
                    day(Some(-1), Weekday::Friday),
                    day(Some(2), Weekday::Monday),
                ],
                by_month_day: vec![-1, 15],
                by_month: vec![1, 12],
                by_set_pos: vec![1, -1],
                wkst: Weekday::Sunday,
            }
        );
    }

    #[test]
    fn parses_until_in_its_three_forms() {
        let until = |text: &str| rule(&format!("FREQ=DAILY;UNTIL={text}")).until;
        assert_eq!(until("20261231"), Some(Until::Date(date(2026, 12, 31))));
        assert_eq!(
            until("20261231T235959"),
            Some(Until::Local(date(2026, 12, 31).at(23, 59, 59, 0)))
        );
        assert_eq!(
            until("20261231t010000z"),
            Some(Until::Utc("2026-12-31T01:00:00Z".parse().unwrap()))
        );
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "FREQ=WEEKLY;BYDAY=SA,SU",
            "FREQ=MONTHLY;INTERVAL=3;COUNT=4;BYMONTH=1,7;BYMONTHDAY=-3,-2,-1;BYDAY=1SU,-1FR;BYSETPOS=-1;WKST=SU",
            "FREQ=YEARLY;UNTIL=20261231T010000Z;BYMONTH=3;BYDAY=-1SU",
            "FREQ=DAILY;UNTIL=20261231",
            "FREQ=DAILY;UNTIL=20261231T023000",
        ] {
            assert_eq!(rule(text).to_string(), text);
            assert_eq!(rule(&rule(text).to_string()), rule(text));
        }
    }

    #[test]
    fn rejects_an_empty_rule() {
        for text in ["", "   ", "RRULE:"] {
            let e = text.parse::<RRule>().unwrap_err();
            assert!(e.message.contains("empty"), "{}", e.message);
            assert_eq!(e.range, 0..text.len());
        }
    }

    /// Each case: the RRULE, a word the message must contain, and the text the range must cover.
    fn assert_errors(cases: &[(&str, &str, &str)]) {
        for &(text, word, pointed) in cases {
            let (message, at) = parse_error(text);
            assert!(
                message.contains(word),
                "{text}: message `{message}` lacks `{word}`"
            );
            assert_eq!(at, pointed, "{text}: range points at the wrong text");
        }
    }

    #[test]
    fn rejects_malformed_parts() {
        assert_errors(&[
            ("FREQ=DAILY;BYDAY", "BYDAY", "BYDAY"),
            ("FREQ=DAILY;BYDAY", "=", "BYDAY"),
            ("FREQ=DAILY;;BYDAY=MO", "`;`", ";"),
            ("FREQ=DAILY;", "`;`", ";"),
            ("FREQ=DAILY;FOO=1", "FOO", "FOO"),
            ("FREQ=DAILY; =MO", "NAME=VALUE", "=MO"),
            ("FREQ=DAILY;BYDAY=MO;byday=TU", "BYDAY", "byday=TU"),
            ("FREQ=DAILY;BYDAY=MO;byday=TU", "twice", "byday=TU"),
            ("BYDAY=MO", "FREQ", "BYDAY=MO"),
            ("RRULE: INTERVAL=2 ", "FREQ", "INTERVAL=2"),
            ("FREQ=DAILY;COUNT=", "COUNT", "COUNT="),
        ]);
    }

    #[test]
    fn rejects_unsupported_parts_and_frequencies() {
        for part in ["BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY"] {
            let text = format!("FREQ=DAILY;{part}=2");
            let (message, at) = parse_error(&text);
            assert_eq!(at, part);
            assert!(message.contains(part), "{message}");
            assert!(message.contains("not supported"), "{message}");
            assert!(message.contains("`start`"), "{message}");
        }
        assert_errors(&[
            ("FREQ=HOURLY", "FREQ=HOURLY", "HOURLY"),
            ("FREQ=minutely", "`start`", "minutely"),
            ("FREQ=SECONDLY", "not supported", "SECONDLY"),
            ("FREQ=FORTNIGHTLY", "FREQ", "FORTNIGHTLY"),
        ]);
    }

    #[test]
    fn rejects_count_with_until() {
        assert_errors(&[
            (
                "FREQ=DAILY;COUNT=3;UNTIL=20260101",
                "COUNT and UNTIL",
                "UNTIL=20260101",
            ),
            (
                "FREQ=DAILY;UNTIL=20260101;COUNT=3",
                "COUNT and UNTIL",
                "COUNT=3",
            ),
        ]);
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_errors(&[
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL", "0"),
            ("FREQ=DAILY;INTERVAL=two", "INTERVAL", "two"),
            ("FREQ=DAILY;INTERVAL=99999999999", "INTERVAL", "99999999999"),
            ("FREQ=DAILY;COUNT=-1", "COUNT", "-1"),
            ("FREQ=MONTHLY;BYMONTHDAY=1,0", "BYMONTHDAY", "0"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY", "32"),
            ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY", "-32"),
            ("FREQ=YEARLY;BYMONTH=13", "BYMONTH", "13"),
            ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH", "-1"),
            ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS", "0"),
            ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "BYSETPOS", "367"),
        ]);
    }

    #[test]
    fn rejects_bad_weekdays_and_ordinals() {
        assert_errors(&[
            ("FREQ=WEEKLY;BYDAY=MO,XX", "BYDAY", "XX"),
            ("FREQ=WEEKLY;BYDAY=M", "BYDAY", "M"),
            ("FREQ=WEEKLY;BYDAY=MÖ", "BYDAY", "MÖ"),
            ("FREQ=MONTHLY;BYDAY=x1MO", "BYDAY", "x1MO"),
            ("FREQ=MONTHLY;BYDAY=+MO", "BYDAY", "+MO"),
            ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY", "0MO"),
            ("FREQ=MONTHLY;BYDAY=0MO", "0", "0MO"),
            ("FREQ=WEEKLY;BYDAY=1MO", "FREQ=MONTHLY", "1MO"),
            ("FREQ=DAILY;BYDAY=TU,-1MO", "BYDAY", "-1MO"),
            ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY", "6MO"),
            ("FREQ=YEARLY;BYDAY=-54MO", "BYDAY", "-54MO"),
            ("FREQ=WEEKLY;WKST=XX", "WKST", "XX"),
        ]);
        // The largest ordinals are fine.
        rule("FREQ=MONTHLY;BYDAY=5MO,-5FR");
        rule("FREQ=YEARLY;BYDAY=53MO,-53FR");
    }

    #[test]
    fn rejects_empty_lists() {
        assert_errors(&[
            ("FREQ=WEEKLY;BYDAY=", "BYDAY", "BYDAY="),
            ("FREQ=WEEKLY;BYDAY=MO,,TU", "BYDAY", "MO,,TU"),
            ("FREQ=MONTHLY;BYMONTHDAY=1,", "BYMONTHDAY", "1,"),
            ("FREQ=YEARLY;BYMONTH=", "BYMONTH", "BYMONTH="),
        ]);
    }

    #[test]
    fn rejects_parts_that_do_not_fit_the_frequency() {
        assert_errors(&[
            ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY", "BYMONTHDAY=1"),
            ("FREQ=MONTHLY;BYSETPOS=-1", "BYSETPOS", "BYSETPOS=-1"),
        ]);
    }

    #[test]
    fn rejects_bad_until() {
        assert_errors(&[
            ("FREQ=DAILY;UNTIL=2026-01-01", "UNTIL", "2026-01-01"),
            (
                "FREQ=DAILY;UNTIL=20260101T0000",
                "YYYYMMDD",
                "20260101T0000",
            ),
            ("FREQ=DAILY;UNTIL=20260230", "UNTIL", "20260230"),
            ("FREQ=DAILY;UNTIL=20261301", "calendar date", "20261301"),
            (
                "FREQ=DAILY;UNTIL=20260101T250000",
                "UNTIL",
                "20260101T250000",
            ),
            (
                "FREQ=DAILY;UNTIL=20260101T000060Z",
                "time of day",
                "20260101T000060Z",
            ),
            (
                "FREQ=DAILY;UNTIL=2026010ÖT000000Z",
                "UNTIL",
                "2026010ÖT000000Z",
            ),
        ]);
    }

    #[test]
    fn needs_dtstart_when_the_start_matters() {
        for text in [
            "FREQ=DAILY;INTERVAL=2",
            "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYMONTH=1",
            "FREQ=MONTHLY",
            "FREQ=MONTHLY;BYMONTH=3",
            "FREQ=YEARLY",
            "FREQ=YEARLY;BYMONTH=3",
        ] {
            assert!(rule(text).needs_dtstart().is_some(), "{text}");
        }
        assert!(
            rule("FREQ=MONTHLY;INTERVAL=2;BYDAY=1SU")
                .needs_dtstart()
                .unwrap()
                .contains("INTERVAL")
        );
        for text in [
            "FREQ=DAILY",
            "FREQ=DAILY;UNTIL=20261231",
            "FREQ=WEEKLY;BYDAY=SA,SU",
            "FREQ=MONTHLY;BYDAY=1SU",
            "FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
            "FREQ=YEARLY;BYDAY=20MO",
        ] {
            assert_eq!(rule(text).needs_dtstart(), None, "{text}");
        }
    }

    // Expansion.

    #[test]
    fn monthly_first_sunday() {
        assert_eq!(
            expand("FREQ=MONTHLY;BYDAY=1SU", None, "2026-01-01", "2026-04-30"),
            ["2026-01-04", "2026-02-01", "2026-03-01", "2026-04-05"]
        );
    }

    #[test]
    fn monthly_last_friday() {
        assert_eq!(
            expand("FREQ=MONTHLY;BYDAY=-1FR", None, "2026-01-01", "2026-04-30"),
            ["2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24"]
        );
    }

    #[test]
    fn monthly_last_day_follows_february() {
        let last = expand(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            None,
            "2027-01-15",
            "2028-03-31",
        );
        assert_eq!(last.len(), 15);
        assert_eq!(
            &last[..4],
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
        );
        assert_eq!(&last[12..], ["2028-01-31", "2028-02-29", "2028-03-31"]);
    }

    #[test]
    fn monthly_last_three_days() {
        let rule = "FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1";
        assert_eq!(
            expand(rule, None, "2027-02-01", "2027-03-01"),
            ["2027-02-26", "2027-02-27", "2027-02-28"]
        );
        assert_eq!(
            expand(rule, None, "2028-02-01", "2028-03-01"),
            ["2028-02-27", "2028-02-28", "2028-02-29"]
        );
    }

    #[test]
    fn monthly_day_31_skips_short_months() {
        assert_eq!(
            expand(
                "FREQ=MONTHLY",
                Some("2026-01-31"),
                "2026-01-01",
                "2026-08-31"
            ),
            [
                "2026-01-31",
                "2026-03-31",
                "2026-05-31",
                "2026-07-31",
                "2026-08-31"
            ]
        );
    }

    #[test]
    fn every_other_tuesday_counts_weeks_from_dtstart() {
        let rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU";
        // 2026-01-01 is a Thursday: that week's Tuesday is before the start.
        assert_eq!(
            expand(rule, Some("2026-01-01"), "2025-12-01", "2026-02-28"),
            ["2026-01-13", "2026-01-27", "2026-02-10", "2026-02-24"]
        );
        // Starting late must keep the same fortnightly rhythm.
        assert_eq!(
            expand(rule, Some("2026-01-01"), "2026-06-01", "2026-06-30"),
            ["2026-06-02", "2026-06-16", "2026-06-30"]
        );
    }

    #[test]
    fn weekends() {
        assert_eq!(
            expand("FREQ=WEEKLY;BYDAY=SA,SU", None, "2026-01-01", "2026-01-18"),
            [
                "2026-01-03",
                "2026-01-04",
                "2026-01-10",
                "2026-01-11",
                "2026-01-17",
                "2026-01-18"
            ]
        );
    }

    #[test]
    fn count_counts_from_dtstart_not_from() {
        let rule = "FREQ=WEEKLY;COUNT=3;BYDAY=MO";
        assert_eq!(
            expand(rule, Some("2026-01-01"), "2026-01-01", "2026-12-31"),
            ["2026-01-05", "2026-01-12", "2026-01-19"]
        );
        assert_eq!(
            expand(rule, Some("2026-01-01"), "2026-01-10", "2026-12-31"),
            ["2026-01-12", "2026-01-19"]
        );
        assert!(expand(rule, Some("2026-01-01"), "2026-01-20", "2026-12-31").is_empty());
    }

    #[test]
    fn count_with_ordinals_rfc_example() {
        assert_eq!(
            expand(
                "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
                Some("1997-09-22"),
                "1997-01-01",
                "1999-12-31"
            ),
            [
                "1997-09-22",
                "1997-10-20",
                "1997-11-17",
                "1997-12-22",
                "1998-01-19",
                "1998-02-16"
            ]
        );
    }

    #[test]
    fn until_date_is_inclusive() {
        assert_eq!(
            expand(
                "FREQ=DAILY;UNTIL=20260103",
                None,
                "2026-01-01",
                "2026-01-31"
            ),
            ["2026-01-01", "2026-01-02", "2026-01-03"]
        );
        assert!(
            expand(
                "FREQ=DAILY;UNTIL=20251231",
                None,
                "2026-01-01",
                "2026-01-31"
            )
            .is_empty()
        );
    }

    #[test]
    fn until_local_compares_the_local_start() {
        let rule = "FREQ=DAILY;UNTIL=20260103T020000";
        let at = |h| {
            expand_at(
                rule,
                None,
                time(h, 0, 0, 0),
                "Europe/Berlin",
                "2026-01-01",
                "2026-01-31",
            )
        };
        assert_eq!(at(2), ["2026-01-01", "2026-01-02", "2026-01-03"]);
        assert_eq!(at(3), ["2026-01-01", "2026-01-02"]);
    }

    #[test]
    fn until_utc_compares_the_start_instant() {
        let rule = "FREQ=DAILY;UNTIL=20260103T000000Z";
        // 00:30 in Berlin (UTC+1 in winter) is 23:30 UTC the day before: Jan 3 is in.
        assert_eq!(
            expand_at(
                rule,
                None,
                time(0, 30, 0, 0),
                "Europe/Berlin",
                "2026-01-01",
                "2026-01-31"
            ),
            ["2026-01-01", "2026-01-02", "2026-01-03"]
        );
        // 01:30 in Berlin is 00:30 UTC, after UNTIL: Jan 3 is out.
        assert_eq!(
            expand_at(
                rule,
                None,
                time(1, 30, 0, 0),
                "Europe/Berlin",
                "2026-01-01",
                "2026-01-31"
            ),
            ["2026-01-01", "2026-01-02"]
        );
        // The same start in UTC keeps Jan 3 only at midnight exactly.
        assert_eq!(
            expand_at(
                rule,
                None,
                time(0, 0, 0, 0),
                "UTC",
                "2026-01-01",
                "2026-01-31"
            ),
            ["2026-01-01", "2026-01-02", "2026-01-03"]
        );
    }

    #[test]
    fn until_utc_resolves_a_gap_forward() {
        // 2026-03-29 02:30 does not exist in Berlin; it becomes 03:30 CEST = 01:30 UTC.
        let at = |until: &str| {
            expand_at(
                &format!("FREQ=DAILY;UNTIL={until}"),
                None,
                time(2, 30, 0, 0),
                "Europe/Berlin",
                "2026-03-28",
                "2026-03-31",
            )
        };
        assert_eq!(at("20260329T013000Z"), ["2026-03-28", "2026-03-29"]);
        assert_eq!(at("20260329T012959Z"), ["2026-03-28"]);
    }

    #[test]
    fn until_utc_resolves_a_fold_to_the_earlier_instant() {
        // 2026-10-25 02:30 happens twice in Berlin; the earlier is 02:30 CEST = 00:30 UTC.
        let at = |until: &str| {
            expand_at(
                &format!("FREQ=DAILY;UNTIL={until}"),
                None,
                time(2, 30, 0, 0),
                "Europe/Berlin",
                "2026-10-24",
                "2026-10-31",
            )
        };
        assert_eq!(at("20261025T003000Z"), ["2026-10-24", "2026-10-25"]);
        assert_eq!(at("20261025T002959Z"), ["2026-10-24"]);
    }

    #[test]
    fn until_utc_rfc_example_every_day_in_january() {
        // RFC 5545: DTSTART;TZID=America/New_York:19980101T090000 with UNTIL=20000131T140000Z.
        let rule = "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA";
        let at = |minute| {
            expand_at(
                rule,
                Some("1998-01-01"),
                time(9, minute, 0, 0),
                "America/New_York",
                "1998-01-01",
                "2001-12-31",
            )
        };
        let days = at(0);
        assert_eq!(days.len(), 93);
        assert_eq!(days.first().unwrap(), "1998-01-01");
        assert_eq!(days.last().unwrap(), "2000-01-31");
        assert_eq!(at(1).last().unwrap(), "2000-01-30");
    }

    #[test]
    fn until_rfc_example_every_other_week() {
        let days = expand(
            "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224;WKST=SU;BYDAY=MO,WE,FR",
            Some("1997-09-01"),
            "1997-01-01",
            "1999-12-31",
        );
        assert_eq!(days.len(), 26);
        assert_eq!(
            &days[..4],
            ["1997-09-01", "1997-09-03", "1997-09-05", "1997-09-15"]
        );
        assert_eq!(days.last().unwrap(), "1997-12-24");
    }

    #[test]
    fn last_workday_of_the_month() {
        assert_eq!(
            expand(
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                None,
                "2026-01-01",
                "2026-06-30"
            ),
            [
                "2026-01-30",
                "2026-02-27",
                "2026-03-31",
                "2026-04-30",
                "2026-05-29",
                "2026-06-30"
            ]
        );
    }

    #[test]
    fn bysetpos_rfc_examples() {
        assert_eq!(
            expand(
                "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
                Some("1997-09-04"),
                "1997-01-01",
                "1999-12-31"
            ),
            ["1997-09-04", "1997-10-07", "1997-11-06"]
        );
        assert_eq!(
            expand(
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
                Some("1997-09-29"),
                "1997-09-01",
                "1998-03-31"
            ),
            [
                "1997-09-29",
                "1997-10-30",
                "1997-11-27",
                "1997-12-30",
                "1998-01-29",
                "1998-02-26",
                "1998-03-30"
            ]
        );
    }

    #[test]
    fn yearly_last_sunday_of_march_and_october() {
        assert_eq!(
            expand(
                "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                None,
                "2026-01-01",
                "2028-12-31"
            ),
            ["2026-03-29", "2027-03-28", "2028-03-26"]
        );
        assert_eq!(
            expand(
                "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                None,
                "2026-01-01",
                "2028-12-31"
            ),
            ["2026-10-25", "2027-10-31", "2028-10-29"]
        );
    }

    #[test]
    fn yearly_ordinal_without_bymonth_counts_in_the_year() {
        assert_eq!(
            expand(
                "FREQ=YEARLY;BYDAY=20MO",
                Some("1997-05-19"),
                "1997-01-01",
                "1999-12-31"
            ),
            ["1997-05-19", "1998-05-18", "1999-05-17"]
        );
    }

    #[test]
    fn yearly_bymonth_with_plain_weekday_expands_in_the_month() {
        assert_eq!(
            expand(
                "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
                Some("1997-03-13"),
                "1997-01-01",
                "1998-12-31"
            ),
            [
                "1997-03-13",
                "1997-03-20",
                "1997-03-27",
                "1998-03-05",
                "1998-03-12",
                "1998-03-19",
                "1998-03-26"
            ]
        );
    }

    #[test]
    fn byday_and_bymonthday_both_limit() {
        assert_eq!(
            expand(
                "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                Some("1997-09-02"),
                "1997-09-01",
                "2000-12-31"
            ),
            [
                "1998-02-13",
                "1998-03-13",
                "1998-11-13",
                "1999-08-13",
                "2000-10-13"
            ]
        );
        assert_eq!(
            expand(
                "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
                None,
                "1997-09-01",
                "1998-02-28"
            ),
            [
                "1997-09-13",
                "1997-10-11",
                "1997-11-08",
                "1997-12-13",
                "1998-01-10",
                "1998-02-07"
            ]
        );
        // RFC 5545's US presidential election day: every 4 years, counted from 1996.
        assert_eq!(
            expand(
                "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                Some("1996-11-05"),
                "1996-01-01",
                "2008-12-31"
            ),
            ["1996-11-05", "2000-11-07", "2004-11-02", "2008-11-04"]
        );
    }

    #[test]
    fn wkst_changes_which_weeks_interval_skips() {
        let at = |wkst| {
            expand(
                &format!("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST={wkst}"),
                Some("1997-08-05"),
                "1997-01-01",
                "1997-12-31",
            )
        };
        assert_eq!(
            at("MO"),
            ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"]
        );
        assert_eq!(
            at("SU"),
            ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"]
        );
    }

    #[test]
    fn missing_parts_default_from_dtstart() {
        assert_eq!(
            expand(
                "FREQ=WEEKLY",
                Some("2026-01-01"),
                "2026-01-01",
                "2026-01-22"
            ),
            ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22"]
        );
        assert_eq!(
            expand(
                "FREQ=YEARLY",
                Some("2024-02-29"),
                "2024-01-01",
                "2033-12-31"
            ),
            ["2024-02-29", "2028-02-29", "2032-02-29"]
        );
        assert_eq!(
            expand(
                "FREQ=YEARLY;BYMONTH=3",
                Some("2026-01-15"),
                "2026-01-01",
                "2027-12-31"
            ),
            ["2026-03-15", "2027-03-15"]
        );
        // BYMONTHDAY alone in a year expands over every month.
        let firsts = expand(
            "FREQ=YEARLY;BYMONTHDAY=1",
            Some("2026-01-15"),
            "2026-01-01",
            "2026-12-31",
        );
        assert_eq!(firsts.len(), 11);
        assert_eq!(firsts[0], "2026-02-01");
    }

    #[test]
    fn daily_interval_and_limits() {
        assert_eq!(
            expand(
                "FREQ=DAILY;INTERVAL=3",
                Some("2026-01-01"),
                "2026-03-01",
                "2026-03-15"
            ),
            [
                "2026-03-02",
                "2026-03-05",
                "2026-03-08",
                "2026-03-11",
                "2026-03-14"
            ]
        );
        assert_eq!(
            expand(
                "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-1;BYDAY=SU",
                None,
                "2020-01-01",
                "2030-12-31"
            ),
            ["2021-02-28", "2027-02-28"]
        );
        assert_eq!(
            expand(
                "FREQ=DAILY;BYDAY=MO;BYSETPOS=1",
                None,
                "2026-01-01",
                "2026-01-14"
            ),
            ["2026-01-05", "2026-01-12"]
        );
    }

    #[test]
    fn rare_but_possible_rules_keep_going() {
        let leap_days = expand(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            None,
            "2000-01-01",
            "2200-12-31",
        );
        assert_eq!(leap_days.len(), 49);
        assert!(!leap_days.contains(&"2100-02-29".to_string()));
        assert_eq!(leap_days.last().unwrap(), "2196-02-29");
        // Every 400th year from a leap year stays a leap year.
        assert_eq!(
            expand(
                "FREQ=YEARLY;INTERVAL=400;BYMONTH=2;BYMONTHDAY=29",
                Some("2000-01-01"),
                "2000-01-01",
                "3000-12-31"
            ),
            ["2000-02-29", "2400-02-29", "2800-02-29"]
        );
    }

    #[test]
    fn never_matching_rules_return_empty_quickly() {
        let began = std::time::Instant::now();
        for (text, dtstart) in [
            ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", None),
            ("FREQ=YEARLY;BYMONTHDAY=30;BYMONTH=2", None),
            ("FREQ=DAILY;BYMONTHDAY=31;BYMONTH=4,6,9,11", None),
            ("FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1", None),
            // Every 7th day from a Monday is always a Monday.
            ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", Some("2026-01-05")),
            (
                "FREQ=YEARLY;INTERVAL=400;BYMONTH=2;BYMONTHDAY=29",
                Some("2001-01-01"),
            ),
            (
                "FREQ=MONTHLY;COUNT=5;BYMONTHDAY=31;BYMONTH=2",
                Some("2001-01-01"),
            ),
        ] {
            assert!(
                expand(text, dtstart, "2001-01-01", "9999-12-31").is_empty(),
                "{text}"
            );
        }
        assert!(began.elapsed().as_secs() < 10, "took {:?}", began.elapsed());
    }

    #[test]
    fn every_other_february_monday_is_not_never() {
        // Two-week steps still reach February: a near miss for the give-up rule.
        let days = expand(
            "FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYDAY=MO",
            Some("2026-01-05"),
            "2026-01-01",
            "2027-12-31",
        );
        assert_eq!(
            days,
            ["2026-02-02", "2026-02-16", "2027-02-01", "2027-02-15"]
        );
    }

    #[test]
    fn far_ranges_and_the_edges_of_the_calendar() {
        let late = expand("FREQ=DAILY", Some("1900-01-01"), "9999-12-01", "9999-12-31");
        assert_eq!(late.len(), 31);
        assert_eq!(
            expand("FREQ=WEEKLY;BYDAY=SA,SU", None, "9999-12-20", "9999-12-31"),
            ["9999-12-25", "9999-12-26"]
        );
        assert_eq!(
            expand(
                "FREQ=DAILY;COUNT=2",
                Some("-009999-01-01"),
                "-009999-01-01",
                "9999-12-31"
            ),
            ["-009999-01-01", "-009999-01-02"]
        );
        assert_eq!(
            expand(
                "FREQ=YEARLY;INTERVAL=4294967295",
                Some("2026-05-01"),
                "2026-01-01",
                "9999-12-31"
            ),
            ["2026-05-01"]
        );
        assert_eq!(
            expand(
                "FREQ=DAILY;COUNT=4294967295",
                Some("2026-01-01"),
                "2026-01-01",
                "2026-01-03"
            ),
            ["2026-01-01", "2026-01-02", "2026-01-03"]
        );
    }

    #[test]
    fn empty_or_inverted_ranges_give_nothing() {
        assert!(expand("FREQ=DAILY", None, "2026-01-02", "2026-01-01").is_empty());
        assert!(expand("FREQ=DAILY", Some("2027-01-01"), "2026-01-01", "2026-12-31").is_empty());
        assert_eq!(
            expand("FREQ=DAILY", None, "2026-01-01", "2026-01-01"),
            ["2026-01-01"]
        );
    }

    #[test]
    fn without_dtstart_a_rule_needing_one_falls_back_to_from() {
        assert_eq!(
            expand(
                "FREQ=WEEKLY;INTERVAL=2;COUNT=1",
                None,
                "2026-01-01",
                "2026-01-16"
            ),
            ["2026-01-01", "2026-01-08", "2026-01-15"]
        );
    }
}
