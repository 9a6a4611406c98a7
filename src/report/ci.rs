//! Report stage: findings for CI systems: GitHub Actions workflow commands
//! (`--format github`) and SARIF 2.1.0 (`--format sarif`), for code
//! scanning tools. Paths are given relative to the working directory (the
//! inventory folder as passed, then the file), which is what both expect
//! when cutover runs at the repository root.

use serde_json::{Value, json};

use crate::base::source::Sources;
use crate::base::text::terminal_safe;
use crate::base::{Finding, Level, Rule};

fn path(prefix: &str, file: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        file.to_string()
    } else {
        format!("{prefix}/{file}")
    }
}

/// A relative path as a URI reference (RFC 3986): every byte but the
/// unreserved characters and `/` percent-encoded, so a space, `#`, `%` or
/// `é` in a file name stays part of the path.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes data of a workflow command (`%`, CR, LF); `property` also
/// escapes `:` and `,`.
fn escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// One `::error file=…,line=…,col=…,title=…::message` line per finding.
pub fn github(findings: &[Finding], sources: &Sources, inventory: &str) -> String {
    let mut out = String::new();
    for finding in findings {
        let file = sources.get(finding.loc.file);
        let (line, column) = file.line_column(finding.loc.span.start);
        let command = match finding.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={column},title={}::{}\n",
            escape(&terminal_safe(&path(inventory, &file.path)), true),
            escape(&format!("cutover {}", finding.rule), true),
            escape(&terminal_safe(&message), false)
        ));
    }
    out
}

/// The first sentence of a rule's "What it checks" section.
fn short_description(rule: Rule) -> String {
    let doc = rule.doc();
    let section = doc.split("## What it checks").nth(1).unwrap_or("");
    let text: String = section
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match text.find(". ") {
        Some(end) => text[..=end].trim().to_string(),
        None => text.trim().to_string(),
    }
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

/// A SARIF 2.1.0 log with one run: every rule, and one result per finding.
pub fn sarif(findings: &[Finding], sources: &Sources, inventory: &str) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name(),
                "shortDescription": {"text": short_description(*rule)},
                "fullDescription": {"text": rule.doc()},
                "defaultConfiguration": {"level": sarif_level(rule.default_level())},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let file = sources.get(finding.loc.file);
            let (line, column) = file.line_column(finding.loc.span.start);
            let (end_line, end_column) =
                file.line_column(finding.loc.span.end.max(finding.loc.span.start));
            let mut message = finding.message.clone();
            if let Some(help) = &finding.help {
                message.push_str(" Help: ");
                message.push_str(help);
            }
            let mut result = json!({
                "ruleId": finding.rule.name(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == finding.rule).unwrap_or(0),
                "level": sarif_level(finding.level),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": uri(&path(inventory, &file.path)),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": end_line,
                            "endColumn": end_column.max(if end_line == line { column } else { 1 }),
                        }
                    }
                }],
            });
            if finding.change.is_some() || !finding.subjects.is_empty() {
                result["properties"] =
                    json!({"change": finding.change, "subjects": finding.subjects});
            }
            result
        })
        .collect();
    let log = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "cutover",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_data_is_escaped() {
        assert_eq!(escape("50%\nnext", false), "50%25%0Anext");
        assert_eq!(escape("a:b,c", true), "a%3Ab%2Cc");
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(
            uri("inv/my file #1 %zz é.toml"),
            "inv/my%20file%20%231%20%25zz%20%C3%A9.toml"
        );
        assert_eq!(uri("C:/x.toml"), "C%3A/x.toml");
        assert_eq!(uri("changes/chg-1_a.b~.toml"), "changes/chg-1_a.b~.toml");
    }

    #[test]
    fn every_rule_has_a_one_sentence_description() {
        for rule in Rule::ALL {
            let text = short_description(*rule);
            assert!(!text.is_empty() && !text.contains('\n'), "{rule}: {text}");
        }
    }
}
