//! The calendar and the notices (issue 9): the month grid shows a freeze on
//! every day it covers, the timeline has a bar per phase linked to its
//! change, calendar pages stay bounded on the benchmark inventory, every
//! output tells a change's status, the feed never runs ahead of the as-of
//! date, ICS UIDs and SEQUENCE behave as README says, and each audience's
//! calendar holds exactly the changes that impact it.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::*;
use scraper::{Html, Selector};

/// Builds `inventory` as of `as_of` into a fresh folder; returns it.
fn build_at(inventory: &Path, as_of: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = cutover()
        .args([
            "build",
            "--as-of",
            as_of,
            "--quiet",
            "--allow-errors",
            "--out",
        ])
        .arg(dir.path().join("site"))
        .arg(inventory)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    fs::read_to_string(dir.path().join("site").join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn select(html: &Html, css: &str) -> Vec<String> {
    html.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>())
        .collect()
}

/// Content lines of an ICS file, unfolded.
fn unfold(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("\r\n")
        .map(str::to_string)
        .collect()
}

/// The events of an ICS file as lists of content lines.
fn events(ics: &str) -> Vec<Vec<String>> {
    let mut list = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in unfold(ics) {
        if line == "BEGIN:VEVENT" {
            current = Some(Vec::new());
        } else if line == "END:VEVENT" {
            list.extend(current.take());
        } else if let Some(event) = current.as_mut() {
            event.push(line);
        }
    }
    list
}

fn property<'a>(event: &'a [String], name: &str) -> Option<&'a str> {
    event.iter().find_map(|l| {
        l.strip_prefix(name)
            .filter(|rest| rest.starts_with(':') || rest.starts_with(';'))
            .and_then(|rest| rest.split_once(':').map(|(_, v)| v))
    })
}

/// UID → SEQUENCE of the events of one change (by its slug).
fn sequences(ics: &str, slug: &str) -> Vec<(String, u64)> {
    events(ics)
        .iter()
        .filter_map(|e| {
            let uid = property(e, "UID")?;
            uid.starts_with(&format!("{slug}-")).then(|| {
                (
                    uid.to_string(),
                    property(e, "SEQUENCE").unwrap().parse().unwrap(),
                )
            })
        })
        .collect()
}

/// The entries of an Atom feed: `(title, updated, published, content)`,
/// their text unescaped once (the content is escaped HTML).
fn entries(feed: &str) -> Vec<(String, String, String, String)> {
    let tag = |entry: &str, name: &str| -> String {
        let open = entry
            .find(&format!("<{name}"))
            .map(|i| i + entry[i..].find('>').unwrap() + 1);
        let close = entry.find(&format!("</{name}>"));
        match (open, close) {
            (Some(a), Some(b)) => entry[a..b]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&"),
            _ => String::new(),
        }
    };
    feed.split("<entry>")
        .skip(1)
        .map(|e| {
            (
                tag(e, "title"),
                tag(e, "updated"),
                tag(e, "published"),
                tag(e, "content"),
            )
        })
        .collect()
}

/// A copy of the example inventory to edit.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(example()) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(example()).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_holiday_freeze_appears_on_every_day_it_covers() {
    let site = build_at(&example(), AS_OF);
    let december = Html::parse_document(&read(&site, "calendar/2026-12.html"));
    let january = Html::parse_document(&read(&site, "calendar/2027-01.html"));
    let freeze_on = |html: &Html, date: &str| -> bool {
        select(html, &format!("td[data-date=\"{date}\"] .band-freeze"))
            .iter()
            .any(|t| t.contains("Christmas and New Year freeze"))
    };
    // 2026-12-21T00:00 to 2027-01-04T00:00: fourteen days, on both pages
    // where they show (December's last row runs to Sunday 3 January).
    let mut covered = Vec::new();
    let mut day = jiff::civil::date(2026, 12, 21);
    while day <= jiff::civil::date(2027, 1, 3) {
        covered.push(day.to_string());
        day = day.tomorrow().unwrap();
    }
    assert_eq!(covered.len(), 14);
    for date in &covered {
        assert!(freeze_on(&december, date), "December page, {date}");
    }
    for date in covered.iter().filter(|d| d.as_str() >= "2026-12-28") {
        assert!(freeze_on(&january, date), "January page, {date}");
    }
    // Near misses: the days before and after.
    assert!(!freeze_on(&december, "2026-12-20"));
    assert!(!freeze_on(&january, "2027-01-04"));
    // One band per week: its name is shown where it starts in the week.
    let starts = select(&december, ".band-freeze.first");
    assert_eq!(
        starts
            .iter()
            .filter(|t| t.contains("Christmas and New Year freeze"))
            .count(),
        2,
        "{starts:?}"
    );
    // The recurring Sunday window is not repeated on each day but spelled
    // out once.
    let text = read(&site, "calendar/2026-12.html");
    assert_eq!(text.matches("every Sun 01:00–06:00").count(), 1);
    // Phases are chips on their day, linked to their change, coloured by
    // their worst finding: CHG-2043 conflicts with the freeze.
    let chips = december
        .select(&Selector::parse("td[data-date=\"2026-12-27\"] li.chip-phase").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(chips.len(), 1);
    assert!(chips[0].value().classes().any(|c| c == "chip-error"));
    assert!(
        chips[0]
            .select(&Selector::parse("a[href=\"../changes/chg-2043/index.html\"]").unwrap())
            .next()
            .is_some()
    );
    // The index shows the as-of month and the next, and links every month.
    let index = Html::parse_document(&read(&site, "calendar/index.html"));
    assert_eq!(
        select(&index, "section.month h2"),
        ["November 2026", "December 2026"]
    );
    let links = select(&index, "nav.months a");
    assert_eq!(
        links,
        [
            "November 2026",
            "December 2026",
            "January 2027",
            "February 2027"
        ]
    );
    // Reasons are inline Markdown: `tier-low` is code, not backticks.
    assert!(
        text.contains("(tag <code>tier-low</code>)"),
        "reason as Markdown"
    );
}

#[test]
fn the_timeline_has_a_bar_per_phase_linked_to_its_change() {
    let site = build_at(&example(), AS_OF);
    let index = Html::parse_document(&read(&site, "calendar/index.html"));
    let bars: BTreeSet<(String, String, String)> = index
        .select(&Selector::parse("svg.timeline a.bar").unwrap())
        .map(|a| {
            let v = a.value();
            (
                v.attr("data-change").unwrap().to_string(),
                v.attr("data-phase").unwrap().to_string(),
                v.attr("href").unwrap().to_string(),
            )
        })
        .collect();
    // Every phase of a change that is not cancelled, from the week of the
    // as-of date (2026-11-23) on, by written number.
    let expected = [
        ("CHG-2041", 2),
        ("CHG-2043", 2),
        ("CHG-2044", 2),
        ("CHG-2045", 1),
        ("CHG-2046", 2),
        ("CHG-2047", 2),
        ("CHG-2048", 1),
        ("CHG-2049", 2),
        ("CHG-2050", 2),
        ("CHG-2051", 2),
        ("CHG-2052", 1),
        ("CHG-2053", 1),
    ];
    for (change, phases) in expected {
        for phase in 1..=phases {
            let href = format!("../changes/{}/index.html", change.to_lowercase());
            assert!(
                bars.contains(&(change.to_string(), phase.to_string(), href)),
                "no bar for {change} phase {phase}"
            );
        }
    }
    let phases: BTreeSet<(&str, &str)> = bars
        .iter()
        .map(|(c, p, _)| (c.as_str(), p.as_str()))
        .collect();
    assert_eq!(phases.len(), 20, "{phases:?}");
    // The cancelled change and the past ones have no bar.
    for gone in ["CHG-2039", "CHG-2036", "CHG-2031"] {
        assert!(!bars.iter().any(|(c, _, _)| c == gone), "{gone}");
    }
    // Lanes are systems: erp is changed by CHG-2043; freezes are drawn.
    let svg = read(&site, "calendar/index.html");
    assert!(svg.contains(">erp</text>"));
    assert!(svg.contains("fill=\"#f0b8ba\""), "freeze bands");
    // Month names over the weeks; November's last 8 days leave no room for
    // its name before December's, so it is not drawn to run into it.
    let timeline = &svg[svg.find("<svg").unwrap()..svg.find("</svg>").unwrap()];
    assert!(timeline.contains(">December 2026</text>"));
    assert!(timeline.contains(">January 2027</text>"));
    assert!(!timeline.contains(">November 2026</text>"));
    assert!(svg.contains("fill=\"#cfe9d6\""), "window shading");
}

/// The bound every calendar page keeps on the benchmark inventory of
/// bench/build.sh (2,000 changes, 5,000 systems, 20,000 integrations, 100
/// periods) and on one of 10,000 periods (which once made a 181 MB
/// calendar page): 1 MiB. Measured: 0.09 to 0.45 MB on the first (the
/// index is the largest), 0.13 to 0.37 MB on the second.
const PAGE_BOUND: u64 = 1 << 20;

#[test]
fn no_calendar_page_exceeds_its_bound_on_the_benchmark_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let generate = generator(dir.path());
    for (name, changes, systems, integrations, periods) in [
        ("bench", "2000", "5000", "20000", "100"),
        ("periods", "200", "500", "1000", "10000"),
    ] {
        let inventory = dir.path().join(name);
        let status = std::process::Command::new(&generate)
            .args([
                "--changes",
                changes,
                "--systems",
                systems,
                "--integrations",
                integrations,
                "--periods",
                periods,
                "--seed",
                "1",
                "--out",
            ])
            .arg(&inventory)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let site = build_at(&inventory, AS_OF);
        let mut pages = Vec::new();
        for entry in fs::read_dir(site.path().join("site/calendar")).unwrap() {
            let entry = entry.unwrap();
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".html") {
                continue;
            }
            let size = entry.metadata().unwrap().len();
            assert!(size <= PAGE_BOUND, "{name}: calendar/{file}: {size} bytes");
            pages.push(file);
        }
        pages.sort();
        // The index and one page per month of the plan: the generated
        // changes run from the as-of month into June 2027.
        assert_eq!(pages.first().map(String::as_str), Some("2026-11.html"));
        assert!(
            pages.contains(&"2027-06.html".to_string()),
            "{name}: {pages:?}"
        );
        assert_eq!(pages.last().map(String::as_str), Some("index.html"));
    }
}

#[test]
fn cancelled_draft_and_rolled_back_notices_carry_their_status_everywhere() {
    // As of 2027-02-10 the draft CHG-2050 (announced 2027-02-08) would be
    // due in the feed if drafts were published.
    let site = build_at(&example(), "2027-02-10");
    for (slug, kind, label) in [
        ("chg-2039", "cancelled", "Cancelled"),
        ("chg-2050", "draft", "Draft, not approved"),
        ("chg-2036", "rolled-back", "Rolled back"),
    ] {
        for page in [
            "index.html",
            "runbook.html",
            "rollback.html",
            "announcement.html",
        ] {
            let html = Html::parse_document(&read(&site, &format!("changes/{slug}/{page}")));
            let banner = select(&html, &format!(".status.status-{kind} .status-label"));
            assert_eq!(banner, [label], "{slug}/{page}");
        }
        let announcement =
            Html::parse_document(&read(&site, &format!("changes/{slug}/announcement.html")));
        let h1 = select(&announcement, "h1");
        assert!(h1[0].starts_with(&format!("{label}: ")), "{slug}: {h1:?}");
        let text = read(&site, &format!("changes/{slug}/announcement.txt"));
        assert!(text.starts_with(&format!("{label}: ")), "{slug}: {text}");
        assert!(text.contains(&format!("STATUS: {}", label.to_uppercase())));
    }
    // The cancelled notice is a cancellation notice; the rolled-back one
    // is not a completion notice.
    let cancelled = read(&site, "changes/chg-2039/announcement.txt");
    assert!(cancelled.contains("WHEN IT WOULD HAVE BEEN (CANCELLED)"));
    assert!(cancelled.contains("will not take place"));
    assert!(!cancelled.contains("WHAT YOU WILL NOTICE"));
    let rolled_back = read(&site, "changes/chg-2036/announcement.txt");
    assert!(!rolled_back.contains("Completed"), "{rolled_back}");
    assert!(rolled_back.contains("Everything works as it did before the change."));

    // Feed: a cancellation entry and a rolled-back entry of their own; no
    // draft (nor proposed) entry.
    let titles: Vec<String> = entries(&read(&site, "feed.xml"))
        .into_iter()
        .map(|(title, ..)| title)
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Cancelled: HR & payroll")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Rolled back: WMS: patch 2024.2.4"))
    );
    assert!(
        !titles.iter().any(|t| t.contains("CHG-2050")),
        "draft in the feed"
    );
    assert!(
        !titles.iter().any(|t| t.contains("CHG-2049")),
        "proposed in the feed"
    );
    assert!(!titles.iter().any(|t| t.starts_with("Completed: WMS")));

    // ICS: the cancelled change stays, as CANCELLED; the draft is
    // TENTATIVE; all three say their status in the summary, and the
    // description is plain text.
    let ics = read(&site, "calendar.ics");
    let by_change = |slug: &str| -> Vec<Vec<String>> {
        events(&ics)
            .into_iter()
            .filter(|e| property(e, "UID").is_some_and(|u| u.starts_with(&format!("{slug}-"))))
            .collect()
    };
    for (slug, status, prefix) in [
        ("chg-2039", "CANCELLED", "Cancelled: CHG-2039"),
        ("chg-2050", "TENTATIVE", "Draft\\, not approved: CHG-2050"),
        ("chg-2036", "CONFIRMED", "Rolled back: CHG-2036"),
    ] {
        let list = by_change(slug);
        assert!(!list.is_empty(), "{slug} has no events");
        for event in list {
            assert_eq!(property(&event, "STATUS"), Some(status), "{slug}");
            assert!(
                property(&event, "SUMMARY").unwrap().starts_with(prefix),
                "{event:?}"
            );
            let description = property(&event, "DESCRIPTION").unwrap();
            let label = prefix[..prefix.find(": CHG").unwrap()].to_uppercase();
            assert!(
                description.starts_with(&format!("{label}: ")),
                "{description}"
            );
            for raw in ["<p>", "**", "`"] {
                assert!(!description.contains(raw), "{slug}: {raw} in {description}");
            }
        }
    }
}

#[test]
fn no_feed_entry_is_dated_after_the_as_of_date() {
    for as_of in ["2026-11-24", "2026-12-14", "2027-01-16"] {
        let site = build_at(&example(), as_of);
        let list = entries(&read(&site, "feed.xml"));
        assert!(!list.is_empty(), "{as_of}: empty feed");
        // Midnight of the as-of date in Berlin, the site's zone.
        let limit = as_of
            .parse::<jiff::civil::Date>()
            .unwrap()
            .to_datetime(jiff::civil::Time::midnight())
            .in_tz("Europe/Berlin")
            .unwrap()
            .timestamp();
        for (title, updated, published, _) in &list {
            for date in [updated, published] {
                let at: jiff::Timestamp = date.parse().unwrap();
                assert!(at <= limit, "{as_of}: {title} dated {date}");
            }
        }
    }
    // An announcement is published from its day on: CHG-2047 (announced
    // 2026-12-14) is in the feed of that day, dated that day; CHG-2045
    // (announced 2026-12-15) is not yet.
    let site = build_at(&example(), "2026-12-14");
    let list = entries(&read(&site, "feed.xml"));
    let entry = list
        .iter()
        .find(|(title, ..)| title.ends_with("(CHG-2047)"))
        .expect("CHG-2047 announced");
    assert_eq!(entry.1, "2026-12-13T23:00:00+00:00");
    assert!(!list.iter().any(|(title, ..)| title.contains("CHG-2045")));
    // Its content has the when (site zone and UTC), the downtime, the
    // impact and the contact.
    for part in [
        "Sun 2027-01-17 02:00 CET to Sun 2027-01-17 03:00 CET",
        "2027-01-17 01:00 UTC to 2027-01-17 02:00 UTC",
        "Expected downtime: 20m.",
        "What you will notice",
        "Questions: contact Identity &amp; Security",
    ] {
        assert!(
            entry.3.contains(part),
            "feed entry lacks {part}: {}",
            entry.3
        );
    }
}

#[test]
fn ics_uids_stay_when_a_phase_is_inserted_before_another() {
    let inventory = example_copy();
    let before = build_at(inventory.path(), AS_OF);
    let uids = |site: &tempfile::TempDir| -> BTreeSet<String> {
        sequences(&read(site, "calendar.ics"), "chg-2041")
            .into_iter()
            .map(|(uid, _)| uid)
            .collect()
    };
    let old = uids(&before);
    assert_eq!(
        old,
        BTreeSet::from([
            "chg-2041-phase-green-instance-for-the-pilot-group@intranet.northwind-trading.eu/changes".to_string(),
            "chg-2041-phase-switch-everyone-to-the-new-version@intranet.northwind-trading.eu/changes".to_string(),
            "chg-2041-monitoring@intranet.northwind-trading.eu/changes".to_string(),
        ])
    );
    // A new first phase, written before the others.
    edit(
        inventory.path(),
        "changes/chg-2041.toml",
        "[[change.phase]]",
        "[[change.phase]]\nname = \"Dry run on staging\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n\n[[change.phase]]",
    );
    let after = build_at(inventory.path(), AS_OF);
    let new = uids(&after);
    assert!(new.is_superset(&old), "{new:?}");
    assert_eq!(new.len(), 4);
    assert!(
        new.contains("chg-2041-phase-dry-run-on-staging@intranet.northwind-trading.eu/changes")
    );
    // Per-audience calendars use the same UIDs.
    let finance = sequences(&read(&after, "calendar/finance.ics"), "chg-2041");
    assert_eq!(finance.len(), 4);
    // site.id names the site instead of base_url's host.
    edit(
        inventory.path(),
        "cutover.toml",
        "[site]\n",
        "[site]\nid = \"changes.northwind.example\"\n",
    );
    let with_id = build_at(inventory.path(), AS_OF);
    assert!(uids(&with_id).contains("chg-2041-monitoring@changes.northwind.example"));
}

#[test]
fn sequence_grows_when_a_phase_moves_or_the_status_moves_on() {
    let inventory = example_copy();
    let uid =
        "chg-2041-phase-switch-everyone-to-the-new-version@intranet.northwind-trading.eu/changes";
    let sequence = |site: &tempfile::TempDir| -> u64 {
        sequences(&read(site, "calendar.ics"), "chg-2041")
            .into_iter()
            .find(|(u, _)| u == uid)
            .unwrap()
            .1
    };
    let first = sequence(&build_at(inventory.path(), AS_OF));
    // Thursday 19:00 to Friday 19:00: a day later.
    edit(
        inventory.path(),
        "changes/chg-2041.toml",
        "start = 2026-12-10T19:00:00",
        "start = 2026-12-11T19:00:00",
    );
    let moved = sequence(&build_at(inventory.path(), AS_OF));
    assert!(moved > first, "{moved} after {first}");
    // Ten minutes later still: it grows again.
    edit(
        inventory.path(),
        "changes/chg-2041.toml",
        "start = 2026-12-11T19:00:00",
        "start = 2026-12-11T19:10:00",
    );
    let nudged = sequence(&build_at(inventory.path(), AS_OF));
    assert!(nudged > moved);
    // Cancelled: the same times, a higher SEQUENCE.
    edit(
        inventory.path(),
        "changes/chg-2041.toml",
        "status = \"scheduled\"",
        "status = \"cancelled\"",
    );
    let cancelled = sequence(&build_at(inventory.path(), AS_OF));
    assert!(cancelled > nudged);
    // The same plan gives the same SEQUENCE (it depends on nothing else).
    assert_eq!(sequence(&build_at(inventory.path(), AS_OF)), cancelled);
    assert_eq!(
        sequence(&build_at(inventory.path(), "2026-12-01")),
        cancelled
    );
}

#[test]
fn each_audience_calendar_holds_exactly_the_changes_that_impact_it() {
    let (_, document) = check_json(&example(), &[]);
    let site = build_at(&example(), AS_OF);
    let mut audiences = 0;
    let all: BTreeSet<String> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["impacted"]["audiences"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(all.len() >= 8, "{all:?}");
    for audience in &all {
        let expected: BTreeSet<String> = document["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["impacted"]["audiences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == audience.as_str())
            })
            .map(|c| c["id"].as_str().unwrap().to_lowercase())
            .collect();
        let ics = read(&site, &format!("calendar/{audience}.ics"));
        let found: BTreeSet<String> = events(&ics)
            .iter()
            .map(|e| {
                let uid = property(e, "UID").unwrap();
                let (change, _) = uid
                    .split_once("-phase-")
                    .or_else(|| uid.split_once("-monitoring@"))
                    .unwrap();
                change.to_string()
            })
            .collect();
        assert_eq!(found, expected, "calendar/{audience}.ics");
        assert!(ics.contains("X-WR-CALNAME:Northwind Trading – IT changes: "));
        audiences += 1;
    }
    assert!(audiences >= 8);
    // The announcement links its audiences' calendars, https and webcal.
    let announcement = read(&site, "changes/chg-2047/announcement.html");
    assert!(announcement.contains(
        "href=\"https://intranet.northwind-trading.eu/changes/calendar/warehouse-newark.ics\""
    ));
    assert!(announcement.contains(
        "href=\"webcal://intranet.northwind-trading.eu/changes/calendar/warehouse-newark.ics\""
    ));
    // The Newark warehouse reads New York time first, in its own copy of
    // the notice and in its calendar.
    let newark = read(&site, "changes/chg-2047/announcement-warehouse-newark.txt");
    assert!(
        newark.contains("- Keycloak client and Newark scanners: Sat 2027-01-16 20:00 EST to Sat 2027-01-16 21:00 EST (2027-01-17 01:00 UTC"),
        "{newark}"
    );
    let general = read(&site, "changes/chg-2047/announcement.txt");
    assert!(general.contains("- Keycloak client and Newark scanners: Sun 2027-01-17 02:00 CET to Sun 2027-01-17 03:00 CET ("));
    let feed = read(&site, "calendar/warehouse-newark.ics");
    assert!(unfold(&feed).iter().any(|l| l.starts_with("DESCRIPTION:")
        && l.contains(
            "Phase 1 of 2: Keycloak client and Newark scanners\\, Sat 2027-01-16 20:00 EST"
        )));
}

/// The dashboard rows of one flag: `(change id, what needs attention)`.
fn flagged(html: &Html, flag: &str) -> Vec<(String, String)> {
    html.select(&Selector::parse(&format!("tr.flagged-{flag}")).unwrap())
        .map(|tr| {
            let cell = |css: &str| -> String {
                tr.select(&Selector::parse(css).unwrap())
                    .next()
                    .map(|e| e.text().collect())
                    .unwrap_or_default()
            };
            (
                cell("a.id-link"),
                cell("td[data-label=\"Needs attention\"]"),
            )
        })
        .collect()
}

#[test]
fn the_dashboard_flags_changes_in_progress_stale_and_approved_with_errors_first() {
    // As of 2026-12-20: CHG-2044 ran its first phase on 13 December,
    // CHG-2041's phases are over but it is still scheduled, and the
    // approved CHG-2047 still has errors.
    let site = build_at(&example(), "2026-12-20");
    let text = read(&site, "index.html");
    let html = Html::parse_document(&text);
    let running = flagged(&html, "in-progress");
    assert_eq!(running.len(), 1, "{running:?}");
    assert_eq!(running[0].0, "CHG-2044");
    assert!(
        running[0].1.contains(
            "started Sun 2026-12-13 04:00 CET (03:00 UTC); its last phase ends Sun 2027-01-31"
        ),
        "{running:?}"
    );
    let stale = flagged(&html, "stale");
    assert!(stale.iter().any(|(id, why)| id == "CHG-2041"
        && why.contains("its last phase ended")
        && why.contains("but it is still scheduled")));
    let errors: Vec<String> = flagged(&html, "approved-with-errors")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(errors.contains(&"CHG-2047".to_string()), "{errors:?}");
    assert!(errors.contains(&"CHG-2044".to_string()), "{errors:?}");
    // All three sections come before the upcoming changes.
    let upcoming = text.find("id=\"upcoming-h\"").unwrap();
    for section in [
        "id=\"progress-h\"",
        "id=\"stale-h\"",
        "id=\"approved-errors-h\"",
    ] {
        assert!(text.find(section).unwrap() < upcoming, "{section}");
    }
    // As of 2026-11-24 CHG-2044 is marked in progress already: the
    // dashboard does not say it started on a day still to come.
    let site = build_at(&example(), AS_OF);
    let early = flagged(
        &Html::parse_document(&read(&site, "index.html")),
        "in-progress",
    );
    assert_eq!(early.len(), 1);
    assert!(
        early[0]
            .1
            .contains("marked in progress, but its first phase starts Sun 2026-12-13 04:00 CET"),
        "{early:?}"
    );
    assert!(!early[0].1.contains("started"), "{early:?}");
    // A runbook says at the top that its change is not approved and still
    // has errors, whatever its status: the proposed CHG-2043 has two.
    let runbook = Html::parse_document(&read(&site, "changes/chg-2043/runbook.html"));
    let banner = select(&runbook, ".status.status-proposed").join(" ");
    assert!(banner.contains("Proposed, not approved"), "{banner}");
    assert!(
        banner.contains(
            "The plan still has 2 errors on this change: it should not run until they are fixed."
        ),
        "{banner}"
    );
}

#[test]
fn the_as_of_week_follows_the_months_rules_and_past_days_are_marked() {
    // As of Tuesday 2026-11-24 the analysis knows no occurrence of Monday
    // 23 November: the week still reads as the month's rule, not "every
    // Tue–Fri".
    let site = build_at(&example(), AS_OF);
    let text = read(&site, "calendar/2026-11.html");
    let html = Html::parse_document(&text);
    let every = select(&html, ".every-week li").join("\n");
    assert!(
        every.contains("Office hours: every Mon–Fri 08:00–18:00"),
        "{every}"
    );
    assert!(every.contains("every Mon–Fri 20:00–01:00 (14:00–19:00 EST)"));
    assert!(!text.contains("every Tue–Fri"), "the as-of week's own rule");
    // The days before the as-of date are past, empty ones marked so a
    // phone can leave them out; the phase of 8 November stays.
    let past = |css: &str| -> Vec<String> {
        html.select(&Selector::parse(css).unwrap())
            .map(|td| td.value().attr("data-date").unwrap().to_string())
            .collect()
    };
    let all_past = past("td.day.past");
    assert_eq!(all_past.first().map(String::as_str), Some("2026-10-26"));
    assert_eq!(all_past.last().map(String::as_str), Some("2026-11-23"));
    assert_eq!(all_past.len(), 29);
    let empty = past("td.day.past.empty");
    assert!(
        !empty.contains(&"2026-11-08".to_string()),
        "CHG-2036's phase"
    );
    assert!(
        !empty.contains(&"2026-11-23".to_string()),
        "the payroll band"
    );
    assert_eq!(empty.len(), 27, "{empty:?}");
    assert!(past("td.day.empty:not(.past)").contains(&"2026-11-26".to_string()));
}

/// A TEXT value of an ICS file as the text it stands for (RFC 5545
/// §3.3.11).
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            c => out.push(c),
        }
    }
    out
}

/// README's bound on an event's DESCRIPTION, in characters of the text.
const DESCRIPTION_BOUND: usize = 2_000;

/// Every event's DESCRIPTION in the `.ics` files of `site`: at most the
/// bound, and ending with the notice's address, the event's URL. Returns
/// how many it read.
fn assert_descriptions_bounded(site: &Path) -> usize {
    let mut count = 0;
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "ics") {
            continue;
        }
        let ics = fs::read_to_string(entry.path()).unwrap();
        for event in events(&ics) {
            let text = unescape(property(&event, "DESCRIPTION").unwrap());
            let chars = text.chars().count();
            let uid = property(&event, "UID").unwrap();
            assert!(chars <= DESCRIPTION_BOUND, "{uid}: {chars} characters");
            let url = property(&event, "URL").expect("every event has a URL");
            assert!(url.starts_with("https://"), "{uid}: {url}");
            assert!(
                text.ends_with(&format!("\nThe notice: {url}\n")),
                "{uid}: {text}"
            );
            count += 1;
        }
    }
    count
}

/// The example's events keep what stakeholders read in a calendar: the
/// status, the phase and when (the reader's zone, then UTC), what changes,
/// what users notice, the downtime, the contact and the link to the
/// reader's notice; every description in every calendar within the bound.
#[test]
fn ics_descriptions_say_what_changes_when_and_for_whom_within_their_bound() {
    let site = build_at(&example(), "2026-11-20");
    let ics = read(&site, "calendar/warehouse-newark.ics");
    let event = events(&ics)
        .into_iter()
        .find(|e| {
            property(e, "UID").is_some_and(|u| {
                u.starts_with("chg-2043-phase-patch-app-server-2-back-office-users-only@")
            })
        })
        .expect("CHG-2043's first phase in the Newark calendar");
    let link = "https://intranet.northwind-trading.eu/changes/changes/chg-2043/announcement-warehouse-newark.html";
    assert_eq!(property(&event, "URL"), Some(link));
    assert_eq!(
        unescape(property(&event, "DESCRIPTION").unwrap()),
        format!(
            "PROPOSED, NOT APPROVED: This change is proposed: it waits for approval. It is planned from Sat 2026-12-26 21:15 EST (2026-12-27 02:15 UTC) to Sat 2027-01-02 22:30 EST (2027-01-03 03:30 UTC), but it is not approved: its times may still change.\n\n\
             Phase 1 of 2: Patch app server 2, back-office users only, Sat 2026-12-26 21:15 EST to Sat 2026-12-26 22:15 EST (2026-12-27 02:15 UTC to 2026-12-27 03:15 UTC).\n\n\
             What changes: Apply Odoo's December 2026 security patch (17.0 build 2026-12-08) to both ERP app servers, and update the OCA modules account_edi, stock_picking_batch and sale_order_type to their latest 17.0 releases.\n\
             What you will notice: - 27 Dec, 03:15–04:15: back-office users may be logged out once.\n\
             - 3 Jan, 03:15–04:30: the ERP is unavailable for about 45 minutes. The webshop keeps taking orders (they queue), warehouse picking pauses, EDI orders wait for the 06:00 batch.\n\
             Expected downtime: 45m.\n\
             Questions: contact ERP on-call, +49 40 5550 1200.\n\
             The notice: {link}\n"
        )
    );
    let read = assert_descriptions_bounded(&site.path().join("site"));
    assert!(read > 100, "{read} events");
}

/// A change whose every text is near the 64 KiB a field holds, with 300
/// phases of long names (2,000 characters) and a monitoring period: each event's DESCRIPTION stays within the bound,
/// its SUMMARY short, and both still say what the change is; the calendar
/// grows with the phases, not with the texts.
#[test]
fn huge_texts_keep_every_ics_description_within_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    fs::create_dir(&inv).unwrap();
    fs::write(
        inv.join("cutover.toml"),
        "[site]\ntitle = \"Ops\"\nbase_url = \"https://ops.example/changes/\"\n",
    )
    .unwrap();
    let big = |word: &str| format!("{word} ").repeat(60_000 / (word.len() + 1));
    let mut text = format!(
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n\n[[system]]\nid = \"erp\"\nname = \"ERP\"\nowner = \"ops\"\ncriticality = \"low\"\n\n\
         [[audience]]\nid = \"staff\"\nname = \"Staff\"\ncriticality = \"low\"\ntimezone = \"Asia/Kolkata\"\nsystems = [\"erp\"]\n\n\
         [[change]]\nid = \"c1\"\ntitle = \"Title {}\"\nowner = \"ops\"\nstatus = \"approved\"\nsystems = [\"erp\"]\n\
         summary = \"\"\"Summary {}\"\"\"\nwhy = \"W\"\nimpact = \"\"\"Impact\n\n- {}\"\"\"\ndowntime = \"10m\"\n\n\
         [change.monitoring]\nduration = \"72h\"\n\n\
         [change.communication]\naudiences = [\"staff\"]\ncontact = \"Contact {}\"\n",
        big("title"),
        big("summary"),
        big("impact"),
        big("contact")
    );
    // Ten-minute phases back to back from Sunday 2026-12-06 02:00 UTC.
    for i in 0..300 {
        let minutes = 120 + i * 10;
        text.push_str(&format!(
            "\n[[change.phase]]\nname = \"Node {i} {}\"\nstart = 2026-12-{:02}T{:02}:{:02}:00Z\nduration = \"10m\"\naudiences = [\"staff\"]\n",
            "n".repeat(2_000),
            6 + minutes / 1440,
            minutes % 1440 / 60,
            minutes % 60,
        ));
    }
    fs::write(inv.join("inv.toml"), text).unwrap();
    let site = build_at(&inv, "2026-11-20");
    let root = site.path().join("site");
    assert_eq!(assert_descriptions_bounded(&root), 2 * 301);
    for file in ["calendar.ics", "calendar/staff.ics"] {
        let ics = read(&site, file);
        // 301 events of at most ~2,000 characters (escaping may double
        // them) and their other properties.
        assert!(ics.len() < 301 * 5_000, "{file}: {} bytes", ics.len());
        let first = events(&ics)
            .into_iter()
            .find(|e| property(e, "CATEGORIES") == Some("change"))
            .unwrap();
        let summary = unescape(property(&first, "SUMMARY").unwrap());
        assert!(summary.starts_with("c1: Title title title"), "{summary}");
        assert!(summary.chars().count() <= 250, "{summary}");
        let text = unescape(property(&first, "DESCRIPTION").unwrap());
        for part in [
            "APPROVED: This change is approved.",
            "\n\nPhase 1 of 300: Node 0 nnn",
            "…, ",
            "2026-12-06 02:00 UTC to 2026-12-06 02:10 UTC",
            "\n\nWhat changes: Summary summary",
            "…\nWhat you will notice: Impact\n- impact impact",
            "…\nExpected downtime: 10m.\nQuestions: contact Contact contact",
            "\nThe notice: https://ops.example/changes/changes/c1/announcement",
        ] {
            assert!(text.contains(part), "{file} lacks {part:?}: {text}");
        }
    }
}

/// An audience that reads a change as everyone does has the very events
/// of `calendar.ics` (they are made once and shared); one with a zone of
/// its own reads the times in its zone first.
#[test]
fn an_audience_calendar_repeats_calendar_ics_unless_it_reads_the_times_in_its_own_zone() {
    let site = build_at(&example(), AS_OF);
    let everyone: std::collections::BTreeMap<String, Vec<String>> =
        events(&read(&site, "calendar.ics"))
            .into_iter()
            .map(|e| (property(&e, "UID").unwrap().to_string(), e))
            .collect();
    let hamburg = events(&read(&site, "calendar/warehouse-hamburg.ics"));
    assert!(!hamburg.is_empty());
    for event in &hamburg {
        let uid = property(event, "UID").unwrap();
        assert_eq!(Some(event), everyone.get(uid), "{uid}");
    }
    let newark = events(&read(&site, "calendar/warehouse-newark.ics"));
    assert!(!newark.is_empty());
    let mut own = 0;
    for event in &newark {
        let uid = property(event, "UID").unwrap();
        let general = &everyone[uid];
        // Same event, same instants; the description gives Newark time first.
        assert_eq!(
            property(event, "DTSTART"),
            property(general, "DTSTART"),
            "{uid}"
        );
        if property(event, "DESCRIPTION") != property(general, "DESCRIPTION") {
            assert!(
                property(event, "DESCRIPTION").unwrap().contains("EST")
                    || property(event, "DESCRIPTION").unwrap().contains("EDT"),
                "{uid}: {:?}",
                property(event, "DESCRIPTION")
            );
            own += 1;
        }
    }
    assert!(own > 0, "no Newark event in Newark time");
}
