//! The forms of the answers of `gate` (human, JSON, GitHub workflow
//! commands) and `slots` (human, JSON). JSON times are RFC 3339: in the
//! answer's zone with its offset (`start`), and in UTC (`start_utc`).

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::ask::Question;
use crate::ask::gate::{Answer, State};
use crate::ask::reasons::{Occurrence, Reason};
use crate::ask::slots::Slots;
use crate::base::Finding;
use crate::base::source::Sources;
use crate::base::time::{Interval, at_second, moment};
use crate::report::ci::{escape, path};

/// RFC 3339 with the zone's offset: `2026-12-06T02:00:00+01:00`.
pub fn local(seconds: i64, tz: &TimeZone) -> String {
    at_second(seconds, tz)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// RFC 3339 in UTC: `2026-12-06T01:00:00Z`.
pub fn utc(seconds: i64) -> String {
    at_second(seconds, &TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn human(seconds: i64, tz: &TimeZone) -> String {
    moment(&at_second(seconds, tz))
}

#[derive(Serialize)]
struct Span {
    start: String,
    end: String,
    start_utc: String,
    end_utc: String,
}

fn span(interval: Interval, tz: &TimeZone) -> Span {
    Span {
        start: local(interval.start, tz),
        end: local(interval.end, tz),
        start_utc: utc(interval.start),
        end_utc: utc(interval.end),
    }
}

/// Where a finding of a change of the inventory is written.
#[derive(Serialize)]
struct Place<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

fn place<'a>(question: &Question, sources: &'a Sources, finding: &Finding) -> Option<Place<'a>> {
    if question.hypothetical {
        return None;
    }
    let file = sources.get(finding.loc.file);
    let (line, column) = file.line_column(finding.loc.span.start);
    Some(Place {
        file: &file.path,
        line,
        column,
    })
}

#[derive(Serialize)]
struct PathJson<'a> {
    system: &'a str,
    via: Vec<&'a str>,
    hops: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct ReasonJson<'a> {
    rule: &'static str,
    level: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    period: Option<&'a str>,
    integration: Option<&'a str>,
    change: Option<&'a str>,
    occurrences: Vec<Span>,
    systems: Vec<&'a str>,
    paths: Vec<PathJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    place: Option<Place<'a>>,
}

fn reason_json<'a>(question: &'a Question, reason: &'a Reason) -> ReasonJson<'a> {
    let model = &*question.model;
    let f = &reason.finding;
    ReasonJson {
        rule: f.rule.name(),
        level: f.level.name(),
        message: &f.message,
        help: f.help.as_deref(),
        period: reason.period.map(|w| model.periods[w].id.value.as_str()),
        integration: reason
            .integration
            .map(|i| model.integrations[i].id.value.as_str()),
        change: reason.other.map(|c| model.changes[c].id.value.as_str()),
        occurrences: reason
            .occurrences
            .iter()
            .map(|o| span(o.interval, &o.tz))
            .collect(),
        systems: reason
            .systems
            .iter()
            .map(|&s| model.systems[s].id.value.as_str())
            .collect(),
        paths: reason
            .paths
            .iter()
            .map(|p| PathJson {
                system: &model.systems[p.system].id.value,
                via: p
                    .chain
                    .iter()
                    .map(|&s| model.systems[s].id.value.as_str())
                    .collect(),
                hops: p.hops,
                text: &p.text,
            })
            .collect(),
        place: place(question, &question.checked.sources, f),
    }
}

#[derive(Serialize)]
struct AskedJson<'a> {
    change: Option<&'a str>,
    phase: Option<&'a str>,
    systems: Vec<&'a str>,
    zone: &'a str,
}

fn asked_json<'a>(question: &'a Question, phase: Option<usize>) -> AskedJson<'a> {
    let change = question.change();
    let systems: Vec<&str> = match phase {
        Some(p) => change.phases[p]
            .systems
            .iter()
            .map(|s| s.id.value.as_str())
            .collect(),
        None => question.model.changes[question.ix]
            .systems
            .iter()
            .map(|s| s.id.value.as_str())
            .collect(),
    };
    AskedJson {
        change: (!question.hypothetical).then_some(change.id.value.as_str()),
        phase: phase
            .filter(|_| !question.hypothetical)
            .map(|p| change.phases[p].name.as_str()),
        systems,
        zone: question.tz.iana_name().unwrap_or("UTC"),
    }
}

#[derive(Serialize)]
struct RunwayJson {
    start: String,
    end: String,
    start_utc: String,
    end_utc: String,
    /// The phase's end (without the rollback).
    phase_end: String,
    phase_end_utc: String,
    #[serde(rename = "for")]
    duration: String,
    rollback: String,
}

#[derive(Serialize)]
struct GateJson<'a> {
    version: u32,
    state: &'static str,
    passes: bool,
    at: String,
    at_utc: String,
    until: Option<String>,
    until_utc: Option<String>,
    /// "closes" (open: the latest start that passes) or "opens" (closed:
    /// the first start that passes).
    until_means: &'static str,
    /// How far `until` was searched.
    searched_to: String,
    asked: AskedJson<'a>,
    runway: RunwayJson,
    reasons: Vec<ReasonJson<'a>>,
}

/// `gate --format json`.
pub fn gate_json(question: &Question, answer: &Answer) -> String {
    let tz = &question.tz;
    let r = &answer.runway;
    let doc = GateJson {
        version: 1,
        state: answer.state.name(),
        passes: answer.passes,
        at: local(answer.at, tz),
        at_utc: utc(answer.at),
        until: answer.until.map(|u| local(u, tz)),
        until_utc: answer.until.map(utc),
        until_means: if answer.passes { "closes" } else { "opens" },
        searched_to: local(answer.searched_to, tz),
        asked: asked_json(question, Some(answer.phase)),
        runway: RunwayJson {
            start: local(r.start, tz),
            end: local(r.end, tz),
            start_utc: utc(r.start),
            end_utc: utc(r.end),
            phase_end: local(r.phase_end, tz),
            phase_end_utc: utc(r.phase_end),
            duration: r.duration.to_string(),
            rollback: r.rollback.to_string(),
        },
        reasons: answer
            .reasons
            .iter()
            .map(|reason| reason_json(question, reason))
            .collect(),
    };
    pretty(&doc)
}

fn pretty(doc: &impl Serialize) -> String {
    let mut text =
        serde_json::to_string_pretty(doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The sentence of `until` for people.
pub fn until_text(question: &Question, answer: &Answer) -> String {
    let tz = &question.tz;
    match (answer.until, answer.passes) {
        (Some(u), true) if answer.runway.duration.is_zero() => {
            format!("until {}: from then on it would not pass", human(u, tz))
        }
        (Some(u), true) => format!(
            "until {}: the latest start at which the runway still passes",
            human(u, tz)
        ),
        (Some(u), false) => format!(
            "until {}: the next start at which the whole runway passes",
            human(u, tz)
        ),
        (None, true) => format!(
            "and stays so at least until {}",
            human(answer.searched_to, tz)
        ),
        (None, false) => format!("and does not open before {}", human(answer.searched_to, tz)),
    }
}

fn occurrence_text(o: &Occurrence) -> String {
    format!(
        "{} to {}",
        human(o.interval.start, &o.tz),
        human(o.interval.end, &o.tz)
    )
}

/// `gate --format human`.
pub fn gate_human(question: &Question, answer: &Answer) -> String {
    let tz = &question.tz;
    let model = &*question.model;
    let r = &answer.runway;
    let mut out = format!(
        "{}: {} at {}\n",
        answer.state.name(),
        question.label(answer.phase),
        human(answer.at, tz)
    );
    let rollback = if r.rollback.is_zero() {
        String::new()
    } else {
        format!(" + {} rollback", r.rollback)
    };
    out.push_str(&format!(
        "  runway: {} to {} ({}{rollback})\n",
        human(r.start, tz),
        human(r.end, tz),
        r.duration
    ));
    out.push_str(&format!(
        "  {} {}\n",
        answer.state.name(),
        until_text(question, answer)
    ));
    for reason in &answer.reasons {
        let f = &reason.finding;
        out.push_str(&format!("\n{}[{}]: {}\n", f.level, f.rule, f.message));
        if let Some(place) = place(question, &question.checked.sources, f) {
            out.push_str(&format!(
                "  --> {}:{}:{}\n",
                place.file, place.line, place.column
            ));
        }
        let what = match (reason.period, reason.integration, reason.other) {
            (Some(w), _, _) => Some(format!("`{}`", model.periods[w].id.value)),
            (_, Some(i), _) => Some(format!("run of `{}`", model.integrations[i].id.value)),
            (_, _, Some(c)) => Some(format!("`{}`", model.changes[c].id.value)),
            _ => None,
        };
        for o in &reason.occurrences {
            out.push_str(&format!(
                "  {}: {}\n",
                what.as_deref().unwrap_or("occurrence"),
                occurrence_text(o)
            ));
        }
        for path in &reason.paths {
            out.push_str(&format!("  = {}\n", path.text));
        }
        if reason.more_paths > 0 {
            out.push_str(&format!(
                "  = and {} more impacted systems\n",
                reason.more_paths
            ));
        }
        if let Some(help) = &f.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}

/// `gate --format github`: one annotation per reason (at its line for a
/// change of the inventory), then the answer as a notice or an error.
pub fn gate_github(question: &Question, answer: &Answer, inventory: &str) -> String {
    let mut out = String::new();
    for reason in &answer.reasons {
        let f = &reason.finding;
        let command = match f.level {
            crate::base::Level::Error => "error",
            crate::base::Level::Warning => "warning",
            crate::base::Level::Info => "notice",
        };
        let mut message = f.message.clone();
        for path in &reason.paths {
            message.push('\n');
            message.push_str(&path.text);
        }
        let title = escape(&format!("cutover gate {}", f.rule), true);
        match place(question, &question.checked.sources, f) {
            Some(p) => out.push_str(&format!(
                "::{command} file={},line={},col={},title={title}::{}\n",
                escape(&path(inventory, p.file), true),
                p.line,
                p.column,
                escape(&message, false)
            )),
            None => out.push_str(&format!(
                "::{command} title={title}::{}\n",
                escape(&message, false)
            )),
        }
    }
    let command = if answer.passes { "notice" } else { "error" };
    let text = format!(
        "{} at {} {}",
        answer.state.name(),
        human(answer.at, &question.tz),
        until_text(question, answer)
    );
    out.push_str(&format!(
        "::{command} title={}::{}\n",
        escape(
            &format!("cutover gate: {}", question.label(answer.phase)),
            true
        ),
        escape(&text, false)
    ));
    out
}

/// The first line of an answer, for `--wait` messages.
pub fn state_line(question: &Question, answer: &Answer) -> String {
    format!(
        "{}: {} at {}",
        answer.state.name(),
        question.label(answer.phase),
        human(answer.at, &question.tz)
    )
}

impl State {
    /// Whether it is closed.
    pub fn is_closed(self) -> bool {
        self == State::Closed
    }
}

#[derive(Serialize)]
struct PlacedJson<'a> {
    name: &'a str,
    start: String,
    end: String,
    start_utc: String,
    end_utc: String,
    /// The window whose occurrence holds the phase (the first to close).
    window: Option<&'a str>,
    window_occurrence: Option<Span>,
    /// The line to paste into the change's phase.
    toml: String,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    place: Option<Place<'a>>,
}

#[derive(Serialize)]
struct WarningJson<'a> {
    rule: &'static str,
    level: &'static str,
    message: &'a str,
    phase: Option<&'a str>,
}

#[derive(Serialize)]
struct SlotJson<'a> {
    rank: usize,
    phases: Vec<PlacedJson<'a>>,
    warnings: Vec<WarningJson<'a>>,
}

#[derive(Serialize)]
struct SlotsJson<'a> {
    version: u32,
    asked: AskedJson<'a>,
    from: String,
    to: String,
    from_utc: String,
    to_utc: String,
    /// Slots found in the horizon, before `--count` cut the list.
    found: usize,
    slots: Vec<SlotJson<'a>>,
    why_none: &'a [String],
}

/// `start = 2026-12-06T02:00:00+01:00`, the line to paste.
pub fn toml_line(start: i64, tz: &TimeZone) -> String {
    format!("start = {}", local(start, tz))
}

fn phase_of<'a>(question: &'a Question, finding: &Finding) -> Option<&'a str> {
    finding.subject_refs().find_map(|s| match s {
        crate::base::Subject::Phase { change, phase } if change == question.ix => {
            Some(question.model.changes[change].phases[phase].name.as_str())
        }
        _ => None,
    })
}

/// `slots --format json`.
pub fn slots_json(question: &Question, slots: &Slots) -> String {
    let tz = &question.tz;
    let model = &*question.model;
    let change = question.change();
    let doc = SlotsJson {
        version: 1,
        asked: asked_json(question, None),
        from: local(slots.from, tz),
        to: local(slots.to, tz),
        from_utc: utc(slots.from),
        to_utc: utc(slots.to),
        found: slots.found,
        slots: slots
            .slots
            .iter()
            .enumerate()
            .map(|(rank, slot)| SlotJson {
                rank: rank + 1,
                phases: slot
                    .phases
                    .iter()
                    .map(|p| PlacedJson {
                        name: &change.phases[p.phase].name,
                        start: local(p.interval.start, tz),
                        end: local(p.interval.end, tz),
                        start_utc: utc(p.interval.start),
                        end_utc: utc(p.interval.end),
                        window: p
                            .window
                            .as_ref()
                            .map(|(w, _)| model.periods[*w].id.value.as_str()),
                        window_occurrence: p.window.as_ref().map(|(_, o)| span(o.interval, &o.tz)),
                        toml: toml_line(p.interval.start, tz),
                        place: start_place(question, p.phase),
                    })
                    .collect(),
                warnings: slot
                    .warnings
                    .iter()
                    .map(|f| WarningJson {
                        rule: f.rule.name(),
                        level: f.level.name(),
                        message: &f.message,
                        phase: phase_of(question, f),
                    })
                    .collect(),
            })
            .collect(),
        why_none: &slots.why_none,
    };
    pretty(&doc)
}

/// Where phase `p`'s `start` is written (a change of the inventory).
fn start_place<'a>(question: &'a Question, p: usize) -> Option<Place<'a>> {
    if question.hypothetical {
        return None;
    }
    let loc = &question.change().phases[p].start.loc;
    let file = question.checked.sources.get(loc.file);
    let (line, column) = file.line_column(loc.span.start);
    Some(Place {
        file: &file.path,
        line,
        column,
    })
}

/// `slots --format human`.
pub fn slots_human(question: &Question, slots: &Slots) -> String {
    let tz = &question.tz;
    let model = &*question.model;
    let change = question.change();
    let what = if question.hypothetical {
        format!(
            "work on {} for {}",
            question.label(0),
            change.phases[0].duration.value
        )
    } else {
        format!("`{}` ({})", change.id.value, change.title)
    };
    let rollback = question.rollback();
    let rollback = if rollback.is_zero() {
        String::new()
    } else {
        format!(", {rollback} rollback")
    };
    let mut out = format!(
        "slots for {what}{rollback}, from {} to {}:\n",
        human(slots.from, tz),
        human(slots.to, tz)
    );
    if slots.slots.is_empty() {
        out.push_str("\nnothing fits:\n");
        for why in &slots.why_none {
            out.push_str(&format!("  - {why}\n"));
        }
        return out;
    }
    for (rank, slot) in slots.slots.iter().enumerate() {
        let count = slot
            .warnings
            .iter()
            .filter(|f| f.level == crate::base::Level::Warning)
            .count();
        let warnings = match count {
            0 => "no warnings".to_string(),
            1 => "1 warning".to_string(),
            n => format!("{n} warnings"),
        };
        out.push_str(&format!(
            "\n{}. {} ({warnings})\n",
            rank + 1,
            human(slot.phases[0].interval.start, tz)
        ));
        for p in &slot.phases {
            let window = p
                .window
                .as_ref()
                .map(|(w, o)| {
                    format!(
                        ", in window `{}` ({})",
                        model.periods[*w].id.value,
                        occurrence_text(o)
                    )
                })
                .unwrap_or_default();
            let name = if question.hypothetical {
                "the work".to_string()
            } else {
                format!("phase \"{}\"", change.phases[p.phase].name)
            };
            out.push_str(&format!(
                "   {name}: {} to {}{window}\n",
                human(p.interval.start, tz),
                human(p.interval.end, tz)
            ));
        }
        for f in &slot.warnings {
            out.push_str(&format!("   {}[{}]: {}\n", f.level, f.rule, f.message));
        }
        if !question.hypothetical {
            out.push_str("   paste:\n");
            for p in &slot.phases {
                let place = start_place(question, p.phase)
                    .map(|pl| format!("{}:{}", pl.file, pl.line))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "     {:<40} # {place} (phase \"{}\")\n",
                    toml_line(p.interval.start, tz),
                    change.phases[p.phase].name
                ));
            }
        } else {
            out.push_str(&format!(
                "   paste: {}\n",
                toml_line(slot.phases[0].interval.start, tz)
            ));
        }
    }
    if slots.found > slots.slots.len() {
        out.push_str(&format!(
            "\n{} more slots in the horizon (--count to see them)\n",
            slots.found - slots.slots.len()
        ));
    }
    out
}

#[derive(Serialize)]
struct Located<'a> {
    rule: &'static str,
    level: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct UnansweredJson<'a> {
    version: u32,
    state: &'static str,
    passes: bool,
    error: &'a str,
    diagnostics: Vec<Located<'a>>,
}

/// The JSON of a question without an answer (exit 2): why, and the
/// located loading errors.
pub fn unanswered_json(message: &str, errors: &[Finding], sources: &Sources) -> String {
    let diagnostics = errors
        .iter()
        .map(|f| {
            let file = sources.get(f.loc.file);
            let (line, column) = file.line_column(f.loc.span.start);
            Located {
                rule: f.rule.name(),
                level: f.level.name(),
                message: &f.message,
                file: &file.path,
                line,
                column,
            }
        })
        .collect();
    pretty(&UnansweredJson {
        version: 1,
        state: "unanswered",
        passes: false,
        error: message,
        diagnostics,
    })
}
