//! Export stage: GitLab deploy freezes, as bodies for the Freeze Periods
//! API (`POST /projects/:id/freeze_periods`): `freeze_start` and
//! `freeze_end` cron expressions and `cron_timezone`. GitLab holds a freeze
//! while the latest start is later than the latest end, so a freeze is
//! exported only when its occurrences never touch or overlap, and when one
//! cron expression gives every end (the same local time, the same number of
//! days after each start).

use serde_json::{Value, json};

use super::cron::Cron;
use super::{Exported, local_of, rfc3339, unambiguous, verify};
use crate::model::Zone;
use crate::schedule::sweep::Interval;

/// The freeze period body, or why GitLab cannot have the freeze.
pub(super) fn entry(
    zone: &Zone,
    start: &Cron,
    overlapping: &[Interval],
    starting: &[Interval],
) -> Result<Value, String> {
    let tz = &zone.tz;
    for pair in overlapping.windows(2) {
        if pair[0].end >= pair[1].start {
            return Err(format!(
                "one occurrence ends at {} and the next starts at {}: GitLab cannot tell a freeze's end from the next start when they touch or overlap",
                rfc3339(pair[0].end, tz),
                rfc3339(pair[1].start, tz)
            ));
        }
    }
    let mut shape: Option<(i64, jiff::civil::Time)> = None;
    for occurrence in starting {
        let from = local_of(occurrence.start, tz);
        let to = local_of(occurrence.end, tz);
        if unambiguous(tz, to).map(|t| t.as_second()) != Some(occurrence.end) {
            return Err(format!(
                "the occurrence ending at {to} ends in a change of clocks in {}, where cron engines do not agree",
                zone.name
            ));
        }
        let days = to
            .date()
            .since(from.date())
            .map_or(0, |span| i64::from(span.get_days()));
        let this = (days, to.time());
        match shape {
            None => shape = Some(this),
            Some(first) if first != this => {
                return Err(format!(
                    "its occurrences end at different local times ({} and {}) as the clocks change in {}, and GitLab's end is one cron expression",
                    first.1, this.1, zone.name
                ));
            }
            Some(_) => {}
        }
    }
    let Some((days, time)) = shape else {
        return Err("it has no occurrence to end".into());
    };
    if time.second() != 0 || time.subsec_nanosecond() != 0 {
        return Err(format!(
            "it ends at {time}, with seconds; cron counts whole minutes"
        ));
    }
    let end = start.shifted(days, time)?;
    let ends: Vec<i64> = starting.iter().map(|o| o.end).collect();
    let within = Interval {
        start: ends[0],
        end: ends[ends.len() - 1] + 1,
    };
    verify(&end, tz, within, &ends, "end")?;
    Ok(json!({
        "freeze_start": start.to_string(),
        "freeze_end": end.to_string(),
        "cron_timezone": zone.name,
    }))
}

/// The bodies as a JSON array, one per freeze, ready for
/// `jq -c '.[]'` and `curl --data`.
pub(super) fn document(exported: &Exported) -> String {
    let bodies: Vec<&Value> = exported.entries.iter().map(|e| &e.native).collect();
    let mut text = serde_json::to_string_pretty(&bodies).unwrap_or_default();
    text.push('\n');
    text
}
