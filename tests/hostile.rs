//! Hostile and huge inventories (issue 10): each numbered case of the
//! attack report pinned by a test that failed before its fix. The work is
//! asserted (exit status, output sizes, what a page shows), not the clock.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{AS_OF, build_allowing_errors as build, cutover};

/// An inventory of `n` systems where `s{i}` consumes `s{i+1}` through a
/// critical integration (and `s{n-1}` consumes `s0` when `cycle`), with one
/// change of the last system, which therefore impacts every system through
/// a path of up to `n - 1` hops.
fn chain(dir: &Path, n: usize, cycle: bool) {
    let mut text = String::from("[[team]]\nid = \"ops\"\nname = \"Ops\"\n\n");
    for i in 0..n {
        writeln!(
            text,
            "[[system]]\nid = \"s{i}\"\nname = \"S{i}\"\nowner = \"ops\"\ncriticality = \"low\"\n"
        )
        .unwrap();
    }
    let edges = if cycle { n } else { n - 1 };
    for i in 0..edges {
        writeln!(
            text,
            "[[integration]]\nid = \"i{i}\"\nconsumer = \"s{i}\"\nprovider = \"s{}\"\n",
            (i + 1) % n
        )
        .unwrap();
    }
    writeln!(
        text,
        "[[change]]\nid = \"c1\"\ntitle = \"T\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"s{}\"]\nsummary = \"S\"\nwhy = \"W\"\n\n[[change.phase]]\nname = \"P\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"",
        n - 1
    )
    .unwrap();
    std::fs::write(dir.join("chain.toml"), text).unwrap();
}

/// Total bytes of the files below `dir`, and the largest file with its size.
fn sizes(dir: &Path) -> (u64, String, u64) {
    let mut total = 0;
    let mut largest = (String::new(), 0);
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let len = entry.metadata().unwrap().len();
            total += len;
            if len > largest.1 {
                let rel = entry.path().strip_prefix(dir).unwrap();
                largest = (rel.display().to_string(), len);
            }
        }
    }
    (total, largest.0, largest.1)
}

/// Runs `check` on `inv`; returns its exit status (None: killed, such as
/// by the abort of a stack overflow).
fn check_status(inv: &Path) -> Option<i32> {
    cutover()
        .args(["check", "--quiet", "--format", "json", "--as-of", AS_OF])
        .arg(inv)
        .output()
        .unwrap()
        .status
        .code()
}

/// Case 1: a chain and a cycle of 100,000 critical integrations overflowed
/// the stack of the recursive Tarjan SCC (exit 134), and the pages of a
/// chain grew with the square of its length (whole impact paths on every
/// system page). The cycle is built (its change impacts every system
/// through paths of up to 99,999 hops, as the chain's does): each system
/// page is now bounded whatever the depth.
#[test]
fn chain_and_cycle_of_100000_integrations_check_and_build_in_linear_output() {
    let n = 100_000;
    let dir = tempfile::tempdir().unwrap();
    for cycle in [false, true] {
        let inv = dir.path().join(if cycle { "cycle" } else { "chain" });
        std::fs::create_dir(&inv).unwrap();
        chain(&inv, n, cycle);
        // 1: the plan has errors (no window, no rollback), not a crash.
        assert_eq!(check_status(&inv), Some(1), "cycle: {cycle}");
    }
    let out = dir.path().join("site");
    build(&dir.path().join("cycle"), &out);
    let (total, largest, largest_size) = sizes(&out);
    // Linear: a few KB per system page, plus lists of every system
    // (systems/index.html: a row of about 320 bytes each, with owner,
    // health and next change; data.json) that are linear themselves.
    assert!(total < n as u64 * 10_000, "site of {total} bytes");
    assert!(largest_size < n as u64 * 400, "{largest}: {largest_size}");
    let page = std::fs::metadata(out.join("systems/s0.html"))
        .unwrap()
        .len();
    assert!(page < 16_000, "systems/s0.html: {page} bytes");
    let change = std::fs::metadata(out.join("changes/c1/index.html"))
        .unwrap()
        .len();
    assert!(change < 64_000, "changes/c1/index.html: {change} bytes");
}

/// Case 1, what a page shows: a path longer than the bound shows its first
/// systems, how many it leaves out and the changed system; one within the
/// bound is shown whole.
#[test]
fn long_impact_paths_show_first_hops_and_the_changed_system() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    std::fs::create_dir(&inv).unwrap();
    chain(&inv, 20, false);
    let out = dir.path().join("site");
    build(&inv, &out);
    let page = std::fs::read_to_string(out.join("systems/s0.html")).unwrap();
    assert!(
        page.contains("via s0 → s1 → s2 → s3 → s4 → s5 → s6 → … 12 more → s19</li>"),
        "{page}"
    );
    let change = std::fs::read_to_string(out.join("changes/c1/index.html")).unwrap();
    assert!(
        change.contains("impacted via s0 → s1 → s2 → s3 → s4 → s5 → s6 → … 12 more → s19</li>")
    );
    // Near miss: s12 is 7 hops from s19, 8 systems: shown whole.
    let page = std::fs::read_to_string(out.join("systems/s12.html")).unwrap();
    assert!(
        page.contains("via s12 → s13 → s14 → s15 → s16 → s17 → s18 → s19</li>"),
        "{page}"
    );
    assert!(!page.contains("more →"));
}

/// A team, a system and a change of it, with `extra` appended to the
/// change's table (more keys of it, then its phases) and `after` after it.
fn one_change(extra: &str, after: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n\n[[system]]\nid = \"erp\"\nname = \"ERP\"\nowner = \"ops\"\ncriticality = \"low\"\n\n[[change]]\nid = \"c1\"\ntitle = \"T\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"erp\"]\nwhy = \"W\"\n{extra}\n[[change.phase]]\nname = \"P\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n{after}"
    );
    std::fs::write(dir.path().join("inv.toml"), text).unwrap();
    dir
}

/// Case 3: Markdown nested beyond the limit, or a text field beyond the
/// size limit, is a `schema` finding at its key (a list element at
/// itself); nesting up to the limit and a field just under the size pass.
#[test]
fn deep_markdown_and_huge_text_are_schema_findings_at_the_key() {
    let deep = ">".repeat(20_000) + " x";
    let huge = "y".repeat(65_537);
    let dir = one_change(
        &format!("summary = \"{deep}\"\nimpact = \"{huge}\"\n"),
        &format!("steps = [\"ok\", \"{}x\"]\n", "- ".repeat(17)),
    );
    let (code, found) = common::findings(dir.path());
    assert_eq!(code, 1);
    let schema: Vec<_> = found
        .iter()
        .filter(|f| f.rule == "schema")
        .map(|f| (f.line, f.column, f.message.as_str()))
        .collect();
    assert_eq!(
        schema,
        vec![
            (
                18,
                1,
                "`summary` of change `c1` nests block quotes and lists 20000 deep; Markdown fields nest at most 16"
            ),
            (
                19,
                1,
                "`impact` of change `c1` is 65537 bytes long; a text field holds at most 65536"
            ),
            (
                25,
                16,
                "`steps` of phase \"P\" of change `c1` nests block quotes and lists 17 deep; Markdown fields nest at most 16"
            ),
        ],
        "{found:#?}"
    );
    // Near miss: 16 levels and 65,536 bytes load.
    let dir = one_change(
        &format!(
            "summary = \"{}\"\nimpact = \"{}\"\n",
            ">".repeat(16) + " x",
            "y".repeat(65_536)
        ),
        &format!("steps = [\"{}x\"]\n", "- ".repeat(16)),
    );
    assert!(common::loading(common::findings(dir.path()).1).is_empty());
}

/// A character XML 1.0 or HTML forbids in a document (the test's own
/// reading of the XML `Char` production and HTML's controls).
fn forbidden(c: char) -> bool {
    let n = u32::from(c);
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7F..=0x9F).contains(&n)
        || n == 0xFFFE
        || n == 0xFFFF
}

/// Case 5: control characters in a title, a team name, an email and the
/// site title made `feed.xml` ill-formed and reached the pages raw. Every
/// XML, HTML, ICS and text output now holds U+FFFD in their place.
#[test]
fn control_characters_never_reach_feed_pages_or_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    std::fs::create_dir(&inv).unwrap();
    std::fs::write(
        inv.join("cutover.toml"),
        "[site]\ntitle = \"Ops\\u0001 \\u001B]0;pwned\\u0007 site\"\n",
    )
    .unwrap();
    std::fs::write(
        inv.join("inv.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Team\\u000B one\"\nemail = \"ops\\u001B@example.com\"\n\n[[system]]\nid = \"erp\"\nname = \"ERP\\u0085\"\nowner = \"ops\"\ncriticality = \"low\"\n\n[[change]]\nid = \"c1\"\ntitle = \"Title\\uFFFE\\u0001 end\"\nowner = \"ops\"\nstatus = \"approved\"\nsystems = [\"erp\"]\nsummary = \"Sum\\u0002mary\"\nwhy = \"W\\uFFFF\"\n\n[[change.phase]]\nname = \"Phase\\u001B[2J\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n",
    )
    .unwrap();
    let out = dir.path().join("site");
    build(&inv, &out);
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    let bad: Vec<char> = feed.chars().filter(|&c| forbidden(c)).collect();
    assert!(bad.is_empty(), "feed.xml holds {bad:?}");
    let parsed = atom_syndication::Feed::read_from(feed.as_bytes()).expect("feed.xml parses");
    assert_eq!(
        parsed.title().as_str(),
        "Ops\u{fffd} \u{fffd}]0;pwned\u{fffd} site: announcements"
    );
    let entry = &parsed.entries()[0];
    assert_eq!(entry.title().as_str(), "Title\u{fffd}\u{fffd} end (c1)");
    assert_eq!(entry.authors()[0].name(), "Team\u{fffd} one");
    assert_eq!(entry.authors()[0].email(), Some("ops\u{fffd}@example.com"));
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        let path = entry.path();
        if !entry.file_type().is_file()
            || path.extension().is_some_and(|e| e == "json" || e == "css")
        {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let bad: Vec<char> = text.chars().filter(|&c| forbidden(c)).collect();
        assert!(bad.is_empty(), "{} holds {bad:?}", path.display());
        checked += 1;
    }
    assert!(checked >= 12, "{checked} files");
    let runbook = std::fs::read_to_string(out.join("changes/c1/runbook.html")).unwrap();
    assert!(runbook.contains("Phase\u{fffd}[2J"), "{runbook}");
}

/// Case 6: a phase name with escape sequences retitled the terminal and
/// cleared the screen through `check`'s output, human and `--format
/// github` alike. They are printed escaped, as `\u{1b}`.
#[test]
fn terminal_output_escapes_control_characters_from_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inv.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n\n[[system]]\nid = \"erp\"\nname = \"ERP\"\nowner = \"ops\"\ncriticality = \"low\"\n\n[[change]]\nid = \"c1\"\ntitle = \"T\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"erp\"]\nsummary = \"S\"\nwhy = \"W\"\n\n[[change.phase]]\nname = \"x\\u001B]0;pwned\\u0007\\u001B[2J\\ry\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n",
    )
    .unwrap();
    let escaped = r#"phase "x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{d}y" of `c1`"#;
    for (args, colour) in [
        (&["--color", "never"][..], false),
        (&["--color", "always"][..], true),
        (&["--format", "github"][..], false),
    ] {
        let output = cutover()
            .args(["check", "--as-of", AS_OF])
            .args(args)
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(escaped), "{args:?}: {stdout}");
        for raw in ["\u{1b}]0;", "\u{1b}[2J", "\u{7}", "\r"] {
            assert!(!stdout.contains(raw), "{args:?}: raw {raw:?} in {stdout}");
        }
        // Colours are the only escape sequences left.
        assert_eq!(stdout.contains('\u{1b}'), colour, "{args:?}");
    }
    // A source line shown under a finding is masked too (raw bytes that
    // only a file that is not valid TOML can hold).
    std::fs::write(
        dir.path().join("inv.toml"),
        "x = \u{1b}[2J\u{1b}]0;t\u{7}\n",
    )
    .unwrap();
    let output = cutover()
        .args(["check", "--color", "never", "--as-of", AS_OF])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("error[syntax]"), "{stdout}");
    assert!(stdout.contains("x = ?[2J?]0;t?"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
}

/// Case 7: a system with id `index` replaced `systems/index.html`, and a
/// change with id `index.html` passed `check`, then failed `build`. Every
/// page the site writes that no id names (enumerated from a build of the
/// example) is checked against the places ids' pages go: each id that
/// would land on one of them is a `schema` finding at the id.
#[test]
fn no_id_can_collide_with_a_page_the_site_writes() {
    let checked = cutover::check::check(
        &common::example(),
        jiff::civil::Date::constant(2026, 11, 24),
    )
    .expect("the example loads");
    let templates = cutover::site::templates(&[]).unwrap();
    let outputs = cutover::site::render_site(&checked, &templates).unwrap();
    let model = &checked.model;
    let own = |path: &str| {
        model
            .systems
            .iter()
            .any(|s| path == format!("systems/{}.html", cutover::model::slug(&s.id.value)))
            || model.changes.iter().any(|c| {
                path.starts_with(&format!("changes/{}/", cutover::model::slug(&c.id.value)))
            })
    };
    let fixed: Vec<&str> = outputs
        .iter()
        .map(|o| o.path.as_str())
        .filter(|p| !own(p))
        .collect();
    assert!(
        fixed.contains(&"systems/index.html") && fixed.contains(&"changes/index.html"),
        "{fixed:?}"
    );
    // Slugs an id would need to land on a fixed page (or on a folder of
    // one, or to make one a folder): per kind, from where its pages go.
    let mut candidates: Vec<(&str, String)> = Vec::new();
    for path in &fixed {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            // systems/<slug>.html (a file; a fixed file or folder there).
            ["systems", name, ..] => candidates.push((
                "system",
                name.strip_suffix(".html").unwrap_or(name).to_string(),
            )),
            // changes/<slug>/<page>: a fixed file or folder at <slug>.
            ["changes", name, ..] => candidates.push(("change", name.to_string())),
            _ => {}
        }
    }
    candidates.sort();
    candidates.dedup();
    assert_eq!(
        candidates,
        vec![
            ("change", "index.html".to_string()),
            ("system", "index".to_string())
        ]
    );
    for (kind, slug) in candidates {
        // The id as written may differ in case from its slug.
        let id = slug.to_uppercase();
        assert!(cutover::model::is_id(&id), "{id} is of the id form");
        let (extra, after) = match kind {
            "system" => (
                String::new(),
                format!(
                    "\n[[system]]\nid = \"{id}\"\nname = \"X\"\nowner = \"ops\"\ncriticality = \"low\"\n"
                ),
            ),
            _ => (
                String::new(),
                format!(
                    "\n[[change]]\nid = \"{id}\"\ntitle = \"X\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"erp\"]\nsummary = \"S\"\nwhy = \"W\"\n[[change.phase]]\nname = \"P\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n"
                ),
            ),
        };
        let dir = one_change(&format!("summary = \"S\"\n{extra}"), &after);
        let (_, found) = common::findings(dir.path());
        let schema: Vec<_> = found.iter().filter(|f| f.rule == "schema").collect();
        assert_eq!(schema.len(), 1, "{kind} {id}: {found:#?}");
        assert_eq!(
            schema[0].message,
            format!(
                "`{id}` cannot be the id of a {kind}: the site writes a page of its own where its page would go"
            )
        );
        // At the id's value.
        let text = std::fs::read_to_string(dir.path().join("inv.toml")).unwrap();
        let line = text
            .lines()
            .position(|l| l == format!("id = \"{id}\""))
            .unwrap()
            + 1;
        assert_eq!((schema[0].line, schema[0].column), (line as u64, 6));
    }
    // Near miss: ids that only resemble a fixed name load.
    let dir = one_change(
        "summary = \"S\"\n",
        "\n[[system]]\nid = \"index.html\"\nname = \"X\"\nowner = \"ops\"\ncriticality = \"low\"\n\n[[system]]\nid = \"indexes\"\nname = \"Y\"\nowner = \"ops\"\ncriticality = \"low\"\n",
    );
    assert!(common::loading(common::findings(dir.path()).1).is_empty());
}

/// The lists of changes and of systems have pages past the first
/// (`changes/page-2.html`, `systems/page-2.html`...) once they outgrow one:
/// no id may land on one, however few changes the inventory has today.
#[test]
fn no_id_can_take_the_place_of_a_later_page_of_a_list() {
    let system = |id: &str| {
        format!(
            "\n[[system]]\nid = \"{id}\"\nname = \"X\"\nowner = \"ops\"\ncriticality = \"low\"\n"
        )
    };
    let change = |id: &str| {
        format!(
            "\n[[change]]\nid = \"{id}\"\ntitle = \"X\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"erp\"]\nsummary = \"S\"\nwhy = \"W\"\n[[change.phase]]\nname = \"P\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n"
        )
    };
    for (kind, id, after) in [
        ("system", "page-2", system("page-2")),
        ("system", "PAGE-17", system("PAGE-17")),
        ("change", "page-3.html", change("page-3.html")),
        ("change", "Page-40.HTML", change("Page-40.HTML")),
    ] {
        let dir = one_change("summary = \"S\"\n", &after);
        let (_, found) = common::findings(dir.path());
        let schema: Vec<_> = found.iter().filter(|f| f.rule == "schema").collect();
        assert_eq!(schema.len(), 1, "{kind} {id}: {found:#?}");
        assert_eq!(
            schema[0].message,
            format!(
                "`{id}` cannot be the id of a {kind}: the site writes a page of its own where its page would go"
            )
        );
    }
    // Near misses load: not a page number, or a page of the other kind.
    let near = [
        system("page-"),
        system("page-2x"),
        system("pages"),
        system("page-2.html"),
        change("page-2"),
        change("page-.html"),
        change("page-2.htm"),
    ]
    .concat();
    let dir = one_change("summary = \"S\"\n", &near);
    assert!(common::loading(common::findings(dir.path()).1).is_empty());
}

/// Case 10: `--as-of` took `20261124` and `2026-11-24T23:59:59` (dropping
/// the time); only YYYY-MM-DD is a date now, anything else is exit 2.
#[test]
fn as_of_accepts_only_a_calendar_date() {
    for bad in [
        "20261124",
        "2026-11-24T23:59:59",
        "2026-11-24 ",
        "+2026-11-24",
        "2026-1-24",
    ] {
        let output = cutover()
            .args(["check", "--as-of", bad])
            .arg(common::fixture("minimal"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "--as-of `{bad}` is not a date: write it as YYYY-MM-DD, such as 2026-11-24"
            )),
            "{bad}: {stderr}"
        );
    }
    // Near miss: the date itself, and an impossible day still named.
    let (code, _) = common::check_json(&common::fixture("minimal"), &[]);
    assert_ne!(code, 2);
    let output = cutover()
        .args(["check", "--as-of", "2026-02-30"])
        .arg(common::fixture("minimal"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--as-of `2026-02-30` is not a date (YYYY-MM-DD)")
    );
}

/// Case 10: `base_url` with spaces, quotes or CR LF and any `language`
/// were accepted; both are `schema` findings at the value now.
#[test]
fn base_url_and_language_are_checked_at_their_value() {
    let dir = one_change("summary = \"S\"\n", "");
    std::fs::write(
        dir.path().join("cutover.toml"),
        "[site]\nbase_url = \"https://x.example/a b\\\"\\r\\n\"\nlanguage = \"english\\\"><x\"\n",
    )
    .unwrap();
    let (code, found) = common::findings(dir.path());
    assert_eq!(code, 1);
    let schema: Vec<_> = found
        .iter()
        .filter(|f| f.rule == "schema")
        .map(|f| (f.file.as_str(), f.line, f.column, f.message.as_str()))
        .collect();
    assert_eq!(
        schema,
        vec![
            (
                "cutover.toml",
                2,
                12,
                r#"`base_url` `https://x.example/a b\"\r\n` is not an absolute http(s) address"#
            ),
            (
                "cutover.toml",
                3,
                12,
                r#"`language` `english\"><x` is not a BCP 47 language tag"#
            ),
        ]
    );
    // Near miss.
    std::fs::write(
        dir.path().join("cutover.toml"),
        "[site]\nbase_url = \"https://x.example/a%20b\"\nlanguage = \"de-CH\"\n",
    )
    .unwrap();
    assert!(common::loading(common::findings(dir.path()).1).is_empty());
}

/// Case 10: SARIF artifact URIs were raw paths; a file named
/// `my file #1 %zz é.toml` is now a percent-encoded URI reference relative
/// to `%SRCROOT%`.
#[test]
fn sarif_uris_are_percent_encoded_relative_to_srcroot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("my file #1 %zz é.toml"),
        "[[team]]\nid = \"ops\"\n",
    )
    .unwrap();
    let output = cutover()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "--as-of", AS_OF, "."])
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "my%20file%20%231%20%25zz%20%C3%A9.toml");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
}

/// Case 10: a freeze whose RRULE never occurs was accepted silently; it is
/// an `empty-period` warning at the `rrule`, which `explain` documents.
#[test]
fn a_freeze_that_never_occurs_is_an_empty_period_warning() {
    let dir = one_change(
        "summary = \"S\"\n",
        "\n[[freeze]]\nid = \"feb-30\"\nname = \"Never\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"\nstart = \"00:00\"\nduration = \"1d\"\n\n[[freeze]]\nid = \"feb-28\"\nname = \"Every year\"\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28\"\nstart = \"00:00\"\nduration = \"1d\"\n",
    );
    let found = common::of_rule(dir.path(), "empty-period");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (
            found[0].level.as_str(),
            found[0].file.as_str(),
            found[0].line,
            found[0].column
        ),
        ("warning", "inv.toml", 28, 9)
    );
    assert_eq!(found[0].subjects, vec!["feb-30".to_string()]);
    let output = cutover()
        .args(["explain", "empty-period"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("# empty-period\n"));
}
