//! `cutover diff` on real git repositories: each test commits the
//! `diff-base` fixture into a new repository, commits one edit, and checks
//! what the diff says (findings, risk, impact, calendar, exit status), and
//! that reading revisions never touches the work tree or the index.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{Value, json};

/// A git repository in a temporary folder holding the fixture at `inventory/`.
struct Repo {
    dir: tempfile::TempDir,
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        copy_tree(&fixture("diff-base"), &repo.path().join("inventory"));
        repo.commit("the base plan");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.path().join("inventory").join(rel)
    }

    /// Replaces `from` (which must be there) by `to` in an inventory file.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.file(rel)).unwrap();
        assert!(text.contains(from), "`{from}` is not in {rel}");
        fs::write(self.file(rel), text.replacen(from, to, 1)).unwrap();
    }

    /// `cutover diff ARGS --format json` in the repository.
    fn diff(&self, args: &[&str]) -> (i32, Value) {
        let output = cutover()
            .arg("diff")
            .args(args)
            .args(["--format", "json", "--as-of", AS_OF])
            .current_dir(self.path())
            .output()
            .unwrap();
        let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output.status.code().unwrap(), document)
    }

    /// `cutover diff ARGS` with any other format: status, stdout, stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = cutover()
            .arg("diff")
            .args(args)
            .args(["--as-of", AS_OF])
            .current_dir(self.path())
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }
}

/// (rule, file, line, column, subjects) of a list of findings.
fn places(list: &Value) -> Vec<(String, String, u64, u64, Vec<String>)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["subjects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn at(
    rule: &str,
    file: &str,
    line: u64,
    column: u64,
    subjects: &[&str],
) -> (String, String, u64, u64, Vec<String>) {
    (
        rule.into(),
        file.into(),
        line,
        column,
        subjects.iter().map(|s| s.to_string()).collect(),
    )
}

/// The change entry of `id` in a diff.
fn change<'a>(diff: &'a Value, id: &str) -> &'a Value {
    diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no entry for {id}: {:#}", diff["changes"]))
}

/// The diff says nothing changed, and passes.
fn assert_empty(code: i32, diff: &Value) {
    assert_eq!(diff["findings"]["added"], json!([]), "{diff:#}");
    assert_eq!(diff["findings"]["resolved"], json!([]), "{diff:#}");
    assert_eq!(diff["findings"]["level_changed"], json!([]), "{diff:#}");
    assert_eq!(diff["changes"], json!([]), "{diff:#}");
    assert_eq!(diff["calendar"]["periods"], json!([]), "{diff:#}");
    assert_eq!(diff["calendar"]["phases"], json!([]), "{diff:#}");
    assert_eq!(diff["verdict"], "no change to findings, risk or calendar");
    assert_eq!(code, 0);
}

#[test]
fn a_moved_phase_that_now_hits_a_freeze() {
    let repo = Repo::new();
    // A Sunday in the Sunday window, and the last day of the month.
    repo.edit(
        "changes/chg-1.toml",
        "start = 2026-12-06T02:00:00",
        "start = 2027-01-31T02:00:00",
    );
    repo.commit("move the upgrade");
    let (code, diff) = repo.diff(&["HEAD~1", "HEAD"]);
    assert_eq!(
        places(&diff["findings"]["added"]),
        vec![at(
            "freeze-conflict",
            "changes/chg-1.toml",
            15,
            9,
            &["month-end", "erp"]
        )]
    );
    assert_eq!(diff["findings"]["added"][0]["level"], "error");
    assert_eq!(diff["findings"]["resolved"], json!([]));
    let risk = &change(&diff, "CHG-1")["risk"];
    assert_eq!(risk["from"], json!({"score": 50, "level": "high"}));
    assert_eq!(risk["to"], json!({"score": 70, "level": "high"}));
    // Up by the freeze-conflict weight, and by nothing else.
    assert_eq!(
        risk["terms"],
        json!([{"name": "freeze-conflict", "from": 0, "to": 20}])
    );
    assert_eq!(
        diff["calendar"]["phases"],
        json!([{
            "change": "CHG-1",
            "phase": "Upgrade",
            "from": {"at": "2026-12-06T02:00:00+01:00", "text": "Sun 2026-12-06 02:00 CET (01:00 UTC)"},
            "to": {"at": "2027-01-31T02:00:00+01:00", "text": "Sun 2027-01-31 02:00 CET (01:00 UTC)"},
        }])
    );
    // The horizon is the same on both sides: no period seems to change.
    assert_eq!(diff["calendar"]["periods"], json!([]));
    assert_eq!(diff["calendar"]["to"], "2027-01-31");
    assert_eq!(
        diff["verdict"],
        "adds 1 error, raises CHG-1 from high 50 to high 70, moves 1 phase"
    );
    assert_eq!(diff["failures"], json!(["the head adds 1 error"]));
    assert_eq!(code, 1);
}

#[test]
fn a_removed_window_loses_its_spans_and_adds_outside_window() {
    let repo = Repo::new();
    repo.edit(
        "calendar.toml",
        "[[window]]\nid = \"wms-sunday\"\nname = \"Warehouse Sunday\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"01:00\"\nduration = \"5h\"\nsystems = [\"wms\"]\n",
        "",
    );
    repo.commit("drop the warehouse window");
    // Head: the working tree, which holds the last commit.
    let (code, diff) = repo.diff(&["main~1"]);
    assert_eq!(
        places(&diff["findings"]["added"]),
        vec![at("outside-window", "changes/chg-2.toml", 15, 9, &["wms"])]
    );
    let message = diff["findings"]["added"][0]["message"].as_str().unwrap();
    assert!(message.ends_with("no window applies to `wms`"), "{message}");
    assert_eq!(
        diff["calendar"]["periods"],
        json!([{
            "kind": "window",
            "id": "wms-sunday",
            "name": "Warehouse Sunday",
            "systems": ["wms"],
            "gained": [],
            "lost": [{
                "from": "2026-11-29T01:00:00+01:00",
                "to": "2027-01-17T06:00:00+01:00",
                "occurrences": 8,
                "text": "every Sunday 01:00–06:00 CET from 2026-11-29 to 2027-01-17",
            }],
        }])
    );
    assert_eq!(diff["calendar"]["from"], "2026-11-24");
    assert_eq!(diff["calendar"]["to"], "2027-01-19");
    assert_eq!(diff["head"]["kind"], "worktree");
    assert_eq!(
        change(&diff, "CHG-2")["risk"]["terms"],
        json!([{"name": "outside-window", "from": 0, "to": 15}])
    );
    assert_eq!(code, 1);
    // The human report says it in words.
    let (_, text, _) = repo.run(&["main~1"]);
    assert!(
        text.contains(
            "window `wms-sunday` (Warehouse Sunday):\n    every Sunday 01:00–06:00 CET from 2026-11-29 to 2027-01-17 (8 occurrences): lost for `wms`\n"
        ),
        "{text}"
    );
}

#[test]
fn a_new_critical_integration_impacts_more_and_adds_unnotified_audience() {
    let repo = Repo::new();
    let mut text = fs::read_to_string(repo.file("integrations.toml")).unwrap();
    text.push_str("\n[[integration]]\nid = \"wms-db\"\nconsumer = \"wms\"\nprovider = \"db\"\n");
    fs::write(repo.file("integrations.toml"), text).unwrap();
    repo.commit("the warehouse reads the ERP database directly");
    let (code, diff) = repo.diff(&["main~1", "main"]);
    // wms now depends on db: CHG-1 impacts it and its audience, and both
    // changes touch an integration they have not verified.
    assert_eq!(
        places(&diff["findings"]["added"]),
        vec![
            at(
                "unverified-integration",
                "changes/chg-1.toml",
                1,
                1,
                &["wms-db"]
            ),
            at(
                "unnotified-audience",
                "changes/chg-1.toml",
                49,
                1,
                &["warehouse"]
            ),
            at(
                "unverified-integration",
                "changes/chg-2.toml",
                1,
                1,
                &["wms-db"]
            ),
        ]
    );
    let impacted = &change(&diff, "CHG-1")["impacted"];
    assert_eq!(impacted["systems"], json!({"gained": ["wms"], "lost": []}));
    assert_eq!(
        impacted["audiences"],
        json!({"gained": ["warehouse"], "lost": []})
    );
    assert_eq!(impacted["processes"], json!({"gained": [], "lost": []}));
    // Only warnings: the diff passes, unless warnings are denied.
    assert!(
        diff["findings"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["level"] == "warning")
    );
    assert_eq!(code, 0);
    let (denied, diff) = repo.diff(&["main~1", "main", "--deny", "warnings"]);
    assert_eq!(denied, 1);
    let failures = diff["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0]
            .as_str()
            .unwrap()
            .starts_with("--deny warnings: the head adds ")
    );
}

#[test]
fn a_resolved_finding_lowers_the_risk_and_passes() {
    let repo = Repo::new();
    repo.edit(
        "changes/chg-2.toml",
        "triggers = []",
        "triggers = [\"scanners fail to log in\"]",
    );
    repo.commit("say when to roll back");
    let (code, diff) = repo.diff(&["main~1", "main"]);
    assert_eq!(
        places(&diff["findings"]["resolved"]),
        vec![at("no-rollback-trigger", "changes/chg-2.toml", 19, 1, &[])]
    );
    assert_eq!(diff["findings"]["added"], json!([]));
    let risk = &change(&diff, "CHG-2")["risk"];
    assert_eq!(risk["from"]["score"], 38);
    assert_eq!(risk["to"]["score"], 30);
    assert_eq!(
        diff["verdict"],
        "resolves 1 finding, lowers CHG-2 from medium 38 to medium 30"
    );
    assert_eq!(code, 0);
}

#[test]
fn a_file_moved_to_another_folder_changes_nothing() {
    let repo = Repo::new();
    fs::create_dir_all(repo.file("changes/2026")).unwrap();
    repo.git(&[
        "mv",
        "inventory/changes/chg-2.toml",
        "inventory/changes/2026/chg-2.toml",
    ]);
    repo.commit("file changes by year");
    let (code, diff) = repo.diff(&["main~1", "main"]);
    assert_empty(code, &diff);
    let (code, text, _) = repo.run(&["main~1", "main"]);
    assert_eq!(code, 0);
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn an_edit_that_only_reorders_lines_changes_nothing() {
    let repo = Repo::new();
    // Systems in reverse order.
    let systems = fs::read_to_string(repo.file("systems.toml")).unwrap();
    let mut tables: Vec<&str> = systems
        .split("[[system]]")
        .filter(|t| !t.is_empty())
        .collect();
    tables.reverse();
    let reversed: String = tables
        .iter()
        .map(|t| {
            format!(
                "[[system]]{}",
                t.trim_end_matches('\n').to_string() + "\n\n"
            )
        })
        .collect();
    fs::write(repo.file("systems.toml"), reversed).unwrap();
    // Keys of a table swapped, and the freeze before the windows.
    repo.edit(
        "changes/chg-1.toml",
        "owner = \"ops\"\nstatus = \"approved\"\n",
        "status = \"approved\"\nowner = \"ops\"\n",
    );
    let calendar = fs::read_to_string(repo.file("calendar.toml")).unwrap();
    let (windows, freeze) = calendar.split_at(calendar.find("[[freeze]]").unwrap());
    fs::write(repo.file("calendar.toml"), format!("{freeze}\n{windows}")).unwrap();
    repo.commit("tidy up");
    assert_ne!(repo.git(&["diff", "--stat", "main~1", "main"]), "");
    let (code, diff) = repo.diff(&["main~1", "main"]);
    assert_empty(code, &diff);
}

/// Every file under `.git` with its size and modification time.
fn git_files(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir.join(".git"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            (e.path().to_path_buf(), meta.len(), meta.modified().unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn reading_revisions_touches_neither_the_work_tree_nor_the_index() {
    let repo = Repo::new();
    repo.edit(
        "changes/chg-1.toml",
        "start = 2026-12-06T02:00:00",
        "start = 2027-01-31T02:00:00",
    );
    repo.commit("move the upgrade");
    // Work in progress: a modified file and an untracked one.
    repo.edit("changes/chg-2.toml", "triggers = []", "triggers = [\"x\"]");
    fs::write(repo.file("notes.txt"), "draft").unwrap();
    let status = || repo.git(&["--no-optional-locks", "status", "--porcelain"]);
    let before = status();
    assert_eq!(
        before,
        " M inventory/changes/chg-2.toml\n?? inventory/notes.txt\n"
    );
    let index = repo.path().join(".git/index");
    let index_bytes = fs::read(&index).unwrap();
    let index_time = fs::metadata(&index).unwrap().modified().unwrap();
    let git_before = git_files(repo.path());
    let work_before = fs::read(repo.file("changes/chg-2.toml")).unwrap();
    for args in [&["main~1", "main"][..], &["main~1"], &["HEAD"]] {
        let (code, _) = repo.diff(args);
        assert!(code == 0 || code == 1, "{args:?}: {code}");
    }
    assert_eq!(fs::read(&index).unwrap(), index_bytes);
    assert_eq!(
        fs::metadata(&index).unwrap().modified().unwrap(),
        index_time
    );
    assert_eq!(git_files(repo.path()), git_before);
    assert_eq!(status(), before);
    assert_eq!(
        fs::read(repo.file("changes/chg-2.toml")).unwrap(),
        work_before
    );
}

#[test]
fn errors_name_the_revision_and_exit_2() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["main~3"]);
    assert_eq!(code, 2, "{stderr}");
    let name = repo.path().file_name().unwrap().to_string_lossy();
    assert!(
        stderr.starts_with("error: `main~3` is not a revision of ") && stderr.contains(&*name),
        "{stderr}"
    );
    let (code, _, stderr) = repo.run(&["main", "--inventory", "plan"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr, "error: `plan/` does not exist at `main`\n");
    // Outside any repository, a revision cannot be read.
    let elsewhere = tempfile::tempdir().unwrap();
    let output = cutover()
        .args(["diff", "main", "--as-of", AS_OF])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("is not in a git repository"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn two_folders_compare_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("head");
    copy_tree(&fixture("diff-base"), &head);
    let path = head.join("changes/chg-2.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("triggers = []", "triggers = [\"x\"]")).unwrap();
    let output = cutover()
        .arg("diff")
        .arg(fixture("diff-base"))
        .arg(&head)
        .args(["--format", "json", "--as-of", AS_OF])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let diff: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        places(&diff["findings"]["resolved"]),
        vec![at("no-rollback-trigger", "changes/chg-2.toml", 19, 1, &[])]
    );
    assert_eq!(diff["base"]["kind"], "folder");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_head_with_loading_errors_is_reported_located_and_fails() {
    let repo = Repo::new();
    repo.edit("changes/chg-2.toml", "title = \"Patch", "title = Patch");
    let (code, diff) = repo.diff(&["main"]);
    assert_eq!(code, 1);
    let errors = places(&diff["head_loading_errors"]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str(), errors[0].2),
        ("syntax", "changes/chg-2.toml", 3)
    );
    assert_eq!(diff["head"]["analysed"], false);
    assert_eq!(diff["calendar"]["compared"], false);
    assert!(
        diff["verdict"]
            .as_str()
            .unwrap()
            .starts_with("the head does not load (1 loading error)")
    );
}

#[test]
fn markdown_is_a_verdict_then_folding_sections_linked_to_the_head() {
    let repo = Repo::new();
    repo.edit(
        "changes/chg-1.toml",
        "start = 2026-12-06T02:00:00",
        "start = 2027-01-31T02:00:00",
    );
    repo.commit("move the upgrade");
    let (code, text, _) = repo.run(&[
        "main~1",
        "main",
        "--format",
        "markdown",
        "--link-base",
        "https://example.com/o/r/blob/abc/inventory/",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        text.lines().next().unwrap(),
        "**cutover diff:** adds 1 error, raises CHG-1 from high 50 to high 70, moves 1 phase"
    );
    assert!(
        text.contains(
            "<details><summary>Findings: 1 added, 0 resolved, 0 changed in level</summary>"
        )
    );
    assert!(
        text.contains(
            "([changes/chg-1.toml:15](https://example.com/o/r/blob/abc/inventory/changes/chg-1.toml#L15))"
        ),
        "{text}"
    );
    assert!(text.contains("  - risk: high 50 → high 70: freeze-conflict +20 (0 → 20)"));
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
    assert!(text.trim_end().ends_with("<!-- cutover-diff -->"));
}

#[test]
fn max_risk_fails_a_change_raised_above_it() {
    let repo = Repo::new();
    repo.edit(
        "calendar.toml",
        "systems = [\"wms\"]\n",
        "systems = [\"wms\"]\nuntil = 2026-12-01\n",
    );
    repo.commit("the warehouse window ends");
    let (code, diff) = repo.diff(&["main~1", "main", "--max-risk", "medium"]);
    assert_eq!(code, 1);
    let risk = &change(&diff, "CHG-2")["risk"];
    assert_eq!(risk["from"], json!({"score": 38, "level": "medium"}));
    assert_eq!(risk["to"], json!({"score": 53, "level": "high"}));
    assert!(
        diff["failures"].as_array().unwrap().contains(&json!(
            "CHG-2 now scores 53 (high), above --max-risk medium"
        )),
        "{:#}",
        diff["failures"]
    );
    // The window's Sundays after its end are lost for wms.
    let lost = &diff["calendar"]["periods"][0]["lost"][0];
    assert_eq!(
        lost["text"],
        "every Sunday 01:00–06:00 CET from 2026-12-06 to 2027-01-17"
    );
}

/// A revision is read like the folder: links out of the inventory are
/// reported the same way, links inside it are followed.
#[cfg(unix)]
#[test]
fn links_at_a_revision_are_read_as_on_disk() {
    let repo = Repo::new();
    fs::create_dir_all(repo.path().join("shared")).unwrap();
    fs::write(repo.path().join("shared/extra.toml"), "").unwrap();
    fs::create_dir_all(repo.file("parts")).unwrap();
    fs::write(repo.file("parts/empty.toml"), "").unwrap();
    std::os::unix::fs::symlink("parts/empty.toml", repo.file("alias.toml")).unwrap();
    std::os::unix::fs::symlink("../shared/extra.toml", repo.file("extra.toml")).unwrap();
    std::os::unix::fs::symlink("/", repo.file("slash")).unwrap();
    repo.commit("links");
    let messages = |diff: &Value| -> Vec<(String, String)> {
        diff["head_loading_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let expected = vec![
        (
            "extra.toml".to_string(),
            "`extra.toml` links to `../shared/extra.toml`, outside the inventory: links outside the inventory are not followed".to_string(),
        ),
        (
            "slash".to_string(),
            "`slash` links to `/`, outside the inventory: links outside the inventory are not followed".to_string(),
        ),
    ];
    let (code, at_revision) = repo.diff(&["main", "main"]);
    assert_eq!(messages(&at_revision), expected);
    assert_eq!(code, 1);
    let (_, on_disk) = repo.diff(&["main"]);
    assert_eq!(messages(&on_disk), expected);
    // Same findings on both sides, and the followed link read on both.
    assert_eq!(on_disk["findings"]["added"], json!([]));
    assert_eq!(on_disk["findings"]["resolved"], json!([]));
}
