//! Cross-check of `schedule::rrule` against the `rrule` crate (a port of python-dateutil)
//! on random rules with a DTSTART, at midnight UTC.

use cutover::model::rrule::RRule;
use jiff::ToSpan;
use jiff::civil::{Date, time};
use jiff::tz::TimeZone;
use proptest::prelude::*;

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// Dates from the `rrule` crate in [from, to], or None if it refused the rule or hit its limits.
fn reference(text: &str, dtstart: Date, from: Date, to: Date) -> Result<Vec<Date>, String> {
    let set: rrule::RRuleSet = format!("DTSTART:{}T000000Z\nRRULE:{text}", ymd(dtstart))
        .parse()
        .map_err(|e: rrule::RRuleError| e.to_string())?;
    let before = rrule::Tz::UTC.from_utc_datetime(
        &chrono::NaiveDate::from_ymd_opt(to.year().into(), to.month() as u32, to.day() as u32)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    );
    let result = set.before(before).all(u16::MAX);
    if result.limited {
        return Err("limited".into());
    }
    Ok(result
        .dates
        .iter()
        .map(|d| {
            use chrono::Datelike;
            Date::new(d.year() as i16, d.month() as i8, d.day() as i8).unwrap()
        })
        .filter(|d| *d >= from && *d <= to)
        .collect())
}

use chrono::TimeZone as _;

fn mine(text: &str, dtstart: Date, from: Date, to: Date) -> Vec<Date> {
    let rule: RRule = text
        .parse()
        .unwrap_or_else(|e: cutover::model::rrule::RRuleError| panic!("{text}: {}", e.message));
    rule.dates(Some(dtstart), time(0, 0, 0, 0), &TimeZone::UTC, from, to)
}

#[derive(Debug, Clone)]
struct Case {
    text: String,
    dtstart: Date,
    from: Date,
    to: Date,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0usize..4,
        prop_oneof![4 => Just(1u32), 1 => 2u32..5],
        prop::option::weighted(0.3, 1u32..40),
        prop::option::weighted(0.2, 0i64..3000),
        prop::collection::vec(
            (
                0usize..7,
                prop::option::weighted(0.4, prop_oneof![4 => 1i8..6, 1 => 1i8..54]),
                any::<bool>(),
            ),
            0..4,
        ),
        prop::collection::vec(prop_oneof![1i8..32, -31i8..0], 0..4),
        prop::collection::vec(1i8..13, 0..3),
        prop::collection::vec(prop_oneof![1i16..8, -7i16..0], 0..3),
        0usize..7,
        (0i64..15_000, -400i64..2500, 0i64..1500),
    )
        .prop_map(
            |(
                freq,
                interval,
                count,
                until,
                by_day,
                by_month_day,
                by_month,
                by_set_pos,
                wkst,
                (start, from, len),
            )| {
                let freq = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"][freq];
                let dtstart = jiff::civil::date(1995, 1, 1) + start.days();
                let mut text = format!("FREQ={freq}");
                if interval > 1 {
                    text += &format!(";INTERVAL={interval}");
                }
                if let Some(count) = count {
                    text += &format!(";COUNT={count}");
                } else if let Some(until) = until {
                    text += &format!(";UNTIL={}T000000Z", ymd(dtstart + until.days()));
                }
                // Mixing plain and numbered weekdays is left out: see
                // `mixed_byday_is_a_union_unlike_the_rrule_crate`.
                let ordinals =
                    matches!(freq, "MONTHLY" | "YEARLY") && by_day.iter().all(|d| d.1.is_some());
                let days: Vec<String> = by_day
                    .iter()
                    .map(|&(w, ord, neg)| match ord {
                        Some(n) if ordinals => {
                            let n = if freq == "MONTHLY" {
                                (n - 1) % 5 + 1
                            } else {
                                n
                            };
                            format!("{}{}", if neg { -n } else { n }, DAYS[w])
                        }
                        _ => DAYS[w].to_string(),
                    })
                    .collect();
                let mut any_by = false;
                if !days.is_empty() {
                    text += &format!(";BYDAY={}", days.join(","));
                    any_by = true;
                }
                if !by_month_day.is_empty() && freq != "WEEKLY" {
                    let v: Vec<String> = by_month_day.iter().map(i8::to_string).collect();
                    text += &format!(";BYMONTHDAY={}", v.join(","));
                    any_by = true;
                }
                if !by_month.is_empty() {
                    let v: Vec<String> = by_month.iter().map(i8::to_string).collect();
                    text += &format!(";BYMONTH={}", v.join(","));
                    any_by = true;
                }
                if !by_set_pos.is_empty() && any_by {
                    let v: Vec<String> = by_set_pos.iter().map(i16::to_string).collect();
                    text += &format!(";BYSETPOS={}", v.join(","));
                }
                if wkst != 0 {
                    text += &format!(";WKST={}", DAYS[wkst]);
                }
                let from = dtstart + from.days();
                Case {
                    text,
                    dtstart,
                    from,
                    to: from + len.days(),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_the_rrule_crate(mut c in case()) {
        // See `weekly_bysetpos_uses_the_whole_first_week_unlike_the_rrule_crate`.
        if c.text.starts_with("FREQ=WEEKLY") && c.text.contains("BYSETPOS") {
            prop_assume!(!c.text.contains("COUNT"));
            c.from = c.from.max(c.dtstart + 7.days());
            prop_assume!(c.from <= c.to);
        }
        let reference = reference(&c.text, c.dtstart, c.from, c.to);
        prop_assume!(reference.is_ok(), "rrule crate refused: {:?}", reference);
        let ours = mine(&c.text, c.dtstart, c.from, c.to);
        prop_assert_eq!(ours, reference.unwrap(), "{:?}", c);
    }
}

/// RFC 5545 lists BYDAY entries as alternatives: `1MO,FR` is the first Monday and
/// every Friday. The `rrule` crate (like python-dateutil, and rrule.js issue #71)
/// intersects numbered and plain entries and yields nothing here.
#[test]
fn mixed_byday_is_a_union_unlike_the_rrule_crate() {
    let (d, from, to) = (
        jiff::civil::date(1995, 1, 1),
        jiff::civil::date(1995, 1, 1),
        jiff::civil::date(1995, 1, 31),
    );
    let text = "FREQ=MONTHLY;BYDAY=1MO,FR";
    let ours: Vec<String> = mine(text, d, from, to)
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        ours,
        [
            "1995-01-02",
            "1995-01-06",
            "1995-01-13",
            "1995-01-20",
            "1995-01-27"
        ]
    );
    assert_eq!(reference(text, d, from, to), Ok(vec![]));
}

/// `-5MO` (the fifth-to-last Monday) is valid RFC 5545, which the `rrule` crate refuses.
#[test]
fn minus_five_ordinal_is_valid_unlike_the_rrule_crate() {
    let d = jiff::civil::date(2026, 1, 1);
    let text = "FREQ=MONTHLY;BYDAY=-5MO";
    let ours: Vec<String> = mine(text, d, d, jiff::civil::date(2026, 12, 31))
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        ours,
        ["2026-03-02", "2026-06-01", "2026-08-03", "2026-11-02"]
    );
    assert!(reference(text, d, d, d).is_err());
}

/// The brief takes each WEEKLY period as the whole week from WKST, so BYSETPOS=1
/// picks the Monday before a Tuesday DTSTART (then dropped as before the start).
/// The `rrule` crate, like python-dateutil, cuts the first week at DTSTART.
#[test]
fn weekly_bysetpos_uses_the_whole_first_week_unlike_the_rrule_crate() {
    let d = jiff::civil::date(1999, 8, 24);
    let to = jiff::civil::date(1999, 9, 7);
    let text = "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1;WKST=WE";
    let ours: Vec<String> = mine(text, d, d, to).iter().map(|d| d.to_string()).collect();
    assert_eq!(ours, ["1999-08-30", "1999-09-06"]);
    let theirs: Vec<String> = reference(text, d, d, to)
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(theirs, ["1999-08-24", "1999-08-30", "1999-09-06"]);
}
