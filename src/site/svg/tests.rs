//! Tests of the dependency graph: layout, escaping, links and text fitting.

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
    assert!(svg.contains("is used by no system and uses no system; the lists below"));
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
    assert!(svg.contains(
        "<a href=\"a.html\"><g class=\"dg-node\"><title>System a (a), medium criticality</title>"
    ));
    assert!(svg.contains("<title>a uses billing-api via int-a (critical)</title>"));
    assert!(svg.contains("<title>billing-api uses e via int-e (not critical)</title>"));
    assert!(svg.contains(
        "is used by 3 systems, all through critical integrations and uses 2 systems, \
         1 of them through a critical integration;"
    ));
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
    // The description counts every consumer, hidden ones too, and leaves
    // naming them to the lists of the page.
    assert!(svg.contains(
        "is used by 5 systems, all through critical integrations and uses 1 system, \
         through an integration that is not critical; the lists below the graph name"
    ));
    assert!(!svg.contains("int-c4"));

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
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
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
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
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

/// A side given as its first links and its counts draws what the whole
/// side draws: a page builds no links it cannot show.
#[test]
fn a_side_of_its_first_links_and_counts_draws_the_whole_side() {
    let consumers: Vec<Link> = (0..40)
        .map(|i| link(&format!("c{i}"), i % 3 == 0))
        .collect();
    let providers: Vec<Link> = (0..5).map(|i| link(&format!("p{i}"), i % 2 == 0)).collect();
    for max in [0, 3, 5, 12] {
        let whole = dependency_graph("Deps", &center(), &consumers, &providers, max);
        fn first(links: &[Link], max: usize) -> Side<'_> {
            Side {
                links: &links[..max.min(links.len())],
                ..Side::all(links)
            }
        }
        let cut = dependency_graph_of(
            "Deps",
            &center(),
            first(&consumers, max),
            first(&providers, max),
            max,
        );
        assert_eq!(cut, whole, "max {max}");
    }
    assert!(
        dependency_graph("Deps", &center(), &consumers, &providers, 12)
            .contains("is used by 40 systems, 14 of them through a critical integration")
    );
}
