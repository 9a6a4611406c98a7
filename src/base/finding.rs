//! Foundation: a finding (one problem, located), the `[rules]` overrides
//! applied to findings, and counts by level. Every stage may use it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::base::rules::{Family, Level, Rule};
use crate::base::source::{Loc, Sources};

/// One problem found in the inventory or the plan.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Its level: the rule's default, or one the rule chose (a soft freeze), until `[rules]`
    /// overrides it in [`finalize`].
    pub level: Level,
    /// What is wrong, in a sentence a person understands without the docs.
    pub message: String,
    /// The most specific place of the TOML that causes it (the phase's `start`, the dangling
    /// reference).
    pub loc: Loc,
    /// Id of the change it concerns, if any.
    pub change: Option<String>,
    /// Ids of the systems, periods, integrations, audiences... involved.
    pub subjects: Vec<String>,
    /// What it is about, as indices into the model: filled by every plan
    /// rule (loading findings have none), so pages and commands find the
    /// findings of a phase, period or system without matching text or
    /// source offsets. Read with [`Finding::subject_refs`].
    refs: Vec<Packed>,
    /// How to fix it: mostly one of the rule's fixed sentences, shared by
    /// its findings rather than copied into each.
    pub help: Option<Cow<'static, str>>,
    /// Other places that explain it (the first definition of a duplicate id).
    pub related: Vec<(Loc, String)>,
}

impl Finding {
    /// A finding at the rule's default level.
    pub fn new(rule: Rule, loc: Loc, message: impl Into<String>) -> Finding {
        let message: String = message.into();
        // A `format!` leaves up to twice the room it needs, and a large plan
        // keeps hundreds of thousands of findings: kept at its length (the
        // room goes back to the allocator for the next message).
        let message = if message.capacity() - message.len() > message.len() / 8 {
            message.as_str().to_owned()
        } else {
            message
        };
        Finding {
            rule,
            level: rule.default_level(),
            message,
            loc,
            change: None,
            subjects: Vec::new(),
            refs: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// Sets how to fix it.
    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Sets the level, in place of the rule's default.
    pub fn level(mut self, level: Level) -> Finding {
        self.level = level;
        self
    }

    /// Sets the id of the change it concerns.
    pub fn change(mut self, change: impl Into<String>) -> Finding {
        self.change = Some(change.into());
        self
    }

    /// Adds one id to the subjects.
    pub fn subject(mut self, subject: impl Into<String>) -> Finding {
        self.subjects.push(subject.into());
        self
    }

    /// Adds ids to the subjects, in order.
    pub fn subjects<S: Into<String>>(mut self, subjects: impl IntoIterator<Item = S>) -> Finding {
        self.subjects.extend(subjects.into_iter().map(Into::into));
        self
    }

    /// Adds a typed subject (see [`Subject`]).
    pub fn about(mut self, subject: Subject) -> Finding {
        self.refs.push(Packed::from(subject));
        self
    }

    /// Adds typed subjects (see [`Subject`]).
    pub fn about_all(mut self, subjects: impl IntoIterator<Item = Subject>) -> Finding {
        self.refs.extend(subjects.into_iter().map(Packed::from));
        self
    }

    /// What it is about, in the order added (see [`Subject`]).
    pub fn subject_refs(&self) -> impl ExactSizeIterator<Item = Subject> + Clone + '_ {
        self.refs.iter().map(|&p| p.get())
    }

    /// The first of [`Finding::subject_refs`]: the change of a finding of
    /// a change.
    pub fn first_subject(&self) -> Option<Subject> {
        self.refs.first().map(|&p| p.get())
    }

    /// Whether it is about `subject`.
    pub fn is_about(&self, subject: Subject) -> bool {
        self.refs.contains(&Packed::from(subject))
    }

    /// Adds another place that explains it, with a note saying why.
    pub fn related(mut self, loc: Loc, note: impl Into<String>) -> Finding {
        self.related.push((loc, note.into()));
        self
    }
}

/// What a finding is about: an entity of the model, by its index in the
/// model's list of that kind (`Phase` by its change and its index among the
/// change's phases, in written order).
///
/// A finding of a change lists `Change` first; one located at a phase
/// (its start) lists that `Phase` too; then the periods, systems,
/// integrations... it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A change, by its index in `Model::changes`.
    Change(usize),
    /// A phase of a change.
    Phase {
        /// The change, by its index in `Model::changes`.
        change: usize,
        /// The phase, by its index among the change's phases, in written
        /// order.
        phase: usize,
    },
    /// A window, freeze or peak, by its index in `Model::periods`.
    Period(usize),
    /// A system, by its index in `Model::systems`.
    System(usize),
    /// An integration, by its index in `Model::integrations`.
    Integration(usize),
    /// A business process, by its index in `Model::processes`.
    Process(usize),
    /// An audience, by its index in `Model::audiences`.
    Audience(usize),
    /// A team, by its index in `Model::teams`.
    Team(usize),
    /// An incident, by its index in `Model::incidents`.
    Incident(usize),
}

/// A [`Subject`] in 12 bytes instead of 24: its kind and up to two
/// indices as `u32`. A large plan holds millions (a finding about every
/// unverified integration of a hub). Indices of the model fit: the model
/// holds fewer entities, and a change fewer phases, than `u32::MAX` (each
/// is a TOML table of its own, and `u32::MAX` of them would not fit in
/// memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    kind: u8,
    a: u32,
    b: u32,
}

impl From<Subject> for Packed {
    fn from(subject: Subject) -> Packed {
        let (kind, a, b) = match subject {
            Subject::Change(i) => (0, i, 0),
            Subject::Phase { change, phase } => (1, change, phase),
            Subject::Period(i) => (2, i, 0),
            Subject::System(i) => (3, i, 0),
            Subject::Integration(i) => (4, i, 0),
            Subject::Process(i) => (5, i, 0),
            Subject::Audience(i) => (6, i, 0),
            Subject::Team(i) => (7, i, 0),
            Subject::Incident(i) => (8, i, 0),
        };
        let index = |i: usize| {
            debug_assert!(u32::try_from(i).is_ok(), "index {i} beyond u32");
            i as u32
        };
        Packed {
            kind,
            a: index(a),
            b: index(b),
        }
    }
}

impl Packed {
    fn get(self) -> Subject {
        let a = self.a as usize;
        match self.kind {
            0 => Subject::Change(a),
            1 => Subject::Phase {
                change: a,
                phase: self.b as usize,
            },
            2 => Subject::Period(a),
            3 => Subject::System(a),
            4 => Subject::Integration(a),
            5 => Subject::Process(a),
            6 => Subject::Audience(a),
            7 => Subject::Team(a),
            _ => Subject::Incident(a),
        }
    }
}

/// A level override from `[rules]`: a level, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// Report findings of the rule at this level.
    Level(Level),
    /// Drop findings of the rule (`off`).
    Off,
}

/// Applies `[rules]` overrides: a rule set to a level gets it, one set to
/// `off` is dropped; loading rules are never touched. `finalize` and the
/// answers of `gate` and `slots` share it.
pub fn apply_overrides(
    mut findings: Vec<Finding>,
    overrides: &BTreeMap<Rule, Override>,
) -> Vec<Finding> {
    findings.retain_mut(|finding| {
        if finding.rule.family() == Family::Loading {
            return true;
        }
        match overrides.get(&finding.rule) {
            Some(Override::Off) => false,
            Some(Override::Level(level)) => {
                finding.level = *level;
                true
            }
            None => true,
        }
    });
    findings
}

/// Applies `[rules]` overrides (loading rules are never touched) and sorts
/// findings by file path, line, column and rule, as rules.md requires.
pub fn finalize(
    findings: Vec<Finding>,
    overrides: &BTreeMap<Rule, Override>,
    sources: &Sources,
) -> Vec<Finding> {
    use rayon::prelude::*;
    let mut findings = apply_overrides(findings, overrides);
    // Kept for the whole run: lists at their length (a list grown item by
    // item holds up to twice the room; millions of subjects at scale).
    findings.par_iter_mut().for_each(|finding| {
        finding.refs.shrink_to_fit();
        finding.subjects.shrink_to_fit();
    });
    // Files by the place of their path in path order (equal paths, equal
    // places), so the sort compares numbers where it compared paths.
    let files = sources.files();
    let mut by_path: Vec<usize> = (0..files.len()).collect();
    by_path.sort_by(|&a, &b| files[a].path.cmp(&files[b].path));
    let mut file_rank = vec![0usize; files.len()];
    for (at, pair) in by_path.windows(2).enumerate() {
        let same = files[pair[0]].path == files[pair[1]].path;
        file_rank[pair[1]] = if same { file_rank[pair[0]] } else { at + 1 };
    }
    // Keys borrow from the findings (a large check has hundreds of
    // thousands: cloning each message and subject list to sort them cost
    // more than the sort); ties keep the order found, as a stable sort.
    let keys: Vec<_> = findings
        .par_iter()
        .map(|finding| {
            let file = sources.get(finding.loc.file);
            let (line, column) = file.line_column(finding.loc.span.start);
            (
                file_rank[finding.loc.file.0 as usize],
                line,
                column,
                finding.rule.name(),
                finding.change.as_deref(),
                finding.subjects.as_slice(),
                finding.message.as_str(),
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Stable, so ties keep the order found.
    order.par_sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    drop(keys);
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut findings: Vec<Finding> = order.iter().filter_map(|&ix| slots[ix].take()).collect();
    findings.dedup_by(|a, b| {
        a.rule == b.rule
            && a.loc == b.loc
            && a.message == b.message
            && a.change == b.change
            && a.subjects == b.subjects
    });
    findings
}

/// The candidate closest to `name` (for "did you mean" help), if any is
/// close enough; ties go to the first in order, so the help is stable.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(candidate, name);
        if score > 0.8 && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Findings grouped by the change they concern, in one pass.
pub fn by_change(findings: &[Finding]) -> BTreeMap<&str, Vec<&Finding>> {
    let mut map: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        if let Some(change) = &finding.change {
            map.entry(change.as_str()).or_default().push(finding);
        }
    }
    map
}

/// Counts of findings by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Findings at level `error`.
    pub errors: usize,
    /// Findings at level `warning`.
    pub warnings: usize,
    /// Findings at level `info`.
    pub infos: usize,
}

impl Summary {
    /// Counts `findings` by their (final) level.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.level {
                Level::Error => summary.errors += 1,
                Level::Warning => summary.warnings += 1,
                Level::Info => summary.infos += 1,
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of subject comes back as it went in, in order, up to the
    /// largest index a `u32` holds; equal subjects test as equal.
    #[test]
    fn subjects_come_back_as_added() {
        let big = u32::MAX as usize;
        let all = [
            Subject::Change(0),
            Subject::Phase {
                change: big,
                phase: 7,
            },
            Subject::Phase {
                change: 7,
                phase: big,
            },
            Subject::Period(1),
            Subject::System(big),
            Subject::Integration(3),
            Subject::Process(4),
            Subject::Audience(5),
            Subject::Team(6),
            Subject::Incident(big),
        ];
        let loc = Loc {
            file: crate::base::source::FileId(0),
            span: 0..0,
        };
        let finding = Finding::new(Rule::NoBackup, loc, "m")
            .about(all[0])
            .about_all(all[1..].iter().copied());
        assert_eq!(finding.subject_refs().collect::<Vec<_>>(), all);
        assert_eq!(finding.first_subject(), Some(Subject::Change(0)));
        assert!(finding.is_about(Subject::Phase {
            change: 7,
            phase: big
        }));
        assert!(!finding.is_about(Subject::Phase {
            change: big,
            phase: big
        }));
        assert!(!finding.is_about(Subject::Change(1)));
        assert!(!finding.is_about(Subject::Team(big)));
    }
}
