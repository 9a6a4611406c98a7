//! Analysis stage for `diff`: which findings a head adds, resolves or
//! changes in level, and what it does to each change (status, risk and
//! its terms, impacted systems, processes and audiences).
//!
//! Findings are matched by rule, change and subjects, never by place: an
//! edit above a finding moves its line, and moving a file to another
//! folder moves all of them. Findings with the same key are paired by
//! equal message first, then in order; what is left over was added or
//! resolved.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::base::{Finding, Level};
use crate::check::Checked;
use crate::model::slug;

/// A finding as the diff shows it, located on the side where it exists.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    /// The rule's name (`freeze-conflict`).
    pub rule: &'static str,
    /// The finding's level on this side.
    pub level: Level,
    /// The finding's message.
    pub message: String,
    /// The file, relative to the inventory folder, with `/` separators.
    pub file: String,
    /// Line of the finding's start, from 1.
    pub line: usize,
    /// Column (in characters) of the finding's start, from 1.
    pub column: usize,
    /// The change id the finding is about; `None` for findings not about one
    /// change.
    pub change: Option<String>,
    /// Ids the finding names (systems, periods, …), as the finding lists
    /// them.
    pub subjects: Vec<String>,
    /// How to fix it, when the rule says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Located {
    /// Locates `finding` in the sources of the side `checked` it comes from.
    pub fn of(finding: &Finding, checked: &Checked) -> Located {
        let file = checked.sources.get(finding.loc.file);
        let (line, column) = file.line_column(finding.loc.span.start);
        Located {
            rule: finding.rule.name(),
            level: finding.level,
            message: finding.message.clone(),
            file: file.path.clone(),
            line,
            column,
            change: finding.change.clone(),
            subjects: finding.subjects.clone(),
            help: finding.help.as_deref().map(str::to_string),
        }
    }
}

/// A finding on both sides whose level differs.
#[derive(Debug, Clone, Serialize)]
pub struct LevelChange {
    /// The level at the base.
    pub from: Level,
    /// The level at the head.
    pub to: Level,
    /// The finding at the base, located there.
    pub base: Located,
    /// The finding at the head, located there.
    pub head: Located,
}

/// The findings part of a diff.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingsDiff {
    /// On the head only, located at the head.
    pub added: Vec<Located>,
    /// On the base only, located at the base.
    pub resolved: Vec<Located>,
    /// On both sides with a different level, ordered by their place at the
    /// head.
    pub level_changed: Vec<LevelChange>,
}

/// What identifies a finding across two sides.
type Key = (&'static str, Option<String>, Vec<String>);

fn key(finding: &Finding) -> Key {
    let mut subjects = finding.subjects.clone();
    subjects.sort();
    subjects.dedup();
    (finding.rule.name(), finding.change.clone(), subjects)
}

/// Pairs the findings of both sides (see the module documentation).
pub fn findings(base: &Checked, head: &Checked) -> FindingsDiff {
    let mut groups: BTreeMap<Key, (Vec<&Finding>, Vec<&Finding>)> = BTreeMap::new();
    for finding in &base.findings {
        groups.entry(key(finding)).or_default().0.push(finding);
    }
    for finding in &head.findings {
        groups.entry(key(finding)).or_default().1.push(finding);
    }
    let mut diff = FindingsDiff::default();
    for (olds, news) in groups.into_values() {
        let mut news: Vec<Option<&Finding>> = news.into_iter().map(Some).collect();
        let mut pairs = Vec::new();
        let mut unpaired = Vec::new();
        for old in olds {
            let same = news
                .iter()
                .position(|n| n.is_some_and(|n| n.message == old.message));
            match same {
                Some(i) => pairs.push((old, news[i].take().expect("present"))),
                None => unpaired.push(old),
            }
        }
        let mut rest = news.into_iter().flatten();
        for old in unpaired {
            match rest.next() {
                Some(new) => pairs.push((old, new)),
                None => diff.resolved.push(Located::of(old, base)),
            }
        }
        diff.added.extend(rest.map(|new| Located::of(new, head)));
        for (old, new) in pairs {
            if old.level != new.level {
                diff.level_changed.push(LevelChange {
                    from: old.level,
                    to: new.level,
                    base: Located::of(old, base),
                    head: Located::of(new, head),
                });
            }
        }
    }
    let place = |f: &Located| (f.file.clone(), f.line, f.column, f.rule, f.message.clone());
    diff.added.sort_by_cached_key(place);
    diff.resolved.sort_by_cached_key(place);
    diff.level_changed.sort_by_cached_key(|c| place(&c.head));
    diff
}

/// A risk score and its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Points, 0 to 100.
    pub score: u32,
    /// The level those points fall in.
    pub level: crate::analysis::score::RiskLevel,
}

/// A term of the score whose points differ (0: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// `criticality`, `blast-radius` or a rule's name.
    pub name: String,
    /// Points at the base (0: absent).
    pub from: u32,
    /// Points at the head (0: absent).
    pub to: u32,
}

/// How a change's risk score differs; only built when the score or a term
/// differs.
#[derive(Debug, Clone, Serialize)]
pub struct RiskDiff {
    /// Absent when the change is new, or that side was not analysed.
    pub from: Option<Score>,
    /// Absent when the change was removed, or that side was not analysed.
    pub to: Option<Score>,
    /// Terms whose points differ, by name.
    pub terms: Vec<Term>,
}

/// Ids that a change impacts on the head and not on the base (gained),
/// and the other way round (lost), each sorted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Moves {
    /// Impacted at the head and not at the base.
    pub gained: Vec<String>,
    /// Impacted at the base and not at the head.
    pub lost: Vec<String>,
}

impl Moves {
    fn of(base: &BTreeSet<String>, head: &BTreeSet<String>) -> Moves {
        Moves {
            gained: head.difference(base).cloned().collect(),
            lost: base.difference(head).cloned().collect(),
        }
    }

    /// Whether neither side has ids the other lacks.
    pub fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

/// What a change impacts at the head compared to the base (empty when a side
/// was not analysed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImpactDiff {
    /// System ids.
    pub systems: Moves,
    /// Business process ids.
    pub processes: Moves,
    /// Audience ids.
    pub audiences: Moves,
}

impl ImpactDiff {
    /// Whether no impacted id was gained or lost.
    pub fn is_empty(&self) -> bool {
        self.systems.is_empty() && self.processes.is_empty() && self.audiences.is_empty()
    }
}

/// The status on each side (absent where the change does not exist).
#[derive(Debug, Clone, Serialize)]
pub struct StatusDiff {
    /// The status name at the base (`approved`); `None` when the change is
    /// new.
    pub from: Option<&'static str>,
    /// The status name at the head; `None` when the change was removed.
    pub to: Option<&'static str>,
}

/// What the head does to one change.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeDiff {
    /// As written at the head (at the base when removed).
    pub id: String,
    /// As written at the head (at the base when removed).
    pub title: String,
    /// `added`, `removed` or `changed`.
    pub state: &'static str,
    /// Whether it is active at the head (plan rules apply to it).
    pub active: bool,
    /// The status on each side.
    pub status: StatusDiff,
    /// Absent when neither score nor terms differ, or a side was not
    /// analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskDiff>,
    /// Impacted ids gained and lost.
    pub impacted: ImpactDiff,
}

/// One side's view of a change: its index, and whether it was analysed.
struct View<'a> {
    checked: &'a Checked,
    ix: usize,
}

impl View<'_> {
    fn score(&self) -> Option<(Score, BTreeMap<String, u32>)> {
        let risk = self.checked.risks.get(self.ix)?;
        let terms = risk
            .factors
            .iter()
            .map(|f| (f.name.clone(), f.points))
            .collect();
        Some((
            Score {
                score: risk.score,
                level: risk.level,
            },
            terms,
        ))
    }

    /// Impacted (systems, processes, audiences) ids; empty sets when the
    /// side was not analysed.
    fn impacted(&self) -> [BTreeSet<String>; 3] {
        let model = &self.checked.model;
        let Some(facts) = self.checked.facts.changes.get(self.ix) else {
            return Default::default();
        };
        let impact = &facts.impact;
        [
            impact
                .systems()
                .map(|s| model.systems[s].id.value.clone())
                .collect(),
            impact
                .processes
                .iter()
                .map(|&p| model.processes[p].id.value.clone())
                .collect(),
            impact
                .audiences
                .iter()
                .map(|&a| model.audiences[a].id.value.clone())
                .collect(),
        ]
    }
}

/// Whether the plan of `checked` was analysed (it loaded without errors).
pub fn analysed(checked: &Checked) -> bool {
    checked.facts.changes.len() == checked.model.changes.len()
        && checked.risks.len() == checked.model.changes.len()
}

/// Changes by slug: the index in each side's model.
fn by_slug(checked: &Checked) -> BTreeMap<String, usize> {
    checked
        .model
        .changes
        .iter()
        .enumerate()
        .map(|(ix, change)| (slug(&change.id.value), ix))
        .collect()
}

/// What the head does to each change, in id order; changes with no
/// difference are left out.
pub fn changes(base: &Checked, head: &Checked) -> Vec<ChangeDiff> {
    let (olds, news) = (by_slug(base), by_slug(head));
    let slugs: BTreeSet<&String> = olds.keys().chain(news.keys()).collect();
    let mut out = Vec::new();
    for slug in slugs {
        let old = olds.get(slug).map(|&ix| View { checked: base, ix });
        let new = news.get(slug).map(|&ix| View { checked: head, ix });
        if let Some(diff) = change(old.as_ref(), new.as_ref()) {
            out.push(diff);
        }
    }
    out
}

fn change(old: Option<&View>, new: Option<&View>) -> Option<ChangeDiff> {
    let shown = new.or(old)?;
    let model_change = &shown.checked.model.changes[shown.ix];
    let status_of = |v: Option<&View>| v.map(|v| v.checked.model.changes[v.ix].status.value.name());
    let status = StatusDiff {
        from: status_of(old),
        to: status_of(new),
    };
    let state = match (old, new) {
        (None, _) => "added",
        (_, None) => "removed",
        _ => "changed",
    };
    // A side that was not analysed (loading errors) says nothing about
    // risk or impact: not knowing is no difference.
    let known = |v: Option<&View>| v.is_none_or(|v| analysed(v.checked));
    let (risk, impacted) = if known(old) && known(new) {
        let (from, to) = (old.and_then(View::score), new.and_then(View::score));
        let empty = Default::default;
        let [old_systems, old_processes, old_audiences] = old.map_or_else(empty, View::impacted);
        let [new_systems, new_processes, new_audiences] = new.map_or_else(empty, View::impacted);
        (
            risk(from, to),
            ImpactDiff {
                systems: Moves::of(&old_systems, &new_systems),
                processes: Moves::of(&old_processes, &new_processes),
                audiences: Moves::of(&old_audiences, &new_audiences),
            },
        )
    } else {
        (None, ImpactDiff::default())
    };
    if state == "changed" && status.from == status.to && risk.is_none() && impacted.is_empty() {
        return None;
    }
    Some(ChangeDiff {
        id: model_change.id.value.clone(),
        title: model_change.title.clone(),
        state,
        active: new.is_some_and(|v| v.checked.model.changes[v.ix].status.value.is_active()),
        status,
        risk,
        impacted,
    })
}

type Scored = Option<(Score, BTreeMap<String, u32>)>;

/// The risk difference, if the score or any term differs.
fn risk(from: Scored, to: Scored) -> Option<RiskDiff> {
    if from.is_none() && to.is_none() {
        return None;
    }
    let no_terms = BTreeMap::new();
    let old_terms = from.as_ref().map_or(&no_terms, |(_, t)| t);
    let new_terms = to.as_ref().map_or(&no_terms, |(_, t)| t);
    // Terms in the order the score lists them: criticality, blast radius,
    // then rules by name.
    let rank = |name: &str| match name {
        "criticality" => 0,
        "blast-radius" => 1,
        _ => 2,
    };
    let mut names: Vec<&String> = old_terms.keys().chain(new_terms.keys()).collect();
    names.sort_by_key(|name| (rank(name), name.as_str()));
    names.dedup();
    let terms: Vec<Term> = names
        .into_iter()
        .filter_map(|name| {
            let (a, b) = (
                old_terms.get(name).copied().unwrap_or(0),
                new_terms.get(name).copied().unwrap_or(0),
            );
            (a != b).then(|| Term {
                name: name.clone(),
                from: a,
                to: b,
            })
        })
        .collect();
    let (from, to) = (from.map(|(s, _)| s), to.map(|(s, _)| s));
    if from == to && terms.is_empty() {
        return None;
    }
    Some(RiskDiff { from, to, terms })
}
