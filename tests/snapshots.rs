//! Snapshots (insta) of human-readable output: the compiler-style report
//! and a plain-text announcement. Review a change with `cargo insta review`.

mod common;

use common::*;

#[test]
fn human_report_of_errors_in_several_files() {
    let output = cutover()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(fixture("multi-file"))
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // The summary line names the folder as passed; keep the snapshot portable.
    let text = text.replace(&fixture("multi-file").display().to_string(), "multi-file");
    insta::assert_snapshot!(text);
}

#[test]
fn plain_text_announcement_of_the_exemplary_change() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let inventory = example();
    cutover()
        .args([
            "build",
            "--as-of",
            AS_OF,
            "--quiet",
            "--allow-errors",
            "--out",
        ])
        .arg(&site)
        .arg(&inventory)
        .assert()
        .success();
    let text = std::fs::read_to_string(site.join("changes/chg-2041/announcement.txt")).unwrap();
    insta::assert_snapshot!(text);
}
