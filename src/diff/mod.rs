//! `cutover diff`: what a revision of the inventory does to the plan.
//!
//! Two sides (git revisions of the repository holding the inventory, read
//! with [`git`] without touching the work tree or the index, or folders)
//! are each checked by the same pipeline as `check`, with the same as-of
//! date; [`compare`] and [`calendar`] say what differs, [`render`] prints
//! it for people, pull requests or machines.

pub mod calendar;
pub mod compare;
pub mod git;
pub mod render;

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Serialize;

use crate::analysis::score::RiskLevel;
use crate::base::{Family, Level, Summary};
use crate::check::{self, Checked};
use crate::inventory::tree::Folder;
use calendar::CalendarDiff;
use compare::{ChangeDiff, FindingsDiff, Located};

/// One side of a diff, checked.
pub struct Side {
    /// How the report names it: the revision as given, or the folder.
    pub label: String,
    /// `revision`, `folder`, or `worktree` (the inventory folder of the
    /// working tree, when no head is given).
    pub kind: &'static str,
    /// The commit a revision names (full hex id); `None` for folders and the
    /// working tree.
    pub commit: Option<String>,
    /// Its findings, model and analysis, as `check` computes them.
    pub checked: Checked,
}

/// What the user named as a side.
enum Spec<'a> {
    Folder(PathBuf),
    /// The inventory folder of the working tree (no HEAD given).
    WorkTree(PathBuf),
    Revision(&'a str),
}

/// A side argument: an existing folder is a folder, anything else a revision.
fn spec(arg: &str) -> Spec<'_> {
    let path = Path::new(arg);
    if path.is_dir() {
        Spec::Folder(path.to_path_buf())
    } else {
        Spec::Revision(arg)
    }
}

/// Reads and checks both sides. `head` absent: the inventory folder in the
/// working tree. An error (exit status 2) when a side cannot be read.
pub fn sides(
    base: &str,
    head: Option<&str>,
    inventory: &Path,
    as_of: Date,
) -> Result<(Side, Side), String> {
    let specs = [
        spec(base),
        head.map_or_else(|| Spec::WorkTree(inventory.to_path_buf()), spec),
    ];
    let repo = if specs.iter().any(|s| matches!(s, Spec::Revision(_))) {
        Some(git::Repo::discover(inventory).map_err(|e| e.0)?)
    } else {
        None
    };
    let mut out = Vec::new();
    for spec in specs {
        let kind = match &spec {
            Spec::Folder(_) => "folder",
            Spec::WorkTree(_) => "worktree",
            Spec::Revision(_) => "revision",
        };
        let side = match spec {
            Spec::Folder(path) | Spec::WorkTree(path) => Side {
                label: path.display().to_string(),
                kind,
                commit: None,
                checked: check::check_tree(&Folder::new(&path), as_of).map_err(|e| e.0)?,
            },
            Spec::Revision(rev) => {
                let repo = repo.as_ref().expect("discovered for revisions");
                let tree = repo.tree(rev).map_err(|e| e.0)?;
                Side {
                    label: rev.to_string(),
                    kind,
                    commit: tree.commit(),
                    checked: check::check_tree(&tree, as_of).map_err(|e| e.0)?,
                }
            }
        };
        out.push(side);
    }
    let head = out.pop().expect("two sides");
    let base = out.pop().expect("two sides");
    Ok((base, head))
}

/// A side as the report describes it.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// The revision or folder as given (see [`Side::label`]).
    pub label: String,
    /// `revision`, `folder` or `worktree` (see [`Side::kind`]).
    pub kind: &'static str,
    /// The commit a revision names; absent for folders and the working tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Findings of that side by level.
    pub summary: Summary,
    /// Whether it loaded without errors (so its plan was analysed).
    pub analysed: bool,
}

impl SideInfo {
    fn of(side: &Side) -> SideInfo {
        SideInfo {
            label: side.label.clone(),
            kind: side.kind,
            commit: side.commit.clone(),
            summary: Summary::of(&side.checked.findings),
            analysed: compare::analysed(&side.checked)
                && !side
                    .checked
                    .findings
                    .iter()
                    .any(|f| f.rule.family() == Family::Loading),
        }
    }
}

/// Everything a diff says; its JSON form is `--format json`
/// (documented in docs/diff.md).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Version of this JSON document (1); bumped only if a field must be
    /// renamed or removed.
    pub version: u32,
    /// The date both sides were checked at (`YYYY-MM-DD`).
    pub as_of: String,
    /// The base side (what the head is compared against).
    pub base: SideInfo,
    /// The head side (the proposed revision).
    pub head: SideInfo,
    /// "adds 2 errors, raises CHG-2047 from high 68 to critical 93".
    pub verdict: String,
    /// Findings added, resolved or changed in level by the head.
    pub findings: FindingsDiff,
    /// Loading errors of the head, all of them (also those the base had):
    /// the head must load for its plan to be checked.
    pub head_loading_errors: Vec<Located>,
    /// Changes with a difference, by id.
    pub changes: Vec<ChangeDiff>,
    /// Periods whose occurrences differ and phases that moved, over the
    /// horizon.
    pub calendar: CalendarDiff,
    /// Why the diff fails the run (exit status 1); empty when it passes.
    pub failures: Vec<String>,
}

/// What fails a diff beyond added errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gate {
    /// `--deny warnings`: a warning the head adds also fails the diff.
    pub deny_warnings: bool,
    /// `--max-risk`: an active change the head raises above this level fails
    /// the diff; `None`: no limit.
    pub max_risk: Option<RiskLevel>,
}

/// Compares two checked sides.
pub fn diff(base: &Side, head: &Side, as_of: Date, gate: Gate) -> Diff {
    let (b, h) = (&base.checked, &head.checked);
    let findings = compare::findings(b, h);
    let changes = compare::changes(b, h);
    let (base_info, head_info) = (SideInfo::of(base), SideInfo::of(head));
    let horizon = calendar::horizon(b, h, as_of);
    let calendar = calendar::diff(b, h, horizon, base_info.analysed && head_info.analysed);
    let head_loading_errors: Vec<Located> = h
        .findings
        .iter()
        .filter(|f| f.rule.family() == Family::Loading)
        .map(|f| Located::of(f, h))
        .collect();
    let mut diff = Diff {
        version: 1,
        as_of: as_of.to_string(),
        base: base_info,
        head: head_info,
        verdict: String::new(),
        findings,
        head_loading_errors,
        changes,
        calendar,
        failures: Vec::new(),
    };
    diff.verdict = verdict(&diff);
    diff.failures = failures(&diff, gate);
    diff
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Findings the head adds at `level`: new ones, and ones raised to it.
pub fn added_at(diff: &Diff, level: Level) -> usize {
    diff.findings
        .added
        .iter()
        .filter(|f| f.level == level)
        .count()
        + diff
            .findings
            .level_changed
            .iter()
            .filter(|c| c.to == level && c.from < level)
            .count()
}

/// "CHG-2047 from high 68 to critical 93".
fn score_move(change: &ChangeDiff) -> Option<(i64, String)> {
    let risk = change.risk.as_ref()?;
    let (from, to) = (risk.from?, risk.to?);
    (from.score != to.score).then(|| {
        (
            i64::from(to.score) - i64::from(from.score),
            format!(
                "{} from {} {} to {} {}",
                change.id,
                from.level.name(),
                from.score,
                to.level.name(),
                to.score
            ),
        )
    })
}

/// A list of at most three, then "and N more".
fn some(items: &[String]) -> String {
    let mut text = items.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 3 {
        text.push_str(&format!(" and {} more", items.len() - 3));
    }
    text
}

/// The one-line verdict, most serious first.
fn verdict(diff: &Diff) -> String {
    let mut parts = Vec::new();
    if !diff.head_loading_errors.is_empty() {
        parts.push(format!(
            "the head does not load ({})",
            plural(diff.head_loading_errors.len(), "loading error")
        ));
    }
    let added: Vec<String> = [(Level::Error, "error"), (Level::Warning, "warning")]
        .into_iter()
        .map(|(level, word)| (added_at(diff, level), word))
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
    if !added.is_empty() {
        parts.push(format!("adds {}", added.join(" and ")));
    }
    let mut raised: Vec<(i64, String)> = diff
        .changes
        .iter()
        .filter_map(score_move)
        .filter(|(d, _)| *d > 0)
        .collect();
    raised.sort_by_key(|(d, _)| -d);
    if !raised.is_empty() {
        let names: Vec<String> = raised.into_iter().map(|(_, t)| t).collect();
        parts.push(format!("raises {}", some(&names)));
    }
    let resolved = diff.findings.resolved.len();
    if resolved > 0 {
        parts.push(format!("resolves {}", plural(resolved, "finding")));
    }
    let mut lowered: Vec<(i64, String)> = diff
        .changes
        .iter()
        .filter_map(score_move)
        .filter(|(d, _)| *d < 0)
        .collect();
    lowered.sort_by_key(|(d, _)| *d);
    if !lowered.is_empty() {
        let names: Vec<String> = lowered.into_iter().map(|(_, t)| t).collect();
        parts.push(format!("lowers {}", some(&names)));
    }
    for (state, verb) in [("added", "adds"), ("removed", "removes")] {
        let ids: Vec<String> = diff
            .changes
            .iter()
            .filter(|c| c.state == state)
            .map(|c| c.id.clone())
            .collect();
        if !ids.is_empty() {
            let word = if ids.len() == 1 { "change" } else { "changes" };
            parts.push(format!("{verb} {word} {}", some(&ids)));
        }
    }
    let periods: std::collections::BTreeSet<(&str, &str)> = diff
        .calendar
        .periods
        .iter()
        .map(|p| (p.kind, p.id.as_str()))
        .collect();
    if !periods.is_empty() {
        parts.push(format!(
            "changes the calendar of {}",
            plural(periods.len(), "period")
        ));
    }
    if !diff.calendar.phases.is_empty() {
        parts.push(format!(
            "moves {}",
            plural(diff.calendar.phases.len(), "phase")
        ));
    }
    if parts.is_empty() {
        "no change to findings, risk or calendar".into()
    } else {
        parts.join(", ")
    }
}

/// Why the diff fails the run: the head does not load, adds an error (or
/// a warning with `--deny warnings`), or raises an active change above
/// `--max-risk`.
fn failures(diff: &Diff, gate: Gate) -> Vec<String> {
    let mut out = Vec::new();
    if !diff.head_loading_errors.is_empty() {
        out.push(format!(
            "the head has {}",
            plural(diff.head_loading_errors.len(), "loading error")
        ));
    }
    let errors = added_at(diff, Level::Error);
    if errors > 0 {
        out.push(format!("the head adds {}", plural(errors, "error")));
    }
    let warnings = added_at(diff, Level::Warning);
    if gate.deny_warnings && warnings > 0 {
        out.push(format!(
            "--deny warnings: the head adds {}",
            plural(warnings, "warning")
        ));
    }
    if let Some(max) = gate.max_risk {
        for change in diff.changes.iter().filter(|c| c.active) {
            let Some(risk) = &change.risk else { continue };
            let Some(to) = risk.to else { continue };
            let was_above = risk.from.is_some_and(|from| from.level > max);
            if to.level > max && !was_above {
                out.push(format!(
                    "{} now scores {} ({}), above --max-risk {}",
                    change.id,
                    to.score,
                    to.level.name(),
                    max.name()
                ));
            }
        }
    }
    out
}
