//! `cutover`: parse flags and run one command (see `commands`).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the pages are built from many short-lived strings, and
/// glibc's malloc and free were a fifth of a build's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cutover::commands::run(cutover::cli::Cli::parse())
}
