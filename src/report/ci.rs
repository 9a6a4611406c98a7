//! Report stage: findings for CI systems: GitHub Actions workflow commands
//! (`--format github`) and SARIF 2.1.0 (`--format sarif`), for code
//! scanning tools. Paths are given relative to the working directory (the
//! inventory folder as passed, then the file), which is what both expect
//! when cutover runs at the repository root.

use serde_json::{Value, json};

use crate::base::source::Sources;
use crate::base::text::terminal_safe;
use crate::base::{Finding, Level, Rule};

/// `file` (relative to the inventory) as seen from the working directory.
pub fn path(prefix: &str, file: &str) -> String {
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
pub fn escape(text: &str, property: bool) -> String {
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

/// The Markdown of one `## ` section of a rule's doc (without its heading).
fn section(rule: Rule, heading: &str) -> &'static str {
    let doc = rule.doc();
    let Some(start) = doc.find(&format!("## {heading}\n")) else {
        return "";
    };
    let body = &doc[start + heading.len() + 4..];
    let end = body.find("\n## ").map_or(body.len(), |end| end + 1);
    body[..end].trim()
}

/// The first sentence of a rule's "What it checks" section, as plain text.
fn short_description(rule: Rule) -> String {
    let text = plain_text(first_paragraph(section(rule, "What it checks")));
    match text.find(". ") {
        Some(end) => text[..=end].trim().to_string(),
        None => text.trim().to_string(),
    }
}

fn first_paragraph(markdown: &str) -> &str {
    markdown.split("\n\n").next().unwrap_or("")
}

/// Markdown as plain text: the words and code spans, without the markup;
/// paragraphs apart, list items on their own lines, code blocks kept.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = String::new();
    let mut lists = 0usize;
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(lists.saturating_sub(1)));
                out.push_str("- ");
            }
            Event::Start(Tag::List(_)) => lists += 1,
            Event::End(TagEnd::List(_)) => {
                lists = lists.saturating_sub(1);
                if lists == 0 {
                    out.push_str("\n\n");
                }
            }
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::CodeBlock(_))
                if !out.is_empty() && !out.ends_with("\n\n") =>
            {
                out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
            }
            Event::End(TagEnd::Heading(_)) => out.push_str("\n\n"),
            Event::End(TagEnd::Paragraph) if lists == 0 => out.push_str("\n\n"),
            Event::End(TagEnd::CodeBlock) => out.push('\n'),
            _ => {}
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_string()
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        // SARIF's name for the lowest level (the schema allows no `info`).
        Level::Info => "note",
    }
}

/// Where each rule's documentation is published when `[site] rules_url`
/// does not say: the rule pages of cutover's repository.
pub const DEFAULT_RULES_URL: &str =
    "https://github.com/cutover/cutover/blob/main/docs/rules/{rule}.md";

/// The address of a rule's documentation: `{rule}` in `template` replaced
/// by the rule's name, or the name and `.md` appended to a template that
/// has no `{rule}` (a folder address).
pub fn rule_url(template: &str, rule: Rule) -> String {
    if template.contains("{rule}") {
        template.replace("{rule}", rule.name())
    } else if template.ends_with('/') {
        format!("{template}{}.md", rule.name())
    } else {
        format!("{template}/{}.md", rule.name())
    }
}

/// A SARIF `reportingDescriptor` for one rule, from its documentation.
fn rule_descriptor(rule: Rule, rules_url: &str) -> Value {
    let what = section(rule, "What it checks");
    json!({
        "id": rule.name(),
        "name": rule.name(),
        "shortDescription": {"text": short_description(rule)},
        "fullDescription": {"text": plain_text(what)},
        "help": {"text": plain_text(rule.doc()), "markdown": rule.doc()},
        "helpUri": rule_url(rules_url, rule),
        "defaultConfiguration": {"level": sarif_level(rule.default_level())},
        "properties": {"tags": [rule_family(rule)]},
    })
}

fn rule_family(rule: Rule) -> &'static str {
    match rule.family() {
        crate::base::Family::Loading => "loading",
        crate::base::Family::Time => "time",
        crate::base::Family::Schedule => "schedule",
        crate::base::Family::Risk => "risk",
        crate::base::Family::Export => "export",
    }
}

/// 64-bit FNV-1a: a small stable hash (the same on every machine and
/// release), enough to tell findings apart.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Fingerprints that identify each finding across commits: the rule, the
/// change, the subjects and the file, never the line, so an alert keeps its
/// identity when lines above it move. Findings equal in all of those (two
/// phases of one change, say) are told apart by their order in the file.
/// Findings with neither change nor subjects (loading errors) add their
/// message, which names what is wrong.
fn fingerprints(findings: &[Finding], sources: &Sources) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    findings
        .iter()
        .map(|finding| {
            let file = &sources.get(finding.loc.file).path;
            let mut key = format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{file}",
                finding.rule.name(),
                finding.change.as_deref().unwrap_or(""),
                finding.subjects.join("\u{1e}"),
            );
            if finding.change.is_none() && finding.subjects.is_empty() {
                key.push('\u{1f}');
                key.push_str(&finding.message);
            }
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            format!("{:016x}:{n}", fnv1a(&key))
        })
        .collect()
}

/// A SARIF 2.1.0 log with one run: every rule (with its documentation as
/// help, and `helpUri` from `rules_url`, see [`rule_url`]), and one result
/// per finding. Columns count Unicode code points, as everywhere in
/// cutover, and the run says so (`columnKind`).
pub fn sarif(
    findings: &[Finding],
    sources: &Sources,
    inventory: &str,
    rules_url: Option<&str>,
) -> String {
    let rules_url = rules_url.unwrap_or(DEFAULT_RULES_URL);
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| rule_descriptor(*rule, rules_url))
        .collect();
    let fingerprints = fingerprints(findings, sources);
    let results: Vec<Value> = findings
        .iter()
        .zip(fingerprints)
        .map(|(finding, fingerprint)| {
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
                "partialFingerprints": {"cutoverFinding/v1": fingerprint},
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
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// GitLab's name for a level in a Code Quality report.
fn codequality_severity(level: Level) -> &'static str {
    match level {
        Level::Error => "major",
        Level::Warning => "minor",
        Level::Info => "info",
    }
}

/// A GitLab Code Quality report (`artifacts:reports:codequality`): one
/// issue per finding with its rule, severity, path and line, and the same
/// line-free fingerprint as SARIF, so merge requests show what is new.
pub fn gitlab(findings: &[Finding], sources: &Sources, inventory: &str) -> String {
    let issues: Vec<Value> = findings
        .iter()
        .zip(fingerprints(findings, sources))
        .map(|(finding, fingerprint)| {
            let file = sources.get(finding.loc.file);
            let (line, _) = file.line_column(finding.loc.span.start);
            let mut description = finding.message.clone();
            if let Some(help) = &finding.help {
                description.push_str(" Help: ");
                description.push_str(help);
            }
            json!({
                "description": description,
                "check_name": finding.rule.name(),
                "fingerprint": format!("{}-{fingerprint}", finding.rule.name()),
                "severity": codequality_severity(finding.level),
                "location": {"path": path(inventory, &file.path), "lines": {"begin": line}},
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
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
    fn plain_text_drops_markup_and_keeps_words() {
        let text = plain_text("Fires when `legacy = true` is [set](x).\n\n- one\n- *two*\n");
        assert_eq!(text, "Fires when legacy = true is set.\n\n- one\n- two");
    }

    #[test]
    fn rule_urls_fill_the_template_or_extend_a_folder() {
        assert_eq!(
            rule_url("https://x.example/r/{rule}.html", Rule::NoBackup),
            "https://x.example/r/no-backup.html"
        );
        assert_eq!(
            rule_url("https://x.example/docs/rules/", Rule::NoBackup),
            "https://x.example/docs/rules/no-backup.md"
        );
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
