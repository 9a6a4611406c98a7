//! `cutover diff BASE [HEAD]`: what a change of the inventory (two git
//! revisions, or two folders) does to the plan.

use std::process::ExitCode;

use crate::cli::{Deny, DiffArgs, DiffFormat};
use crate::commands::{Outcome, as_of, print};
use crate::diff;

/// Reads both sides, prints what the head does to the plan; exit 1 when
/// the head fails the gate (see `diff::Diff::failures`).
pub fn run(args: &DiffArgs) -> Outcome {
    let as_of = as_of(args.as_of.as_deref())?;
    let (base, head) = diff::sides(&args.base, args.head.as_deref(), &args.inventory, as_of)?;
    let gate = diff::Gate {
        deny_warnings: args.deny == Some(Deny::Warnings),
        max_risk: args.max_risk,
    };
    let report = diff::diff(&base, &head, as_of, gate);
    print(&match args.format {
        DiffFormat::Human => diff::render::human(&report),
        DiffFormat::Markdown => diff::render::markdown(&report, args.link_base.as_deref()),
        DiffFormat::Json => diff::render::json(&report),
    });
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
