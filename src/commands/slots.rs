//! `cutover slots`: check the inventory and propose when the asked change
//! (or work on systems) can run, best first, or say why nothing fits
//! (exit 0 with slots, 1 without, 2 no answer).

use std::process::ExitCode;

use crate::ask::{self, Asked, Question, Unanswerable, render, slots};
use crate::check;
use crate::cli::{SlotsArgs, SlotsFormat};
use crate::commands::{Outcome, as_of, print, print_terminal};
use crate::report;

/// Runs `cutover slots`.
pub fn run(args: &SlotsArgs) -> Outcome {
    let duration = args
        .duration
        .as_deref()
        .map(|d| ask::parse_duration("--for", d))
        .transpose()?;
    if args.asked.change.is_none() && duration.is_none() {
        return Err("--system and --tag need --for DURATION: how long the work takes".into());
    }
    if args.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let horizon = ask::parse_duration("--horizon", &args.horizon)?;
    let asked = Asked {
        systems: args.asked.systems.clone(),
        tags: args.asked.tags.clone(),
        change: args.asked.change.clone(),
        duration,
        rollback: args
            .rollback
            .as_deref()
            .map(|d| ask::parse_duration("--rollback", d))
            .transpose()?,
    };
    let as_of = as_of(args.as_of.as_deref())?;
    let checked = check::check(&args.inventory, as_of).map_err(|e| e.0)?;
    let site = &checked.model.config.site.timezone.tz;
    let from = match &args.from {
        Some(text) => ask::parse_instant("--from", text, site)?,
        None => ask::now(),
    };
    let to = horizon
        .after(&crate::base::time::at_second(from, site))
        .timestamp()
        .as_second();
    let question = match Question::new(&checked, &asked, from) {
        Ok(q) => q,
        Err(why) => {
            let message = match why {
                Unanswerable::Loading => format!(
                    "{} has loading errors; slots cannot be proposed",
                    args.inventory.display()
                ),
                Unanswerable::Question(text) => text,
            };
            let errors = checked.loading_errors();
            match args.format {
                SlotsFormat::Human => {
                    eprint!(
                        "{}",
                        report::human::render(&errors, &checked.sources, false)
                    )
                }
                SlotsFormat::Json => print(&render::unanswered_json(
                    &message,
                    &errors,
                    &checked.sources,
                )),
            }
            return Err(message);
        }
    };
    let found = slots::search(&question, from, to, args.count);
    match args.format {
        SlotsFormat::Human => print_terminal(&render::slots_human(&question, &found)),
        SlotsFormat::Json => print(&render::slots_json(&question, &found)),
    }
    Ok(if found.slots.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
