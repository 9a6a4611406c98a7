//! Render stage: Markdown text fields to safe HTML.
//!
//! pulldown-cmark renders; ammonia then keeps only a fixed set of harmless
//! tags and attributes, so raw HTML, scripts, event handlers and
//! `javascript:` links written in the inventory never reach a page.

use pulldown_cmark::{Parser, html};

use crate::base::text::{NESTING_LIMIT, markdown_options};

/// Removes tag-like text (`<img src=x onerror=…>`) that CommonMark did not
/// recognise as HTML (it is strict about attribute syntax), so that not even
/// its escaped form reaches a page.
fn strip_tags(text: &str) -> std::borrow::Cow<'_, str> {
    let looks_like_tag = |rest: &str| {
        rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
    };
    if !text
        .char_indices()
        .any(|(i, c)| c == '<' && looks_like_tag(&text[i..]))
    {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        // A tag runs to the next `>`, with no `<` before it; a lone `<`
        // ("lag<threshold, then…") is text and stays.
        let end = after
            .find(['<', '>'])
            .filter(|&j| after.as_bytes()[j] == b'>');
        match end {
            Some(j) if looks_like_tag(&rest[i..]) => rest = &after[j + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// Markdown events without raw HTML and with tag-like text removed. The parser splits text at
/// characters such as `<` and `'`, so adjacent text is joined first (into
/// one growing string: joining pairwise would copy quadratically). Block
/// quotes and lists nested deeper than [`NESTING_LIMIT`] are flattened into
/// the deepest kept level (the loader reports such a field), so the
/// sanitiser, whose tree builder is quadratic in depth, sees bounded
/// nesting and every step stays linear in the text.
fn events(text: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
    let mut out: Vec<Event> = Vec::new();
    // Text since the last other event, joined.
    let mut pending: Option<String> = None;
    let flush = |pending: &mut Option<String>, out: &mut Vec<Event>| {
        if let Some(text) = pending.take() {
            let text = match strip_tags(&text) {
                std::borrow::Cow::Borrowed(_) => text,
                std::borrow::Cow::Owned(s) => s,
            };
            out.push(Event::Text(CowStr::from(text)));
        }
    };
    // Inside an inline <script> or <style>: its text is dropped as well.
    let mut inside: Option<&str> = None;
    // Open block quotes, lists and items: whether each was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    for event in Parser::new_ext(text, markdown_options()) {
        if let Event::InlineHtml(tag) = &event {
            let tag = tag.to_ascii_lowercase();
            match inside {
                Some(name) if tag.starts_with(&format!("</{name}")) => inside = None,
                None => {
                    inside = ["script", "style"]
                        .into_iter()
                        .find(|name| tag.starts_with(&format!("<{name}")))
                }
                Some(_) => {}
            }
            continue;
        }
        if inside.is_some() {
            continue;
        }
        let kept = match &event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                let keep = depth < NESTING_LIMIT;
                depth += usize::from(keep);
                open.push(keep);
                keep
            }
            // An item is kept with its list.
            Event::Start(Tag::Item) => {
                let keep = open.last().copied().unwrap_or(true);
                open.push(keep);
                // Flattened items stay apart.
                if let (false, Some(text)) = (keep, pending.as_mut())
                    && !text.ends_with(' ')
                {
                    text.push(' ');
                }
                keep
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                let keep = open.pop().unwrap_or(true);
                depth -= usize::from(keep && depth > 0);
                keep
            }
            Event::End(TagEnd::Item) => open.pop().unwrap_or(true),
            _ => true,
        };
        match event {
            Event::Text(t) => pending.get_or_insert_with(String::new).push_str(&t),
            // Raw HTML never reaches a page, not even as text.
            Event::Html(_) | Event::InlineHtml(_) => {}
            _ if !kept => {}
            event => {
                flush(&mut pending, &mut out);
                out.push(event);
            }
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Whether `text` reads the same as Markdown, as HTML and as plain text:
/// one line of letters, digits, spaces and punctuation that Markdown, HTML
/// and the sanitiser leave alone, starting with a letter (no list, heading
/// or code block) and not ending with a space. Such text (most steps and
/// checks) is its own HTML, with no parser or sanitiser run.
fn is_plain(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_alphabetic)
        && !text.ends_with(' ')
        && text.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | '.'
                        | ','
                        | ';'
                        | ':'
                        | '?'
                        | '('
                        | ')'
                        | '/'
                        | '\''
                        | '"'
                        | '%'
                        | '@'
                        | '+'
                        | '-'
                )
        })
        && crate::base::text::markup_safe(text).len() == text.len()
}

/// The sanitiser of block fields, built once for the process (building
/// one costs more than cleaning a short field).
fn block_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut builder = ammonia::Builder::default();
            builder
                .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
                .link_rel(Some("noopener noreferrer"));
            builder
        });
    &CLEANER
}

/// The sanitiser of inline fields, built once for the process.
fn inline_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut builder = ammonia::Builder::default();
            builder
                .tags(
                    ["a", "code", "em", "strong", "del", "br"]
                        .into_iter()
                        .collect(),
                )
                .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
                .link_rel(Some("noopener noreferrer"));
            builder
        });
    &CLEANER
}

/// Markdown to sanitized HTML.
pub fn to_html(text: &str) -> String {
    if is_plain(text) {
        return format!("<p>{text}</p>\n");
    }
    markdown_html(text)
}

fn markdown_html(text: &str) -> String {
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, events(text).into_iter());
    block_cleaner().clean(&raw).to_string()
}

/// Markdown to sanitized HTML without the wrapping paragraph, for short
/// fields shown inline (a step, a trigger).
pub fn to_inline_html(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    markdown_inline_html(text)
}

fn markdown_inline_html(text: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
    // Blocks become line breaks (list items get a bullet), so that the
    // result is valid inside a <label> or a <p>.
    let mut inline: Vec<Event> = Vec::new();
    let mut need_break = false;
    for event in events(text) {
        match event {
            Event::Start(Tag::Item) => {
                need_break = !inline.is_empty();
                if need_break {
                    inline.push(Event::HardBreak);
                    need_break = false;
                }
                inline.push(Event::Text(CowStr::from("• ")));
            }
            Event::Start(
                Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::BlockQuote(_),
            ) => {
                need_break = !inline.is_empty()
                    && !matches!(inline.last(), Some(Event::Text(t)) if t.as_ref() == "• ");
            }
            Event::Start(
                Tag::List(_) | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::Item
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell,
            )
            | Event::Rule => {}
            other => {
                if need_break {
                    inline.push(Event::HardBreak);
                    need_break = false;
                }
                inline.push(other);
            }
        }
    }
    let mut raw = String::new();
    html::push_html(&mut raw, inline.into_iter());
    inline_cleaner()
        .clean(raw.trim())
        .to_string()
        .replace("<br>\n", "<br>")
}

/// Markdown to plain text for email bodies: text, code and links (with
/// their http(s) or mailto address) are kept; raw HTML is dropped.
pub fn to_text(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    markdown_text(text)
}

fn markdown_text(text: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut out = String::with_capacity(text.len());
    let mut links: Vec<String> = Vec::new();
    let mut list_depth = 0usize;
    for event in events(text) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                out.push_str("- ");
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(TagEnd::Paragraph) if list_depth == 0 => out.push_str("\n\n"),
            Event::End(TagEnd::Heading(_)) => out.push_str("\n\n"),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop()
                    && ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|scheme| url.starts_with(scheme))
                {
                    out.push_str(&format!(" <{url}>"));
                }
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain text skips the parser and the sanitiser; what it gives is what
    /// they give.
    #[test]
    fn plain_text_renders_as_markdown_would() {
        let plain = [
            "Stop the ERP batch jobs (cron on erp-app-01) at 01:55.",
            "Check that \"orders\" drain to 0; call ops@example.com if not",
            "Zürich-Ost: prüfen, ob 100% der Aufträge da sind / ok?",
            "Failover to db-2, then run: SELECT 1",
        ];
        for text in plain {
            assert!(is_plain(text), "{text}");
            assert_eq!(to_inline_html(text), markdown_inline_html(text), "{text}");
            assert_eq!(to_html(text), markdown_html(text), "{text}");
            assert_eq!(to_text(text), markdown_text(text), "{text}");
        }
        let marked = [
            "Run `make`",
            "a *b*",
            "1. one",
            "- item",
            "# Title",
            "a  ",
            " a",
            "x\ny",
            "a & b",
            "a < b",
            "[x](y)",
            "a_b_",
            "Tom\u{a0}Jones",
            "a | b",
            "~~x~~",
            "1) one",
            "x\u{1}y",
            "",
        ];
        for text in marked {
            assert!(!is_plain(text), "{text:?}");
        }
    }

    #[test]
    fn markdown_renders() {
        assert_eq!(to_html("Hello *world*"), "<p>Hello <em>world</em></p>\n");
        assert_eq!(to_inline_html("Run `make`"), "Run <code>make</code>");
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = to_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a> <iframe src=x></iframe>",
        );
        for bad in ["<script", "onerror", "javascript:", "alert(1)", "<iframe"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn plain_text_keeps_words_and_safe_links_only() {
        let text = to_text(
            "Read the [runbook](https://wiki.example.com/x).\n\n- one\n- two\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))",
        );
        assert_eq!(
            text,
            "Read the runbook <https://wiki.example.com/x>.\n\n- one\n- two\n\nx"
        );
    }

    #[test]
    fn inline_fields_flatten_blocks_into_line_breaks() {
        assert_eq!(to_inline_html("multi\n\nparagraph"), "multi<br>paragraph");
        assert_eq!(
            to_inline_html("Check:\n\n- one *a*\n- two"),
            "Check:<br>• one <em>a</em><br>• two"
        );
        assert_eq!(
            to_inline_html("# Title\n\n[x](https://e.example/)"),
            "Title<br><a href=\"https://e.example/\" rel=\"noopener noreferrer\">x</a>"
        );
    }

    #[test]
    fn a_lone_angle_bracket_is_text_not_a_tag() {
        assert_eq!(
            to_inline_html("stop if lag<threshold for 5 minutes, then call the DBA"),
            "stop if lag&lt;threshold for 5 minutes, then call the DBA"
        );
        assert_eq!(
            to_text("Move to List<Order handling; then go"),
            "Move to List<Order handling; then go"
        );
    }

    #[test]
    fn tag_like_text_is_dropped_not_escaped() {
        let html = to_html("Before <img src=x onerror=alert('x')> after, and 3 < 4.");
        assert_eq!(html, "<p>Before  after, and 3 &lt; 4.</p>\n");
        assert_eq!(to_text("Go <script>alert(1)</script>now"), "Go now");
    }

    #[test]
    fn safe_links_keep_working() {
        let html = to_html("[runbook](https://wiki.example.com/x) and <mailto:ops@example.com>");
        assert!(
            html.contains("href=\"https://wiki.example.com/x\""),
            "{html}"
        );
        assert!(html.contains("mailto:ops@example.com"), "{html}");
    }

    /// Issue 10, case 3: `">" × N + " x"` and `"- " × N + "x"` took seconds
    /// to minutes in the sanitiser (quadratic in depth). Nesting beyond the
    /// limit is flattened: the output holds at most the limit of levels and
    /// grows with the text, not its square.
    #[test]
    fn deep_quotes_and_lists_are_flattened_beyond_the_limit() {
        let quotes = to_html(&(">".repeat(100_000) + " x"));
        assert_eq!(quotes.matches("<blockquote>").count(), NESTING_LIMIT);
        assert_eq!(quotes.matches("</blockquote>").count(), NESTING_LIMIT);
        assert!(quotes.contains("<p>x</p>"), "{quotes}");
        assert!(quotes.len() < 1_000, "{} bytes", quotes.len());
        let dashes = to_html(&("- ".repeat(20_000) + "x"));
        assert_eq!(dashes.matches("<ul>").count(), NESTING_LIMIT);
        assert_eq!(dashes.matches("<li>").count(), NESTING_LIMIT);
        assert!(
            dashes.contains('x') && dashes.len() < 1_000,
            "{}",
            dashes.len()
        );
        let numbers = to_html(&("1. ".repeat(20_000) + "x"));
        assert_eq!(numbers.matches("<ol>").count(), NESTING_LIMIT);
        assert!(numbers.len() < 1_000, "{numbers}");
        assert_eq!(
            to_text(&("- ".repeat(20_000) + "x")).matches("- ").count(),
            NESTING_LIMIT
        );
        assert!(to_inline_html(&("> ".repeat(50_000) + "x")).ends_with('x'));
    }

    #[test]
    fn nesting_up_to_the_limit_is_kept() {
        let html = to_html(&(">".repeat(NESTING_LIMIT) + " x"));
        assert_eq!(html.matches("<blockquote>").count(), NESTING_LIMIT);
        let html = to_html("- a\n  - b\n    - c\n- d");
        assert_eq!(html.matches("<ul>").count(), 3);
        assert_eq!(html.matches("<li>").count(), 4);
    }

    #[test]
    fn flattened_items_keep_their_text_apart() {
        let text = "- ".repeat(NESTING_LIMIT) + "a\n" + &"  ".repeat(NESTING_LIMIT) + "- b\n";
        let html = to_html(&text);
        assert_eq!(html.matches("<ul>").count(), NESTING_LIMIT);
        assert!(html.contains("<li>a b</li>"), "{html}");
    }

    /// Text split into many parser events (`"[a](" × N`) is joined in one
    /// pass: the output is the text, whatever its length.
    #[test]
    fn split_text_is_joined_linearly() {
        let text = "[a](".repeat(20_000);
        assert_eq!(to_html(&text), format!("<p>{text}</p>\n"));
    }
}
