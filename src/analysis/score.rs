//! Analysis stage: the risk score of rules.md, with every term kept so a
//! reviewer sees why a change scores what it does.
//!
//! score = criticality + blast radius + Σ weights of the risk and schedule
//! rules that fired on the change (each rule once), at most 100.
//! - criticality: the highest criticality among impacted systems and
//!   processes: low 5, medium 10, high 20, critical 30.
//! - blast radius: 5 points per doubling of the systems impacted beyond
//!   those changed (1 → 5, 2–3 → 10, 4–7 → 15, 8 or more → 20).
//! - weights: `[risk.weights]` of cutover.toml, else the rule's default
//!   (`cutover explain` and README list them). A rule set to `off` never
//!   fires, so it adds nothing.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::Facts;
use crate::base::{Family, Finding, Rule};
use crate::model::{Criticality, Model};

/// A change's risk level, by the `[risk]` thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// Score below the `[risk]` `medium` threshold (25 by default).
    Low,
    /// Score at least `[risk]` `medium` (25 by default), below `high`.
    Medium,
    /// Score at least `[risk]` `high` (50 by default), below `critical`.
    High,
    /// Score at least `[risk]` `critical` (75 by default).
    Critical,
}

impl RiskLevel {
    /// The lowercase name (`high`), as in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
}

/// One term of a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    /// `criticality`, `blast-radius`, or the name of a rule that fired.
    pub name: String,
    /// Points this term adds to the score.
    pub points: u32,
    /// Why, in words: "highest impacted: critical (erp)", "2 findings".
    pub detail: String,
}

/// A change's risk score, with every term that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// The sum of the factors' points, capped at 100.
    pub score: u32,
    /// The level the score falls in.
    pub level: RiskLevel,
    /// The terms, in order: criticality, blast radius, then each rule that
    /// fired (in rule-table order); terms of 0 points are left out.
    pub factors: Vec<Factor>,
}

impl Risk {
    /// "criticality 30 + blast-radius 10 + no-backup 30".
    pub fn explain(&self) -> String {
        let terms: Vec<String> = self
            .factors
            .iter()
            .map(|f| format!("{} {}", f.name, f.points))
            .collect();
        let sum: u32 = self.factors.iter().map(|f| f.points).sum();
        let capped = if sum > self.score {
            format!(" = {sum}, capped at 100")
        } else {
            String::new()
        };
        format!("{}{capped}", terms.join(" + "))
    }
}

fn criticality_points(c: Criticality) -> u32 {
    match c {
        Criticality::Low => 5,
        Criticality::Medium => 10,
        Criticality::High => 20,
        Criticality::Critical => 30,
    }
}

/// Points for `n` systems impacted beyond the changed ones.
pub fn blast_points(n: usize) -> u32 {
    (5 * (usize::BITS - n.leading_zeros())).min(20)
}

/// The score of every change (parallel to `model.changes`), from the final
/// findings (after `[rules]` overrides).
pub fn score(model: &Model, facts: &Facts, findings: &[Finding]) -> Vec<Risk> {
    let mut fired: BTreeMap<&str, BTreeMap<Rule, usize>> = BTreeMap::new();
    for finding in findings {
        if matches!(finding.rule.family(), Family::Risk | Family::Schedule)
            && let Some(change) = &finding.change
        {
            *fired
                .entry(change.as_str())
                .or_default()
                .entry(finding.rule)
                .or_default() += 1;
        }
    }
    let config = &model.config.risk;
    let rank = &facts.system_rank;
    model
        .changes
        .par_iter()
        .zip(&facts.changes)
        .map(|(change, f)| {
            let mut factors = Vec::new();
            // The highest system first, among equals the first by id (the
            // id rank: numbers, not strings, over thousands of systems).
            let systems = f
                .impact
                .systems()
                .max_by_key(|&s| {
                    (
                        model.systems[s].criticality.value,
                        std::cmp::Reverse(rank[s]),
                    )
                })
                .map(|s| {
                    (
                        model.systems[s].criticality.value,
                        &model.systems[s].id.value,
                    )
                });
            let processes = f.impact.processes.iter().map(|&p| {
                (
                    model.processes[p].criticality.value,
                    &model.processes[p].id.value,
                )
            });
            // Highest criticality; among equals, the first id in order.
            let top = systems
                .into_iter()
                .chain(processes)
                .map(|(c, id)| (c, std::cmp::Reverse(id)))
                .max();
            if let Some((c, std::cmp::Reverse(id))) = top {
                factors.push(Factor {
                    name: "criticality".into(),
                    points: criticality_points(c),
                    detail: format!("highest impacted: {} ({id})", c.name()),
                });
            }
            let beyond = f.impact.system_count() - f.changed.len();
            let blast = blast_points(beyond);
            if blast > 0 {
                factors.push(Factor {
                    name: "blast-radius".into(),
                    points: blast,
                    detail: format!(
                        "{beyond} systems impacted beyond the {} changed",
                        f.changed.len()
                    ),
                });
            }
            let rules: BTreeSet<(Rule, usize)> = fired
                .get(change.id.value.as_str())
                .map(|m| m.iter().map(|(r, n)| (*r, *n)).collect())
                .unwrap_or_default();
            for (rule, count) in rules {
                let points = config
                    .weights
                    .get(&rule)
                    .copied()
                    .unwrap_or_else(|| rule.default_weight());
                if points > 0 {
                    factors.push(Factor {
                        name: rule.name().into(),
                        points,
                        detail: format!("{count} finding{}", if count == 1 { "" } else { "s" }),
                    });
                }
            }
            let score = factors.iter().map(|f| f.points).sum::<u32>().min(100);
            let level = if score >= config.critical {
                RiskLevel::Critical
            } else if score >= config.high {
                RiskLevel::High
            } else if score >= config.medium {
                RiskLevel::Medium
            } else {
                RiskLevel::Low
            };
            Risk {
                score,
                level,
                factors,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blast_points_grow_per_doubling_up_to_twenty() {
        let points: Vec<u32> = [0, 1, 2, 3, 4, 7, 8, 1000]
            .iter()
            .map(|&n| blast_points(n))
            .collect();
        assert_eq!(points, vec![0, 5, 10, 10, 15, 15, 20, 20]);
    }
}
