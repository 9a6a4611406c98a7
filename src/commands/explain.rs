//! `cutover explain [RULE]`: a rule's documentation, or the list of rules.

use std::process::ExitCode;

use crate::base::Rule;
use crate::base::finding::closest;
use crate::commands::{Outcome, print};

/// Prints the documentation of the rule `name`, or every rule's name and
/// default level without one; an unknown name fails with a suggestion.
pub fn run(name: Option<&str>) -> Outcome {
    let Some(name) = name else {
        let mut text = String::from("Rules (cutover explain RULE for one):\n");
        for rule in Rule::ALL {
            text.push_str(&format!("  {:<26} {}\n", rule.name(), rule.default_level()));
        }
        print(&text);
        return Ok(ExitCode::SUCCESS);
    };
    match Rule::from_name(&name.to_ascii_lowercase()) {
        Some(rule) => {
            print(rule.doc());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let close = closest(name, Rule::ALL.iter().map(|r| r.name()))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            Err(format!(
                "no rule is named `{name}`{close} (`cutover explain` lists them all)"
            ))
        }
    }
}
