//! `cutover export FORMAT [INVENTORY]`: the windows and freezes as the
//! engines that enforce them read them (Argo CD, GitLab, AWS SSM).

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::base::Summary;
use crate::cli::{Deny, ExportArgs, ExportFormat, ExportTarget};
use crate::commands::{Outcome, as_of, print};
use crate::{check, export, report};

/// `cutover export`: the document on standard output, findings (periods
/// left out) on standard error; exit 1 when the inventory does not load,
/// or on an error-level finding (or a warning with `--deny warnings`).
pub fn run(args: &ExportArgs) -> Outcome {
    let as_of = as_of(args.as_of.as_deref())?;
    let until = match &args.until {
        Some(text) => check::as_of(Some(text), None).map_err(|e| {
            e.replace("--as-of", "--until")
                .replace("as-of date", "--until date")
        })?,
        None => as_of
            .checked_add(jiff::Span::new().years(1))
            .map_err(|e| format!("the as-of date {as_of} has no year after it: {e}"))?,
    };
    let loaded = crate::inventory::load(&args.inventory).map_err(|e| e.0)?;
    let paint = crate::commands::color(args.color, std::io::stderr().is_terminal());
    if !loaded.findings.is_empty() {
        eprint!(
            "{}",
            report::human::render(&loaded.findings, &loaded.sources, paint)
        );
        eprintln!("error: the inventory does not load; nothing was exported");
        return Ok(ExitCode::from(1));
    }
    let options = export::Options {
        target: match args.target {
            ExportTarget::Argocd => export::Target::ArgoCd,
            ExportTarget::Gitlab => export::Target::GitLab,
            ExportTarget::SsmCalendar => export::Target::SsmCalendar,
        },
        as_of,
        until,
        systems: args.systems.clone(),
        hard_only: args.hard_only,
    };
    let exported = export::export(&loaded.model, &options)?;
    let findings = crate::base::finding::finalize(
        exported.findings.clone(),
        &loaded.model.config.rules,
        &loaded.sources,
    );
    match args.format {
        ExportFormat::Native => print(&export::native_document(&loaded.model, &exported)),
        ExportFormat::Json => {
            let document =
                export::json_document(&loaded.model, &exported, &findings, &loaded.sources);
            let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
            text.push('\n');
            print(&text);
        }
    }
    eprint!(
        "{}",
        report::human::render(&findings, &loaded.sources, paint)
    );
    let summary = Summary::of(&findings);
    let failed = summary.errors > 0 || (args.deny == Some(Deny::Warnings) && summary.warnings > 0);
    if failed {
        eprintln!(
            "error: {} finding{} about what could not be exported fail the run",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
