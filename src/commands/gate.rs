//! `cutover gate`: check the inventory, answer whether the asked work may
//! start at `--at` (exit 0 open, 1 closed, 2 no answer), and with `--wait`
//! sleep until the computed opening, re-read the inventory and answer
//! again.

use std::process::ExitCode;

use crate::ask::gate::{self, Answer};
use crate::ask::{self, Asked, Question, Unanswerable, render};
use crate::base::text::terminal_safe;
use crate::check::{self, Checked};
use crate::cli::{Deny, GateArgs, GateFormat};
use crate::commands::{Outcome, as_of, print, print_terminal};
use crate::report;

/// The flags read once: what is asked, and the durations.
struct Flags {
    asked: Asked,
    deny_warnings: bool,
    timeout: Option<i64>,
}

/// Runs `cutover gate`.
pub fn run(args: &GateArgs) -> Outcome {
    let flags = Flags {
        asked: Asked {
            systems: args.asked.systems.clone(),
            tags: args.asked.tags.clone(),
            change: args.asked.change.clone(),
            duration: args
                .duration
                .as_deref()
                .map(|d| ask::parse_duration("--for", d))
                .transpose()?,
            rollback: args
                .rollback
                .as_deref()
                .map(|d| ask::parse_duration("--rollback", d))
                .transpose()?,
        },
        deny_warnings: args.deny == Some(Deny::Warnings),
        timeout: args
            .timeout
            .as_deref()
            .map(|d| ask::parse_duration("--timeout", d))
            .transpose()?
            .map(|d| i64::from(d.days) * 86_400 + i64::from(d.minutes) * 60),
    };
    let deadline = flags.timeout.map(|t| ask::now() + t);
    loop {
        let as_of = as_of(args.as_of.as_deref())?;
        let checked = check::check(&args.inventory, as_of).map_err(|e| e.0)?;
        let at = match &args.at {
            Some(text) => ask::parse_instant("--at", text, &checked.model.config.site.timezone.tz)?,
            None => ask::now(),
        };
        let question = match Question::new(&checked, &flags.asked, at) {
            Ok(q) => q,
            Err(why) => return unanswerable(&checked, why, args),
        };
        let phase = match (&args.phase, question.hypothetical) {
            (_, true) => 0,
            (Some(name), false) => find_phase(&question, name)?,
            (None, false) => gate::default_phase(&question, at),
        };
        let answer = gate::answer(&question, phase, at, flags.deny_warnings);
        let waiting = args.wait && !answer.passes;
        if !waiting || deadline.is_none() {
            return Ok(finish(&question, &answer, args));
        }
        let deadline = deadline.unwrap_or_default();
        let Some(until) = answer.until.filter(|&u| u <= deadline) else {
            let code = finish(&question, &answer, args);
            eprintln!(
                "error: --wait: {}; it does not pass before the timeout ({})",
                terminal_safe(&render::state_line(&question, &answer)),
                match answer.until {
                    Some(u) => format!("it would at {}", render::local(u, &question.tz)),
                    None => "no opening was found".to_string(),
                }
            );
            return Ok(code);
        };
        if args.format == GateFormat::Human {
            print_terminal(&render::gate_human(&question, &answer));
        }
        eprintln!(
            "waiting until {} ({}s) for {} to pass; the inventory is read again then",
            render::local(until, &question.tz),
            (until - ask::now()).max(0),
            terminal_safe(&question.label(phase))
        );
        sleep_until(until);
    }
}

/// Sleeps until the clock reads `until` (whole seconds).
fn sleep_until(until: i64) {
    let target = jiff::Timestamp::from_second(until).unwrap_or(jiff::Timestamp::MAX);
    let now = jiff::Timestamp::now();
    if target > now {
        let wait = target.duration_since(now);
        std::thread::sleep(wait.unsigned_abs());
    }
}

fn find_phase(question: &Question, name: &str) -> Result<usize, String> {
    let change = question.change();
    change
        .phases
        .iter()
        .position(|p| p.name == name)
        .or_else(|| {
            change
                .phases
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| {
            let names: Vec<String> = change
                .phases
                .iter()
                .map(|p| format!("\"{}\"", p.name))
                .collect();
            format!(
                "`{}` has no phase named \"{name}\"; its phases are {}",
                change.id.value,
                names.join(", ")
            )
        })
}

/// Prints the answer; its exit status.
fn finish(question: &Question, answer: &Answer, args: &GateArgs) -> ExitCode {
    let inventory = args.inventory.to_string_lossy();
    match args.format {
        GateFormat::Human => print_terminal(&render::gate_human(question, answer)),
        GateFormat::Json => print(&render::gate_json(question, answer)),
        GateFormat::Github => print_terminal(&render::gate_github(question, answer, &inventory)),
    }
    if answer.passes {
        ExitCode::SUCCESS
    } else {
        if args.deny == Some(Deny::Warnings) && !answer.state.is_closed() {
            eprintln!("error: --deny warnings: the gate is open with warnings");
        }
        ExitCode::from(1)
    }
}

/// The answer when there is none: fail closed (exit 2), with the located
/// loading errors.
fn unanswerable(checked: &Checked, why: Unanswerable, args: &GateArgs) -> Outcome {
    let inventory = args.inventory.to_string_lossy();
    let message = match &why {
        Unanswerable::Loading => format!(
            "{} has loading errors; the gate cannot answer and fails closed",
            args.inventory.display()
        ),
        Unanswerable::Question(text) => text.clone(),
    };
    let errors = checked.loading_errors();
    match args.format {
        GateFormat::Human => {
            eprint!(
                "{}",
                report::human::render(&errors, &checked.sources, false)
            );
        }
        GateFormat::Json => print(&render::unanswered_json(
            &message,
            &errors,
            &checked.sources,
        )),
        GateFormat::Github => print(&report::ci::github(&errors, &checked.sources, &inventory)),
    }
    Err(message)
}
