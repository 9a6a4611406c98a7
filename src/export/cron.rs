//! Export stage: five-field cron expressions (minute, hour, day of month,
//! month, day of week) for recurring periods, exact or refused.
//!
//! A recurrence becomes a cron expression only when the two mean the same
//! days: no INTERVAL above 1, no BYSETPOS, no BYDAY ordinals (`1SU`: cron
//! has no "first Sunday"), no negative BYMONTHDAY (no "last day"), never
//! BYDAY together with BYMONTHDAY (cron ORs day of month and day of week
//! where RRULE ANDs them), and no end (COUNT, UNTIL, `until`) or start
//! (`from`) that cron cannot carry. What [`start`] builds is then checked
//! against the recurrence's own expansion over the horizon by the caller
//! ([`Cron::matches`]): the conversion never has the last word alone.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};

use crate::model::Recurrence;
use crate::model::rrule::Freq;

/// A cron expression whose day-of-month and day-of-week fields are never
/// both restricted, so it matches a date exactly when every field does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    /// Minute field (0 to 59), a single value.
    pub minute: u8,
    /// Hour field (0 to 23), a single value.
    pub hour: u8,
    /// Days of the month (1 to 31); `None` is `*`.
    pub days: Option<Vec<u8>>,
    /// Months (1 to 12); `None` is `*`.
    pub months: Option<Vec<u8>>,
    /// Days of the week, 0 = Sunday; `None` is `*`.
    pub weekdays: Option<Vec<u8>>,
}

fn field(values: &Option<Vec<u8>>) -> String {
    match values {
        None => "*".to_string(),
        Some(list) => list.iter().map(u8::to_string).collect::<Vec<_>>().join(","),
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {}",
            self.minute,
            self.hour,
            field(&self.days),
            field(&self.months),
            field(&self.weekdays)
        )
    }
}

/// Cron's number of a weekday: 0 = Sunday to 6 = Saturday.
pub fn cron_weekday(day: Weekday) -> u8 {
    day.to_sunday_zero_offset() as u8
}

fn sorted(mut values: Vec<u8>) -> Vec<u8> {
    values.sort_unstable();
    values.dedup();
    values
}

impl Cron {
    /// Whether the expression fires on `date` (at its minute and hour).
    pub fn matches(&self, date: Date) -> bool {
        let has = |values: &Option<Vec<u8>>, value: u8| {
            values.as_ref().is_none_or(|list| list.contains(&value))
        };
        has(&self.days, date.day() as u8)
            && has(&self.months, date.month() as u8)
            && has(&self.weekdays, cron_weekday(date.weekday()))
    }

    /// The time of day it fires at.
    pub fn time(&self) -> Time {
        Time::constant(self.hour as i8, self.minute as i8, 0, 0)
    }

    /// The same days `days` later, at `time`: what a period's ends look
    /// like when each lasts the same calendar span. Refused when shifting
    /// could cross into a month the expression does not name, or past the
    /// end of a month (cron cannot say "3 days after the 30th").
    pub fn shifted(&self, days: i64, time: Time) -> Result<Cron, String> {
        let mut out = Cron {
            minute: time.minute() as u8,
            hour: time.hour() as u8,
            ..self.clone()
        };
        if days == 0 {
            return Ok(out);
        }
        if let Some(list) = &self.days {
            let last = i64::from(*list.iter().max().unwrap_or(&31));
            // The shortest month named (February counted with 28 days).
            let shortest = self.months.as_ref().map_or(28, |months| {
                months
                    .iter()
                    .map(|m| match m {
                        2 => 28,
                        4 | 6 | 9 | 11 => 30,
                        _ => 31,
                    })
                    .min()
                    .unwrap_or(28)
            });
            if last + days > shortest {
                return Err(format!(
                    "each occurrence ends {days} day{} after it starts, which runs past the end of some months: a cron expression of days of the month cannot follow",
                    if days == 1 { "" } else { "s" }
                ));
            }
            out.days = Some(sorted(list.iter().map(|d| d + days as u8).collect()));
        } else if self.months.is_some() {
            return Err(format!(
                "each occurrence ends {days} day{} after it starts, which can fall into a month the rule does not name",
                if days == 1 { "" } else { "s" }
            ));
        }
        if let Some(list) = &self.weekdays {
            out.weekdays = Some(sorted(
                list.iter()
                    .map(|d| ((i64::from(*d) + days).rem_euclid(7)) as u8)
                    .collect(),
            ));
        }
        Ok(out)
    }
}

/// The cron expression of a recurrence's starts, or why there is none. The
/// caller still compares it with the expansion over the horizon.
pub fn start(recurrence: &Recurrence, horizon_start: Date) -> Result<Cron, String> {
    let rule = &recurrence.rrule.value;
    let text = rule.to_string();
    if rule.interval > 1 {
        return Err(format!(
            "{text} repeats every {} periods, counted from `from`; cron has no such count",
            rule.interval
        ));
    }
    if rule.count.is_some() {
        return Err(format!(
            "{text} stops after COUNT occurrences; cron has no end"
        ));
    }
    if rule.until.is_some() || recurrence.until.is_some() {
        return Err(format!(
            "{text} has an end (UNTIL or `until`); cron has none"
        ));
    }
    if let Some(from) = &recurrence.from
        && from.value > horizon_start
    {
        return Err(format!(
            "it starts on {} (`from`), after the start of the export; cron has no start date",
            from.value
        ));
    }
    if !rule.by_set_pos.is_empty() {
        return Err(format!(
            "{text} picks occurrences by position (BYSETPOS), which cron cannot"
        ));
    }
    if let Some(day) = rule.by_day.iter().find(|d| d.ordinal.is_some()) {
        return Err(format!(
            "{text} names the {} {:?} of a {}, which a five-field cron expression cannot say",
            ordinal(day.ordinal.unwrap_or(1)),
            day.weekday,
            if rule.freq == Freq::Yearly && rule.by_month.is_empty() {
                "year"
            } else {
                "month"
            }
        ));
    }
    if rule.by_month_day.iter().any(|d| *d < 0) {
        return Err(format!(
            "{text} counts days from the end of the month, which a five-field cron expression cannot"
        ));
    }
    if !rule.by_day.is_empty() && !rule.by_month_day.is_empty() {
        return Err(format!(
            "{text} asks for a weekday and a day of the month at once; cron would take either"
        ));
    }
    let start = recurrence.start.value;
    if start.second() != 0 || start.subsec_nanosecond() != 0 {
        return Err(format!(
            "it starts at {start}, with seconds; cron counts whole minutes"
        ));
    }
    let from = recurrence.from.as_ref().map(|f| f.value);
    let need_from =
        || from.ok_or_else(|| format!("{text} takes its day from `from`, which is missing"));
    let mut months: Option<Vec<u8>> = if rule.by_month.is_empty() {
        None
    } else {
        Some(sorted(rule.by_month.iter().map(|m| *m as u8).collect()))
    };
    let mut days: Option<Vec<u8>> = if rule.by_month_day.is_empty() {
        None
    } else {
        Some(sorted(rule.by_month_day.iter().map(|d| *d as u8).collect()))
    };
    let mut weekdays: Option<Vec<u8>> = if rule.by_day.is_empty() {
        None
    } else {
        Some(sorted(
            rule.by_day
                .iter()
                .map(|d| cron_weekday(d.weekday))
                .collect(),
        ))
    };
    // Missing BY parts come from the start date, as RFC 5545 says.
    if days.is_none() && weekdays.is_none() {
        match rule.freq {
            Freq::Daily => {}
            Freq::Weekly => weekdays = Some(vec![cron_weekday(need_from()?.weekday())]),
            Freq::Monthly => days = Some(vec![need_from()?.day() as u8]),
            Freq::Yearly => {
                let from = need_from()?;
                days = Some(vec![from.day() as u8]);
                if months.is_none() {
                    months = Some(vec![from.month() as u8]);
                }
            }
        }
    }
    if months.as_ref().is_some_and(|m| m.len() == 12) {
        months = None;
    }
    if weekdays.as_ref().is_some_and(|w| w.len() == 7) {
        weekdays = None;
    }
    Ok(Cron {
        minute: start.minute() as u8,
        hour: start.hour() as u8,
        days,
        months,
        weekdays,
    })
}

fn ordinal(n: i8) -> String {
    match n {
        -1 => "last".to_string(),
        n if n < 0 => format!("{}{} from last", -n, suffix(-n)),
        n => format!("{n}{}", suffix(n)),
    }
}

fn suffix(n: i8) -> &'static str {
    match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::source::{At, FileId, Loc};

    fn recurrence(rrule: &str, start: &str, from: Option<Date>) -> Recurrence {
        let loc = Loc::new(FileId(0), 0..0);
        Recurrence {
            rrule: At::new(rrule.parse().unwrap(), loc.clone()),
            start: At::new(
                crate::model::time::parse_time_of_day(start).unwrap(),
                loc.clone(),
            ),
            duration: At::new(crate::model::Duration::parse("1h").unwrap(), loc.clone()),
            from: from.map(|d| At::new(d, loc.clone())),
            until: None,
            timezone: None,
            loc,
        }
    }

    fn cron(rrule: &str, start: &str) -> Result<String, String> {
        let today = Date::constant(2026, 11, 24);
        super::start(&recurrence(rrule, start, None), today).map(|c| c.to_string())
    }

    #[test]
    fn weekly_and_monthly_rules_become_cron() {
        assert_eq!(cron("FREQ=WEEKLY;BYDAY=SU", "01:00").unwrap(), "0 1 * * 0");
        assert_eq!(
            cron("FREQ=WEEKLY;BYDAY=TU,TH", "19:30").unwrap(),
            "30 19 * * 2,4"
        );
        assert_eq!(
            cron("FREQ=MONTHLY;BYMONTHDAY=23", "00:00").unwrap(),
            "0 0 23 * *"
        );
        assert_eq!(
            cron("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "00:00").unwrap(),
            "0 0 24 12 *"
        );
        assert_eq!(
            cron("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "02:00").unwrap(),
            "0 2 * * *"
        );
    }

    #[test]
    fn rules_cron_cannot_say_are_refused() {
        assert!(
            cron("FREQ=MONTHLY;BYDAY=1SU", "01:00")
                .unwrap_err()
                .contains("1st")
        );
        assert!(
            cron("FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1", "00:00")
                .unwrap_err()
                .contains("end of the month")
        );
        assert!(
            cron("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=1,2,3,4,5,6,7", "20:00")
                .unwrap_err()
                .contains("either")
        );
        assert!(cron("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "05:00").is_err());
        assert!(cron("FREQ=DAILY;UNTIL=20270101", "05:00").is_err());
    }

    #[test]
    fn interval_and_a_late_start_are_refused() {
        let today = Date::constant(2026, 11, 24);
        let every_other = recurrence(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "05:00",
            Some(Date::constant(2026, 11, 2)),
        );
        assert!(start(&every_other, today).unwrap_err().contains("every 2"));
        let later = recurrence(
            "FREQ=WEEKLY;BYDAY=MO",
            "05:00",
            Some(Date::constant(2027, 1, 4)),
        );
        assert!(start(&later, today).unwrap_err().contains("2027-01-04"));
    }

    #[test]
    fn ends_shift_days_within_the_month_and_weekdays_around_the_week() {
        let c = Cron {
            minute: 0,
            hour: 20,
            days: None,
            months: None,
            weekdays: Some(vec![5, 6]),
        };
        let end = c.shifted(1, Time::constant(6, 0, 0, 0)).unwrap();
        assert_eq!(end.to_string(), "0 6 * * 0,6");
        let monthly = Cron {
            minute: 0,
            hour: 0,
            days: Some(vec![23]),
            months: None,
            weekdays: None,
        };
        assert_eq!(
            monthly.shifted(3, Time::midnight()).unwrap().to_string(),
            "0 0 26 * *"
        );
        let late = Cron {
            days: Some(vec![27]),
            ..monthly
        };
        assert!(late.shifted(3, Time::midnight()).is_err());
    }

    #[test]
    fn matches_reads_every_field() {
        let c = Cron {
            minute: 0,
            hour: 0,
            days: Some(vec![24]),
            months: Some(vec![12]),
            weekdays: None,
        };
        assert!(c.matches(Date::constant(2026, 12, 24)));
        assert!(!c.matches(Date::constant(2026, 11, 24)));
    }
}
