//! Foundation layer: bounds on inventory text, shared by the loader that
//! reports a field beyond them and the renderer that never works past them,
//! so that rendering stays linear in the size of the inventory; and the
//! characters no page, feed or calendar may hold.

use std::borrow::Cow;

/// Longest text field, in bytes (64 KiB): a runbook step or a summary is a
/// few hundred; anything longer belongs in a linked document.
pub const TEXT_LIMIT: usize = 64 * 1024;

/// Deepest nesting of block quotes and lists in a Markdown field. The HTML
/// sanitiser's tree builder is quadratic in nesting depth; the renderer
/// flattens anything deeper, and the loader reports it.
pub const NESTING_LIMIT: usize = 16;

/// The parser options every Markdown field is read with.
pub fn markdown_options() -> pulldown_cmark::Options {
    pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
}

/// How deep block quotes and lists nest in `text` read as Markdown (0 for
/// plain paragraphs), in one linear pass of the parser.
pub fn markdown_nesting(text: &str) -> usize {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let (mut depth, mut deepest) = (0usize, 0usize);
    for event in Parser::new_ext(text, markdown_options()) {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    deepest
}

/// Whether `c` may stand in an XML 1.0 or HTML document (and an ICS or
/// plain-text file of the site): not a C0 control but tab, line feed and
/// carriage return, not DEL or a C1 control, not a noncharacter
/// (U+FDD0..U+FDEF, U+FFFE and U+FFFF of every plane).
pub fn is_markup_char(c: char) -> bool {
    let n = u32::from(c);
    !(matches!(n, 0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F..=0x9F | 0xFDD0..=0xFDEF)
        || n & 0xFFFE == 0xFFFE)
}

/// `text` with every character that [`is_markup_char`] refuses replaced by
/// U+FFFD, borrowed when there is none (the usual case).
pub fn markup_safe(text: &str) -> Cow<'_, str> {
    // Bytes that begin or are every refused character: C0 controls but
    // tab, line feed and carriage return, DEL, and the lead bytes of C1
    // controls (0xC2), of U+FDD0.. and U+FFFE.. (0xEF) and of the other
    // planes (0xF0..). Text is scanned once by byte; only the character
    // that begins at a suspect byte is checked (pages with a `·` or a
    // no-break space are not walked again by character).
    let bytes = text.as_bytes();
    let mut at = 0;
    let clean = loop {
        let Some(offset) = next_suspect(&bytes[at..]) else {
            break true;
        };
        at += offset;
        // A suspect byte is ASCII or a lead byte, so `at` is a boundary.
        let Some(c) = text[at..].chars().next() else {
            break true;
        };
        if !is_markup_char(c) {
            break false;
        }
        at += c.len_utf8();
    };
    if clean {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_markup_char(c) { c } else { '\u{FFFD}' })
            .collect(),
    )
}

/// Whether `b` begins or is a character [`is_markup_char`] may refuse.
fn suspect(b: u8) -> bool {
    // `&` and `|`, not `&&` and `||`: no branch, so a block's test
    // becomes vector compares.
    ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
        | (b == 0x7F)
        | (b == 0xC2)
        | (b >= 0xEF)
}

/// Where the first suspect byte of `bytes` is. Blocks of 32 bytes are
/// tested whole first (a test the compiler turns into vector compares),
/// so a page is not walked one byte and branch at a time.
fn next_suspect(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut skipped = 0;
    for block in bytes.chunks_exact(BLOCK) {
        if block.iter().fold(false, |any, &b| any | suspect(b)) {
            break;
        }
        skipped += BLOCK;
    }
    bytes[skipped..]
        .iter()
        .position(|&b| suspect(b))
        .map(|offset| skipped + offset)
}

/// Whether a terminal could act on `c` instead of showing it: a control
/// character (but tab and line feed, which output uses as such), or a
/// bidirectional override that reorders what is shown.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` for a terminal or a CI log: every character a terminal could act
/// on (escape sequences that retitle the window or clear the screen, a
/// carriage return that overwrites a line) written as `\u{1b}`.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts_on_terminal(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Source text for a terminal, with each character [`terminal_safe`]
/// would escape replaced by as many `?` as it has bytes, so that byte
/// offsets into it (the spans of findings) still point where they did.
pub fn terminal_source(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if acts_on_terminal(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_block_quotes_and_lists() {
        assert_eq!(markdown_nesting("plain *text*"), 0);
        assert_eq!(markdown_nesting("- a\n- b"), 1);
        assert_eq!(markdown_nesting("> - a\n>   - b"), 3);
        assert_eq!(markdown_nesting(&(">".repeat(100) + " x")), 100);
        assert_eq!(markdown_nesting(&("- ".repeat(20) + "x")), 20);
    }

    #[test]
    fn markup_safe_replaces_controls_and_noncharacters_only() {
        assert_eq!(
            markup_safe("a\u{1}b\u{b}c\u{1b}[2Jd\u{fffe}e\u{85}f\u{1ffff}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}[2Jd\u{fffd}e\u{fffd}f\u{fffd}"
        );
        let kept = "tab\tlf\ncr\r é ✓ \u{fffd} \u{10000}";
        assert!(matches!(markup_safe(kept), Cow::Borrowed(_)));
        // Allowed characters that begin with a suspect byte (`·`, a no-break
        // space, U+FFFD, another plane) do not end the scan: a refused one
        // after them is still found, wherever it is.
        let allowed = "a · b\u{a0}c \u{fffd} \u{1f600} ".repeat(1000);
        assert!(matches!(markup_safe(&allowed), Cow::Borrowed(_)));
        for bad in ["\u{85}", "\u{1}", "\u{fdd0}", "\u{7f}", "\u{10fffe}"] {
            let text = format!("{allowed}{bad}·");
            assert_eq!(markup_safe(&text), format!("{allowed}\u{fffd}·"), "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Blocks or bytes, the scan finds what a walk by character finds,
        /// wherever a refused character falls relative to a block.
        #[test]
        fn markup_safe_is_the_walk_by_character(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "<p>", "\t", "\n", "·", "\u{a0}", "\u{fffd}", "\u{1f600}", "é",
                    "\u{1}", "\u{85}", "\u{7f}", "\u{fdd0}", "\u{10fffe}", "\u{1b}",
                ]),
                0..200,
            )
        ) {
            let text = pieces.concat();
            let walked: String = text
                .chars()
                .map(|c| if is_markup_char(c) { c } else { '\u{FFFD}' })
                .collect();
            proptest::prop_assert_eq!(markup_safe(&text), walked);
        }
    }

    #[test]
    fn terminal_safe_escapes_what_a_terminal_acts_on() {
        assert_eq!(
            terminal_safe("x\u{1b}]0;t\u{7}\u{1b}[2J\r\u{9b}\u{202e}y\tz\n"),
            "x\\u{1b}]0;t\\u{7}\\u{1b}[2J\\u{d}\\u{9b}\\u{202e}y\tz\n"
        );
        assert!(matches!(
            terminal_safe("plain é ✓\tline\n"),
            Cow::Borrowed(_)
        ));
        let source = terminal_source("a\u{1b}b\u{9b}c");
        assert_eq!(source, "a?b??c");
        assert_eq!(source.len(), "a\u{1b}b\u{9b}c".len());
    }
}
