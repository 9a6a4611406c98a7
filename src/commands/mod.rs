//! Commands layer: one module per command, each turning parsed flags into
//! a run of the stages below and an exit status (0 no errors, 1 findings
//! that fail the run, 2 the run could not happen). `main.rs` only parses
//! flags and calls [`run`].

pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod export;
pub mod gate;
pub mod init;
pub mod slots;

use std::io::Write;
use std::process::ExitCode;

use jiff::civil::Date;

use crate::base::text::terminal_safe;
use crate::cli::{Cli, ColorWhen, Command, SchemaFile};
use crate::{report, serve};

/// A command's outcome: an exit status, or a message for a run that could
/// not happen (printed as `error: ...`, exit 2).
pub type Outcome = Result<ExitCode, String>;

/// Runs the command `cli` asks for.
pub fn run(cli: Cli) -> ExitCode {
    let stage = crate::base::timings::start("total");
    // A build and `serve` keep the binary's short delay; see base::memory.
    if !matches!(cli.command, Command::Build(_) | Command::Serve(_)) {
        crate::base::memory::enter(crate::base::memory::Stage::Answer);
    }
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Serve(args) => serve_command(args),
        Command::Gate(args) => gate::run(&args),
        Command::Slots(args) => slots::run(&args),
        Command::Explain { rule } => explain::run(rule.as_deref()),
        Command::Schema { file } => {
            print(&report::schema::render(match file {
                SchemaFile::Config => report::schema::SchemaFile::Config,
                SchemaFile::Entities => report::schema::SchemaFile::Entities,
            }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => init::run(&args),
        Command::Export(args) => export::run(&args),
    };
    stage.end();
    result.unwrap_or_else(|message| {
        // A message may quote a command-line value or an inventory name.
        eprintln!("error: {}", terminal_safe(&message));
        ExitCode::from(2)
    })
}

/// The as-of date of a run: `--as-of`, else `SOURCE_DATE_EPOCH`, else today.
/// The one place the environment variable is read.
pub fn as_of(flag: Option<&str>) -> Result<Date, String> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    crate::check::as_of(flag, epoch.as_deref())
}

/// Whether to colour a stream: `--color`, else a terminal without `NO_COLOR`.
pub fn color(when: ColorWhen, stream_is_terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Writes `text` for a terminal or a CI log: every character a terminal
/// could act on escaped (see [`terminal_safe`]); for human and GitHub
/// output, which quote names from the inventory and values from the
/// command line.
pub fn print_terminal(text: &str) {
    print(&terminal_safe(text));
}

/// Writes `text` to standard output; a closed pipe (`cutover check | head`)
/// is not an error worth a panic.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
}

fn serve_command(args: crate::cli::ServeArgs) -> Outcome {
    let as_of = as_of(args.as_of.as_deref())?;
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
}
