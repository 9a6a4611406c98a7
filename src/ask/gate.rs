//! `cutover gate`: may the asked phase start at `at`? The answer is the
//! check's: `closed` when a schedule rule reports an error on the phase
//! moved to `at` (after `[rules]` overrides), `open with warnings` when
//! one reports a warning, `open` otherwise. `until` is where that answer
//! changes, found by evaluating only the calendar's turning points after
//! `at` (see [`Probe::turning_points`]).

use crate::analysis::PhaseTime;
use crate::analysis::probe::{CHANGE_ONLY, Probe, Turns};
use crate::ask::Question;
use crate::ask::reasons::{self, Reason};
use crate::base::finding::apply_overrides;
use crate::base::time::Interval;
use crate::base::{Finding, Level};
use crate::model::Duration;

/// How far after `at` the gate looks for `until`.
pub const SEARCH_DAYS: i64 = 366;

/// The gate's answer, in the words of AWS Change Calendar and its kin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No schedule rule reports anything above info on the phase there.
    Open,
    /// A schedule rule reports a warning, none an error.
    OpenWithWarnings,
    /// A schedule rule reports an error (after `[rules]` overrides).
    Closed,
}

impl State {
    /// The state as `gate` prints it and `--format json` writes it:
    /// "open", "open with warnings" or "closed".
    pub fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::OpenWithWarnings => "open with warnings",
            State::Closed => "closed",
        }
    }

    /// Whether a deploy may go ahead: open, or open with warnings unless
    /// warnings are denied.
    pub fn passes(self, deny_warnings: bool) -> bool {
        match self {
            State::Open => true,
            State::OpenWithWarnings => !deny_warnings,
            State::Closed => false,
        }
    }

    fn of(findings: &[Finding]) -> State {
        if findings.iter().any(|f| f.level == Level::Error) {
            State::Closed
        } else if findings.iter().any(|f| f.level == Level::Warning) {
            State::OpenWithWarnings
        } else {
            State::Open
        }
    }
}

/// What the gate checks: the phase from `start` to `phase_end`, and its
/// rollback to `end`.
#[derive(Debug, Clone, Copy)]
pub struct Runway {
    /// Seconds since the Unix epoch (UTC) at which the runway starts: the
    /// asked `at`.
    pub start: i64,
    /// Seconds since the Unix epoch (UTC) at which the phase ends and its
    /// rollback begins (`start` itself for a phase of no duration).
    pub phase_end: i64,
    /// Seconds since the Unix epoch (UTC) at which the rollback ends, and
    /// with it the runway (excluded).
    pub end: i64,
    /// How long the phase lasts (`--for`, else the phase's `duration`).
    pub duration: Duration,
    /// How long undoing it takes (`--rollback`, else the change's
    /// `rollback.time`; 0 for systems).
    pub rollback: Duration,
}

/// The gate's answer for one phase at one instant.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Open, open with warnings or closed.
    pub state: State,
    /// Whether a deploy may go ahead (the exit status).
    pub passes: bool,
    /// The asked start, in seconds since the Unix epoch (UTC).
    pub at: i64,
    /// The asked phase (index among the change's phases).
    pub phase: usize,
    /// The phase and its rollback placed at `at`.
    pub runway: Runway,
    /// Where the answer changes (see [`answer`]); `None` when it does not
    /// within [`SEARCH_DAYS`].
    pub until: Option<i64>,
    /// The end of the search for `until`, in seconds since the Unix epoch
    /// (UTC): [`SEARCH_DAYS`] after `at`.
    pub searched_to: i64,
    /// The findings of the schedule rules on the phase at `at`, each with
    /// what explains it; empty when nothing is reported.
    pub reasons: Vec<Reason>,
}

/// The phase a gate on a change asks about when none is named: the one
/// whose planned interval holds `at`, else the next one, else the last.
pub fn default_phase(question: &Question, at: i64) -> usize {
    let facts = &question.checked.facts.changes[question.ix];
    let order = facts.phase_order();
    if let Some(&p) = order
        .iter()
        .find(|&&p| facts.phases[p].interval.start <= at && at < facts.phases[p].interval.end)
    {
        return p;
    }
    if let Some(&p) = order.iter().find(|&&p| facts.phases[p].interval.start > at) {
        return p;
    }
    order.last().copied().unwrap_or(0)
}

/// The findings of the check's schedule rules on phase `p` placed as in
/// `phases`, with `[rules]` levels.
fn judged(probe: &mut Probe, phases: &[PhaseTime], p: usize) -> Vec<Finding> {
    let raw = probe.phase_findings(phases, p);
    apply_overrides(raw, &probe.model().config.rules)
}

/// Answers whether phase `p` of the question's change may start at `at`.
///
/// `until`, when open, is the latest start at which the phase still passes
/// (a phase of no duration: the instant it stops passing, such as a
/// window's end); when closed, the earliest start after `at` at which it
/// passes. With `deny_warnings`, warnings do not pass.
pub fn answer(question: &Question, p: usize, at: i64, deny_warnings: bool) -> Answer {
    let model = &*question.model;
    let skip: &[crate::base::Rule] = if question.hypothetical {
        CHANGE_ONLY
    } else {
        &[]
    };
    let day = 86_400;
    let span = Interval {
        start: at - day,
        end: at + (SEARCH_DAYS + 2) * day,
    };
    let mut probe = Probe::new(
        model,
        &question.checked.facts,
        question.ix,
        span,
        question.checked.as_of,
        skip,
    );
    let mut phases = probe.change().phases.clone();
    phases[p] = probe.place(p, at);
    let findings = judged(&mut probe, &phases, p);
    let state = State::of(&findings);
    let passes = state.passes(deny_warnings);
    let duration = model.changes[question.ix].phases[p].duration.value;
    let rollback = question.rollback();
    let searched_to = at + SEARCH_DAYS * day;
    let mut until = None;
    let mut trial = phases.clone();
    for t in probe.turning_points(&phases, p, at + 1, searched_to, Turns::Both) {
        trial[p] = probe.place(p, t);
        let now = State::of(&judged(&mut probe, &trial, p)).passes(deny_warnings);
        if now != passes {
            // Closing: the runway is checked on whole seconds and fits up
            // to the second before `t` (an instant is its first second, so
            // it stops fitting at `t` itself).
            until = Some(if passes && !duration.is_zero() {
                t - 1
            } else {
                t
            });
            break;
        }
    }
    let interval = phases[p].interval;
    // An instant's runway is its rollback alone.
    let phase_end = if duration.is_zero() {
        phases[p].start.clone()
    } else {
        phases[p].end.clone()
    };
    let rolled = rollback.after(&phase_end).timestamp().as_second();
    let reasons = findings
        .into_iter()
        .map(|f| reasons::explain(&probe, f, interval))
        .collect();
    Answer {
        state,
        passes,
        at,
        phase: p,
        runway: Runway {
            start: at,
            phase_end: phase_end.timestamp().as_second(),
            end: rolled,
            duration,
            rollback,
        },
        until,
        searched_to,
        reasons,
    }
}
