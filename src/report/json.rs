//! Report stage: the machine-readable form of rules.md (`--format json`).

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::score::Risk;
use crate::analysis::{ChangeFacts, Facts};
use crate::base::source::Sources;
use crate::base::{Finding, Summary};
use crate::model::{Change, Model, Status};

/// The `--format json` document of `check` (rules.md, "Machine-readable
/// form"); serialized as is.
#[derive(Serialize)]
pub struct Document<'a> {
    /// Version of the document's form (1).
    pub version: u32,
    /// The date the plan was checked at (`YYYY-MM-DD`).
    pub as_of: String,
    /// How many findings there are of each level.
    pub summary: Summary,
    /// Every finding, sorted by file, line, column and rule.
    pub diagnostics: Vec<Diagnostic<'a>>,
    /// Every change of the model, by id.
    pub changes: Vec<ChangeEntry<'a>>,
}

/// One finding, located in its file.
#[derive(Serialize)]
pub struct Diagnostic<'a> {
    /// The rule's name (`outside-window`).
    pub rule: &'static str,
    /// `error`, `warning` or `info`, after `[rules]` overrides.
    pub level: &'static str,
    /// The finding's message.
    pub message: &'a str,
    /// The file, relative to the inventory folder, with `/` separators.
    pub file: &'a str,
    /// Line of the finding's start, from 1.
    pub line: usize,
    /// Column (in characters) of the finding's start, from 1.
    pub column: usize,
    /// The change id concerned; `None` (JSON `null`) where no change is.
    pub change: Option<&'a str>,
    /// Ids the finding names (systems, periods, …).
    pub subjects: &'a [String],
    /// Addition to rules.md: how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

/// One change: its status, and where the plan was analysed, its risk, impact
/// and placed phases.
#[derive(Serialize)]
pub struct ChangeEntry<'a> {
    /// The change's id, as written.
    pub id: &'a str,
    /// The change's status (`scheduled`).
    pub status: Status,
    /// Absent when loading failed and the plan was not analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<&'a Risk>,
    /// Absent when loading failed and the plan was not analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted: Option<Impacted<'a>>,
    /// Addition to rules.md: the phases in written order, placed in time.
    /// Absent when loading failed and the plan was not analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<Vec<PhaseEntry<'a>>>,
}

/// A phase resolved in time, so consumers need not know zones and DST.
#[derive(Serialize)]
pub struct PhaseEntry<'a> {
    /// The phase's name.
    pub name: &'a str,
    /// Local start with its offset: `2026-12-06T02:00:00+01:00`.
    pub start: String,
    /// Local end with its offset.
    pub end: String,
    /// The same instants in UTC: `2026-12-06T01:00:00Z`.
    pub start_utc: String,
    /// The end instant in UTC.
    pub end_utc: String,
    /// The IANA zone the local times are in.
    pub zone: &'a str,
}

fn local(z: &jiff::ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn utc(z: &jiff::ZonedDateTime) -> String {
    z.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Ids of what a change impacts, each list sorted.
#[derive(Serialize)]
pub struct Impacted<'a> {
    /// System ids.
    pub systems: Vec<&'a str>,
    /// Business process ids.
    pub processes: Vec<&'a str>,
    /// Audience ids.
    pub audiences: Vec<&'a str>,
}

fn sorted<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids
}

/// The document for a check of `model` at `as_of`.
pub fn document<'a>(
    findings: &'a [Finding],
    sources: &'a Sources,
    model: &'a Model,
    facts: &'a Facts,
    risks: &'a [Risk],
    as_of: &str,
) -> Document<'a> {
    let diagnostics = findings
        .par_iter()
        .map(|finding| diagnostic(finding, sources))
        .collect();
    // Every change on some core (millions of impacted ids at scale).
    let changes = change_order(model)
        .into_par_iter()
        .map(|ix| change_entry(model, facts, risks, ix))
        .collect();
    Document {
        version: 1,
        as_of: as_of.to_string(),
        summary: Summary::of(findings),
        diagnostics,
        changes,
    }
}

/// The diagnostic of `finding`, located in its file.
pub fn diagnostic<'a>(finding: &'a Finding, sources: &'a Sources) -> Diagnostic<'a> {
    let file = sources.get(finding.loc.file);
    let (line, column) = file.line_column(finding.loc.span.start);
    Diagnostic {
        rule: finding.rule.name(),
        level: finding.level.name(),
        message: &finding.message,
        file: &file.path,
        line,
        column,
        change: finding.change.as_deref(),
        subjects: &finding.subjects,
        help: finding.help.as_deref(),
    }
}

/// The indices of the model's changes in the document's order: by id,
/// equal ids in written order.
pub fn change_order(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.changes.len()).collect();
    order.sort_by(|&a, &b| model.changes[a].id.value.cmp(&model.changes[b].id.value));
    order
}

/// The entry of change `ix`.
pub fn change_entry<'a>(
    model: &'a Model,
    facts: &'a Facts,
    risks: &'a [Risk],
    ix: usize,
) -> ChangeEntry<'a> {
    let change = &model.changes[ix];
    ChangeEntry {
        id: &change.id.value,
        status: change.status.value,
        risk: risks.get(ix),
        impacted: facts.changes.get(ix).map(|f| Impacted {
            systems: impacted_systems(f, &facts.system_rank)
                .into_iter()
                .map(|s| model.systems[s].id.value.as_str())
                .collect(),
            processes: impacted_processes(model, f),
            audiences: impacted_audiences(model, f),
        }),
        phases: facts.changes.get(ix).map(|f| phase_entries(change, f)),
    }
}

/// The systems `f` impacts in the order of their ids, through the id rank
/// (integers, not strings: millions of impacted systems at scale).
pub fn impacted_systems(f: &ChangeFacts, system_rank: &[u32]) -> Vec<usize> {
    let mut systems: Vec<usize> = f.impact.systems().collect();
    systems.sort_unstable_by_key(|&s| system_rank[s]);
    systems
}

/// Ids of the processes `f` impacts, sorted.
pub fn impacted_processes<'a>(model: &'a Model, f: &ChangeFacts) -> Vec<&'a str> {
    sorted(
        f.impact
            .processes
            .iter()
            .map(|&p| model.processes[p].id.value.as_str()),
    )
}

/// Ids of the audiences `f` impacts, sorted.
pub fn impacted_audiences<'a>(model: &'a Model, f: &ChangeFacts) -> Vec<&'a str> {
    sorted(
        f.impact
            .audiences
            .iter()
            .map(|&a| model.audiences[a].id.value.as_str()),
    )
}

/// The phases of `change` in written order, placed in time by `f`.
pub fn phase_entries<'a>(change: &'a Change, f: &'a ChangeFacts) -> Vec<PhaseEntry<'a>> {
    f.phases
        .iter()
        .zip(&change.phases)
        .map(|(time, phase)| PhaseEntry {
            name: &phase.name,
            start: local(&time.start),
            end: local(&time.end),
            start_utc: utc(&time.start),
            end_utc: utc(&time.end),
            zone: f.tz.iana_name().unwrap_or("UTC"),
        })
        .collect()
}

/// Pretty JSON with a final newline.
pub fn render(document: &Document) -> String {
    let mut text = serde_json::to_string_pretty(document)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_carry_local_and_utc_instants_across_a_dst_change() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("inv.toml"),
            "[[team]]\nid = \"t\"\nname = \"T\"\n\
             [[system]]\nid = \"s\"\nname = \"S\"\nowner = \"t\"\ncriticality = \"low\"\n\
             [[change]]\nid = \"c\"\ntitle = \"C\"\nowner = \"t\"\nstatus = \"proposed\"\n\
             systems = [\"s\"]\nsummary = \"s\"\nwhy = \"w\"\ntimezone = \"Europe/Berlin\"\n\
             [[change.phase]]\nname = \"switch\"\nstart = 2026-03-29T01:30:00\nduration = \"2h\"\n",
        )
        .unwrap();
        let checked =
            crate::check::check(dir.path(), jiff::civil::Date::constant(2026, 3, 1)).unwrap();
        let doc = document(
            &checked.findings,
            &checked.sources,
            &checked.model,
            &checked.facts,
            &checked.risks,
            "2026-03-01",
        );
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            value["changes"][0]["phases"],
            serde_json::json!([{
                "name": "switch",
                "start": "2026-03-29T01:30:00+01:00",
                "end": "2026-03-29T04:30:00+02:00",
                "start_utc": "2026-03-29T00:30:00Z",
                "end_utc": "2026-03-29T02:30:00Z",
                "zone": "Europe/Berlin",
            }])
        );
    }
}
