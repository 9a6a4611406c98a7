//! Analysis stage: facts derived from the model (phase instants, impact,
//! the expanded calendar over the planning horizon) and the plan rules that
//! use them. Runs only on a model that loaded without errors, so every
//! reference is resolved.

pub mod calendar;
pub mod impact;
pub mod probe;
pub mod rules;
pub mod score;

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::base::Finding;
use crate::base::time::Interval;
use crate::base::time::resolve_local;
use crate::model::{DateTime, Model};
pub use calendar::{Calendar, PlanningHorizon};
pub use impact::{Impact, Paths};

/// A phase placed in time.
#[derive(Debug, Clone)]
pub struct PhaseTime {
    /// The start, in the change's zone.
    pub start: ZonedDateTime,
    /// The end (start plus duration), in the change's zone.
    pub end: ZonedDateTime,
    /// The same span as instants, in seconds since the epoch.
    pub interval: Interval,
    /// Changed systems of the phase (indices, sorted).
    pub systems: Vec<usize>,
}

/// What the analysis knows about one change.
#[derive(Debug, Clone)]
pub struct ChangeFacts {
    /// The zone its local datetimes are read in.
    pub tz: TimeZone,
    /// Its phases, in written order (parallel to `change.phases`).
    pub phases: Vec<PhaseTime>,
    /// Changed systems: the union over phases (indices, sorted).
    pub changed: Vec<usize>,
    /// Who the change impacts, through critical integrations.
    pub impact: Impact,
}

impl ChangeFacts {
    /// Indices of its phases in start order (ties by written order).
    pub fn phase_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.phases.len()).collect();
        order.sort_by_key(|&i| (self.phases[i].interval.start, i));
        order
    }

    /// The earliest phase start; `None` when the change has no phases.
    pub fn first_start(&self) -> Option<&ZonedDateTime> {
        self.phases
            .iter()
            .map(|p| &p.start)
            .min_by_key(|z| z.timestamp())
    }

    /// The latest phase end; `None` when the change has no phases.
    pub fn last_end(&self) -> Option<&ZonedDateTime> {
        self.phases
            .iter()
            .map(|p| &p.end)
            .max_by_key(|z| z.timestamp())
    }
}

/// Everything the analysis derived, for reports, pages and commands.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Parallel to `model.changes`.
    pub changes: Vec<ChangeFacts>,
    /// The planning horizon: from midnight of the as-of date (site zone)
    /// to the latest end of an active phase, at least 8 weeks, at most two
    /// years. [`Facts::calendar`] holds every occurrence overlapping it.
    pub horizon: PlanningHorizon,
    /// Occurrences of every period and batch run over the horizon and
    /// around every active phase, and the scope of every period.
    pub calendar: Calendar,
    /// Per system, its place in the order of system ids, ties in written
    /// order ([`rules::system_rank`]): ids compared as numbers by the rules,
    /// the reports and the pages. Empty when the plan was not analysed.
    pub system_rank: std::sync::Arc<[u32]>,
}

/// A zone for each change: its own, else the site's.
fn change_zone(model: &Model, ix: usize) -> TimeZone {
    model.changes[ix]
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
        .tz
        .clone()
}

/// The facts of change `ix`: its phases placed in time (the rules on DST
/// gaps and folds are in `rules/time.rs`), its changed systems and its
/// impact. `analyse` runs it on every change; a probe on a change added
/// for a question (`probe.rs`).
pub fn change_facts(
    model: &Model,
    ix: usize,
    graph: &std::sync::Arc<impact::Graph>,
) -> ChangeFacts {
    let change = &model.changes[ix];
    let tz = change_zone(model, ix);
    let phases: Vec<PhaseTime> = change
        .phases
        .iter()
        .map(|phase| {
            let start = match phase.start.value {
                DateTime::Offset(ts) => ts.to_zoned_datetime(tz.clone()),
                DateTime::Local(local) => resolve_local(&tz, local),
            };
            let end = phase.duration.value.after(&start);
            let mut systems: Vec<usize> = phase.systems.iter().map(|r| r.ix).collect();
            systems.sort_unstable();
            systems.dedup();
            PhaseTime {
                interval: Interval {
                    start: start.timestamp().as_second(),
                    end: end.timestamp().as_second(),
                },
                start,
                end,
                systems,
            }
        })
        .collect();
    let mut changed: Vec<usize> = phases
        .iter()
        .flat_map(|p| p.systems.iter().copied())
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let impact = graph.impact(&changed);
    ChangeFacts {
        tz,
        phases,
        changed,
        impact,
    }
}

/// Derives the facts of every change and runs every plan rule.
pub fn analyse(model: &Model, as_of: Date) -> (Facts, Vec<Finding>) {
    let t = crate::base::timings::start("impact");
    let graph = impact::Graph::new(model);
    let changes: Vec<ChangeFacts> = (0..model.changes.len())
        .into_par_iter()
        .map(|ix| change_facts(model, ix, &graph))
        .collect();
    t.end();
    let t = crate::base::timings::start("horizon and calendar");
    let horizon = PlanningHorizon::new(model, &changes, as_of);
    let calendar = Calendar::new(model, &changes, &horizon);
    t.end();
    let facts = Facts {
        changes,
        horizon,
        calendar,
        system_rank: rules::system_rank(model),
    };
    let mut findings = Vec::new();
    let t = crate::base::timings::start("context");
    let cx = rules::Ctx::new(model, &facts, as_of);
    t.end();
    let t = crate::base::timings::start("rules");
    rules::run(&cx, &mut findings);
    t.end();
    (facts, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Rule, Subject};

    fn analysed(root: &std::path::Path) -> (Model, Vec<Finding>) {
        let loaded = crate::inventory::load(root).unwrap();
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let (_, findings) = analyse(&loaded.model, Date::constant(2026, 11, 24));
        (loaded.model, findings)
    }

    /// The rules and the change facts run on every core; the findings come
    /// out the same, in the same order, on one thread or many.
    #[test]
    fn findings_do_not_depend_on_the_thread_count() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory");
        let loaded = crate::inventory::load(&root).unwrap();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (_, findings) =
                pool.install(|| analyse(&loaded.model, Date::constant(2026, 11, 24)));
            findings
                .iter()
                .map(|f| {
                    (
                        f.rule,
                        f.message.clone(),
                        f.subject_refs().collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let one = on(1);
        assert!(one.len() > 20, "{}", one.len());
        assert_eq!(one, on(4));
        assert_eq!(one, on(7));
    }

    /// Every plan finding of a change names it first, and the findings
    /// located at a phase's start are exactly those about that phase (what
    /// pages used to match by source offset), except the rules of a
    /// change's own timeline, which are also about the other phase they
    /// measure from (`phase-overlap`, `short-soak`) or the first phase
    /// (`short-notice`, located at `announced`).
    #[test]
    fn typed_subjects_agree_with_change_ids_and_phase_locations() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory");
        let (model, findings) = analysed(&root);
        assert!(findings.len() > 20, "{}", findings.len());
        let mut on_phases = 0;
        for finding in &findings {
            if let Some(id) = &finding.change {
                let ix = model
                    .changes
                    .iter()
                    .position(|c| &c.id.value == id)
                    .unwrap();
                assert_eq!(
                    finding.first_subject(),
                    Some(Subject::Change(ix)),
                    "{finding:?}"
                );
            }
            for (c, change) in model.changes.iter().enumerate() {
                for (p, phase) in change.phases.iter().enumerate() {
                    let about = finding.is_about(Subject::Phase {
                        change: c,
                        phase: p,
                    });
                    let own_timeline = matches!(
                        finding.rule,
                        Rule::PhaseOverlap | Rule::ShortSoak | Rule::ShortNotice
                    );
                    if own_timeline {
                        assert!(about || finding.loc != phase.start.loc, "{finding:?}");
                    } else {
                        assert_eq!(about, finding.loc == phase.start.loc, "{finding:?}");
                    }
                    on_phases += usize::from(about);
                }
            }
            assert!(finding.subject_refs().len() > 0, "{finding:?}");
        }
        assert!(on_phases > 5, "{on_phases}");
    }

    fn inventory(start: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("inv.toml"),
            format!(
                "[[team]]\nid = \"t\"\nname = \"T\"\n\
                 [[system]]\nid = \"s\"\nname = \"S\"\nowner = \"t\"\ncriticality = \"low\"\n\
                 [[change]]\nid = \"c\"\ntitle = \"C\"\nowner = \"t\"\nstatus = \"proposed\"\n\
                 systems = [\"s\"]\nsummary = \"s\"\nwhy = \"w\"\ntimezone = \"Europe/Berlin\"\n\
                 [[change.phase]]\nname = \"a\"\nstart = 2026-03-01T01:00:00\nduration = \"1h\"\n\
                 [[change.phase]]\nname = \"b\"\nstart = {start}\nduration = \"1h\"\n"
            ),
        )
        .unwrap();
        dir
    }

    #[test]
    fn nonexistent_local_time_is_about_its_phase() {
        let dir = inventory("2026-03-29T02:30:00");
        let (_, findings) = analysed(dir.path());
        let gap: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == Rule::NonexistentLocalTime)
            .collect();
        assert_eq!(gap.len(), 1);
        assert_eq!(
            gap[0].subject_refs().collect::<Vec<_>>(),
            [
                Subject::Change(0),
                Subject::Phase {
                    change: 0,
                    phase: 1
                }
            ]
        );
        // Near miss: an hour later the time exists.
        let dir = inventory("2026-03-29T03:30:00");
        let (_, findings) = analysed(dir.path());
        assert!(
            !findings
                .iter()
                .any(|f| f.rule == Rule::NonexistentLocalTime)
        );
    }
}
