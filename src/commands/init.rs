//! `cutover init [DIR]`: write the example (or, with `--minimal`, a small
//! clean skeleton) to start an inventory from.

use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::commands::Outcome;
use crate::init;

/// Runs `cutover init`.
pub fn run(args: &InitArgs) -> Outcome {
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
