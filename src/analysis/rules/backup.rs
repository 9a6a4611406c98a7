//! Analysis stage, risk rules of the way back: a backup of stateful
//! systems, a tested restore, rollback steps and triggers.

use crate::analysis::rules::{Ctx, listed_all, too_old};
use crate::base::{Finding, Rule, Subject};
use crate::model::Backup;

/// `no-backup`: a changed system is stateful and there is no `backup`
/// (`backup.none` with a reason silences it).
pub fn no_backup(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        if cx.change.backup.is_some() {
            return;
        }
        let systems: Vec<usize> = cx
            .facts
            .changed
            .iter()
            .copied()
            .filter(|&s| cx.model.systems[s].stateful)
            .collect();
        let mut stateful: Vec<&str> = systems.iter().map(|&s| cx.system_id(s)).collect();
        stateful.sort_unstable();
        if stateful.is_empty() {
            return;
        }
        let mut finding = cx
            .finding(
                Rule::NoBackup,
                cx.change.loc.clone(),
                format!("`{}` changes stateful {} but has no [change.backup]", cx.id(), listed_all(&stateful)),
            )
            .help("take a backup right before the change and describe it (method, scope, location, restore_time, restore_tested), or say why none is needed with `none = \"reason\"`")
            .about_all(systems.into_iter().map(Subject::System));
        finding = finding.subjects(stateful);
        findings.push(finding);
    });
}

/// `untested-restore`: a backup whose `restore_tested` is missing or older
/// than `policy.health_max_age` before the first phase.
pub fn untested_restore(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let Some(Backup::Plan {
            restore_tested,
            loc,
            ..
        }) = &cx.change.backup
        else {
            return;
        };
        let Some(first) = cx.first_start() else {
            return;
        };
        let max_age = cx.model.config.policy.health_max_age;
        match restore_tested {
            None => findings.push(
                cx.finding(Rule::UntestedRestore, loc.clone(), format!("the backup of `{}` has no `restore_tested` date", cx.id()))
                    .help("restore the backup into a test environment, time it, and record the date in `restore_tested`"),
            ),
            Some(tested) if too_old(tested.value, max_age, first) => findings.push(
                cx.finding(
                    Rule::UntestedRestore,
                    tested.loc.clone(),
                    format!(
                        "the restore of `{}` was last tested {}, more than {max_age} before its first phase on {}",
                        cx.id(),
                        tested.value,
                        first.date()
                    ),
                )
                .help("test the restore again before the change and update `restore_tested`"),
            ),
            Some(_) => {}
        }
    });
}

/// `no-rollback`: no `rollback`, or no rollback steps.
pub fn no_rollback(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let (loc, message) = match &cx.change.rollback {
            None => (
                cx.change.loc.clone(),
                format!("`{}` has no [change.rollback]", cx.id()),
            ),
            Some(rollback) if rollback.steps.is_empty() => (
                rollback.loc.clone(),
                format!("the rollback of `{}` has no steps", cx.id()),
            ),
            Some(_) => return,
        };
        findings.push(
            cx.finding(Rule::NoRollback, loc, message)
                .help("write the rollback `steps` that return users to the stable version, with `time`, `triggers` and `owner`"),
        );
    });
}

/// `no-rollback-trigger`: a rollback without `triggers`.
pub fn no_rollback_trigger(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        if let Some(rollback) = &cx.change.rollback
            && rollback.triggers.is_empty()
        {
            findings.push(
                cx.finding(
                    Rule::NoRollbackTrigger,
                    rollback.loc.clone(),
                    format!("the rollback of `{}` has no triggers", cx.id()),
                )
                .help(
                    "say when to roll back: `triggers = [\"error rate above 2% for 10 minutes\", ...]`",
                ),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, run};

    const STORE: &str = "[[system]]\nid = \"store\"\nname = \"Store\"\nowner = \"t\"\ncriticality = \"low\"\nstateful = true\n";

    #[test]
    fn no_backup_fires_on_a_stateful_system() {
        let text = format!("{STORE}{}", change("c", "systems = [\"store\"]", ""));
        let found = run(&text, no_backup);
        assert_eq!(
            messages(&found),
            ["`c` changes stateful `store` but has no [change.backup]"]
        );
        assert!(found[0].is_about(Subject::System(3)));
    }

    #[test]
    fn no_backup_near_miss_with_a_reason_or_no_state() {
        let none = "[change.backup]\nnone = \"read-only replica\"\n";
        let text = format!("{STORE}{}", change("c", "systems = [\"store\"]", none));
        assert!(run(&text, no_backup).is_empty());
        assert!(run(&change("c", "", ""), no_backup).is_empty());
    }

    fn backup(keys: &str) -> String {
        change(
            "c",
            "",
            &format!("[change.backup]\nmethod = \"dump\"\n{keys}\n"),
        )
    }

    #[test]
    fn untested_restore_fires_untested_or_long_ago() {
        let found = run(&backup(""), untested_restore);
        assert_eq!(
            messages(&found),
            ["the backup of `c` has no `restore_tested` date"]
        );
        let found = run(&backup("restore_tested = 2026-11-05"), untested_restore);
        assert!(messages(&found)[0].contains("last tested 2026-11-05, more than 30d"));
    }

    #[test]
    fn untested_restore_near_miss_thirty_days_before() {
        // 30 days before the first phase on 2026-12-06 is still fresh.
        assert!(run(&backup("restore_tested = 2026-11-06"), untested_restore).is_empty());
    }

    #[test]
    fn no_rollback_fires_without_steps() {
        let found = run(&change("c", "", ""), no_rollback);
        assert_eq!(messages(&found), ["`c` has no [change.rollback]"]);
        let empty = change("c", "", "[change.rollback]\ntriggers = [\"errors\"]\n");
        assert_eq!(
            messages(&run(&empty, no_rollback)),
            ["the rollback of `c` has no steps"]
        );
    }

    #[test]
    fn no_rollback_near_miss_with_steps() {
        let text = change("c", "", "[change.rollback]\nsteps = [\"undo\"]\n");
        assert!(run(&text, no_rollback).is_empty());
    }

    #[test]
    fn no_rollback_trigger_fires_without_triggers() {
        let text = change("c", "", "[change.rollback]\nsteps = [\"undo\"]\n");
        assert_eq!(
            messages(&run(&text, no_rollback_trigger)),
            ["the rollback of `c` has no triggers"]
        );
    }

    #[test]
    fn no_rollback_trigger_near_miss_with_triggers_or_no_rollback() {
        let text = change(
            "c",
            "",
            "[change.rollback]\nsteps = [\"undo\"]\ntriggers = [\"errors\"]\n",
        );
        assert!(run(&text, no_rollback_trigger).is_empty());
        // No rollback at all is `no-rollback`, not this.
        assert!(run(&change("c", "", ""), no_rollback_trigger).is_empty());
    }
}
