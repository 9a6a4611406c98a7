//! `cutover`: parse flags and run one command (see `commands`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cutover::commands::run(cutover::cli::Cli::parse())
}
