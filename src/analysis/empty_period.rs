//! Analysis stage: `empty-period`, a recurring window, freeze or peak
//! whose RRULE has no occurrence in the planning horizon.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::base::{Finding, Rule};
use crate::model::{Model, PeriodKind, When};

/// Years before and after the as-of date in which a recurrence must occur
/// at least once: four, so that a rule for February 29 is not reported.
pub const HORIZON_YEARS: i16 = 4;

/// `empty-period`: fires on a recurring period with no occurrence from four
/// years before the as-of date (or its `from`, if earlier) to four years
/// after it, within its own `from` and `until`: a freeze on February 30
/// (`FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`) protects nothing, and a window
/// that never opens hides every change from `outside-window`'s reason.
/// One-off periods in the past are history, not reported. The search
/// stops at the first occurrence, a year of dates at a time.
pub fn empty_period(model: &Model, as_of: Date, findings: &mut Vec<Finding>) {
    let years = i64::from(HORIZON_YEARS).years();
    let (Ok(before), Ok(after)) = (as_of.checked_sub(years), as_of.checked_add(years)) else {
        return;
    };
    for period in &model.periods {
        let When::Recurring(recurrence) = &period.when else {
            continue;
        };
        let tz = super::schedule::period_zone(model, period);
        let dtstart = recurrence.from.as_ref().map(|f| f.value);
        let first = dtstart.map_or(before, |from| from.min(before));
        let mut last = after;
        if let Some(until) = &recurrence.until {
            last = last.min(until.value);
        }
        let rule = &recurrence.rrule.value;
        let mut lo = first;
        let mut occurs = false;
        while lo <= last && !occurs {
            let hi = lo.checked_add(366.days()).unwrap_or(Date::MAX).min(last);
            occurs = !rule
                .dates(dtstart, recurrence.start.value, tz, lo, hi)
                .is_empty();
            let Ok(next) = hi.checked_add(1.day()) else {
                break;
            };
            lo = next;
        }
        if occurs {
            continue;
        }
        let (kind, effect) = match period.kind {
            PeriodKind::Window => ("window", "allows no change"),
            PeriodKind::Freeze => ("freeze", "protects nothing"),
            PeriodKind::Peak => ("peak", "marks no time"),
        };
        findings.push(
            Finding::new(
                Rule::EmptyPeriod,
                recurrence.rrule.loc.clone(),
                format!(
                    "{kind} `{}` never occurs from {first} to {after}: its recurrence `{rule}` {effect}",
                    period.id.value
                ),
            )
            .subject(period.id.value.clone())
            .help("check the RRULE's month and day (February has no 30th, BYDAY and BYMONTHDAY must meet), its COUNT, UNTIL, `from` and `until`; delete the period if it is no longer needed"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(periods: &str) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inv.toml"), periods).unwrap();
        let loaded = crate::inventory::load(dir.path()).unwrap();
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let mut out = Vec::new();
        empty_period(&loaded.model, Date::constant(2026, 11, 24), &mut out);
        out
    }

    #[test]
    fn a_freeze_on_february_30_fires() {
        let out = findings(
            "[[freeze]]\nid = \"feb-30\"\nname = \"Never\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"\nstart = \"00:00\"\nduration = \"1d\"\n",
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, Rule::EmptyPeriod);
        assert_eq!(
            out[0].message,
            "freeze `feb-30` never occurs from 2022-11-24 to 2030-11-24: its recurrence `FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30` protects nothing"
        );
        assert_eq!(out[0].subjects, vec!["feb-30".to_string()]);
    }

    #[test]
    fn an_occurrence_just_inside_the_horizon_keeps_it_quiet() {
        let period = |from: &str| {
            format!(
                "[[window]]\nid = \"w\"\nname = \"Once\"\nrrule = \"FREQ=DAILY;COUNT=1\"\nfrom = {from}\nstart = \"02:00\"\nduration = \"1h\"\n"
            )
        };
        assert!(findings(&period("2030-11-24")).is_empty());
        assert_eq!(findings(&period("2030-11-25")).len(), 1);
        // A normal rule, and a leap day.
        assert!(findings("[[peak]]\nid = \"p\"\nname = \"Month end\"\nrrule = \"FREQ=MONTHLY;BYMONTHDAY=-1\"\nstart = \"00:00\"\nduration = \"1d\"\n\n[[freeze]]\nid = \"leap\"\nname = \"Leap day\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\"\nstart = \"00:00\"\nduration = \"1d\"\n").is_empty());
    }
}
