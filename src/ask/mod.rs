//! Answers from the calendar: `cutover gate` (may this change now, for this
//! long?) and `cutover slots` (when can it?), with their human, JSON and
//! GitHub forms.
//!
//! Both answer from a check of the inventory (the same load, facts and
//! `[rules]` overrides as `cutover check`) through an
//! [`analysis::probe::Probe`](crate::analysis::probe::Probe), which runs
//! the check's own schedule rules on the asked change moved in time. A
//! question about systems rather than a change becomes a change added to
//! the model for the question: one phase on those systems, proposed.

pub mod gate;
pub mod reasons;
pub mod render;
pub mod slots;

use std::borrow::Cow;

use jiff::tz::TimeZone;
use jiff::{Timestamp, civil};

use crate::base::finding::closest;
use crate::base::source::{At, FileId, Loc};
use crate::base::time::resolve_local;
use crate::check::Checked;
use crate::model::{Change, DateTime, Duration, Model, Phase, Ref, Rollback, Status, slug};

/// Why a question has no answer (exit status 2).
#[derive(Debug)]
pub enum Unanswerable {
    /// The inventory has loading errors (located; in the check).
    Loading,
    /// The question names nothing, or something that does not exist.
    Question(String),
}

/// What is asked about, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    /// System ids (`--system`): the question is about a change on them.
    pub systems: Vec<String>,
    /// System tags (`--tag`): every system with one of them is added to
    /// `systems`.
    pub tags: Vec<String>,
    /// The id of a change of the inventory (`--change`); when given,
    /// `systems` and `tags` are not read.
    pub change: Option<String>,
    /// Overrides of the change's phase durations (all phases of a change,
    /// or the one phase of systems).
    pub duration: Option<Duration>,
    /// Override of the change's `rollback.time` (`--rollback`); without
    /// it a question about systems has no rollback.
    pub rollback: Option<Duration>,
}

/// A question made concrete: the model it runs on (the inventory's, or a
/// copy with the asked change added or its durations overridden) and the
/// change it is about.
pub struct Question<'c> {
    /// The check of the inventory: its facts, as-of date and findings.
    pub checked: &'c Checked,
    /// The model the question runs on: the check's own, or a copy with the
    /// asked change added or its durations overridden.
    pub model: Cow<'c, Model>,
    /// The asked change, in `model.changes`.
    pub ix: usize,
    /// A change added for the question (`--system`, `--tag`): it has no
    /// file, owner or announcement.
    pub hypothetical: bool,
    /// The zone answers are shown in: the change's, else the site's.
    pub tz: TimeZone,
}

/// A place for what the inventory does not hold (the asked change).
fn nowhere() -> Loc {
    Loc::new(FileId(u32::MAX), 0..0)
}

/// The id a question about systems gets in the rules' messages.
pub const ASKED_ID: &str = "(asked)";

impl<'c> Question<'c> {
    /// The question `asked` on a checked inventory; `at` places the phase
    /// of a question about systems (slots move it anyway).
    pub fn new(checked: &'c Checked, asked: &Asked, at: i64) -> Result<Question<'c>, Unanswerable> {
        if checked.has_loading_errors() {
            return Err(Unanswerable::Loading);
        }
        let model = &checked.model;
        if let Some(id) = &asked.change {
            let ix = find_change(model, id)?;
            let change = &model.changes[ix];
            if !change.status.value.is_active() {
                return Err(Unanswerable::Question(format!(
                    "`{}` is {}: only active changes (draft, proposed, approved, scheduled, in-progress) are planned, so there is nothing to ask",
                    change.id.value,
                    change.status.value.name()
                )));
            }
            let mut model = Cow::Borrowed(model);
            if asked.duration.is_some() || asked.rollback.is_some() {
                let change = &mut model.to_mut().changes[ix];
                if let Some(d) = asked.duration {
                    for phase in &mut change.phases {
                        phase.duration.value = d;
                    }
                }
                if let Some(r) = asked.rollback {
                    set_rollback(change, r);
                }
            }
            let tz = zone_of(&model, ix);
            return Ok(Question {
                checked,
                model,
                ix,
                hypothetical: false,
                tz,
            });
        }
        let systems = asked_systems(model, &asked.systems, &asked.tags)?;
        let mut model = model.clone();
        let ix = model.changes.len();
        model.changes.push(hypothetical(
            &model,
            &systems,
            at,
            asked.duration.unwrap_or_default(),
            asked.rollback,
        ));
        let tz = model.config.site.timezone.tz.clone();
        Ok(Question {
            checked,
            model: Cow::Owned(model),
            ix,
            hypothetical: true,
            tz,
        })
    }

    /// The asked change (in [`Question::model`]).
    pub fn change(&self) -> &Change {
        &self.model.changes[self.ix]
    }

    /// "phase \"x\" of `CHG-1`", or "`erp`, `sso`" for systems.
    pub fn label(&self, phase: usize) -> String {
        let change = self.change();
        if self.hypothetical {
            change.phases[phase]
                .systems
                .iter()
                .map(|s| format!("`{}`", s.id.value))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!(
                "phase \"{}\" of `{}`",
                change.phases[phase].name, change.id.value
            )
        }
    }

    /// The rollback time the question uses.
    pub fn rollback(&self) -> Duration {
        self.change()
            .rollback
            .as_ref()
            .and_then(|r| r.time.as_ref())
            .map(|t| t.value)
            .unwrap_or_default()
    }
}

fn find_change(model: &Model, id: &str) -> Result<usize, Unanswerable> {
    let wanted = slug(id);
    model
        .changes
        .iter()
        .position(|c| slug(&c.id.value) == wanted)
        .ok_or_else(|| {
            let close = closest(id, model.changes.iter().map(|c| c.id.value.as_str()))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            Unanswerable::Question(format!("no change has the id `{id}`{close}"))
        })
}

/// Systems named or tagged, by index, sorted.
fn asked_systems(
    model: &Model,
    ids: &[String],
    tags: &[String],
) -> Result<Vec<usize>, Unanswerable> {
    if ids.is_empty() && tags.is_empty() {
        return Err(Unanswerable::Question(
            "ask about a change (--change ID) or systems (--system ID, --tag TAG)".into(),
        ));
    }
    let mut systems = Vec::new();
    for id in ids {
        let wanted = slug(id);
        match model
            .systems
            .iter()
            .position(|s| slug(&s.id.value) == wanted)
        {
            Some(ix) => systems.push(ix),
            None => {
                let close = closest(id, model.systems.iter().map(|s| s.id.value.as_str()))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return Err(Unanswerable::Question(format!(
                    "no system has the id `{id}`{close}"
                )));
            }
        }
    }
    for tag in tags {
        let tagged: Vec<usize> = (0..model.systems.len())
            .filter(|&s| model.systems[s].tags.iter().any(|t| t == tag))
            .collect();
        if tagged.is_empty() {
            let mut known: Vec<&str> = model
                .systems
                .iter()
                .flat_map(|s| s.tags.iter().map(String::as_str))
                .collect();
            known.sort_unstable();
            known.dedup();
            let close = closest(tag, known)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(Unanswerable::Question(format!(
                "no system has the tag `{tag}`{close}"
            )));
        }
        systems.extend(tagged);
    }
    systems.sort_unstable();
    systems.dedup();
    Ok(systems)
}

fn set_rollback(change: &mut Change, time: Duration) {
    let time = Some(At::new(time, nowhere()));
    match &mut change.rollback {
        Some(rollback) => rollback.time = time,
        None => {
            change.rollback = Some(Rollback {
                steps: Vec::new(),
                time,
                triggers: Vec::new(),
                owner: None,
                switch_back: None,
                point_of_no_return: None,
                loc: nowhere(),
            })
        }
    }
}

/// The change a question about systems stands for: one phase at `at` on
/// `systems`, lasting `duration`, proposed, owned by nobody.
fn hypothetical(
    model: &Model,
    systems: &[usize],
    at: i64,
    duration: Duration,
    rollback: Option<Duration>,
) -> Change {
    let refs: Vec<Ref<crate::model::System>> = systems
        .iter()
        .map(|&s| {
            let mut r = Ref::new(At::new(model.systems[s].id.value.clone(), nowhere()));
            r.ix = s;
            r
        })
        .collect();
    let name = systems
        .iter()
        .map(|&s| model.systems[s].id.value.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut change = Change {
        id: At::new(ASKED_ID.to_string(), nowhere()),
        title: format!("work on {name}"),
        // Resolved to no team: it is never double-booked.
        owner: Ref::new(At::new("(nobody)".to_string(), nowhere())),
        status: At::new(Status::Proposed, nowhere()),
        systems: refs.clone(),
        timezone: None,
        summary: String::new(),
        why: String::new(),
        impact: None,
        downtime: None,
        announced: None,
        approvals: Vec::new(),
        phases: vec![Phase {
            name,
            start: At::new(DateTime::Offset(instant(at)), nowhere()),
            duration: At::new(duration, nowhere()),
            systems: refs,
            audiences: Vec::new(),
            steps: Vec::new(),
            checks: Vec::new(),
            loc: nowhere(),
        }],
        backup: None,
        rollback: None,
        testing: None,
        compat: Vec::new(),
        monitoring: None,
        communication: None,
        outcome: None,
        loc: nowhere(),
    };
    if let Some(r) = rollback {
        set_rollback(&mut change, r);
    }
    change
}

/// The zone of change `ix`: its own, else the site's.
pub fn zone_of(model: &Model, ix: usize) -> TimeZone {
    model.changes[ix]
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
        .tz
        .clone()
}

/// The timestamp of `seconds` since the epoch (clamped).
pub fn instant(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::MIN)
}

/// Now, from the clock, in whole seconds.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

/// Reads `--at`/`--from`: an offset datetime (`2026-12-06T01:00:00Z`,
/// `2026-12-06T02:00:00+01:00`), a local datetime or date read in `tz`
/// (`2026-12-06T02:00`, `2026-12-06 02:00`, `2026-12-06` = midnight), or
/// `now`. Local times in a DST gap move forward, in a fold take the earlier
/// instant, as in the inventory.
///
/// The instant must fall in 1900–2999, the years the inventory accepts
/// (so that a search from it never leaves the calendar's range), and an
/// offset must be at most 14 hours from UTC, as every zone on Earth is.
pub fn parse_instant(flag: &str, text: &str, tz: &TimeZone) -> Result<i64, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    if let Ok(pieces) = jiff::fmt::temporal::Pieces::parse(text)
        && let Some(offset) = pieces.offset()
        && offset.to_numeric_offset().seconds().abs() > MAX_OFFSET_SECONDS
    {
        return Err(format!(
            "{flag} `{text}` has an offset of more than 14 hours from UTC, which no zone has: write one between -12:00 and +14:00, such as 2026-12-06T02:00:00+01:00"
        ));
    }
    let seconds = if let Ok(ts) = text.parse::<Timestamp>() {
        ts.as_second()
    } else if let Ok(zoned) = text.parse::<jiff::ZonedDateTime>() {
        zoned.timestamp().as_second()
    } else if let Ok(local) = text.parse::<civil::DateTime>() {
        resolve_local(tz, local).timestamp().as_second()
    } else if let Ok(date) = text.parse::<civil::Date>() {
        crate::base::time::day_start(date, tz)
            .timestamp()
            .as_second()
    } else {
        return Err(format!(
            "{flag} `{text}` is not a datetime: write 2026-12-06T02:00:00+01:00 or 2026-12-06T01:00:00Z (an instant), 2026-12-06T02:00 (local time in the site's zone), or now"
        ));
    };
    if !(EARLIEST..LATEST).contains(&seconds) {
        return Err(format!(
            "{flag} `{text}` is out of range: write a datetime between 1900-01-01 and 2999-12-31, the years the inventory accepts"
        ));
    }
    Ok(seconds)
}

/// 1900-01-01T00:00:00Z and 3000-01-01T00:00:00Z, in seconds since the
/// Unix epoch: the range of `--at` and `--from`.
const EARLIEST: i64 = -2_208_988_800;
const LATEST: i64 = 32_503_680_000;

/// The largest offset from UTC `--at` and `--from` accept (14 hours).
const MAX_OFFSET_SECONDS: i32 = 14 * 3600;

/// Reads a duration flag the way the inventory reads durations.
pub fn parse_duration(flag: &str, text: &str) -> Result<Duration, String> {
    Duration::parse(text).map_err(|e| format!("{flag} {e}; {}", crate::model::time::DURATION_FORM))
}
