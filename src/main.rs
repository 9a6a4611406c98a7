//! `cutover`: parse flags, run one command, map its result to an exit status
//! (0 no errors, 1 findings that fail the run, 2 the run could not happen).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cutover::cli::{
    BuildArgs, CheckArgs, Cli, ColorWhen, Command, Deny, ExportArgs, ExportFormat, ExportTarget,
    Format, InitArgs, SchemaFile,
};
use cutover::report::{self, Level, Rule, Summary};
use cutover::{check, export, init, serve, site};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => {
            run_check(&args).map(|(checked, failures)| exit_status(&checked, &failures))
        }
        Command::Build(args) => run_build(&args),
        Command::Serve(args) => {
            let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
            check::as_of(args.as_of.as_deref(), epoch.as_deref()).and_then(|as_of| {
                if !args.inventory.is_dir() {
                    return Err(format!(
                        "the inventory folder `{}` does not exist",
                        args.inventory.display()
                    ));
                }
                serve::run(serve::Options {
                    inventory: args.inventory,
                    templates: args.templates,
                    port: args.port,
                    as_of,
                })
                .map(|()| ExitCode::SUCCESS)
            })
        }
        Command::Explain { rule } => explain(rule.as_deref()),
        Command::Schema { file } => {
            print(&report::schema::render(match file {
                SchemaFile::Config => report::schema::SchemaFile::Config,
                SchemaFile::Entities => report::schema::SchemaFile::Entities,
            }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => run_init(&args),
        Command::Export(args) => run_export(&args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

fn run_init(args: &InitArgs) -> Result<ExitCode, String> {
    let (kind, what) = if args.minimal {
        (init::Kind::Minimal, "a minimal inventory")
    } else {
        (init::Kind::Example, "the example inventory")
    };
    init::write(&args.dir, kind)?;
    let dir = args.dir.display();
    let check = if args.dir == std::path::Path::new("inventory") {
        "cutover check".to_string()
    } else {
        format!("cutover check {dir}")
    };
    println!("wrote {what} to {dir}; try `{check}`");
    Ok(ExitCode::SUCCESS)
}

fn color(when: ColorWhen, stream_is_terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// `cutover export`: the document on standard output, findings (periods
/// left out) on standard error; exit 1 when the inventory does not load,
/// or on an error-level finding (or a warning with `--deny warnings`).
fn run_export(args: &ExportArgs) -> Result<ExitCode, String> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let as_of = check::as_of(args.as_of.as_deref(), epoch.as_deref())?;
    let until = match &args.until {
        Some(text) => check::as_of(Some(text), None).map_err(|e| {
            e.replace("--as-of", "--until")
                .replace("as-of date", "--until date")
        })?,
        None => as_of
            .checked_add(jiff::Span::new().years(1))
            .map_err(|e| format!("the as-of date {as_of} has no year after it: {e}"))?,
    };
    let loaded = cutover::inventory::load(&args.inventory).map_err(|e| e.0)?;
    let paint = color(args.color, std::io::stderr().is_terminal());
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
    let findings = report::finalize(
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

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`cutover check | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
}

/// Checks and prints the findings; returns the check and the reasons,
/// beyond errors, for the run to fail.
fn run_check(args: &CheckArgs) -> Result<(check::Checked, Vec<String>), String> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let as_of = check::as_of(args.as_of.as_deref(), epoch.as_deref())?;
    let checked = check::check(&args.inventory, as_of).map_err(|e| e.0)?;
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
            &args.inventory.to_string_lossy(),
            checked.model.config.site.rules_url.as_deref(),
        )),
        Format::Gitlab => print(&report::ci::gitlab(
            &checked.findings,
            &checked.sources,
            &args.inventory.to_string_lossy(),
        )),
        Format::Github => print(&report::ci::github(
            &checked.findings,
            &checked.sources,
            &args.inventory.to_string_lossy(),
        )),
        Format::Human => {
            let color = color(args.color, std::io::stdout().is_terminal());
            let shown: Vec<_> = checked
                .findings
                .iter()
                .filter(|f| !args.quiet || f.level == Level::Error)
                .cloned()
                .collect();
            print(&report::human::render(&shown, &checked.sources, color));
            if !args.quiet {
                print(&report::human::change_summary(&checked));
                let summary = Summary::of(&checked.findings);
                print(&format!(
                    "{}: {} in {} files, {} changes, as of {as_of}\n",
                    args.inventory.display(),
                    report::human::summary_line(summary),
                    checked.sources.files().len(),
                    checked.model.changes.len(),
                ));
            }
        }
    }
    let failures = gate(&checked, args);
    for line in &failures {
        eprintln!("error: {line}");
    }
    Ok((checked, failures))
}

fn exit_status(checked: &check::Checked, failures: &[String]) -> ExitCode {
    if checked.has_errors() || !failures.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks like `check`, then renders the site unless the check fails the
/// run (errors are allowed with `--allow-errors`).
fn run_build(args: &BuildArgs) -> Result<ExitCode, String> {
    let (checked, failures) = run_check(&args.check)?;
    if !failures.is_empty() {
        eprintln!("error: nothing was written; the previous site is untouched");
        return Ok(ExitCode::from(1));
    }
    let inventory_templates = args.check.inventory.join("templates");
    let mut overrides = vec![inventory_templates.as_path()];
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            return Err(format!("--templates `{}` is not a folder", dir.display()));
        }
        overrides.push(dir.as_path());
    }
    match site::build(&checked, &args.out, &overrides, args.allow_errors) {
        Ok(count) => {
            if !args.check.quiet {
                eprintln!(
                    "wrote {count} files to {}; open {}",
                    args.out.display(),
                    args.out.join("index.html").display()
                );
            }
            // Errors were either absent or allowed with --allow-errors.
            Ok(ExitCode::SUCCESS)
        }
        Err(site::BuildError::Refused(message)) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(1))
        }
        Err(site::BuildError::Failed(message)) => Err(message),
    }
}

/// Reasons beyond errors for the run to fail: `--deny warnings` and
/// `--max-risk` (active changes only: finished ones are history).
fn gate(checked: &check::Checked, args: &CheckArgs) -> Vec<String> {
    let mut failures = Vec::new();
    if args.deny == Some(Deny::Warnings) {
        let warned: Vec<&report::Finding> = checked
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
        let mut above: Vec<(&str, &cutover::analysis::score::Risk)> = checked
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

fn explain(name: Option<&str>) -> Result<ExitCode, String> {
    match name {
        None => {
            let mut text = String::from("Rules (cutover explain RULE for one):\n");
            for rule in Rule::ALL {
                text.push_str(&format!("  {:<26} {}\n", rule.name(), rule.default_level()));
            }
            print(&text);
            Ok(ExitCode::SUCCESS)
        }
        Some(name) => match Rule::from_name(&name.to_ascii_lowercase()) {
            Some(rule) => {
                print(rule.doc());
                Ok(ExitCode::SUCCESS)
            }
            None => {
                let close = report::closest(name, Rule::ALL.iter().map(|r| r.name()))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                Err(format!(
                    "no rule is named `{name}`{close} (`cutover explain` lists them all)"
                ))
            }
        },
    }
}
