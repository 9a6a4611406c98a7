//! `cutover build`: every page of outputs.md exists, every relative link
//! resolves, pages carry their key content, nothing unsafe from the
//! inventory reaches a page, builds are byte-identical, and a failed build
//! leaves the previous site alone.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;
use predicates::prelude::*;

/// Builds `inventory` into `out` with `extra` flags; returns the exit code.
fn build(inventory: &Path, out: &Path, extra: &[&str]) -> i32 {
    let output = cutover()
        .args(["build", "--as-of", AS_OF, "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .arg(inventory)
        .output()
        .unwrap();
    output.status.code().unwrap()
}

/// Every file of a folder: relative path to bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn page(site: &Path, path: &str) -> String {
    fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn built_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        build(&example(), &dir.path().join("site"), &["--allow-errors"]),
        0
    );
    dir
}

#[test]
fn every_page_of_the_contract_exists() {
    let dir = built_example();
    let site = dir.path().join("site");
    let files = tree(&site);
    for path in [
        "index.html",
        "changes/index.html",
        "systems/index.html",
        "calendar/index.html",
        "risks/index.html",
        "calendar.ics",
        "feed.xml",
        "data.json",
        "style.css",
    ] {
        assert!(files.contains_key(path), "{path} missing");
    }
    let (_, document) = check_json(&example(), &[]);
    for change in document["changes"].as_array().unwrap() {
        let slug = change["id"].as_str().unwrap().to_lowercase();
        for page in [
            "index.html",
            "runbook.html",
            "rollback.html",
            "announcement.html",
            "announcement.txt",
        ] {
            assert!(
                files.contains_key(&format!("changes/{slug}/{page}")),
                "changes/{slug}/{page} missing"
            );
        }
    }
    for system in ["erp", "wms", "bi", "payments"] {
        assert!(
            files.contains_key(&format!("systems/{system}.html")),
            "systems/{system}.html missing"
        );
    }
}

#[test]
fn every_relative_link_resolves() {
    let dir = built_example();
    let site = dir.path().join("site");
    let selector = scraper::Selector::parse("a[href], link[href], img[src], script[src]").unwrap();
    let mut checked = 0;
    for (path, bytes) in tree(&site) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
        let here = site.join(&path);
        for element in html.select(&selector) {
            let target = element
                .value()
                .attr("href")
                .or(element.value().attr("src"))
                .unwrap();
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
                || target.starts_with("webcal://")
            {
                continue;
            }
            assert!(!target.starts_with('/'), "{path}: absolute link {target}");
            let file = target.split('#').next().unwrap();
            if file.is_empty() {
                continue;
            }
            let resolved = here.parent().unwrap().join(file);
            assert!(resolved.is_file(), "{path}: broken link {target}");
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

#[test]
fn change_pages_carry_their_key_content() {
    let dir = built_example();
    let site = dir.path().join("site");
    // Phase times in the change's zone and in UTC.
    let overview = page(&site, "changes/chg-2041/index.html");
    assert!(overview.contains("Tue 2026-12-08 19:00 CET"), "local time");
    assert!(overview.contains("2026-12-08 18:00 UTC"), "UTC time");
    assert!(overview.contains("risk-medium"));
    // A change written in New York shows EST and UTC.
    let ny = page(&site, "changes/chg-2046/index.html");
    assert!(ny.contains("Sat 2027-01-16 19:00 EST") && ny.contains("2027-01-17 00:00 UTC"));
    assert!(ny.contains("change-collision"));
    // Its announcement also gives the site's zone, for the Hamburg staff.
    let ny_text = page(&site, "changes/chg-2046/announcement.txt");
    assert!(ny_text.contains("Sun 2027-01-17 03:30 CET"), "{ny_text}");
    // Rollback triggers, as printable checkboxes.
    let rollback = page(&site, "changes/chg-2041/rollback.html");
    assert!(rollback.contains("When to roll back"));
    assert!(rollback.contains("type=\"checkbox\""));
    let runbook = page(&site, "changes/chg-2041/runbook.html");
    for part in [
        "Before you start",
        "Go/no-go checks",
        "Post-validation",
        "+1h",
        "+24h",
        "+48h",
        "+72h",
    ] {
        assert!(runbook.contains(part), "runbook lacks {part}");
    }
    // The announcement's four parts: what, why, when, what users notice.
    let announcement = page(&site, "changes/chg-2041/announcement.html");
    for part in [
        "What changes",
        "Why",
        "When",
        "What you will notice",
        "Questions",
    ] {
        assert!(announcement.contains(part), "announcement lacks {part}");
    }
    let text = page(&site, "changes/chg-2041/announcement.txt");
    for part in [
        "WHAT CHANGES",
        "WHY",
        "WHEN",
        "WHAT YOU WILL NOTICE",
        "Tue 2026-12-08 19:00 CET",
    ] {
        assert!(text.contains(part), "text announcement lacks {part}");
    }
    assert!(!text.contains("<p>"), "the text body is not HTML");
    // A completed change's notice has its outcome.
    let done = page(&site, "changes/chg-2031/announcement.html");
    assert!(
        done.contains("Outcome: success") || done.contains("Outcome:"),
        "completion notice"
    );
}

#[test]
fn index_calendar_risk_and_system_pages_carry_their_key_content() {
    let dir = built_example();
    let site = dir.path().join("site");
    let index = page(&site, "index.html");
    assert!(index.contains("Upcoming changes") && index.contains("CHG-2041"));
    let calendar = page(&site, "calendar/index.html");
    assert!(
        calendar.contains("kind-freeze")
            && calendar.contains("kind-window")
            && calendar.contains("kind-phase")
    );
    assert!(calendar.contains("conflict-error"), "conflicts are marked");
    let risks = page(&site, "risks/index.html");
    let first_critical = risks.find("risk-critical").unwrap();
    let first_low = risks.find("risk-low").unwrap();
    assert!(first_critical < first_low, "highest risk first");
    assert!(risks.contains("criticality") && risks.contains("blast-radius"));
    let erp = page(&site, "systems/erp.html");
    assert!(erp.contains("<svg") && erp.contains("Used by") && erp.contains("Incidents"));
    let ics = page(&site, "calendar.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    // Long lines are folded (RFC 5545 §3.1): unfold before looking.
    assert!(ics.replace("\r\n ", "").contains(
        "UID:chg-2041-phase-green-instance-for-the-pilot-group@intranet.northwind-trading.eu/changes\r\n"
    ));
    let feed = page(&site, "feed.xml");
    assert!(feed.contains("<feed") && feed.contains("announcement.html"));
    let data: serde_json::Value = serde_json::from_str(&page(&site, "data.json")).unwrap();
    assert_eq!(data["version"], 1);
    assert!(data["inventory"]["system"].as_array().unwrap().len() >= 12);
    assert!(data["changes"][0]["risk"]["factors"].is_array());
}

#[test]
fn nothing_unsafe_from_the_inventory_reaches_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    assert_eq!(build(&fixture("xss"), &site, &["--allow-errors"]), 0);
    let files = tree(&site);
    assert!(files.contains_key("changes/chg-x/index.html"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        // Markup outputs: no script, no handler, no javascript: URL at all.
        if path.ends_with(".html") || path.ends_with(".xml") {
            for bad in [
                "<script",
                "onerror",
                "onload",
                "onclick",
                "javascript:",
                "<iframe",
            ] {
                assert!(!text.contains(bad), "{path} contains {bad}");
            }
        }
        // The email body renders Markdown fields to plain text: their tags,
        // handlers and links are gone too. (Plain-text fields such as a
        // title are the user's words, printed as written.)
        if path.ends_with(".txt") {
            for bad in [
                "onerror",
                "onload",
                "javascript:",
                "<img",
                "<iframe",
                "alert('summary",
                "alert('why",
                "alert('guidelines",
            ] {
                assert!(!text.contains(bad), "{path} contains {bad}");
            }
        }
        // data.json holds the inventory as data, with `<` and `>` escaped.
        if path.ends_with(".json") {
            for bad in ["<script", "<img", "<iframe"] {
                assert!(!text.contains(bad), "{path} contains {bad}");
            }
        }
    }
}

#[test]
fn builds_are_byte_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for (name, threads) in [("a", "1"), ("b", "2"), ("c", "2")] {
        let out = dir.path().join(name);
        let status = cutover()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "build",
                "--as-of",
                AS_OF,
                "--quiet",
                "--allow-errors",
                "--out",
            ])
            .arg(&out)
            .arg(example())
            .output()
            .unwrap()
            .status;
        assert!(status.success());
        trees.push(tree(&out));
    }
    assert_eq!(trees[0], trees[1]);
    assert_eq!(trees[1], trees[2]);
}

#[test]
fn a_build_with_errors_is_refused_and_leaves_the_previous_site() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    assert_eq!(build(&example(), &site, &["--allow-errors"]), 0);
    let before = tree(&site);
    // The example has plan errors: without --allow-errors nothing is written.
    cutover()
        .args(["build", "--as-of", AS_OF, "--quiet", "--out"])
        .arg(&site)
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(tree(&site), before);
    // Loading errors are never rendered, even with --allow-errors.
    assert_eq!(build(&fixture("multi-file"), &site, &["--allow-errors"]), 1);
    assert_eq!(tree(&site), before);
    // --max-risk refuses too.
    assert_eq!(
        build(&example(), &site, &["--allow-errors", "--max-risk", "high"]),
        1
    );
    assert_eq!(tree(&site), before);
    // Nothing is left beside the site.
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("site")]);
}

#[test]
fn a_broken_template_fails_the_build_and_leaves_the_previous_site() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    assert_eq!(build(&example(), &site, &["--allow-errors"]), 0);
    let before = tree(&site);
    let templates = dir.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("change.html"), "{% extends \"base.html\" %}{% block content %}{{ view.nope.deeper }}{% endblock content %}").unwrap();
    cutover()
        .args([
            "build",
            "--as-of",
            AS_OF,
            "--quiet",
            "--allow-errors",
            "--templates",
        ])
        .arg(&templates)
        .arg("--out")
        .arg(&site)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("change.html"));
    assert_eq!(tree(&site), before);
}

#[test]
fn templates_are_overridable_from_the_inventory_folder() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv");
    cutover().arg("init").arg(&inventory).assert().success();
    fs::create_dir_all(inventory.join("templates")).unwrap();
    fs::write(
        inventory.join("templates/announcement.txt"),
        "Custom notice for {{ view.row.link.id }}\n",
    )
    .unwrap();
    let site = dir.path().join("site");
    assert_eq!(build(&inventory, &site, &["--allow-errors"]), 0);
    assert_eq!(
        page(&site, "changes/chg-2041/announcement.txt"),
        "Custom notice for CHG-2041\n"
    );
    // Other templates are the built-in ones.
    assert!(page(&site, "changes/chg-2041/announcement.html").contains("What changes"));
}

#[test]
fn a_folder_not_built_by_cutover_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    cutover()
        .args([
            "build",
            "--as-of",
            AS_OF,
            "--quiet",
            "--allow-errors",
            "--out",
        ])
        .arg(dir.path())
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not built by cutover"));
    assert_eq!(tree(dir.path()).len(), 1);
    assert_eq!(page(dir.path(), "notes.txt"), "mine");
}

#[test]
fn a_build_prints_the_summary_and_the_findings_only_when_they_stop_it_or_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let run = |extra: &[&str]| {
        let out = cutover()
            .args(["build", "--as-of", AS_OF, "--color", "never", "--out"])
            .arg(&site)
            .args(extra)
            .arg(example())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let summary = "9 errors, 28 warnings, 1 info in 25 files, 15 changes, as of 2026-11-24\n";
    // A build that writes the site: the summary line, nothing else.
    let (code, stdout, stderr) = run(&["--allow-errors"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.ends_with(summary), "{stdout}");
    assert!(stderr.starts_with("wrote "), "{stderr}");
    // Asked for: every finding as `check` prints them, then the summary.
    let (code, stdout, _) = run(&["--allow-errors", "--findings"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("error[freeze-conflict]"), "{stdout}");
    assert!(stdout.ends_with(summary));
    // Refused: the findings that stop it.
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("error[freeze-conflict]"), "{stdout}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    // A machine format is printed whole; --quiet prints nothing on success.
    let (_, stdout, _) = run(&["--allow-errors", "--format", "json"]);
    assert!(stdout.starts_with('{') && stdout.contains("\"rule\": \"freeze-conflict\""));
    let (code, stdout, _) = run(&["--allow-errors", "--quiet"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
}

/// The risk report of a plan with more active changes than a page holds:
/// pages of 100, highest risk first across pages, every active change on
/// exactly one page, a pager whose links resolve, and the counts by level
/// of the whole plan on each page.
#[test]
fn the_risk_report_is_paged_highest_risk_first_and_holds_every_active_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("generated");
    let status = std::process::Command::new(generator(dir.path()))
        .args([
            "--changes",
            "330",
            "--systems",
            "300",
            "--integrations",
            "900",
        ])
        .args(["--periods", "20", "--seed", "5", "--out"])
        .arg(&inventory)
        .status()
        .unwrap();
    assert!(status.success());
    let site = dir.path().join("site");
    build_allowing_errors(&inventory, &site);
    let (_, json) = check_json(&inventory, &[]);
    let active = ["draft", "proposed", "approved", "scheduled", "in-progress"];
    let mut expected: Vec<(u64, String)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| active.contains(&c["status"].as_str().unwrap()))
        .map(|c| {
            let score = c["risk"]["score"].as_u64().unwrap();
            (score, c["id"].as_str().unwrap().to_string())
        })
        .collect();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let pages = expected.len().div_ceil(100);
    assert!(pages >= 3, "{} active changes", expected.len());
    let section = scraper::Selector::parse("section.risk-entry > h2").unwrap();
    let current = scraper::Selector::parse("nav.pager a[aria-current=page]").unwrap();
    let pager = scraper::Selector::parse("nav.pager a").unwrap();
    let mut seen = Vec::new();
    for number in 1..=pages {
        let file = if number == 1 {
            "index.html".to_string()
        } else {
            format!("page-{number}.html")
        };
        let text = page(&site, &format!("risks/{file}"));
        let html = scraper::Html::parse_document(&text);
        let ids: Vec<String> = html
            .select(&section)
            .map(|h| {
                h.value()
                    .attr("id")
                    .unwrap()
                    .trim_start_matches("r-")
                    .to_string()
            })
            .collect();
        assert!(ids.len() <= 100, "{file}: {} changes", ids.len());
        seen.extend(ids);
        // Two pagers, top and bottom, each marking this page.
        let marked: Vec<String> = html.select(&current).map(|a| a.text().collect()).collect();
        assert_eq!(marked, [number.to_string(), number.to_string()], "{file}");
        for a in html.select(&pager) {
            let href = a.value().attr("href").unwrap();
            assert!(
                site.join("risks").join(href).is_file(),
                "{file}: broken {href}"
            );
        }
        assert!(
            text.contains(&format!("{} active changes:", expected.len())),
            "{file}: the count of the whole plan"
        );
        if number > 1 {
            assert!(text.contains(&format!("<h1>Risk report, page {number} of {pages}</h1>")));
            assert!(text.contains(r#"rel="prev""#));
        }
        assert_eq!(text.contains(r#"rel="next""#), number < pages, "{file}");
    }
    let order: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(seen, order, "every active change once, highest risk first");
    let past = format!("risks/page-{}.html", pages + 1);
    assert!(!site.join(&past).exists(), "{past}");
}
