//! Render stage: a system's dependency graph as inline SVG.
//!
//! Drawn in Rust rather than a template because SVG is strict XML: every
//! text is cleaned and escaped here, ids derive from the centre system so
//! they stay unique on its page, and only presentation attributes are used
//! (no `style`, no script, no event handlers), so a strict content security
//! policy accepts the page. The output depends on the input alone, in input
//! order. Geometry is computed first ([`layout`]) and drawn second, so a
//! test can check that no two boxes overlap.

use std::fmt::Write as _;

/// A system drawn as a box.
pub struct Node {
    /// System id, e.g. "billing-db".
    pub id: String,
    /// Display name, e.g. "Billing database".
    pub label: String,
    /// Relative link to the node's page, e.g. "billing-db.html".
    pub href: Option<String>,
    /// "low" | "medium" | "high" | "critical".
    pub criticality: &'static str,
}

/// One integration to or from the centre system, with the system at its far end.
pub struct Link {
    pub node: Node,
    pub integration: String,
    pub critical: bool,
}

const MARGIN: i32 = 20;
/// Room above the columns for their headings.
const HEADING: i32 = 30;
const BOX_W: i32 = 220;
const BOX_H: i32 = 46;
const ROW_GAP: i32 = 14;
/// Horizontal room between columns, where the arrows run.
const COL_GAP: i32 = 130;
/// Vertical distance between arrow ends on the centre box, so arrowheads
/// never pile up on one point.
const PORT_GAP: i32 = 14;
const PORT_PAD: i32 = 10;
/// From the bottom of the tallest column to the legend's baseline.
const LEGEND_GAP: i32 = 34;
/// Constant, so every system page draws text at the same scale.
const WIDTH: i32 = 2 * MARGIN + 3 * BOX_W + 2 * COL_GAP;
/// Text starts after the criticality bar.
const TEXT_INSET: i32 = 16;
const TEXT_ROOM: i32 = BOX_W - TEXT_INSET - 10;
const LABEL_SIZE: u32 = 14;
const ID_SIZE: u32 = 12;

const TEXT: &str = "#1b1f24";
const MUTED: &str = "#4a5361";
const EDGE: &str = "#4a5361";
const FONTS: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

/// Box fill and accent (bar and border) of a criticality. Text is dark on
/// every fill (at least 4.5:1) and the accent stands out from its fill (at
/// least 3:1); the criticality is also written in the box, so colour is
/// never the only cue.
fn palette(criticality: &str) -> (&'static str, &'static str) {
    match criticality {
        "critical" => ("#fdecec", "#a4161a"),
        "high" => ("#fff4dc", "#a35200"),
        "medium" => ("#e8f1fb", "#1c4f8a"),
        _ => ("#f4f6f8", "#5c6773"),
    }
}

/// Draws `center` with its consumers on the left and providers on the
/// right, an arrow from each consumer to `center` and from `center` to
/// each provider (an arrow means "uses"). Critical integrations are solid,
/// others dashed. At most `max_per_side` nodes per side; the rest become a
/// final "+ N more" box. `title` is the SVG's accessible name.
pub fn dependency_graph(
    title: &str,
    center: &Node,
    consumers: &[Link],
    providers: &[Link],
    max_per_side: usize,
) -> String {
    let p = id_prefix(&center.id);
    let geo = layout(consumers.len(), providers.len(), max_per_side);
    let mut out = String::with_capacity(4096);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" width=\"100%\" \
         aria-labelledby=\"{p}-title\" aria-describedby=\"{p}-desc\" \
         class=\"dependency-graph\" font-family=\"{FONTS}\" font-size=\"13\" fill=\"{TEXT}\">",
        h = geo.height
    );
    let _ = writeln!(out, "<title id=\"{p}-title\">{}</title>", escape(title));
    let _ = writeln!(
        out,
        "<desc id=\"{p}-desc\">{}</desc>",
        escape(&description(center, consumers, providers))
    );
    let _ = writeln!(
        out,
        "<defs><marker id=\"{p}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
         markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{EDGE}\"/></marker></defs>"
    );
    let arrow = format!("url(#{p}-arrow)");

    heading(&mut out, &geo.left, "Used by (consumers)", "No consumers");
    heading(&mut out, &geo.right, "Uses (providers)", "No providers");

    // Arrows first, so boxes cover their ends.
    for (link, (from, port)) in consumers
        .iter()
        .zip(geo.left.boxes.iter().zip(&geo.left_ports))
    {
        let tip = (geo.center.x - 1, *port);
        let tooltip = format!("{} uses {}", link.node.id, center.id);
        edge(
            &mut out,
            (from.x + from.w, from.mid()),
            tip,
            link,
            &tooltip,
            &arrow,
        );
    }
    for (link, (to, port)) in providers
        .iter()
        .zip(geo.right.boxes.iter().zip(&geo.right_ports))
    {
        let start = (geo.center.x + geo.center.w, *port);
        let tooltip = format!("{} uses {}", center.id, link.node.id);
        edge(
            &mut out,
            start,
            (to.x - 1, to.mid()),
            link,
            &tooltip,
            &arrow,
        );
    }

    node(&mut out, center, geo.center, true);
    for (links, column) in [(consumers, &geo.left), (providers, &geo.right)] {
        for (link, rect) in links.iter().zip(&column.boxes) {
            node(&mut out, &link.node, *rect, false);
        }
        if let Some((rect, hidden)) = column.more {
            more(&mut out, rect, hidden);
        }
    }

    legend(&mut out, geo.legend_y, &arrow);
    out.push_str("</svg>\n");
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

impl Rect {
    fn mid(&self) -> i32 {
        self.y + self.h / 2
    }
}

/// One side's boxes: the nodes shown, then the "+ N more" box if any.
struct Column {
    x: i32,
    /// Vertical middle of the body, for the "No consumers" note.
    body_mid: i32,
    boxes: Vec<Rect>,
    more: Option<(Rect, usize)>,
}

struct Layout {
    height: i32,
    center: Rect,
    left: Column,
    right: Column,
    /// Where the arrows of each shown consumer (provider) meet the centre.
    left_ports: Vec<i32>,
    right_ports: Vec<i32>,
    legend_y: i32,
}

/// Positions every box from the node counts alone: columns are stacked
/// rows, the centre box grows so arrow ends stay `PORT_GAP` apart, and
/// everything is centred vertically on the tallest of them.
fn layout(consumers: usize, providers: usize, max_per_side: usize) -> Layout {
    let shown = |n: usize| n.min(max_per_side);
    let rows = |n: usize| shown(n) + usize::from(n > max_per_side);
    let column_h = |n: usize| {
        let rows = rows(n) as i32;
        (rows * BOX_H + (rows - 1) * ROW_GAP).max(0)
    };
    let ports = shown(consumers).max(shown(providers)) as i32;
    let center_h = BOX_H.max(ports * PORT_GAP + 2 * PORT_PAD);
    let body_h = column_h(consumers).max(column_h(providers)).max(center_h);
    let top = MARGIN + HEADING;

    let column = |n: usize, x: i32| {
        let y0 = top + (body_h - column_h(n)) / 2;
        let at = |row: usize| Rect {
            x,
            y: y0 + row as i32 * (BOX_H + ROW_GAP),
            w: BOX_W,
            h: BOX_H,
        };
        Column {
            x,
            body_mid: top + body_h / 2,
            boxes: (0..shown(n)).map(at).collect(),
            more: (n > max_per_side).then(|| (at(shown(n)), n - max_per_side)),
        }
    };
    let center = Rect {
        x: MARGIN + BOX_W + COL_GAP,
        y: top + (body_h - center_h) / 2,
        w: BOX_W,
        h: center_h,
    };
    let ports_of = |n: usize| -> Vec<i32> {
        let n = shown(n) as i32;
        let span = center.h - 2 * PORT_PAD;
        (0..n)
            .map(|i| center.y + PORT_PAD + (2 * i + 1) * span / (2 * n))
            .collect()
    };
    let legend_y = top + body_h + LEGEND_GAP;
    Layout {
        height: legend_y + MARGIN,
        center,
        left: column(consumers, MARGIN),
        right: column(providers, WIDTH - MARGIN - BOX_W),
        left_ports: ports_of(consumers),
        right_ports: ports_of(providers),
        legend_y,
    }
}

fn heading(out: &mut String, column: &Column, text: &str, empty: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"600\" fill=\"{MUTED}\">{text}</text>",
        column.x,
        MARGIN + 14
    );
    if column.boxes.is_empty() && column.more.is_none() {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\" fill=\"{MUTED}\">{empty}</text>",
            column.x + BOX_W / 2,
            column.body_mid + 4
        );
    }
}

/// A curve leaving `from` and arriving at `to` horizontally, so the
/// arrowhead (which follows the curve's end) points straight at the box.
fn edge(
    out: &mut String,
    from: (i32, i32),
    to: (i32, i32),
    link: &Link,
    tooltip: &str,
    arrow: &str,
) {
    let mid = (from.0 + to.0) / 2;
    let (class, dash) = if link.critical {
        ("dg-edge dg-critical", "stroke-width=\"2\"")
    } else {
        (
            "dg-edge dg-optional",
            "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"",
        )
    };
    let kind = if link.critical {
        "critical"
    } else {
        "not critical"
    };
    let _ = writeln!(
        out,
        "<path class=\"{class}\" d=\"M{},{} C{mid},{} {mid},{} {},{}\" fill=\"none\" stroke=\"{EDGE}\" {dash} \
         marker-end=\"{arrow}\"><title>{} via {} ({kind})</title></path>",
        from.0,
        from.1,
        from.1,
        to.1,
        to.0,
        to.1,
        escape(tooltip),
        escape(&link.integration),
    );
}

fn node(out: &mut String, node: &Node, r: Rect, center: bool) {
    let (fill, accent) = palette(node.criticality);
    let href = node.href.as_deref().and_then(safe_href);
    if let Some(href) = &href {
        let _ = write!(out, "<a href=\"{}\">", escape(href));
    }
    let class = if center {
        "dg-node dg-center"
    } else {
        "dg-node"
    };
    let _ = write!(
        out,
        "<g class=\"{class}\"><title>{} ({}), {} criticality</title>",
        escape(&node.label),
        escape(&node.id),
        escape(node.criticality)
    );
    let border = if center { 3 } else { 1 };
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" stroke=\"{accent}\" stroke-width=\"{border}\"/>",
        r.x, r.y, r.w, r.h
    );
    // The bar follows the box's rounded left corners.
    let _ = write!(
        out,
        "<path d=\"M{x4},{y} H{x7} V{yb} H{x4} A4,4 0 0 1 {x},{yb4} V{y4} A4,4 0 0 1 {x4},{y} z\" fill=\"{accent}\"/>",
        x = r.x,
        x4 = r.x + 4,
        x7 = r.x + 7,
        y = r.y,
        y4 = r.y + 4,
        yb = r.y + r.h,
        yb4 = r.y + r.h - 4,
    );
    let label_y = r.mid() - 3;
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{label_y}\" font-size=\"{LABEL_SIZE}\" font-weight=\"600\">{}</text>",
        r.x + TEXT_INSET,
        escape(&fit(&node.label, LABEL_SIZE, TEXT_ROOM, true))
    );
    let sub = format!("{} · {}", node.id, node.criticality);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{ID_SIZE}\" fill=\"{MUTED}\">{}</text>",
        r.x + TEXT_INSET,
        label_y + 16,
        escape(&fit(&sub, ID_SIZE, TEXT_ROOM, false))
    );
    out.push_str("</g>");
    if href.is_some() {
        out.push_str("</a>");
    }
    out.push('\n');
}

fn more(out: &mut String, r: Rect, hidden: usize) {
    let _ = writeln!(
        out,
        "<g class=\"dg-more\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"#ffffff\" \
         stroke=\"{MUTED}\" stroke-dasharray=\"3 3\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
         font-size=\"{LABEL_SIZE}\" fill=\"{MUTED}\">+ {hidden} more</text></g>",
        r.x,
        r.y,
        r.w,
        r.h,
        r.x + r.w / 2,
        r.mid() + 5
    );
}

/// One row: the two arrow styles, then the criticality colours, laid out
/// left to right by estimated text width.
fn legend(out: &mut String, y: i32, arrow: &str) {
    let mut x = MARGIN;
    out.push_str("<g class=\"dg-legend\" font-size=\"12\">");
    for (dash, text) in [
        ("stroke-width=\"2\"", "critical integration"),
        (
            "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"",
            "non-critical integration",
        ),
    ] {
        let _ = write!(
            out,
            "<path d=\"M{x},{ly} H{end}\" fill=\"none\" stroke=\"{EDGE}\" {dash} marker-end=\"{arrow}\"/>\
             <text x=\"{tx}\" y=\"{y}\" fill=\"{MUTED}\">{text}</text>",
            ly = y - 4,
            end = x + 36,
            tx = x + 44
        );
        x += 44 + text_px(text, 12, false) + 24;
    }
    let _ = write!(
        out,
        "<text x=\"{x}\" y=\"{y}\" fill=\"{MUTED}\">System criticality:</text>"
    );
    x += text_px("System criticality:", 12, false) + 10;
    for level in ["low", "medium", "high", "critical"] {
        let (fill, accent) = palette(level);
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"18\" height=\"14\" rx=\"2\" fill=\"{fill}\" stroke=\"{accent}\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{y}\" fill=\"{MUTED}\">{level}</text>",
            y - 12,
            x + 24
        );
        x += 24 + text_px(level, 12, false) + 16;
    }
    out.push_str("</g>\n");
}

/// The text a screen reader gets instead of the picture: every link, hidden
/// ones too, with its integration and whether it is critical.
fn description(center: &Node, consumers: &[Link], providers: &[Link]) -> String {
    let list = |links: &[Link]| -> String {
        links
            .iter()
            .map(|l| {
                let kind = if l.critical {
                    "critical"
                } else {
                    "not critical"
                };
                format!(
                    "{} ({}, via {}, {kind})",
                    l.node.label, l.node.id, l.integration
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let count = |n: usize| match n {
        0 => "no system".to_string(),
        1 => "1 system".to_string(),
        n => format!("{n} systems"),
    };
    let mut text = format!(
        "{} ({}) is used by {}",
        center.label,
        center.id,
        count(consumers.len())
    );
    if !consumers.is_empty() {
        text.push_str(": ");
        text.push_str(&list(consumers));
    }
    let _ = write!(text, ". It uses {}", count(providers.len()));
    if !providers.is_empty() {
        text.push_str(": ");
        text.push_str(&list(providers));
    }
    text.push_str(". Arrows point from the system that uses to the system used.");
    text
}

/// The id prefix of one graph: "dep-" and the centre id in `[a-z0-9-]`.
fn id_prefix(id: &str) -> String {
    let mut out = String::from("dep-");
    for c in id.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-').len();
    out.truncate(trimmed);
    if out == "dep" {
        out.push_str("-system");
    }
    out
}

/// Drops links whose scheme a browser would run or that leave the web
/// (`javascript:`, `data:`), the way browsers read them: surrounding
/// control characters and spaces ignored, tabs and newlines removed.
fn safe_href(href: &str) -> Option<String> {
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

fn is_noncharacter(c: char) -> bool {
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
fn em_milli(c: char) -> u32 {
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
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sys(id: &str, label: &str, criticality: &'static str) -> Node {
        Node {
            id: id.into(),
            label: label.into(),
            href: Some(format!("{id}.html")),
            criticality,
        }
    }

    fn link(id: &str, critical: bool) -> Link {
        Link {
            node: sys(id, &format!("System {id}"), "medium"),
            integration: format!("int-{id}"),
            critical,
        }
    }

    fn center() -> Node {
        Node {
            href: None,
            ..sys("billing-api", "Billing API", "critical")
        }
    }

    /// Checks tags balance, attribute values are quoted, and every `&`
    /// starts a known entity: enough to catch what string building breaks.
    fn assert_well_formed(svg: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(open) = rest.find('<') {
            assert_entities(&rest[..open]);
            let close = rest[open..].find('>').expect("unclosed tag") + open;
            let tag = &rest[open + 1..close];
            assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
            } else {
                let name = tag.split([' ', '/']).next().unwrap();
                assert!(!name.is_empty(), "empty tag name");
                assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
                assert_entities(tag);
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &rest[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert_eq!(rest.trim(), "");
    }

    fn assert_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let after = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| after.starts_with(e)),
                "raw `&` in {text}"
            );
        }
    }

    fn ids(svg: &str) -> Vec<&str> {
        svg.match_indices(" id=\"")
            .map(|(i, m)| {
                let start = i + m.len();
                &svg[start..start + svg[start..].find('"').unwrap()]
            })
            .collect()
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |hex: &str| {
            let channel = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        };
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn only_center_draws_one_box_and_no_arrows() {
        let svg = dependency_graph("Dependencies of Billing API", &center(), &[], &[], 12);
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert_eq!(svg.matches("class=\"dg-node").count(), 1);
        assert_eq!(svg.matches("class=\"dg-edge").count(), 0);
        assert!(svg.contains("No consumers") && svg.contains("No providers"));
        assert!(svg.contains("is used by no system. It uses no system."));
        assert!(
            svg.contains("<title id=\"dep-billing-api-title\">Dependencies of Billing API</title>")
        );
        // The centre has no page link of its own here.
        assert!(!svg.contains("<a "));
    }

    #[test]
    fn consumers_and_providers_with_one_dashed() {
        let consumers = [link("a", true), link("b", true), link("c", true)];
        let providers = [link("d", true), link("e", false)];
        let svg = dependency_graph("Deps", &center(), &consumers, &providers, 12);
        assert_well_formed(&svg);
        assert_eq!(svg.matches("class=\"dg-node").count(), 6);
        assert_eq!(svg.matches("class=\"dg-edge dg-critical\"").count(), 4);
        assert_eq!(svg.matches("class=\"dg-edge dg-optional\"").count(), 1);
        // One dashed edge plus the legend's sample.
        assert_eq!(svg.matches("stroke-dasharray=\"6 4\"").count(), 2);
        assert_eq!(svg.matches("<a href=").count(), 5);
        assert!(svg.contains("<a href=\"a.html\"><g class=\"dg-node\"><title>System a (a), medium criticality</title>"));
        assert!(svg.contains("<title>a uses billing-api via int-a (critical)</title>"));
        assert!(svg.contains("<title>billing-api uses e via int-e (not critical)</title>"));
        assert_eq!(svg.matches("<marker ").count(), 1);
        assert!(svg.contains("critical integration") && svg.contains("non-critical integration"));
        // Input order is kept.
        let order: Vec<usize> = ["System a", "System b", "System c", "System d", "System e"]
            .iter()
            .map(|l| svg.find(&format!(">{l}</text>")).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn more_nodes_than_max_per_side_end_in_a_more_box() {
        let consumers: Vec<Link> = (0..5).map(|i| link(&format!("c{i}"), true)).collect();
        let providers = [link("p", false)];
        let svg = dependency_graph("Deps", &center(), &consumers, &providers, 3);
        assert_well_formed(&svg);
        assert!(svg.contains(">+ 2 more</text>"));
        assert_eq!(svg.matches("class=\"dg-more\"").count(), 1);
        assert!(svg.contains(">System c2</text>") && !svg.contains(">System c3</text>"));
        assert_eq!(svg.matches("class=\"dg-edge").count(), 4);
        // The description still names every consumer.
        assert!(svg.contains("System c4 (c4, via int-c4, critical)"));

        let none = dependency_graph("Deps", &center(), &consumers, &[], 0);
        assert!(none.contains(">+ 5 more</text>"));
        assert_eq!(none.matches("class=\"dg-edge").count(), 0);
    }

    #[test]
    fn script_and_ampersand_in_labels_are_escaped() {
        let mut evil = link("x", true);
        evil.node.label = "<script>alert('x')</script> & \"co\"".into();
        evil.integration = "a&b".into();
        evil.node.href = Some("x.html?a=1&b=\"2\"".into());
        let svg = dependency_graph("<b>T&C</b>", &center(), &[evil], &[], 12);
        assert_well_formed(&svg);
        assert!(!svg.contains("<script") && !svg.contains("<b>"));
        assert!(
            svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
        assert!(svg.contains("&lt;b&gt;T&amp;C&lt;/b&gt;"));
        assert!(svg.contains("via a&amp;b"));
        assert!(svg.contains("<a href=\"x.html?a=1&amp;b=&quot;2&quot;\">"));
    }

    #[test]
    fn unsafe_hrefs_and_forbidden_characters_are_dropped() {
        let mut bad = link("x", true);
        bad.node.href = Some(" java\tscript:alert(1)".into());
        bad.node.label = "nul\u{0}bell\u{7}\u{FFFF}".into();
        let svg = dependency_graph("T", &center(), &[bad], &[], 12);
        assert_well_formed(&svg);
        assert!(!svg.contains("<a ") && !svg.contains("script:"));
        assert!(svg.contains("nul\u{FFFD}bell\u{FFFD}\u{FFFD}"));
        assert_eq!(safe_href("../x.html").as_deref(), Some("../x.html"));
        assert_eq!(
            safe_href("https://e.org/a:b").as_deref(),
            Some("https://e.org/a:b")
        );
        assert_eq!(safe_href("DATA:text/html,x"), None);
    }

    #[test]
    fn ids_are_sanitized_and_unique() {
        let mut c = center();
        c.id = "Billing.DB/<x> é 1".into();
        let svg = dependency_graph("T", &c, &[link("a", true)], &[], 12);
        assert_well_formed(&svg);
        let found = ids(&svg);
        assert_eq!(
            found,
            [
                "dep-billing-db-x-1-title",
                "dep-billing-db-x-1-desc",
                "dep-billing-db-x-1-arrow"
            ]
        );
        assert!(svg.contains("aria-labelledby=\"dep-billing-db-x-1-title\""));
        assert!(svg.contains("marker-end=\"url(#dep-billing-db-x-1-arrow)\""));
        assert_eq!(id_prefix("--"), "dep-system");
        assert_eq!(id_prefix("9a"), "dep-9a");
    }

    #[test]
    fn same_input_gives_same_bytes() {
        let consumers: Vec<Link> = (0..20)
            .map(|i| link(&format!("c{i}"), i % 3 == 0))
            .collect();
        let providers: Vec<Link> = (0..4).map(|i| link(&format!("p{i}"), i % 2 == 0)).collect();
        let a = dependency_graph("Deps", &center(), &consumers, &providers, 12);
        let b = dependency_graph("Deps", &center(), &consumers, &providers, 12);
        assert_eq!(a, b);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_and_kept_in_the_tooltip() {
        let long = "Customer relationship management platform for enterprise accounts";
        let mut l = link("crm", true);
        l.node.label = long.into();
        let svg = dependency_graph("T", &center(), &[l], &[], 12);
        assert!(svg.contains(&format!("<title>{long} (crm), medium criticality</title>")));
        let shown = fit(long, LABEL_SIZE, TEXT_ROOM, true);
        assert!(shown.ends_with('…') && shown.len() < long.len());
        assert!(svg.contains(&format!(">{shown}</text>")));
        assert!(text_px(&shown, LABEL_SIZE, true) <= TEXT_ROOM);
        assert_eq!(
            fit("Billing API", LABEL_SIZE, TEXT_ROOM, true),
            "Billing API"
        );
        assert!(
            text_px(
                &fit(&"請求".repeat(40), LABEL_SIZE, TEXT_ROOM, true),
                LABEL_SIZE,
                true
            ) <= TEXT_ROOM
        );
    }

    #[test]
    fn boxes_never_overlap_and_stay_inside() {
        for (left, right, max) in [(0, 0, 12), (13, 1, 12), (3, 20, 12), (1, 1, 1), (40, 40, 5)] {
            let geo = layout(left, right, max);
            let mut all = vec![geo.center];
            for column in [&geo.left, &geo.right] {
                all.extend(column.boxes.iter().copied());
                all.extend(column.more.map(|(r, _)| r));
            }
            for (i, a) in all.iter().enumerate() {
                assert!(a.x >= 0 && a.y >= MARGIN + HEADING && a.x + a.w <= WIDTH);
                // The legend's swatches reach 12 above its baseline.
                assert!(a.y + a.h < geo.legend_y - 12);
                for b in &all[i + 1..] {
                    let apart = a.x + a.w <= b.x
                        || b.x + b.w <= a.x
                        || a.y + a.h <= b.y
                        || b.y + b.h <= a.y;
                    assert!(apart, "{a:?} overlaps {b:?} for {left}/{right}/{max}");
                }
            }
            for ports in [&geo.left_ports, &geo.right_ports] {
                assert!(ports.windows(2).all(|w| w[1] - w[0] >= PORT_GAP - 1));
                assert!(
                    ports
                        .iter()
                        .all(|&y| y > geo.center.y && y < geo.center.y + geo.center.h)
                );
            }
        }
    }

    #[test]
    fn the_legend_fits_the_width() {
        let mut out = String::new();
        legend(&mut out, 100, "url(#a)");
        let last_x: i32 = out
            .rsplit("<text x=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(last_x + text_px("critical", 12, false) <= WIDTH - MARGIN);
    }

    #[test]
    fn colours_have_enough_contrast() {
        for level in ["low", "medium", "high", "critical", "unknown"] {
            let (fill, accent) = palette(level);
            assert!(contrast(TEXT, fill) >= 4.5, "{level} label");
            assert!(contrast(MUTED, fill) >= 4.5, "{level} id line");
            assert!(contrast(accent, fill) >= 3.0, "{level} accent");
        }
        assert!(contrast(MUTED, "#ffffff") >= 4.5);
    }

    #[test]
    fn no_script_style_or_handlers() {
        let svg = dependency_graph("T", &center(), &[link("a", true)], &[link("b", false)], 12);
        let handler = svg.match_indices(" on").any(|(i, _)| {
            let name = svg[i + 3..].trim_start_matches(|c: char| c.is_ascii_alphabetic());
            name.starts_with('=')
        });
        assert!(!handler, "event handler attribute");
        for forbidden in [
            "<script",
            "<style",
            " style=",
            "xlink:",
            "http://",
            "<image",
            "<foreignObject",
        ] {
            let hits = svg.matches(forbidden).count();
            // The SVG namespace is the one allowed URL.
            let allowed = usize::from(forbidden == "http://");
            assert_eq!(hits, allowed, "{forbidden}");
        }
        assert!(!svg.contains(" width=\"960\"") && svg.contains(" width=\"100%\""));
    }
}
