//! `cutover check`: load and analyse, print the findings in the asked
//! format, and fail the run on errors, `--deny warnings` or `--max-risk`.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::analysis::score::Risk;
use crate::base::{Finding, Level, Summary};
use crate::check::{self, Checked};
use crate::cli::{CheckArgs, Deny, Format};
use crate::commands::{Outcome, as_of, print};
use crate::report;

/// Runs `cutover check`.
pub fn run(args: &CheckArgs) -> Outcome {
    let (checked, failures) = check_and_print(args)?;
    let status = if checked.has_errors() || !failures.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    leave_to_the_os(checked);
    Ok(status)
}

/// Ends the life of the check without freeing it piece by piece: the
/// process is about to exit and the operating system takes the memory back
/// at once (millions of small allocations on a big inventory).
pub fn leave_to_the_os(checked: Checked) {
    std::mem::forget(checked);
}

/// Checks and prints the findings; returns the check and the reasons,
/// beyond errors, for the run to fail (already printed on stderr).
pub fn check_and_print(args: &CheckArgs) -> Result<(Checked, Vec<String>), String> {
    let checked = check_only(args)?;
    print_report(&checked, args);
    let failures = print_failures(&checked, args);
    Ok((checked, failures))
}

/// Loads and analyses the inventory of `args`, printing nothing.
pub fn check_only(args: &CheckArgs) -> Result<Checked, String> {
    let as_of = as_of(args.as_of.as_deref())?;
    check::check(&args.inventory, as_of).map_err(|e| e.0)
}

/// The reasons beyond errors for the run to fail, each printed on stderr.
pub fn print_failures(checked: &Checked, args: &CheckArgs) -> Vec<String> {
    let failures = failures(checked, args);
    for line in &failures {
        eprintln!("error: {line}");
    }
    failures
}

/// Prints the findings of `checked` in the format `args` asks for.
pub fn print_report(checked: &Checked, args: &CheckArgs) {
    let inventory = args.inventory.to_string_lossy();
    let as_of = checked.as_of;
    let stage = crate::base::timings::start("report");
    match args.format {
        Format::Json => {
            let document = report::json::document(
                &checked.findings,
                &checked.sources,
                &checked.model,
                &checked.facts,
                &checked.risks,
                &as_of.to_string(),
            );
            print(&report::json::render(&document));
        }
        Format::Sarif => print(&report::ci::sarif(
            &checked.findings,
            &checked.sources,
            &inventory,
            checked.model.config.site.rules_url.as_deref(),
        )),
        Format::Gitlab => print(&report::ci::gitlab(
            &checked.findings,
            &checked.sources,
            &inventory,
        )),
        Format::Github => print(&report::ci::github(
            &checked.findings,
            &checked.sources,
            &inventory,
        )),
        Format::Human => print_human(checked, args),
    }
    stage.end();
}

/// The one-line summary of a check: `INVENTORY: 2 errors, 1 warning, 0
/// infos in 25 files, 15 changes, as of 2026-11-24`.
pub fn summary_line(checked: &Checked, args: &CheckArgs) -> String {
    format!(
        "{}: {} in {} files, {} changes, as of {}\n",
        args.inventory.display(),
        report::human::summary_line(Summary::of(&checked.findings)),
        checked.sources.files().len(),
        checked.model.changes.len(),
        checked.as_of,
    )
}

fn print_human(checked: &Checked, args: &CheckArgs) {
    let color = crate::commands::color(args.color, std::io::stdout().is_terminal());
    let shown = checked
        .findings
        .iter()
        .filter(|f| !args.quiet || f.level == Level::Error);
    print(&report::human::render(shown, &checked.sources, color));
    if !args.quiet {
        print(&report::human::change_summary(checked));
        print(&summary_line(checked, args));
    }
}

/// Reasons beyond errors for the run to fail: `--deny warnings` and
/// `--max-risk` (active changes only: finished ones are history).
pub fn failures(checked: &Checked, args: &CheckArgs) -> Vec<String> {
    let mut failures = Vec::new();
    if args.deny == Some(Deny::Warnings) {
        let warned: Vec<&Finding> = checked
            .findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .collect();
        if !warned.is_empty() {
            let mut changes: Vec<&str> =
                warned.iter().filter_map(|f| f.change.as_deref()).collect();
            changes.sort_unstable();
            changes.dedup();
            failures.push(format!(
                "--deny warnings: {} warning{} (on {})",
                warned.len(),
                if warned.len() == 1 { "" } else { "s" },
                if changes.is_empty() {
                    "the inventory".to_string()
                } else {
                    changes.join(", ")
                }
            ));
        }
    }
    if let Some(max) = args.max_risk {
        let mut above: Vec<(&str, &Risk)> = checked
            .model
            .changes
            .iter()
            .zip(&checked.risks)
            .filter(|(change, risk)| change.status.value.is_active() && risk.level > max)
            .map(|(change, risk)| (change.id.value.as_str(), risk))
            .collect();
        above.sort_by_key(|(id, _)| *id);
        for (id, risk) in above {
            failures.push(format!(
                "{id} scores {} ({}), above --max-risk {}: {}",
                risk.score,
                risk.level.name(),
                max.name(),
                risk.explain()
            ));
        }
    }
    failures
}
