//! Render stage: a system's dependency graph as inline SVG.
//!
//! Drawn in Rust rather than a template because SVG is strict XML: every
//! text is cleaned and escaped here, ids derive from the centre system so
//! they stay unique on its page, and only presentation attributes are used
//! (no `style`, no script, no event handlers), so a strict content security
//! policy accepts the page. The output depends on the input alone, in input
//! order. Geometry is computed first (`layout`) and drawn second, so a
//! test can check that no two boxes overlap. Text helpers are in `text`.

mod text;

pub(crate) use text::{escape, fit, safe_href, text_px};

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
    /// The system at the far end of the integration.
    pub node: Node,
    /// The integration's id, shown in the edge's tooltip.
    pub integration: String,
    /// Whether the integration is critical (solid edge) or not (dashed).
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
    dependency_graph_of(
        title,
        center,
        Side::all(consumers),
        Side::all(providers),
        max_per_side,
    )
}

/// One side of a dependency graph: its links, of which the first
/// `max_per_side` are drawn (a page builds no more than those), how many
/// there are in all and how many of them are critical.
pub struct Side<'a> {
    /// The links, at least the first `max_per_side` of the side.
    pub links: &'a [Link],
    /// How many links the side has.
    pub count: usize,
    /// How many of them are critical.
    pub critical: usize,
}

impl<'a> Side<'a> {
    /// A side of all of `links`.
    pub fn all(links: &'a [Link]) -> Side<'a> {
        Side {
            links,
            count: links.len(),
            critical: links.iter().filter(|l| l.critical).count(),
        }
    }
}

/// [`dependency_graph`] of sides given with their counts.
pub fn dependency_graph_of(
    title: &str,
    center: &Node,
    consumers: Side,
    providers: Side,
    max_per_side: usize,
) -> String {
    let p = id_prefix(&center.id);
    let geo = layout(consumers.count, providers.count, max_per_side);
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
        escape(&description(center, &consumers, &providers))
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
        .links
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
        .links
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
    for (links, column) in [(consumers.links, &geo.left), (providers.links, &geo.right)] {
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

/// The text a screen reader gets instead of the picture: how many systems
/// each side holds and how many of those integrations are critical. The
/// lists under the graph name each system with its integration, so the
/// description does not repeat them (it stays one sentence, however many
/// integrations a system has).
fn description(center: &Node, consumers: &Side, providers: &Side) -> String {
    let side = |side: &Side| -> String {
        match (side.count, side.critical) {
            (0, _) => "no system".to_string(),
            (1, 1) => "1 system, through a critical integration".to_string(),
            (1, _) => "1 system, through an integration that is not critical".to_string(),
            (n, c) if c == n => format!("{n} systems, all through critical integrations"),
            (n, 0) => format!("{n} systems, none through a critical integration"),
            (n, c) => format!("{n} systems, {c} of them through a critical integration"),
        }
    };
    format!(
        "{} ({}) is used by {} and uses {}; the lists below the graph name each system \
         with its integration. Arrows point from the system that uses to the system used.",
        center.label,
        center.id,
        side(consumers),
        side(providers)
    )
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

#[cfg(test)]
mod tests;
