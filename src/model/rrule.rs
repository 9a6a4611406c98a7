//! Model: the RFC 5545 RRULE subset of inventory.md as a type, its parser
//! (errors carry the byte range of the offending part, for the caret) and
//! its canonical text. Expansion to dates lives in `schedule::rrule`.
//!
//! Supported parts: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT, UNTIL,
//! BYDAY (with ordinals such as `1SU`, `-1FR`), BYMONTHDAY (negative too), BYMONTH,
//! BYSETPOS and WKST. The time of day is not part of the rule: a period's
//! occurrences start at its `start` time, so BYHOUR and friends are rejected.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;

/// How often the rule repeats: the length of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Freq {
    /// `FREQ=DAILY`
    Daily,
    /// `FREQ=WEEKLY`
    Weekly,
    /// `FREQ=MONTHLY`
    Monthly,
    /// `FREQ=YEARLY`
    Yearly,
}

/// One BYDAY entry: a weekday, optionally the n-th (or n-th from the end, when
/// negative) of its month or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekdayNum {
    /// The n-th (1-based; negative counts from the end) in the month or year; `None`: every such
    /// weekday.
    pub ordinal: Option<i8>,
    /// The weekday.
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
    /// How often it repeats (`FREQ`).
    pub freq: Freq,
    /// Every how many periods it repeats (`INTERVAL`), from 1 (the default).
    pub interval: u32,
    /// How many occurrences at most, counted from the DTSTART (`COUNT`); `None`: no limit.
    pub count: Option<u32>,
    /// The bound on occurrence starts (`UNTIL`, inclusive); `None`: none.
    pub until: Option<Until>,
    /// `BYDAY` entries, in the order written; empty: not given.
    pub by_day: Vec<WeekdayNum>,
    /// `BYMONTHDAY`: days 1 to 31, or -1 to -31 counting back from the month's end; empty: not
    /// given.
    pub by_month_day: Vec<i8>,
    /// `BYMONTH`: months 1 to 12; empty: not given.
    pub by_month: Vec<i8>,
    /// `BYSETPOS`: positions 1 to 366 (or -1 to -366 from the end) in each period's set of dates;
    /// empty: not given.
    pub by_set_pos: Vec<i16>,
    /// The first day of the week (`WKST`), default Monday.
    pub wkst: Weekday,
}

/// An invalid RRULE: what is wrong and how to fix it, and the byte range within the RRULE string of the offending part (so the caller can point at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRuleError {
    /// What is wrong and how to fix it, as a sentence.
    pub message: String,
    /// Byte range of the offending part within the RRULE string.
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rule(text: &str) -> RRule {
        text.parse()
            .unwrap_or_else(|e: RRuleError| panic!("{text}: {}", e.message))
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
}
