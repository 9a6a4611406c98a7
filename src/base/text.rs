//! Foundation layer: bounds on inventory text, shared by the loader that
//! reports a field beyond them and the renderer that never works past them,
//! so that rendering stays linear in the size of the inventory.

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
}
