//! Render stage: text inside SVG: XML escaping of what XML 1.0 forbids,
//! links a browser would not run, and text widths estimated without a font
//! so labels fit their boxes.

/// Drops links whose scheme a browser would run or that leave the web
/// (`javascript:`, `data:`), the way browsers read them: surrounding
/// control characters and spaces ignored, tabs and newlines removed.
pub(crate) fn safe_href(href: &str) -> Option<String> {
    let href: String = href
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = href.find([':', '/', '?', '#']);
    if let Some(i) = scheme_end.filter(|&i| href[i..].starts_with(':')) {
        let scheme = href[..i].to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "mailto") {
            return None;
        }
    }
    (!href.is_empty()).then_some(href)
}

/// XML-escapes `text` after replacing characters XML 1.0 forbids and HTML
/// reports as errors (controls, noncharacters) with U+FFFD; line breaks
/// and tabs become spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || is_noncharacter(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn is_noncharacter(c: char) -> bool {
    let c = c as u32;
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// `text`, cut with an ellipsis so its estimated width fits `room` pixels.
pub(crate) fn fit(text: &str, size: u32, room: i32, bold: bool) -> String {
    if text_px(text, size, bold) <= room {
        return text.to_string();
    }
    let room_milli = room as u32 * 1000 * 100 / (size * if bold { 112 } else { 100 });
    let mut used = em_milli('…');
    let mut out = String::new();
    for c in text.chars() {
        used += em_milli(c);
        if used > room_milli {
            break;
        }
        out.push(c);
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('…');
    out
}

/// Estimated rendered width in pixels; generous, since the real font is
/// whatever the reader's system provides.
pub(crate) fn text_px(text: &str, size: u32, bold: bool) -> i32 {
    let milli: u32 = text.chars().map(em_milli).sum();
    let px = milli * size * if bold { 112 } else { 100 } / 100_000;
    px as i32 + 1
}

/// Width of a character in thousandths of an em, for a typical sans-serif.
pub(crate) fn em_milli(c: char) -> u32 {
    match c {
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 320,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' => 420,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 920,
        'A'..='Z' => 720,
        '0'..='9' | 'a'..='z' | '_' => 600,
        c if is_wide(c) => 1050,
        c if c.is_ascii() => 620,
        _ => 700,
    }
}

/// East Asian wide and full-width characters, and emoji.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD)
}
