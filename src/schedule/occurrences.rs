//! Schedule stage: occurrences of periods and batch runs as instants.
//!
//! A recurrence is expanded only over the spans the plan needs (clusters
//! of phases, see [`Horizon`]), so a phase written for a far-away year costs
//! a few occurrences, not every day in between. Each occurrence starts at
//! the recurrence's `start` on its date in its zone (a start in a DST gap
//! moves forward, one in a fold takes the earlier instant) and lasts its
//! `duration`: calendar days in the zone, then exact hours and minutes.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::base::time::{Interval, resolve_local};
use crate::model::{Recurrence, When};

/// Spans of time the plan touches, merged when closer than a month.
#[derive(Debug, Clone, Default)]
pub struct Horizon {
    /// Disjoint spans, sorted by start.
    pub spans: Vec<Interval>,
}

impl Horizon {
    const MERGE_GAP: i64 = 31 * 24 * 3600;

    /// The spans covering `intervals`, sorted, with those at most 31 days apart merged into one.
    pub fn new(mut intervals: Vec<Interval>) -> Horizon {
        intervals.sort_unstable();
        let mut spans: Vec<Interval> = Vec::new();
        for interval in intervals {
            match spans.last_mut() {
                Some(last) if interval.start <= last.end.saturating_add(Self::MERGE_GAP) => {
                    last.end = last.end.max(interval.end);
                }
                _ => spans.push(interval),
            }
        }
        Horizon { spans }
    }
}

fn date_of(seconds: i64, tz: &TimeZone) -> Date {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::MIN)
        .to_zoned_datetime(tz.clone())
        .date()
}

/// Occurrences of `recurrence` (in `tz`) that overlap `span`, in order.
pub fn expand(recurrence: &Recurrence, tz: &TimeZone, span: Interval) -> Vec<Interval> {
    // An occurrence starting up to its duration (plus a day for DST) before
    // the span may still reach into it.
    let reach = i64::from(recurrence.duration.value.days)
        + 2
        + i64::from(recurrence.duration.value.minutes) / 1440;
    let first = date_of(span.start, tz)
        .checked_sub(jiff::Span::new().days(reach))
        .unwrap_or(Date::MIN);
    let last = date_of(span.end, tz)
        .checked_add(jiff::Span::new().days(1))
        .unwrap_or(Date::MAX);
    let first = recurrence
        .from
        .as_ref()
        .map_or(first, |from| first.max(from.value));
    let last = recurrence
        .until
        .as_ref()
        .map_or(last, |until| last.min(until.value));
    if first > last {
        return Vec::new();
    }
    let dtstart = recurrence.from.as_ref().map(|from| from.value);
    recurrence
        .rrule
        .value
        .dates(dtstart, recurrence.start.value, tz, first, last)
        .into_iter()
        .map(|date| {
            let start = resolve_local(tz, date.to_datetime(recurrence.start.value));
            let end = recurrence.duration.value.after(&start);
            Interval {
                start: start.timestamp().as_second(),
                end: end.timestamp().as_second(),
            }
        })
        .filter(|occurrence| occurrence.overlaps(span))
        .collect()
}

/// Occurrences of a period's `when` over every span of the horizon,
/// sorted and without repeats.
pub fn occurrences(when: &When, tz: &TimeZone, horizon: &Horizon) -> Vec<Interval> {
    match when {
        When::Once { from, until } => vec![Interval {
            start: from.value.instant(tz).as_second(),
            end: until.value.instant(tz).as_second(),
        }],
        When::Recurring(recurrence) => recurring(recurrence, tz, horizon),
    }
}

/// Occurrences of a recurrence over every span of the horizon.
pub fn recurring(recurrence: &Recurrence, tz: &TimeZone, horizon: &Horizon) -> Vec<Interval> {
    // With COUNT, every expansion counts from DTSTART: expand once over the
    // whole horizon rather than once per span.
    let whole;
    let spans: &[Interval] = match (recurrence.rrule.value.count, horizon.spans.first()) {
        (Some(_), Some(first)) if horizon.spans.len() > 1 => {
            whole = [Interval {
                start: first.start,
                end: horizon
                    .spans
                    .iter()
                    .map(|s| s.end)
                    .max()
                    .unwrap_or(first.end),
            }];
            &whole
        }
        _ => &horizon.spans,
    };
    let mut all: Vec<Interval> = spans
        .iter()
        .flat_map(|span| expand(recurrence, tz, *span))
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Occurrences (sorted by start) that overlap `phase`.
pub fn overlapping(occurrences: &[Interval], phase: Interval) -> impl Iterator<Item = &Interval> {
    // Occurrences of one period never start after one that starts later
    // ends much later, but their lengths vary with DST, so scan back from
    // the first occurrence starting at or after the phase's end.
    let upto = occurrences.partition_point(|o| o.start < phase.end);
    occurrences[..upto]
        .iter()
        .rev()
        .take_while(move |o| o.end > phase.start - MAX_LENGTH_SLACK)
        .filter(move |o| o.overlaps(phase))
}

/// How much longer one occurrence of a period may be than another (DST).
const MAX_LENGTH_SLACK: i64 = 2 * 3600;

/// The occurrence that holds all of `phase` and ends latest, if any.
pub fn holding(occurrences: &[Interval], phase: Interval) -> Option<Interval> {
    let upto = occurrences.partition_point(|o| o.start <= phase.start);
    occurrences[..upto]
        .iter()
        .rev()
        .take_while(|o| o.end + MAX_LENGTH_SLACK > phase.start)
        .filter(|o| o.contains(phase))
        .max_by_key(|o| o.end)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(start: i64, end: i64) -> Interval {
        Interval { start, end }
    }

    #[test]
    fn horizon_merges_close_spans_and_keeps_far_ones_apart() {
        let day = 86_400;
        let horizon = Horizon::new(vec![
            iv(0, day),
            iv(3 * day, 4 * day),
            iv(400 * day, 401 * day),
        ]);
        assert_eq!(
            horizon.spans,
            vec![iv(0, 4 * day), iv(400 * day, 401 * day)]
        );
    }

    #[test]
    fn holding_and_overlapping_respect_half_open_ends() {
        let occ = vec![iv(0, 100), iv(200, 300)];
        assert_eq!(holding(&occ, iv(200, 300)), Some(iv(200, 300)));
        assert_eq!(holding(&occ, iv(250, 301)), None);
        assert_eq!(overlapping(&occ, iv(100, 200)).count(), 0);
        assert_eq!(overlapping(&occ, iv(99, 201)).count(), 2);
    }
}
