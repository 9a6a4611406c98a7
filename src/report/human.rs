//! Report stage: findings for people, like a compiler's, rendered with
//! codespan-reporting: level and rule, message, `--> file:line:column`,
//! the source line with a caret, and a help line.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use crate::base::source::Sources;
use crate::base::text::{terminal_safe, terminal_source};
use crate::base::{Finding, Level, Summary};

/// Renders findings into a string; `color` adds ANSI colours.
pub fn render<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    sources: &Sources,
    color: bool,
) -> String {
    let mut files = SimpleFiles::new();
    // Nothing from the inventory reaches the terminal as a control
    // sequence: names, messages and notes are escaped, source lines masked.
    for file in sources.files() {
        files.add(
            terminal_safe(&file.path).into_owned(),
            terminal_source(&file.text).into_owned(),
        );
    }
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for finding in findings {
        let diagnostic = diagnostic(finding);
        let mut one = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        if term::emit_to_write_style(&mut one, &config, &files, &diagnostic).is_ok() {
            let text = String::from_utf8_lossy(one.as_slice());
            std::io::Write::write_all(&mut buffer, info_header(&text, finding).as_bytes()).ok();
        } else {
            // A span outside its file cannot happen for spans from the parser;
            // fall back to a plain line rather than lose the finding.
            let file = sources.get(finding.loc.file);
            let (line, column) = file.line_column(finding.loc.span.start);
            let text = format!(
                "{}[{}]: {}\n  --> {}:{line}:{column}\n\n",
                finding.level,
                finding.rule,
                terminal_safe(&finding.message),
                terminal_safe(&file.path)
            );
            std::io::Write::write_all(&mut buffer, text.as_bytes()).ok();
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// codespan-reporting names its lowest severity `note`; cutover's level is
/// `info` everywhere (JSON, summary, pages), so the header says `info[rule]`.
fn info_header<'t>(text: &'t str, finding: &Finding) -> std::borrow::Cow<'t, str> {
    if finding.level != Level::Info {
        return text.into();
    }
    let from = format!("note[{}]", finding.rule.name());
    text.replacen(&from, &format!("info[{}]", finding.rule.name()), 1)
        .into()
}

fn diagnostic(finding: &Finding) -> Diagnostic<usize> {
    let severity = match finding.level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Info => Severity::Note,
    };
    let mut labels = vec![Label::primary(
        finding.loc.file.0 as usize,
        finding.loc.span.clone(),
    )];
    for (loc, note) in &finding.related {
        labels.push(
            Label::secondary(loc.file.0 as usize, loc.span.clone())
                .with_message(terminal_safe(note)),
        );
    }
    let mut notes = Vec::new();
    if let Some(change) = &finding.change {
        notes.push(format!("change: {}", terminal_safe(change)));
    }
    if let Some(help) = &finding.help {
        notes.push(format!("help: {}", terminal_safe(help)));
    }
    Diagnostic::new(severity)
        .with_code(finding.rule.name())
        .with_message(terminal_safe(&finding.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// The closing line: "3 errors, 1 warning, 0 infos".
pub fn summary_line(summary: Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info")
    )
}

/// Two lines per change: id, status and first start; then its findings by
/// level and its risk score with every term.
pub fn change_summary(checked: &crate::check::Checked) -> String {
    let by_change = crate::base::finding::by_change(&checked.findings);
    let mut rows: Vec<(&str, String)> = Vec::new();
    for (ix, change) in checked.model.changes.iter().enumerate() {
        let id = change.id.value.as_str();
        let mine = by_change.get(id).into_iter().flatten().copied();
        let first = checked
            .facts
            .changes
            .get(ix)
            .and_then(|f| f.first_start())
            .map_or_else(|| "-".to_string(), crate::base::time::moment);
        let status = change.status.value.name();
        let mut row = format!(
            "{id:<14} {status:<12} {first}\n{:<14} {}",
            "",
            summary_line(Summary::of(mine))
        );
        if let Some(risk) = checked.risks.get(ix) {
            row.push_str(&format!(
                "; risk {} ({}) = {}",
                risk.score,
                risk.level.name(),
                risk.explain()
            ));
        }
        row.push('\n');
        rows.push((id, row));
    }
    rows.sort();
    rows.into_iter().map(|(_, row)| row).collect()
}
