//! Schedule stage: RRULEs (the type and parser are in `model::rrule`)
//! expanded to the dates of their occurrences.
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

use std::ops::Range;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use crate::base::civil::{
    EPOCH_WEEKDAY, civil, date_of, days_from_civil, days_in_month, epoch_day, gcd,
};
use crate::model::rrule::{Freq, RRule, Until};

impl RRule {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rrule::RRuleError;
    use jiff::civil::time;

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

    // Parsing.

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
