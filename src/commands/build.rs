//! `cutover build`: check like `check`, then render the site unless the
//! check fails the run (errors are allowed with `--allow-errors`).

use std::process::ExitCode;

use crate::cli::BuildArgs;
use crate::cli::Format;
use crate::commands::Outcome;
use crate::commands::check::{check_only, print_failures, print_report, summary_line};
use crate::site;

/// Runs `cutover build`.
pub fn run(args: &BuildArgs) -> Outcome {
    let checked = check_only(&args.check)?;
    let failures = crate::commands::check::failures(&checked, &args.check);
    // The findings in full when they stop the build, when asked for
    // (`--findings`) or in a machine format; else only the summary, since
    // `check` is where they are read and a big plan has thousands.
    let refused = !failures.is_empty() || site::refusal(&checked, args.allow_errors).is_some();
    if refused || args.findings || args.check.format != Format::Human {
        print_report(&checked, &args.check);
    } else if !args.check.quiet {
        crate::commands::print(&summary_line(&checked, &args.check));
    }
    print_failures(&checked, &args.check);
    if !failures.is_empty() {
        eprintln!("error: nothing was written; the previous site is untouched");
        return Ok(ExitCode::from(1));
    }
    let overrides = site::template_overrides(&args.check.inventory, args.templates.as_deref())?;
    let overrides: Vec<&std::path::Path> = overrides.iter().map(|p| p.as_path()).collect();
    let built = site::build(&checked, &args.out, &overrides, args.allow_errors);
    crate::commands::check::leave_to_the_os(checked);
    match built {
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
