//! Render stage: the timeline of the plan as inline SVG, for a board at a
//! glance: one lane per system changed or impacted by a phase in view, the
//! weeks across, windows of the system as green shading, freezes (and peaks
//! of a day or more) as bands, and each phase as a bar linked to its change,
//! coloured by its worst finding (solid where the phase changes the system,
//! pale where it only impacts it).
//!
//! Bounded: at most [`LANES`] lanes (systems changed before those only
//! impacted, then by criticality), [`BARS_PER_LANE`] bars and
//! [`SHADES_PER_LANE`] shaded stretches per lane (beyond that, shading is
//! drawn per whole day). Only presentation attributes, no script, every text
//! escaped, as in [`crate::site::svg`].

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::base::Level;
use crate::base::time::Interval;
use crate::model::{PeriodKind, Status, slug};
use crate::site::calendar::Plan;
use crate::site::svg::{escape, fit};

/// Lanes drawn at most.
pub const LANES: usize = 40;
/// Bars per lane at most.
pub const BARS_PER_LANE: usize = 24;
/// Shaded stretches per lane and kind before shading goes per day.
pub const SHADES_PER_LANE: usize = 60;

const LABEL_W: i32 = 190;
const DAY_W: i32 = 14;
const LANE_H: i32 = 26;
const BAR_H: i32 = 14;
const HEAD: i32 = 46;
const FOOT: i32 = 40;
const FONTS: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

/// Fill and stroke of a bar by its worst finding.
fn colours(level: Option<Level>, changed: bool) -> (&'static str, &'static str) {
    match (level, changed) {
        (Some(Level::Error), true) => ("#a4161a", "#6e0d10"),
        (Some(Level::Error), false) => ("#f2c4c5", "#a4161a"),
        (Some(Level::Warning), true) => ("#b87400", "#7a4b00"),
        (Some(Level::Warning), false) => ("#f5dca8", "#b87400"),
        (_, true) => ("#0b57b0", "#083d7a"),
        (_, false) => ("#c9dcf3", "#0b57b0"),
    }
}

/// Day boundaries of the view: `days + 1` instants.
struct Scale {
    bounds: Vec<i64>,
}

impl Scale {
    /// x of an instant: the day it falls in, and its share of that day
    /// (days of 23 or 25 hours stay one column wide).
    fn x(&self, t: i64) -> i32 {
        let last = self.bounds.len() - 1;
        if t <= self.bounds[0] {
            return LABEL_W;
        }
        if t >= self.bounds[last] {
            return LABEL_W + DAY_W * last as i32;
        }
        let d = self.bounds.partition_point(|&b| b <= t) - 1;
        let (a, b) = (self.bounds[d], self.bounds[d + 1]);
        LABEL_W + DAY_W * d as i32 + ((t - a) * i64::from(DAY_W) / (b - a).max(1)) as i32
    }

    fn span(&self) -> Interval {
        Interval {
            start: self.bounds[0],
            end: self.bounds[self.bounds.len() - 1],
        }
    }

    /// The whole days an interval touches, as one interval.
    fn days_of(&self, i: Interval) -> Interval {
        let d = self
            .bounds
            .partition_point(|&b| b <= i.start)
            .saturating_sub(1);
        let e = self
            .bounds
            .partition_point(|&b| b < i.end)
            .min(self.bounds.len() - 1);
        Interval {
            start: self.bounds[d],
            end: self.bounds[e],
        }
    }
}

/// The occurrences of the periods of `kind` that apply to `system`,
/// merged and clipped to the view; coarsened to whole days beyond
/// [`SHADES_PER_LANE`]. `long`: only those of a day or more.
fn shading(
    plan: &Plan,
    scale: &Scale,
    system: usize,
    kind: PeriodKind,
    long: bool,
) -> Vec<Interval> {
    let model = &plan.checked.model;
    let span = scale.span();
    let mut list: Vec<Interval> = Vec::new();
    for (p, period) in model.periods.iter().enumerate() {
        if period.kind != kind || !plan.checked.facts.calendar.applies(p, system) {
            continue;
        }
        let all = &plan.occurrences[p];
        let a = all.partition_point(|o| o.end <= span.start);
        list.extend(
            all[a..]
                .iter()
                .take_while(|o| o.start < span.end)
                .filter(|o| !long || o.end - o.start >= 86_400)
                .map(|o| Interval {
                    start: o.start.max(span.start),
                    end: o.end.min(span.end),
                }),
        );
    }
    let mut merged = merge(list);
    if merged.len() > SHADES_PER_LANE {
        merged = merge(merged.into_iter().map(|i| scale.days_of(i)).collect());
    }
    merged
}

fn merge(mut list: Vec<Interval>) -> Vec<Interval> {
    list.sort_unstable();
    let mut out: Vec<Interval> = Vec::new();
    for i in list {
        match out.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => out.push(i),
        }
    }
    out
}

/// The lanes of a timeline of the phases `items` (of `plan.phases`): the
/// first [`LANES`] of every changed or impacted system, changed ones
/// first, then by criticality and id, each with whether a phase in view
/// changes it; and how many there are in all. The impacts are joined as
/// sets (a word per 64 systems for a large one), and only the lanes drawn
/// are put in order: the systems a month's phases impact can be most of
/// the plan.
fn lanes(plan: &Plan, items: &[usize]) -> (Vec<(usize, bool)>, usize) {
    let model = &plan.checked.model;
    let mut changed: Vec<usize> = Vec::new();
    let mut touched = fixedbitset::FixedBitSet::with_capacity(model.systems.len());
    let mut last_change = None;
    for &i in items {
        let p = &plan.phases[i];
        let facts = &plan.checked.facts.changes[p.change];
        changed.extend_from_slice(&facts.phases[p.phase].systems);
        if last_change != Some(p.change) {
            facts.impact.add_to(&mut touched);
            last_change = Some(p.change);
        }
    }
    changed.sort_unstable();
    changed.dedup();
    for &s in &changed {
        touched.insert(s);
    }
    let lane_count = touched.count_ones(..);
    let mut lanes: Vec<(usize, bool)> = changed.iter().map(|&s| (s, true)).collect();
    lanes.sort_by(|a, b| {
        let (sa, sb) = (&model.systems[a.0], &model.systems[b.0]);
        (std::cmp::Reverse(sa.criticality.value), &sa.id.value)
            .cmp(&(std::cmp::Reverse(sb.criticality.value), &sb.id.value))
    });
    lanes.truncate(LANES);
    let mut rest = plan.lane_order.iter().copied();
    while lanes.len() < LANES.min(lane_count) {
        let Some(s) = rest.next() else { break };
        if touched.contains(s) && changed.binary_search(&s).is_err() {
            lanes.push((s, false));
        }
    }
    (lanes, lane_count)
}

/// The timeline of `weeks` weeks from Monday `first`, for a page at `root`.
pub fn svg(plan: &Plan, first: Date, weeks: usize, root: &str, title: &str) -> String {
    let model = &plan.checked.model;
    let days = (weeks.max(1) * 7) as i64;
    let scale = Scale {
        bounds: (0..=days)
            .map(|d| {
                plan.midnight(
                    first
                        .checked_add(jiff::Span::new().days(d))
                        .unwrap_or(first),
                )
            })
            .collect(),
    };
    let span = scale.span();
    // Phases in view of changes that are not cancelled.
    let items: Vec<usize> = (0..plan.phases.len())
        .filter(|&i| {
            let p = &plan.phases[i];
            p.interval.overlaps(span) && model.changes[p.change].status.value != Status::Cancelled
        })
        .collect();
    let (lanes, lane_count) = lanes(plan, &items);
    let more_lanes = lane_count.saturating_sub(LANES);

    let width = LABEL_W + DAY_W * days as i32 + 10;
    let height = HEAD + LANE_H * lanes.len().max(1) as i32 + FOOT;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="tl-title tl-desc" font-family="{FONTS}" font-size="12">"#
    );
    let _ = write!(
        out,
        r#"<title id="tl-title">{}</title><desc id="tl-desc">{} lanes, one per system changed or impacted, over {weeks} weeks from {first}{}; bars are the phases of changes, linked to them; green shading: windows; red bands: freezes; amber: peaks of a day or more. The legend is below the figure.</desc>"#,
        escape(title),
        lanes.len(),
        if more_lanes > 0 {
            format!(" ({more_lanes} more systems not drawn)")
        } else {
            String::new()
        }
    );
    // Weeks: shaded every other week, a label on each Monday, the month
    // where it starts.
    for w in 0..weeks.max(1) {
        let x = LABEL_W + DAY_W * 7 * w as i32;
        let monday = first
            .checked_add(jiff::Span::new().weeks(w as i64))
            .unwrap_or(first);
        if w % 2 == 1 {
            let _ = write!(
                out,
                r##"<rect x="{x}" y="{HEAD}" width="{}" height="{}" fill="#f4f6f8"/>"##,
                DAY_W * 7,
                LANE_H * lanes.len().max(1) as i32
            );
        }
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" fill="#4a5361">W{} · {}</text>"##,
            x + 2,
            HEAD - 6,
            monday.iso_week_date().week(),
            monday.strftime("%-d %b")
        );
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#d0d5dc"/>"##,
            HEAD - 18,
            HEAD + LANE_H * lanes.len().max(1) as i32
        );
        for d in 0..7 {
            let date = monday
                .checked_add(jiff::Span::new().days(d))
                .unwrap_or(monday);
            // The month where it starts, and at the left edge unless a
            // month starts within the first week.
            // At the left edge, only when the name fits before the next
            // month's: "November 2026" would run into "December 2026".
            let label = date.strftime("%B %Y").to_string();
            let room = (date.last_of_month() - date).get_days() + 1;
            let opening = w == 0
                && d == 0
                && date.day() != 1
                && DAY_W * room >= crate::site::svg::text_px(&label, 12, true) + 16;
            if date.day() == 1 || opening {
                let _ = write!(
                    out,
                    r##"<text x="{}" y="{}" font-weight="700" fill="#1b1f24">{}</text>"##,
                    x + DAY_W * d + 2,
                    HEAD - 24,
                    escape(&label)
                );
            }
        }
    }
    for (row, &(s, changed)) in lanes.iter().enumerate() {
        let system = &model.systems[s];
        let y = HEAD + LANE_H * row as i32;
        let _ = write!(
            out,
            r##"<line x1="0" y1="{}" x2="{width}" y2="{}" stroke="#e3e7ec"/>"##,
            y + LANE_H,
            y + LANE_H
        );
        let label = format!(
            "{}{}",
            system.id.value,
            if changed { "" } else { " (impacted)" }
        );
        let _ = write!(
            out,
            r##"<a href="{root}systems/{}.html"><text x="4" y="{}" fill="{}"{}>{}</text></a>"##,
            escape(&slug(&system.id.value)),
            y + LANE_H / 2 + 4,
            if changed { "#1b1f24" } else { "#4a5361" },
            if changed { r#" font-weight="700""# } else { "" },
            escape(&fit(&label, 12, LABEL_W - 10, changed))
        );
        // Each kind of shading as one path of rectangles: compact.
        let band = |out: &mut String, list: &[Interval], fill: &str, top: i32, h: i32| {
            if list.is_empty() {
                return;
            }
            let mut d = String::new();
            for i in list {
                let (x1, x2) = (scale.x(i.start), scale.x(i.end));
                let w = (x2 - x1).max(1);
                let _ = write!(d, "M{x1} {}h{w}v{h}h-{w}z", y + top);
            }
            let _ = write!(out, r#"<path d="{d}" fill="{fill}"/>"#);
        };
        band(
            &mut out,
            &shading(plan, &scale, s, PeriodKind::Window, false),
            "#cfe9d6",
            2,
            LANE_H - 4,
        );
        band(
            &mut out,
            &shading(plan, &scale, s, PeriodKind::Peak, true),
            "#f5dca8",
            LANE_H - 7,
            5,
        );
        band(
            &mut out,
            &shading(plan, &scale, s, PeriodKind::Freeze, false),
            "#f0b8ba",
            2,
            LANE_H - 4,
        );
        // Bars: phases that change it, then those that impact it.
        let mut bars: Vec<(usize, bool)> = items
            .iter()
            .filter_map(|&i| {
                let p = &plan.phases[i];
                let facts = &plan.checked.facts.changes[p.change];
                if facts.phases[p.phase].systems.binary_search(&s).is_ok() {
                    Some((i, true))
                } else if facts.impact.contains(s) {
                    Some((i, false))
                } else {
                    None
                }
            })
            .collect();
        bars.sort_by_key(|&(i, changed)| (!changed, plan.phases[i].interval.start));
        bars.truncate(BARS_PER_LANE);
        bars.sort_by_key(|&(i, changed)| (plan.phases[i].interval.start, !changed));
        // A changed bar is labelled with its change where the label fits
        // before the next bar.
        let starts: Vec<i32> = bars
            .iter()
            .map(|&(i, _)| scale.x(plan.phases[i].interval.start))
            .collect();
        let mut free_from = 0;
        for (k, (i, changes_it)) in bars.into_iter().enumerate() {
            let p = &plan.phases[i];
            let change = &model.changes[p.change];
            let (fill, stroke) = colours(p.level, changes_it);
            let (x1, x2) = (scale.x(p.interval.start), scale.x(p.interval.end));
            let at = |t: i64| crate::base::time::at_second(t, &plan.tz);
            let tip = format!(
                "{} – {}: {} to {}{}{}",
                change.id.value,
                change.phases[p.phase].name,
                at(p.interval.start).strftime("%a %Y-%m-%d %H:%M"),
                at(p.interval.end).strftime("%H:%M %Z"),
                if changes_it { "" } else { " (impacts it)" },
                match p.level {
                    Some(level) => format!(", {level}s"),
                    None => String::new(),
                }
            );
            let _ = write!(
                out,
                r#"<a href="{root}changes/{}/index.html" class="bar" data-change="{}" data-phase="{}"><title>{}</title><rect x="{x1}" y="{}" width="{}" height="{BAR_H}" rx="2" fill="{fill}" stroke="{stroke}"/></a>"#,
                escape(&slug(&change.id.value)),
                escape(&change.id.value),
                p.phase + 1,
                escape(&tip),
                y + (LANE_H - BAR_H) / 2,
                (x2 - x1).max(4),
            );
            let text_x = x1 + (x2 - x1).max(4) + 3;
            let room = starts.get(k + 1).map_or(width, |&next| next) - text_x - 2;
            let label = &change.id.value;
            if changes_it
                && text_x >= free_from
                && crate::site::svg::text_px(label, 10, false) <= room
            {
                let _ = write!(
                    out,
                    r##"<text x="{text_x}" y="{}" font-size="10" fill="#1b1f24">{}</text>"##,
                    y + LANE_H / 2 + 4,
                    escape(label)
                );
                free_from = text_x + crate::site::svg::text_px(label, 10, false) + 4;
            }
        }
    }
    // The as-of date.
    let today = plan.midnight(plan.today);
    if span.start <= today && today < span.end {
        let x = scale.x(today);
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#1b1f24" stroke-width="2" stroke-dasharray="4 3"/><text x="{}" y="{}" fill="#1b1f24">as of {}</text>"##,
            HEAD,
            HEAD + LANE_H * lanes.len().max(1) as i32 + 4,
            x + 3,
            HEAD + LANE_H * lanes.len().max(1) as i32 + 16,
            plan.today
        );
    }
    if lanes.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{LABEL_W}" y="{}" fill="#4a5361">No phases in these weeks.</text>"##,
            HEAD + LANE_H / 2 + 4
        );
    }
    let y = HEAD + LANE_H * lanes.len().max(1) as i32 + 34;
    if more_lanes > 0 {
        let _ = write!(
            out,
            r##"<text x="4" y="{}" fill="#4a5361">and {more_lanes} more systems, not drawn: see the month pages' lists of phases</text>"##,
            y
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lanes as every changed or impacted system marked, all ordered,
    /// then cut: what [`lanes`] must give.
    fn lanes_by_roles(plan: &Plan, items: &[usize]) -> (Vec<(usize, bool)>, usize) {
        let model = &plan.checked.model;
        let mut role: Vec<Option<bool>> = vec![None; model.systems.len()];
        for &i in items {
            let p = &plan.phases[i];
            let facts = &plan.checked.facts.changes[p.change];
            for &s in &facts.phases[p.phase].systems {
                role[s] = Some(true);
            }
            for s in facts.impact.systems() {
                role[s].get_or_insert(false);
            }
        }
        let mut lanes: Vec<(usize, bool)> = role
            .iter()
            .enumerate()
            .filter_map(|(s, r)| r.map(|changed| (s, changed)))
            .collect();
        lanes.sort_by(|a, b| {
            let (sa, sb) = (&model.systems[a.0], &model.systems[b.0]);
            (!a.1, std::cmp::Reverse(sa.criticality.value), &sa.id.value).cmp(&(
                !b.1,
                std::cmp::Reverse(sb.criticality.value),
                &sb.id.value,
            ))
        });
        let count = lanes.len();
        lanes.truncate(LANES);
        (lanes, count)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// The lanes of any set of phases in view are the first of all
        /// their systems in order, and their count is all of them.
        #[test]
        fn lanes_are_the_first_of_every_system_in_view(
            crit in proptest::collection::vec(0usize..4, 60..200),
            provider in proptest::collection::vec(0usize..8, 200),
            changes in proptest::collection::vec(
                proptest::collection::vec(0usize..200, 1..30), 1..12),
            keep in proptest::collection::vec(any::<bool>(), 12),
        ) {
            let text = crate::site::test_support::inventory(&crit, &provider, &changes);
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("inv.toml"), text).unwrap();
            let checked = crate::check::check(dir.path(), jiff::civil::date(2026, 11, 24)).unwrap();
            let plan = Plan::new(&checked);
            let all: Vec<usize> = (0..plan.phases.len()).collect();
            let some: Vec<usize> = all.iter().copied().filter(|&i| keep[i % keep.len()]).collect();
            prop_assert!(!all.is_empty());
            for items in [&all, &some] {
                prop_assert_eq!(lanes(&plan, items), lanes_by_roles(&plan, items));
            }
        }
    }
}
