//! Page sizes bounded (issue 10, case 4): a long list on one page is split
//! or summarised. 50,000 phases made a 58 MB runbook page; 200 changes ×
//! 2,000 audiences a 1.7 GB site. Now a runbook holds at most 100 phases a
//! part, the overview and the announcements list the first 100, a change
//! has at most 50 copies of its notice, and lists of audiences stop at 50
//! with their counts. The work is asserted (pages, rows, bytes), not the
//! clock.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::build_allowing_errors as build;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The largest HTML page below `dir`, and its size.
fn largest_page(dir: &Path) -> (String, u64) {
    let mut largest = (String::new(), 0);
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "html") {
            let len = entry.metadata().unwrap().len();
            if len > largest.1 {
                largest = (path.strip_prefix(dir).unwrap().display().to_string(), len);
            }
        }
    }
    largest
}

/// One change of 12 systems with `phases` ten-minute phases back to back,
/// each naming 60 audiences (`a00`..`a59`).
fn many_phases(dir: &Path, phases: usize) {
    let mut text = String::from("[[team]]\nid = \"ops\"\nname = \"Ops\"\n");
    let systems: Vec<String> = (0..60).map(|i| format!("\"s{i:02}\"")).collect();
    for i in 0..60 {
        writeln!(
            text,
            "[[system]]\nid = \"s{i:02}\"\nname = \"S{i}\"\nowner = \"ops\"\ncriticality = \"low\"\n\
             [[audience]]\nid = \"a{i:02}\"\nname = \"A{i}\"\ncriticality = \"low\""
        )
        .unwrap();
    }
    writeln!(
        text,
        "[[change]]\nid = \"c1\"\ntitle = \"Rolling\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [{}]\n\
         summary = \"S\"\nwhy = \"W\"\n[change.testing]\npre = [\"before all\"]\npost = [\"after all\"]\n",
        systems.join(", ")
    )
    .unwrap();
    let audiences: Vec<String> = (0..60).map(|i| format!("\"a{i:02}\"")).collect();
    for i in 0..phases {
        let minutes = 120 + i * 10;
        writeln!(
            text,
            "[[change.phase]]\nname = \"Node {i}\"\nstart = 2026-12-06T{:02}:{:02}:00\nduration = \"10m\"\naudiences = [{}]\nsteps = [\"upgrade node {i}\"]",
            minutes / 60 % 24,
            minutes % 60,
            audiences.join(", ")
        )
        .unwrap();
    }
    std::fs::write(dir.join("inv.toml"), text).unwrap();
}

#[test]
fn a_runbook_of_130_phases_is_two_parts_of_at_most_100() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv");
    std::fs::create_dir(&inv).unwrap();
    // 130 ten-minute phases from 02:00 end at 23:40.
    many_phases(&inv, 130);
    let out = dir.path().join("site");
    build(&inv, &out);
    let c1 = out.join("changes/c1");
    let one = read(&c1.join("runbook.html"));
    let two = read(&c1.join("runbook-2.html"));
    assert!(!c1.join("runbook-3.html").exists());
    let sections = |page: &str| page.matches("<section aria-labelledby=\"phase-").count();
    assert_eq!((sections(&one), sections(&two)), (100, 30));
    assert!(one.contains("Phase 1: Node 0</h2>") && one.contains("Phase 100: Node 99</h2>"));
    assert!(two.contains("Phase 101: Node 100</h2>") && two.contains("Phase 130: Node 129</h2>"));
    assert!(one.contains(", part 1 of 2</h1>"), "{one}");
    assert!(one.contains("This part holds phases 1 to 100 of 130."));
    assert!(one.contains("<a href=\"runbook-2.html\">part 2: phases 101 to 130</a>"));
    assert!(two.contains("<a href=\"runbook.html\">part 1: phases 1 to 100</a>"));
    assert!(two.contains("<strong aria-current=\"page\">part 2: phases 101 to 130</strong>"));
    // The checks before the phases open part 1, those after end part 2.
    assert!(one.contains("before all") && !two.contains("before all"));
    assert!(two.contains("after all") && !one.contains("after all"));
    assert!(one.contains("Continued in <a href=\"runbook-2.html\">part 2</a>."));
    // Each phase names 60 systems and 60 audiences: 50 shown, 10 more.
    assert_eq!(one.matches(" and 10 more</dd>").count(), 200);

    // The overview lists the first 100 phases and points at the rest.
    let overview = read(&c1.join("index.html"));
    assert_eq!(overview.matches("<tr><td data-label=\"#\">").count(), 100);
    assert!(overview.contains(
        "And 30 more phases, 130 in all: the <a href=\"runbook-2.html\">runbook from part 2 on</a> holds them."
    ));
    // So does the announcement, in both forms.
    let notice = read(&c1.join("announcement.html"));
    assert_eq!(notice.matches("<li><strong>Node ").count(), 100);
    assert!(
        notice.contains("And 30 more phases, the last ending 2026-12-06 23:40 UTC.</p>"),
        "{notice}"
    );
    let txt = read(&c1.join("announcement.txt"));
    assert!(txt.contains("- and 30 more phases, the last ending 2026-12-06 23:40 UTC\n"));
}

/// The bound on the scale of the attack: 5,000 phases make 50 runbook
/// parts, and no page grows with the number of phases.
#[test]
fn five_thousand_phases_keep_every_page_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut sizes = Vec::new();
    for phases in [1_000, 5_000] {
        let inv = dir.path().join(format!("inv-{phases}"));
        std::fs::create_dir(&inv).unwrap();
        // Phases past midnight roll over to later days: the same shape.
        many_phases_over_days(&inv, phases);
        let out = dir.path().join(format!("site-{phases}"));
        build(&inv, &out);
        let parts = std::fs::read_dir(out.join("changes/c1"))
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with("runbook") && name.ends_with(".html")
            })
            .count();
        assert_eq!(parts, phases / 100);
        let (page, size) = largest_page(&out);
        // A part: 100 phases of about 4 KB (50 system links and 50
        // audiences each), whatever the number of phases.
        assert!(size < 600_000, "{page}: {size} bytes");
        sizes.push(size);
    }
    // Five times the phases: the largest page grows by its numbers' digits.
    assert!(sizes[1] < sizes[0] + sizes[0] / 10, "{sizes:?}");
}

/// [`many_phases`] with one phase a day at 02:00, so any number fits.
fn many_phases_over_days(dir: &Path, phases: usize) {
    many_phases(dir, 1);
    let text = read(&dir.join("inv.toml"));
    let head = &text[..text.find("[[change.phase]]").unwrap()];
    let audiences: Vec<String> = (0..60).map(|i| format!("\"a{i:02}\"")).collect();
    let mut text = head.to_string();
    let start = jiff::civil::date(2026, 12, 6);
    for i in 0..phases {
        let day = start.checked_add(jiff::Span::new().days(i as i64)).unwrap();
        writeln!(
            text,
            "[[change.phase]]\nname = \"Node {i}\"\nstart = {day}T02:00:00\nduration = \"10m\"\naudiences = [{}]\nsteps = [\"upgrade node {i}\"]",
            audiences.join(", ")
        )
        .unwrap();
    }
    std::fs::write(dir.join("inv.toml"), text).unwrap();
}

/// `changes` changes of one system that `audiences` audiences use, every
/// other one with a zone of its own.
fn crowd_of_audiences(dir: &Path, changes: usize, audiences: usize) {
    let mut text = String::from(
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n[[system]]\nid = \"erp\"\nname = \"ERP\"\nowner = \"ops\"\ncriticality = \"low\"\n",
    );
    for i in 0..audiences {
        writeln!(
            text,
            "[[audience]]\nid = \"a{i:04}\"\nname = \"A{i}\"\ncriticality = \"low\"\nsystems = [\"erp\"]{}",
            if i % 2 == 0 {
                "\ntimezone = \"America/New_York\""
            } else {
                ""
            }
        )
        .unwrap();
    }
    for c in 0..changes {
        writeln!(
            text,
            "[[change]]\nid = \"c{c}\"\ntitle = \"T\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"erp\"]\nsummary = \"S\"\nwhy = \"W\"\n\
             [[change.phase]]\nname = \"P\"\nstart = 2026-12-{:02}T02:00:00\nduration = \"1h\"",
            6 + c
        )
        .unwrap();
    }
    std::fs::write(dir.join("inv.toml"), text).unwrap();
}

#[test]
fn audiences_are_summarised_and_copies_of_a_notice_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for audiences in [300, 600] {
        let inv = dir.path().join(format!("inv-{audiences}"));
        std::fs::create_dir(&inv).unwrap();
        crowd_of_audiences(&inv, 2, audiences);
        let out = dir.path().join(format!("site-{audiences}"));
        build(&inv, &out);
        let c0 = out.join("changes/c0");
        let copies = std::fs::read_dir(&c0)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("announcement-")
            })
            .count();
        // 50 copies, HTML and text: the first 50 zoned audiences by id.
        assert_eq!(copies, 100);
        assert!(c0.join("announcement-a0098.html").exists());
        assert!(!c0.join("announcement-a0100.html").exists());
        let notice = read(&c0.join("announcement.html"));
        assert_eq!(notice.matches(">For A").count(), 50);
        assert!(notice.contains(&format!(
            "<p>{} more audiences with a time zone of their own read this notice.</p>",
            audiences / 2 - 50
        )));
        assert!(notice.contains(&format!(
            "And {} more audiences, each with its calendar",
            audiences - 50
        )));
        let overview = read(&c0.join("index.html"));
        assert!(overview.contains(&format!(
            "<p>{audiences} audiences are impacted, 0 of them told; the first 50:</p>"
        )));
        assert!(overview.contains(&format!(
            "<p>And {} more impacted audiences.</p>",
            audiences - 50
        )));
        // One `unnotified-audience` finding per change, with the count.
        assert_eq!(
            overview
                .matches("</span> <code>unnotified-audience</code>")
                .count(),
            1
        );
        assert!(overview.contains(&format!(
            "impacts {audiences} audiences who are not told about it: A0 (<code>a0000</code>), A1 (<code>a0001</code>), A2 (<code>a0002</code>) and {} more",
            audiences - 3
        )));
        let size = |path: &str| std::fs::metadata(c0.join(path)).unwrap().len();
        pages.push([
            size("index.html"),
            size("announcement.html"),
            size("runbook.html"),
        ]);
    }
    // Twice the audiences: no change page grows but by digits.
    for (small, large) in pages[0].iter().zip(&pages[1]) {
        assert!(*large < small + 200, "{pages:?}");
    }
}
