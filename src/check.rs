//! The check pipeline: load, then (when loading found no error) analyse,
//! then apply `[rules]` and sort. `check` and later `build` share it.

use std::path::Path;

use jiff::civil::Date;

use crate::analysis::score::{self, Risk};
use crate::analysis::{self, Facts};
use crate::base::source::Sources;
use crate::base::timings;
use crate::base::{Finding, Level};
use crate::inventory::tree::{FileTree, Folder};
use crate::inventory::{self, LoadError, Loaded};
use crate::model::Model;

/// The result of checking one inventory.
pub struct Checked {
    /// Text of every inventory file read, which the findings' locations point into.
    pub sources: Sources,
    /// The resolved inventory (partial when loading found errors).
    pub model: Model,
    /// Loading and plan findings after `[rules]` overrides, sorted by file, line, column and rule.
    pub findings: Vec<Finding>,
    /// Empty when loading failed (the plan was not analysed).
    pub facts: Facts,
    /// Parallel to `model.changes`; empty when loading failed.
    pub risks: Vec<Risk>,
    /// The as-of date (see [`as_of`]): `short-notice` and `stale-status` read it as a day of the
    /// site's zone.
    pub as_of: Date,
}

impl Checked {
    /// Whether any finding is at level `error` (after `[rules]` overrides).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }

    /// Whether loading found errors (the plan was then not analysed).
    pub fn has_loading_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule.family() == crate::base::Family::Loading)
    }

    /// The loading errors, located: what a command that must fail closed
    /// shows.
    pub fn loading_errors(&self) -> Vec<Finding> {
        self.findings
            .iter()
            .filter(|f| f.rule.family() == crate::base::Family::Loading)
            .cloned()
            .collect()
    }
}

/// Loads and checks the inventory at `root`. Plan rules run only on an
/// inventory that loaded without error: on a broken one they would mostly
/// report echoes of the loading errors.
pub fn check(root: &Path, as_of: Date) -> Result<Checked, LoadError> {
    check_tree(&Folder::new(root), as_of)
}

/// Like [`check`], for an inventory in any tree of files (a git revision).
pub fn check_tree(tree: &dyn FileTree, as_of: Date) -> Result<Checked, LoadError> {
    let stage = timings::start("load");
    let Loaded {
        sources,
        model,
        findings,
    } = inventory::load_tree(tree)?;
    stage.end();
    let stage = timings::start("analyse");
    let mut findings = findings;
    let mut facts = Facts::default();
    if findings.is_empty() {
        let (derived, plan_findings) = analysis::analyse(&model, as_of);
        facts = derived;
        findings.extend(plan_findings);
    }
    stage.end();
    let stage = timings::start("finalise and score");
    let findings = crate::base::finding::finalize(findings, &model.config.rules, &sources);
    let risks = score::score(&model, &facts, &findings);
    stage.end();
    Ok(Checked {
        sources,
        model,
        findings,
        facts,
        risks,
        as_of,
    })
}

/// The as-of date: `--as-of`, else `SOURCE_DATE_EPOCH` (its UTC date), else
/// today in the machine's zone.
pub fn as_of(flag: Option<&str>, source_date_epoch: Option<&str>) -> Result<Date, String> {
    let date = as_of_unchecked(flag, source_date_epoch)?;
    let years = crate::model::time::YEARS;
    if !years.contains(&(date.year() as u16)) || date.year() < 0 {
        return Err(format!(
            "the as-of date {date} is out of range: years from {} to {} are supported",
            years.start(),
            years.end()
        ));
    }
    Ok(date)
}

fn as_of_unchecked(flag: Option<&str>, source_date_epoch: Option<&str>) -> Result<Date, String> {
    if let Some(text) = flag {
        // Exactly YYYY-MM-DD: jiff would also take `20261124` and a
        // date-time, whose time part would be silently dropped.
        let form = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !form {
            return Err(format!(
                "--as-of `{text}` is not a date: write it as YYYY-MM-DD, such as 2026-11-24"
            ));
        }
        return text
            .parse::<Date>()
            .map_err(|e| format!("--as-of `{text}` is not a date (YYYY-MM-DD): {e}"));
    }
    if let Some(text) = source_date_epoch {
        let seconds: i64 = text
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH `{text}` is not a number of seconds"))?;
        let instant = jiff::Timestamp::from_second(seconds)
            .map_err(|e| format!("SOURCE_DATE_EPOCH `{text}` is out of range: {e}"))?;
        return Ok(instant.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    }
    Ok(jiff::ZonedDateTime::now().date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_prefers_the_flag_then_source_date_epoch() {
        let date = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(
            as_of(Some("2026-11-24"), Some("0")).unwrap(),
            date(2026, 11, 24)
        );
        assert_eq!(as_of(None, Some("1767225600")).unwrap(), date(2026, 1, 1));
        assert!(
            as_of(Some("24.11.2026"), None)
                .unwrap_err()
                .contains("--as-of")
        );
        assert!(
            as_of(None, Some("soon"))
                .unwrap_err()
                .contains("SOURCE_DATE_EPOCH")
        );
    }
}
