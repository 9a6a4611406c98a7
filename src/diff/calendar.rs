//! Analysis stage for `diff`: what the head does to the effective calendar
//! over the horizon (as-of date to the end of the latest active phase of
//! either side, at least 8 weeks, at most 2 years, as the calendar page).
//!
//! Each side's periods are expanded by the schedule stage's own code
//! (`schedule::occurrences`) over the same horizon; occurrences are
//! compared as instants per period and per system the period applies to,
//! and what was gained or lost is merged into readable spans ("every
//! Sunday 01:00–05:00 CET from 2026-12-06 to 2027-01-31"). Phases whose
//! start moved are listed with their old and new start.

use std::collections::{BTreeMap, BTreeSet};

use fixedbitset::FixedBitSet;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use crate::analysis::calendar::{period_zone, scopes};
use crate::base::time::{day_start, moment};
use crate::check::Checked;
use crate::model::{PeriodKind, slug};
use crate::schedule::occurrences::{self, Horizon};
use crate::schedule::sweep::Interval;

/// The calendar part of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDiff {
    /// The horizon: first and last day, in the head's site zone.
    pub from: String,
    /// Last day of the horizon (`YYYY-MM-DD`, in the head's site zone).
    pub to: String,
    /// False when a side has loading errors: then the calendar is not
    /// compared (its periods and phases are incomplete).
    pub compared: bool,
    /// Periods whose occurrences differ, by kind and id; up to three entries
    /// per period (systems on both sides, base only, head only).
    pub periods: Vec<PeriodDiff>,
    /// Phases of active changes whose start moved, appeared or disappeared,
    /// by change id then start.
    pub phases: Vec<PhaseMove>,
}

/// Occurrences of one period gained or lost for some systems.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodDiff {
    /// `window`, `freeze` or `peak`.
    pub kind: &'static str,
    /// The period's id, as written at the head (at the base when gone).
    pub id: String,
    /// The period's display name.
    pub name: String,
    /// The systems this applies to (ids, sorted).
    pub systems: Vec<String>,
    /// Spans of occurrences at the head and not at the base.
    pub gained: Vec<Span>,
    /// Spans of occurrences at the base and not at the head.
    pub lost: Vec<Span>,
}

/// Occurrences merged into one readable run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Start of the first and end of the last occurrence (RFC 3339).
    pub from: String,
    /// End of the last occurrence (RFC 3339, with the period zone's offset).
    pub to: String,
    /// How many occurrences were merged into this span.
    pub occurrences: usize,
    /// "every Sunday 01:00–05:00 CET from 2026-12-06 to 2027-01-31".
    pub text: String,
}

/// A phase whose start differs (or that exists on one side only).
#[derive(Debug, Clone, Serialize)]
pub struct PhaseMove {
    /// The change's id, as written.
    pub change: String,
    /// The phase's name.
    pub phase: String,
    /// Absent for a new phase.
    pub from: Option<Moment>,
    /// Absent for a removed phase.
    pub to: Option<Moment>,
}

/// An instant, for machines and for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// RFC 3339 with the offset of its zone.
    pub at: String,
    /// "Sun 2026-12-06 02:00 CET (01:00 UTC)".
    pub text: String,
}

impl Moment {
    fn of(z: &ZonedDateTime) -> Moment {
        Moment {
            at: rfc3339(z),
            text: moment(z),
        }
    }
}

fn rfc3339(z: &ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn at(seconds: i64, tz: &TimeZone) -> ZonedDateTime {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::MIN)
        .to_zoned_datetime(tz.clone())
}

/// The horizon shared by both sides: from the as-of date (midnight in the
/// head's site zone) to the latest end of an active phase of either side,
/// at least 8 weeks, at most 2 years.
pub fn horizon(base: &Checked, head: &Checked, as_of: Date) -> (ZonedDateTime, ZonedDateTime) {
    let start = day_start(as_of, &head.model.config.site.timezone.tz);
    let mut end = start
        .checked_add(jiff::Span::new().weeks(8))
        .unwrap_or_else(|_| start.clone());
    for side in [base, head] {
        for (c, change) in side.model.changes.iter().enumerate() {
            if change.status.value.is_active()
                && let Some(last) = side.facts.changes.get(c).and_then(|f| f.last_end())
                && last.timestamp() > end.timestamp()
            {
                end = last.clone();
            }
        }
    }
    let cap = start
        .checked_add(jiff::Span::new().years(2))
        .unwrap_or_else(|_| start.clone());
    if end.timestamp() > cap.timestamp() {
        end = cap;
    }
    (start, end)
}

/// The calendar diff over `horizon` (see [`horizon`]).
pub fn diff(
    base: &Checked,
    head: &Checked,
    horizon: (ZonedDateTime, ZonedDateTime),
    compared: bool,
) -> CalendarDiff {
    let (start, end) = horizon;
    let span = Interval {
        start: start.timestamp().as_second(),
        end: end.timestamp().as_second(),
    };
    let (periods, phases) = if compared {
        (periods(base, head, span), phases(base, head))
    } else {
        (Vec::new(), Vec::new())
    };
    CalendarDiff {
        from: start.date().to_string(),
        to: end.date().to_string(),
        compared,
        periods,
        phases,
    }
}

/// One side's periods: per (kind, slug), its index.
fn periods_by_key(checked: &Checked) -> BTreeMap<(PeriodKind, String), usize> {
    checked
        .model
        .periods
        .iter()
        .enumerate()
        .map(|(ix, p)| ((p.kind, slug(&p.id.value)), ix))
        .collect()
}

/// System ids of both sides in one index space, so that the systems a
/// period applies to compare as bit sets.
struct Systems {
    /// Ids, sorted by slug; one per slug.
    ids: Vec<String>,
    /// Per side, per system index: its index in `ids`.
    base: Vec<usize>,
    head: Vec<usize>,
}

impl Systems {
    fn new(base: &Checked, head: &Checked) -> Systems {
        let mut all: BTreeMap<String, String> = BTreeMap::new();
        // Head ids win for display.
        for side in [base, head] {
            for system in &side.model.systems {
                all.insert(slug(&system.id.value), system.id.value.clone());
            }
        }
        let index: BTreeMap<&String, usize> = all.keys().enumerate().map(|(i, s)| (s, i)).collect();
        let map = |side: &Checked| {
            side.model
                .systems
                .iter()
                .map(|s| index[&slug(&s.id.value)])
                .collect()
        };
        Systems {
            base: map(base),
            head: map(head),
            ids: all.into_values().collect(),
        }
    }

    fn common(&self, set: &FixedBitSet, map: &[usize]) -> FixedBitSet {
        let mut out = FixedBitSet::with_capacity(self.ids.len());
        out.extend(set.ones().map(|s| map[s]));
        out
    }

    fn names(&self, set: &FixedBitSet) -> Vec<String> {
        set.ones().map(|i| self.ids[i].clone()).collect()
    }
}

/// A side's period: its occurrences over the span and its systems.
struct Expanded {
    occurrences: BTreeSet<Interval>,
    systems: FixedBitSet,
    tz: TimeZone,
}

fn expand(checked: &Checked, ix: usize, span: Interval, systems: FixedBitSet) -> Expanded {
    let model = &checked.model;
    let period = &model.periods[ix];
    let tz = period_zone(model, period).clone();
    let occurrences = occurrences::occurrences(&period.when, &tz, &Horizon::new(vec![span]))
        .into_iter()
        .filter(|o| o.overlaps(span))
        .collect();
    Expanded {
        occurrences,
        systems,
        tz,
    }
}

fn periods(base: &Checked, head: &Checked, span: Interval) -> Vec<PeriodDiff> {
    let systems = Systems::new(base, head);
    let (base_scopes, head_scopes) = (scopes(&base.model), scopes(&head.model));
    let (olds, news) = (periods_by_key(base), periods_by_key(head));
    let keys: BTreeSet<&(PeriodKind, String)> = olds.keys().chain(news.keys()).collect();
    let none = || Expanded {
        occurrences: BTreeSet::new(),
        systems: FixedBitSet::with_capacity(systems.ids.len()),
        tz: TimeZone::UTC,
    };
    let mut out = Vec::new();
    for key in keys {
        let old = olds.get(key).map_or_else(none, |&ix| {
            let set = systems.common(&base_scopes[ix], &systems.base);
            expand(base, ix, span, set)
        });
        let new = news.get(key).map_or_else(none, |&ix| {
            let set = systems.common(&head_scopes[ix], &systems.head);
            expand(head, ix, span, set)
        });
        if old.occurrences == new.occurrences && old.systems == new.systems {
            continue;
        }
        let (kind, ix, checked) = match news.get(key) {
            Some(&ix) => (key.0, ix, head),
            None => (key.0, olds[key], base),
        };
        let period = &checked.model.periods[ix];
        let entry = |set: &FixedBitSet, gained: &BTreeSet<Interval>, lost: &BTreeSet<Interval>| {
            PeriodDiff {
                kind: kind_name(kind),
                id: period.id.value.clone(),
                name: period.name.clone(),
                systems: systems.names(set),
                gained: spans(gained, &new.tz),
                lost: spans(lost, &old.tz),
            }
        };
        let empty = BTreeSet::new();
        let both = old
            .systems
            .intersection(&new.systems)
            .collect::<FixedBitSet>();
        let gained: BTreeSet<Interval> = new
            .occurrences
            .difference(&old.occurrences)
            .copied()
            .collect();
        let lost: BTreeSet<Interval> = old
            .occurrences
            .difference(&new.occurrences)
            .copied()
            .collect();
        let changed = !(gained.is_empty() && lost.is_empty());
        if changed && !both.is_clear() {
            out.push(entry(&both, &gained, &lost));
        }
        let only_old = old
            .systems
            .difference(&new.systems)
            .collect::<FixedBitSet>();
        if !only_old.is_clear() && !old.occurrences.is_empty() {
            out.push(entry(&only_old, &empty, &old.occurrences));
        }
        let only_new = new
            .systems
            .difference(&old.systems)
            .collect::<FixedBitSet>();
        if !only_new.is_clear() && !new.occurrences.is_empty() {
            out.push(entry(&only_new, &new.occurrences, &empty));
        }
    }
    out
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    }
}

/// A block of touching occurrences, read in the period's zone.
struct Block {
    start: ZonedDateTime,
    end: ZonedDateTime,
    count: usize,
}

impl Block {
    /// What makes blocks repeat: local start and end time, days between
    /// them, and the zone's abbreviations (a DST change starts a new run).
    fn pattern(&self) -> (String, String, i64, String, String) {
        let days = (self.end.date() - self.start.date()).get_days().into();
        (
            self.start.strftime("%H:%M").to_string(),
            self.end.strftime("%H:%M").to_string(),
            days,
            self.start.strftime("%Z").to_string(),
            self.end.strftime("%Z").to_string(),
        )
    }
}

/// Merges occurrences into readable spans: touching occurrences become one
/// block, and blocks with the same local times on each of a set of weekdays
/// with none missing in between become one "every ..." run.
pub fn spans(occurrences: &BTreeSet<Interval>, tz: &TimeZone) -> Vec<Span> {
    let mut merged: Vec<(Interval, usize)> = Vec::new();
    for &o in occurrences {
        match merged.last_mut() {
            Some((last, count)) if o.start <= last.end => {
                last.end = last.end.max(o.end);
                *count += 1;
            }
            _ => merged.push((o, 1)),
        }
    }
    let blocks: Vec<Block> = merged
        .into_iter()
        .map(|(i, count)| Block {
            start: at(i.start, tz),
            end: at(i.end, tz),
            count,
        })
        .collect();
    // Blocks by pattern, in time order within each.
    let mut by_pattern: BTreeMap<(String, String, i64, String, String), Vec<usize>> =
        BTreeMap::new();
    for (i, block) in blocks.iter().enumerate() {
        by_pattern.entry(block.pattern()).or_default().push(i);
    }
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for members in by_pattern.into_values() {
        let days: BTreeSet<i8> = members
            .iter()
            .map(|&i| blocks[i].start.weekday().to_monday_zero_offset())
            .collect();
        let mut run: Vec<usize> = Vec::new();
        for i in members {
            let follows = run.last().is_some_and(|&p| {
                next_day_in(blocks[p].start.date(), &days) == Some(blocks[i].start.date())
            });
            if !follows && !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            run.push(i);
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }
    runs.sort_by_key(|run| blocks[run[0]].start.timestamp());
    runs.iter().map(|run| span(&blocks, run)).collect()
}

/// The first date after `date` whose weekday is in `days`.
fn next_day_in(date: Date, days: &BTreeSet<i8>) -> Option<Date> {
    let mut next = date.tomorrow().ok()?;
    for _ in 0..7 {
        if days.contains(&next.weekday().to_monday_zero_offset()) {
            return Some(next);
        }
        next = next.tomorrow().ok()?;
    }
    None
}

/// "Sunday", "day", "Monday to Friday", "Tuesday and Thursday".
fn weekdays(days: &BTreeSet<i8>) -> String {
    let name = |d: i8| {
        Weekday::from_monday_zero_offset(d)
            .map(|w| format!("{w:?}"))
            .unwrap_or_default()
    };
    match days.len() {
        7 => "day".into(),
        5 if days.iter().copied().eq(0..5) => "Monday to Friday".into(),
        _ => {
            let names: Vec<String> = days.iter().map(|&d| name(d)).collect();
            match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} and {last}", rest.join(", "))
                }
                _ => names.concat(),
            }
        }
    }
}

/// Local times of a block: "01:00–05:00 CET", "22:00–02:00 CET (next
/// day)", "Fri 18:00 CET to Mon 06:00 CET".
fn times(block: &Block) -> String {
    let (from, to) = (&block.start, &block.end);
    let (za, zb) = (
        from.strftime("%Z").to_string(),
        to.strftime("%Z").to_string(),
    );
    let days = i64::from((to.date() - from.date()).get_days());
    let start = from.strftime("%H:%M");
    let end = to.strftime("%H:%M");
    match (days, za == zb) {
        (0, true) => format!("{start}–{end} {za}"),
        (0, false) => format!("{start} {za}–{end} {zb}"),
        (1, true) => format!("{start}–{end} {za} (next day)"),
        _ => format!(
            "{} {start} {za} to {} {end} {zb}",
            from.strftime("%a"),
            to.strftime("%a")
        ),
    }
}

fn span(blocks: &[Block], run: &[usize]) -> Span {
    let (first, last) = (&blocks[run[0]], &blocks[run[run.len() - 1]]);
    let occurrences = run.iter().map(|&i| blocks[i].count).sum();
    let text = if run.len() == 1 {
        let days = i64::from((first.end.date() - first.start.date()).get_days());
        if days <= 1 {
            format!("{} {}", first.start.strftime("%a %Y-%m-%d"), times(first))
        } else {
            format!(
                "{} to {}",
                first.start.strftime("%a %Y-%m-%d %H:%M %Z"),
                first.end.strftime("%a %Y-%m-%d %H:%M %Z")
            )
        }
    } else {
        let days: BTreeSet<i8> = run
            .iter()
            .map(|&i| blocks[i].start.weekday().to_monday_zero_offset())
            .collect();
        format!(
            "every {} {} from {} to {}",
            weekdays(&days),
            times(first),
            first.start.date(),
            last.start.date()
        )
    };
    Span {
        from: rfc3339(&first.start),
        to: rfc3339(&last.end),
        occurrences,
        text,
    }
}

/// Phases of changes active on either side whose start differs, matched
/// by change and phase name (the n-th phase of a name with the n-th).
fn phases(base: &Checked, head: &Checked) -> Vec<PhaseMove> {
    type Starts = BTreeMap<(String, String, usize), (String, String, ZonedDateTime, bool)>;
    let starts = |checked: &Checked| {
        let mut out: Starts = BTreeMap::new();
        for (c, change) in checked.model.changes.iter().enumerate() {
            let Some(facts) = checked.facts.changes.get(c) else {
                continue;
            };
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for (p, phase) in change.phases.iter().enumerate() {
                let n = seen.entry(phase.name.as_str()).or_default();
                out.insert(
                    (slug(&change.id.value), phase.name.clone(), *n),
                    (
                        change.id.value.clone(),
                        phase.name.clone(),
                        facts.phases[p].start.clone(),
                        change.status.value.is_active(),
                    ),
                );
                *n += 1;
            }
        }
        out
    };
    let (olds, news) = (starts(base), starts(head));
    let keys: BTreeSet<&(String, String, usize)> = olds.keys().chain(news.keys()).collect();
    let mut moves = Vec::new();
    for key in keys {
        let (old, new) = (olds.get(key), news.get(key));
        let active = old.is_some_and(|o| o.3) || new.is_some_and(|n| n.3);
        let same = match (old, new) {
            (Some(o), Some(n)) => o.2.timestamp() == n.2.timestamp(),
            _ => false,
        };
        if !active || same {
            continue;
        }
        let shown = new.or(old).expect("one side has it");
        moves.push((
            new.or(old).map(|s| s.2.timestamp()),
            PhaseMove {
                change: shown.0.clone(),
                phase: shown.1.clone(),
                from: old.map(|o| Moment::of(&o.2)),
                to: new.map(|n| Moment::of(&n.2)),
            },
        ));
    }
    // By change id, then by (new) start.
    moves.sort_by_key(|(start, m)| (slug(&m.change), *start));
    moves.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn local(tz: &TimeZone, y: i16, m: i8, d: i8, h: i8) -> i64 {
        jiff::civil::date(y, m, d)
            .at(h, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp()
            .as_second()
    }

    #[test]
    fn weekly_occurrences_merge_into_one_every_span_split_at_dst() {
        let tz = berlin();
        let mut set = BTreeSet::new();
        // Sundays 01:00–05:00 from 2027-02-28 to 2027-04-04: DST starts on
        // 2027-03-28, after the 01:00–05:00 occurrence of that day began.
        for (m, d) in [(2, 28), (3, 7), (3, 14), (3, 21), (4, 4)] {
            let start = local(&tz, 2027, m, d, 1);
            set.insert(Interval {
                start,
                end: start + 4 * 3600,
            });
        }
        let texts: Vec<String> = spans(&set, &tz).into_iter().map(|s| s.text).collect();
        assert_eq!(
            texts,
            vec![
                "every Sunday 01:00–05:00 CET from 2027-02-28 to 2027-03-21",
                "Sun 2027-04-04 01:00–05:00 CEST",
            ]
        );
    }

    #[test]
    fn a_missing_week_splits_a_run_and_touching_days_make_one_block() {
        let tz = berlin();
        let mut set = BTreeSet::new();
        for d in [6, 13, 27] {
            let start = local(&tz, 2026, 12, d, 1);
            set.insert(Interval {
                start,
                end: start + 4 * 3600,
            });
        }
        // The last three days of December, one day each.
        for d in [29, 30, 31] {
            let start = local(&tz, 2026, 12, d, 0);
            set.insert(Interval {
                start,
                end: start + 24 * 3600,
            });
        }
        let spans = spans(&set, &tz);
        let texts: Vec<&str> = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "every Sunday 01:00–05:00 CET from 2026-12-06 to 2026-12-13",
                "Sun 2026-12-27 01:00–05:00 CET",
                "Tue 2026-12-29 00:00 CET to Fri 2027-01-01 00:00 CET",
            ]
        );
        assert_eq!(spans[2].occurrences, 3);
        assert_eq!(spans[0].from, "2026-12-06T01:00:00+01:00");
        assert_eq!(spans[0].to, "2026-12-13T05:00:00+01:00");
    }

    #[test]
    fn weekdays_are_named_plainly() {
        let set = |d: &[i8]| d.iter().copied().collect::<BTreeSet<i8>>();
        assert_eq!(weekdays(&set(&[0, 1, 2, 3, 4])), "Monday to Friday");
        assert_eq!(weekdays(&set(&[1, 3])), "Tuesday and Thursday");
        assert_eq!(weekdays(&set(&[0, 2, 4])), "Monday, Wednesday and Friday");
        assert_eq!(weekdays(&set(&[0, 1, 2, 3, 4, 5, 6])), "day");
        assert_eq!(weekdays(&set(&[6])), "Sunday");
    }
}
