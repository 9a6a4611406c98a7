//! Analysis stage, risk rules of people: impacted audiences told, a
//! complete announcement, fallbacks for critical processes, approvals
//! before and outcomes after.

use crate::analysis::rules::Ctx;
use crate::analysis::rules::pairs::{AGGREGATE_OVER, FIRST_FEW};
use crate::base::{Finding, Rule, Subject};
use crate::model::{Criticality, Status};

/// `unnotified-audience`: an impacted audience is not in
/// `communication.audiences`; one finding per audience, or, when a change
/// leaves more than [`AGGREGATE_OVER`] audiences untold, one finding with
/// the count and the first few (a change that impacts thousands of
/// audiences makes one finding, not thousands).
pub fn unnotified_audience(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let told: std::collections::BTreeSet<usize> = cx
            .change
            .communication
            .iter()
            .flat_map(|c| c.audiences.iter().map(|a| a.ix))
            .collect();
        let loc = cx
            .change
            .communication
            .as_ref()
            .map_or(cx.change.loc.clone(), |c| c.loc.clone());
        let untold: Vec<usize> = cx
            .facts
            .impact
            .audiences
            .iter()
            .copied()
            .filter(|a| !told.contains(a))
            .collect();
        let help = "add the audience to `communication.audiences`, so they learn what changes, why, when and what they will notice";
        if untold.len() > AGGREGATE_OVER {
            let named: Vec<String> = untold
                .iter()
                .take(FIRST_FEW)
                .map(|&a| {
                    let audience = &cx.model.audiences[a];
                    format!("{} (`{}`)", audience.name, audience.id.value)
                })
                .collect();
            let mut finding = cx.finding(
                Rule::UnnotifiedAudience,
                loc,
                format!(
                    "`{}` impacts {} audiences who are not told about it: {} and {} more",
                    cx.id(),
                    untold.len(),
                    named.join(", "),
                    untold.len() - FIRST_FEW
                ),
            );
            for &a in untold.iter().take(FIRST_FEW) {
                finding = finding.subject(cx.model.audiences[a].id.value.clone());
            }
            for &a in &untold {
                finding = finding.about(Subject::Audience(a));
            }
            findings.push(finding.help(help));
            return;
        }
        for a in untold {
            let audience = &cx.model.audiences[a];
            findings.push(
                cx.finding(
                    Rule::UnnotifiedAudience,
                    loc.clone(),
                    format!("`{}` impacts {} (`{}`), who are not told about it", cx.id(), audience.name, audience.id.value),
                )
                .subject(audience.id.value.clone())
                .about(Subject::Audience(a))
                .help(help),
            );
        }
    });
}

/// `incomplete-announcement`: no `impact`, or no `communication.audiences`.
pub fn incomplete_announcement(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let mut missing = Vec::new();
        if cx.change.impact.is_none() {
            missing.push("no `impact` (what users will notice)");
        }
        if cx
            .change
            .communication
            .as_ref()
            .is_none_or(|c| c.audiences.is_empty())
        {
            missing.push("no `communication.audiences` (who is told)");
        }
        if missing.is_empty() {
            return;
        }
        let loc = cx
            .change
            .communication
            .as_ref()
            .map_or(cx.change.loc.clone(), |c| c.loc.clone());
        findings.push(
            cx.finding(
                Rule::IncompleteAnnouncement,
                loc,
                format!(
                    "the announcement of `{}` is incomplete: {}",
                    cx.id(),
                    missing.join(" and ")
                ),
            )
            .help("say what changes, why, when, and what users will notice, and to whom it goes"),
        );
    });
}

/// `no-fallback`: an impacted critical process has no `fallback`.
pub fn no_fallback(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        for &p in &cx.facts.impact.processes {
            let process = &cx.model.processes[p];
            if process.criticality.value == Criticality::Critical && process.fallback.is_none() {
                findings.push(
                    cx.finding(
                        Rule::NoFallback,
                        process.id.loc.clone(),
                        format!("`{}` impacts the critical process `{}`, which has no manual fallback", cx.id(), process.id.value),
                    )
                    .subject(process.id.value.clone())
                    .about(Subject::Process(p))
                    .help("write the process's `fallback`: how people keep working while its systems are down"),
                );
            }
        }
    });
}

/// `missing-approval`: status approved or later (and still active) without
/// `approvals`.
pub fn missing_approval(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        if cx.change.status.value >= Status::Approved && cx.change.approvals.is_empty() {
            findings.push(
                cx.finding(
                    Rule::MissingApproval,
                    cx.change.status.loc.clone(),
                    format!("`{}` is marked approved or later but records no approval", cx.id()),
                )
                .help("record who approved it and when: approvals = [{ by = \"cab\", date = 2026-11-20 }]"),
            );
        }
    });
}

/// `missing-outcome`: status completed or rolled back without `outcome`.
pub fn missing_outcome(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_change(findings, |cx, findings| {
        if matches!(
            cx.change.status.value,
            Status::Completed | Status::RolledBack
        ) && cx.change.outcome.is_none()
        {
            findings.push(
                cx.finding(Rule::MissingOutcome, cx.change.status.loc.clone(), format!("`{}` is finished but records no outcome", cx.id()))
                    .help("add [change.outcome] with `result`, `completed`, `notes` and `issues`, so the next change can learn from it"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, run};

    const USERS: &str = "[[audience]]\nid = \"users\"\nname = \"Users\"\ncriticality = \"low\"\nsystems = [\"app\"]\n";

    fn told(tables: &str) -> String {
        format!("{USERS}{}", change("c", "impact = \"slow\"", tables))
    }

    #[test]
    fn unnotified_audience_fires_on_an_impacted_audience() {
        let found = run(&told(""), unnotified_audience);
        assert_eq!(
            messages(&found),
            ["`c` impacts Users (`users`), who are not told about it"]
        );
        assert!(found[0].is_about(Subject::Audience(0)));
    }

    /// Issue 10: a change impacting many audiences it does not tell made a
    /// finding each (200 changes × 2,000 audiences: 400,000 findings).
    #[test]
    fn unnotified_audiences_past_the_bound_make_one_finding_with_the_count() {
        let mut text = String::new();
        for i in 0..7 {
            text.push_str(&format!(
                "[[audience]]\nid = \"a{i}\"\nname = \"A{i}\"\ncriticality = \"low\"\nsystems = [\"app\"]\n"
            ));
        }
        text.push_str(&change("c", "impact = \"slow\"", ""));
        let found = run(&text, unnotified_audience);
        assert_eq!(
            messages(&found),
            [
                "`c` impacts 7 audiences who are not told about it: A0 (`a0`), A1 (`a1`), A2 (`a2`) and 4 more"
            ]
        );
        assert_eq!(found[0].subjects, ["a0", "a1", "a2"]);
        assert!((0..7).all(|a| found[0].is_about(Subject::Audience(a))));
        // At the bound (5 untold), one finding each.
        let told = format!("{text}[change.communication]\naudiences = [\"a5\", \"a6\"]\n");
        assert_eq!(run(&told, unnotified_audience).len(), 5);
    }

    #[test]
    fn unnotified_audience_near_miss_when_told() {
        let text = told("[change.communication]\naudiences = [\"users\"]\n");
        assert!(run(&text, unnotified_audience).is_empty());
    }

    #[test]
    fn incomplete_announcement_fires_without_impact_or_audiences() {
        assert_eq!(
            messages(&run(&change("c", "", ""), incomplete_announcement)),
            [
                "the announcement of `c` is incomplete: no `impact` (what users will notice) and no `communication.audiences` (who is told)"
            ]
        );
    }

    #[test]
    fn incomplete_announcement_near_miss_with_both() {
        let text = told("[change.communication]\naudiences = [\"users\"]\n");
        assert!(run(&text, incomplete_announcement).is_empty());
    }

    fn process(fallback: &str) -> String {
        format!(
            "[[process]]\nid = \"sales\"\nname = \"Sales\"\ncriticality = \"critical\"\nsystems = [\"app\"]\n{fallback}\n{}",
            change("c", "", "")
        )
    }

    #[test]
    fn no_fallback_fires_on_a_critical_process_without_one() {
        let found = run(&process(""), no_fallback);
        assert_eq!(
            messages(&found),
            ["`c` impacts the critical process `sales`, which has no manual fallback"]
        );
        assert!(found[0].is_about(Subject::Process(0)));
    }

    #[test]
    fn no_fallback_near_miss_with_a_fallback() {
        assert!(run(&process("fallback = \"phone orders\""), no_fallback).is_empty());
    }

    #[test]
    fn missing_approval_fires_when_approved_without_approvals() {
        let text = change("c", "status = \"approved\"", "");
        assert_eq!(
            messages(&run(&text, missing_approval)),
            ["`c` is marked approved or later but records no approval"]
        );
    }

    #[test]
    fn missing_approval_near_miss_with_an_approval_or_proposed() {
        let text = change(
            "c",
            "status = \"approved\"\napprovals = [{ by = \"cab\", date = 2026-11-20 }]",
            "",
        );
        assert!(run(&text, missing_approval).is_empty());
        assert!(run(&change("c", "", ""), missing_approval).is_empty());
    }

    #[test]
    fn missing_outcome_fires_on_a_finished_change_without_one() {
        let text = change("c", "status = \"completed\"", "");
        assert_eq!(
            messages(&run(&text, missing_outcome)),
            ["`c` is finished but records no outcome"]
        );
    }

    #[test]
    fn missing_outcome_near_miss_with_an_outcome() {
        let text = change(
            "c",
            "status = \"completed\"",
            "[change.outcome]\nresult = \"success\"\n",
        );
        assert!(run(&text, missing_outcome).is_empty());
    }
}
