//! Render stage for `diff`: the report for a terminal, for a pull-request
//! comment (Markdown with folding sections) and as JSON.
//!
//! Every text that comes from the inventory is escaped for its output:
//! control characters never reach a terminal, and HTML, mentions and link
//! brackets never reach a comment.

use std::fmt::Write;

use crate::diff::calendar::{PeriodDiff, Span};
use crate::diff::compare::{ChangeDiff, Located, Moves};
use crate::diff::{Diff, SideInfo};

/// How many names a list shows before "and N more".
const NAMED: usize = 10;
/// How many spans of one period a human or Markdown report shows.
const SPANS: usize = 10;

macro_rules! say {
    ($out:expr) => {
        writeln!($out).expect("writing to a String cannot fail")
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).expect("writing to a String cannot fail")
    };
}

/// Inventory text for a terminal: control characters (newlines too) as
/// `\u{..}` escapes.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Inventory text for Markdown: no HTML, no mentions, no link brackets,
/// no control characters, one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `a`, `b` and 3 more, each through `escape`.
fn names(ids: &[String], escape: fn(&str) -> String) -> String {
    let mut text = ids
        .iter()
        .take(NAMED)
        .map(|id| format!("`{}`", escape(id)))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NAMED {
        let _ = write!(text, " and {} more", ids.len() - NAMED);
    }
    text
}

/// "`main` (1a2b3c4d5e)", "folder `old`", "the working tree (`inventory`)".
fn side_name(side: &SideInfo, escape: fn(&str) -> String) -> String {
    let label = escape(&side.label);
    match side.kind {
        "worktree" => format!("the working tree (`{label}`)"),
        "folder" => format!("folder `{label}`"),
        _ => {
            let commit = side
                .commit
                .as_ref()
                .map(|c| format!(" ({})", &c[..c.len().min(10)]))
                .unwrap_or_default();
            format!("`{label}`{commit}")
        }
    }
}

fn finding_head(f: &Located, escape: fn(&str) -> String) -> String {
    let change = f
        .change
        .as_ref()
        .map(|c| format!(" {}:", escape(c)))
        .unwrap_or_default();
    format!(
        "{}[{}]{change} {}",
        f.level.name(),
        f.rule,
        escape(&f.message)
    )
}

fn moves(label: &str, m: &Moves, escape: fn(&str) -> String) -> Option<String> {
    if m.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !m.gained.is_empty() {
        parts.push(format!("+ {}", names(&m.gained, escape)));
    }
    if !m.lost.is_empty() {
        parts.push(format!("− {}", names(&m.lost, escape)));
    }
    Some(format!("impacted {label}: {}", parts.join("; ")))
}

/// The lines describing one change: status, risk and its terms, impact.
fn change_lines(change: &ChangeDiff, escape: fn(&str) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(from), Some(to)) = (change.status.from, change.status.to)
        && from != to
    {
        lines.push(format!("status: {from} → {to}"));
    }
    if let Some(risk) = &change.risk {
        let score = |s: Option<crate::diff::compare::Score>| {
            s.map_or("none".to_string(), |s| {
                format!("{} {}", s.level.name(), s.score)
            })
        };
        let terms: Vec<String> = risk
            .terms
            .iter()
            .map(|t| {
                let delta = i64::from(t.to) - i64::from(t.from);
                format!("{} {:+} ({} → {})", t.name, delta, t.from, t.to)
            })
            .collect();
        let mut text = format!("risk: {} → {}", score(risk.from), score(risk.to));
        if !terms.is_empty() {
            let _ = write!(text, ": {}", terms.join(", "));
        }
        lines.push(text);
    }
    let impacted = &change.impacted;
    lines.extend(moves("systems", &impacted.systems, escape));
    lines.extend(moves("processes", &impacted.processes, escape));
    lines.extend(moves("audiences", &impacted.audiences, escape));
    lines
}

/// "lost for `wms`: …" lines of one period.
fn period_lines(period: &PeriodDiff, escape: fn(&str) -> String) -> Vec<String> {
    let systems = names(&period.systems, escape);
    let mut lines = Vec::new();
    for (word, spans) in [("gained", &period.gained), ("lost", &period.lost)] {
        for span in spans.iter().take(SPANS) {
            lines.push(format!("{}: {word} for {systems}", span_text(span)));
        }
        if spans.len() > SPANS {
            lines.push(format!(
                "and {} more spans {word} for {systems}",
                spans.len() - SPANS
            ));
        }
    }
    lines
}

fn span_text(span: &Span) -> String {
    if span.occurrences > 1 {
        format!("{} ({} occurrences)", span.text, span.occurrences)
    } else {
        span.text.clone()
    }
}

fn period_title(period: &PeriodDiff, escape: fn(&str) -> String) -> String {
    format!(
        "{} `{}` ({})",
        period.kind,
        escape(&period.id),
        escape(&period.name)
    )
}

fn phase_line(m: &crate::diff::calendar::PhaseMove, escape: fn(&str) -> String) -> String {
    let name = format!("{} \"{}\"", escape(&m.change), escape(&m.phase));
    match (&m.from, &m.to) {
        (Some(from), Some(to)) => format!("{name}: {} → {}", from.text, to.text),
        (None, Some(to)) => format!("{name}: new, {}", to.text),
        (Some(from), None) => format!("{name}: removed (was {})", from.text),
        (None, None) => name,
    }
}

/// The report for a terminal.
pub fn human(diff: &Diff) -> String {
    let mut out = String::new();
    say!(
        out,
        "cutover diff {} → {}, as of {}",
        side_name(&diff.base, clean),
        side_name(&diff.head, clean),
        diff.as_of
    );
    say!(out, "{}", clean(&diff.verdict));
    let located = |out: &mut String, f: &Located, side: &str| {
        say!(
            out,
            "      --> {}:{}:{}{side}",
            clean(&f.file),
            f.line,
            f.column
        );
    };
    if !diff.head_loading_errors.is_empty() {
        say!(
            out,
            "\nThe head does not load ({}):",
            diff.head_loading_errors.len()
        );
        for f in &diff.head_loading_errors {
            say!(out, "  {}", finding_head(f, clean));
            located(&mut out, f, "");
        }
    }
    let findings = &diff.findings;
    if !findings.added.is_empty() {
        say!(out, "\nFindings added ({}):", findings.added.len());
        for f in &findings.added {
            say!(out, "  + {}", finding_head(f, clean));
            located(&mut out, f, "");
        }
    }
    if !findings.resolved.is_empty() {
        say!(out, "\nFindings resolved ({}):", findings.resolved.len());
        for f in &findings.resolved {
            say!(out, "  - {}", finding_head(f, clean));
            located(&mut out, f, " (base)");
        }
    }
    if !findings.level_changed.is_empty() {
        say!(
            out,
            "\nFindings changed in level ({}):",
            findings.level_changed.len()
        );
        for c in &findings.level_changed {
            say!(
                out,
                "  ~ {} → {}: {}",
                c.from.name(),
                c.to.name(),
                finding_head(&c.head, clean)
            );
            located(&mut out, &c.head, "");
        }
    }
    if !diff.changes.is_empty() {
        say!(out, "\nChanges ({}):", diff.changes.len());
        for change in &diff.changes {
            say!(
                out,
                "  {} \"{}\" ({})",
                clean(&change.id),
                clean(&change.title),
                change.state
            );
            for text in change_lines(change, clean) {
                say!(out, "    {text}");
            }
        }
    }
    let calendar = &diff.calendar;
    if !calendar.compared {
        say!(
            out,
            "\nCalendar not compared: a side has loading errors, so its periods and phases are incomplete."
        );
    } else if !calendar.periods.is_empty() || !calendar.phases.is_empty() {
        say!(out, "\nCalendar from {} to {}:", calendar.from, calendar.to);
        for period in &calendar.periods {
            say!(out, "  {}:", period_title(period, clean));
            for text in period_lines(period, clean) {
                say!(out, "    {text}");
            }
        }
        if !calendar.phases.is_empty() {
            say!(out, "  Phases:");
            for m in &calendar.phases {
                say!(out, "    {}", phase_line(m, clean));
            }
        }
    }
    for failure in &diff.failures {
        say!(out, "\nfails: {}", clean(failure));
    }
    out
}

/// Percent-encodes a relative path for a URL, keeping `/`.
fn url_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The report as a pull-request comment: the verdict on the first line,
/// then a folding section per part.
pub fn markdown(diff: &Diff, link_base: Option<&str>) -> String {
    let mut out = String::new();
    say!(out, "**cutover diff:** {}", md(&diff.verdict));
    say!(out);
    say!(
        out,
        "{} → {}, as of {}. Head: {} errors, {} warnings.",
        side_name(&diff.base, md),
        side_name(&diff.head, md),
        diff.as_of,
        diff.head.summary.errors,
        diff.head.summary.warnings
    );
    // A place at the head, linked when a base URL is given.
    let at_head = |f: &Located| {
        let text = format!("{}:{}", md(&f.file), f.line);
        match link_base {
            Some(base) => format!(
                "[{text}]({}/{}#L{})",
                base.trim_end_matches('/'),
                url_path(&f.file),
                f.line
            ),
            None => format!("`{text}`"),
        }
    };
    let findings = &diff.findings;
    if !diff.head_loading_errors.is_empty() {
        say!(
            out,
            "\n<details open><summary>The head does not load: {} loading errors</summary>\n",
            diff.head_loading_errors.len()
        );
        for f in &diff.head_loading_errors {
            say!(out, "- {} ({})", finding_md(f), at_head(f));
        }
        say!(out, "\n</details>");
    }
    let count = findings.added.len() + findings.resolved.len() + findings.level_changed.len();
    if count > 0 {
        say!(
            out,
            "\n<details><summary>Findings: {} added, {} resolved, {} changed in level</summary>\n",
            findings.added.len(),
            findings.resolved.len(),
            findings.level_changed.len()
        );
        if !findings.added.is_empty() {
            say!(out, "**Added**\n");
            for f in &findings.added {
                say!(out, "- {} ({})", finding_md(f), at_head(f));
            }
            say!(out);
        }
        if !findings.resolved.is_empty() {
            say!(out, "**Resolved**\n");
            for f in &findings.resolved {
                say!(
                    out,
                    "- {} (`{}:{}` at the base)",
                    finding_md(f),
                    md(&f.file),
                    f.line
                );
            }
            say!(out);
        }
        if !findings.level_changed.is_empty() {
            say!(out, "**Changed in level**\n");
            for c in &findings.level_changed {
                say!(
                    out,
                    "- {} → {}: {} ({})",
                    c.from.name(),
                    c.to.name(),
                    finding_md(&c.head),
                    at_head(&c.head)
                );
            }
            say!(out);
        }
        say!(out, "</details>");
    }
    if !diff.changes.is_empty() {
        say!(
            out,
            "\n<details><summary>Changes: {}</summary>\n",
            diff.changes.len()
        );
        for change in &diff.changes {
            say!(
                out,
                "- **{}** {} ({})",
                md(&change.id),
                md(&change.title),
                change.state
            );
            for text in change_lines(change, md) {
                say!(out, "  - {text}");
            }
        }
        say!(out, "\n</details>");
    }
    let calendar = &diff.calendar;
    if !calendar.compared {
        say!(
            out,
            "\nThe calendar was not compared: a side has loading errors."
        );
    } else if !calendar.periods.is_empty() || !calendar.phases.is_empty() {
        say!(
            out,
            "\n<details><summary>Calendar from {} to {}: {}, {}</summary>\n",
            calendar.from,
            calendar.to,
            crate::diff::plural(calendar.periods.len(), "period change"),
            crate::diff::plural(calendar.phases.len(), "phase move")
        );
        for period in &calendar.periods {
            say!(out, "- {}", period_title(period, md));
            for text in period_lines(period, md) {
                say!(out, "  - {text}");
            }
        }
        if !calendar.phases.is_empty() {
            say!(out, "- Phases");
            for m in &calendar.phases {
                say!(out, "  - {}", phase_line(m, md));
            }
        }
        say!(out, "\n</details>");
    }
    if !diff.failures.is_empty() {
        say!(out);
        for failure in &diff.failures {
            say!(out, "> fails: {}", md(failure));
        }
    }
    // Lets a CI job find and update its own comment.
    say!(out, "\n<!-- cutover-diff -->");
    out
}

fn finding_md(f: &Located) -> String {
    let change = f
        .change
        .as_ref()
        .map(|c| format!(" {}:", md(c)))
        .unwrap_or_default();
    format!(
        "**{}** `{}`{change} {}",
        f.level.name(),
        f.rule,
        md(&f.message)
    )
}

/// The report as JSON (docs/diff.md).
pub fn json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).expect("a diff always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_text_cannot_inject_html_mentions_links_or_escapes() {
        assert_eq!(
            md("<img src=x> @team [a](b)\n& more"),
            "&lt;img src=x&gt; &#64;team \\[a\\](b) &amp; more"
        );
        assert_eq!(clean("a\u{1b}]0;x\u{7}b\nc"), "a\\u{1b}]0;x\\u{7}b\\u{a}c");
    }

    #[test]
    fn link_paths_are_percent_encoded() {
        assert_eq!(
            url_path("changes/my file #1.toml"),
            "changes/my%20file%20%231.toml"
        );
    }
}
