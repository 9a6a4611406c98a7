//! `build --out` under hostile conditions (issue 10, case 2): a path that
//! passes through the site it replaces, folders left by killed builds, an
//! old tree that cannot be removed, and builds into one folder at once. In
//! none of them may the folder end up without a complete site.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

fn build_args() -> Vec<String> {
    let inventory = example().display().to_string();
    [
        "build",
        &inventory,
        "--as-of",
        AS_OF,
        "--allow-errors",
        "--quiet",
    ]
    .map(String::from)
    .to_vec()
}

/// Builds the example inventory into `out`, from `cwd`; the exit status and
/// the standard error.
fn build_into(cwd: &Path, out: &str) -> (i32, String) {
    let output = cutover()
        .current_dir(cwd)
        .args(build_args())
        .args(["--out", out])
        .output()
        .unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file of a site, relative and sorted.
fn files(site: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(site).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

fn assert_complete(site: &Path, reference: &[PathBuf]) {
    for name in [".cutover-site", "index.html", "data.json"] {
        assert!(site.join(name).is_file(), "{} lacks {name}", site.display());
    }
    assert_eq!(files(site), reference, "{} differs", site.display());
}

/// A folder `d` holding a site built at `d/site`, and its file list.
fn built() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr) = build_into(dir.path(), "site");
    assert_eq!(status, 0, "{stderr}");
    let reference = files(&dir.path().join("site"));
    assert!(reference.len() > 20, "{reference:?}");
    (dir, reference)
}

#[test]
fn out_through_the_previous_site_and_back_replaces_it() {
    let (dir, reference) = built();
    // Before: exit 2, "cannot move into place", and only `.site.new-PID`
    // and `.site.old-PID` were left.
    let (status, stderr) = build_into(dir.path(), "site/../site");
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(names(dir.path()), ["site"]);
    assert_complete(&dir.path().join("site"), &reference);
}

#[test]
fn out_below_the_previous_site_and_up_creates_nothing_inside_it() {
    let (dir, reference) = built();
    // Before: exit 2, and an empty `x` inside the previous site.
    let (status, stderr) = build_into(dir.path(), "site/x/..");
    assert_eq!(status, 0, "{stderr}");
    assert!(!dir.path().join("site/x").exists());
    assert_eq!(names(dir.path()), ["site"]);
    assert_complete(&dir.path().join("site"), &reference);
}

#[test]
fn dot_dot_after_a_symbolic_link_is_refused() {
    let (dir, reference) = built();
    std::fs::create_dir_all(dir.path().join("elsewhere/deep")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere/deep"), dir.path().join("link")).unwrap();
    let (status, stderr) = build_into(dir.path(), "link/../site");
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("--out `link/../site`: `..` after the symbolic link"),
        "{stderr}"
    );
    assert_eq!(names(&dir.path().join("elsewhere")), ["deep"]);
    assert!(names(&dir.path().join("elsewhere/deep")).is_empty());
    assert_complete(&dir.path().join("site"), &reference);
}

#[test]
fn out_holding_the_current_folder_is_refused() {
    let (dir, reference) = built();
    let site = dir.path().join("site");
    for (cwd, out) in [(site.clone(), "."), (site.join("changes"), "..")] {
        let (status, stderr) = build_into(&cwd, out);
        assert_eq!(status, 2, "{out}: {stderr}");
        assert!(
            stderr.contains("is the current folder or holds it"),
            "{stderr}"
        );
    }
    assert_eq!(names(dir.path()), ["site"]);
    assert_complete(&site, &reference);
}

#[test]
fn folders_left_by_killed_builds_are_removed_by_the_next() {
    let (dir, reference) = built();
    // As a `kill -9` leaves them: one half-written, one previous site.
    for stale in [".site.new-4194305", ".site.old-1"] {
        let path = dir.path().join(stale);
        std::fs::create_dir_all(path.join("changes/chg-1")).unwrap();
        std::fs::write(path.join("changes/chg-1/index.html"), "<p>").unwrap();
    }
    std::fs::write(dir.path().join(".site.new-77"), "a file, not a folder").unwrap();
    // Not a build's sibling: kept.
    std::fs::create_dir(dir.path().join(".site.new-x1")).unwrap();
    std::fs::create_dir(dir.path().join(".public.new-1")).unwrap();
    let (status, stderr) = build_into(dir.path(), "site");
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(names(dir.path()), [".public.new-1", ".site.new-x1", "site"]);
    assert_complete(&dir.path().join("site"), &reference);
}

/// Makes `file` impossible to remove: immutable for root (which ignores
/// permissions), its folder read-only for anyone else. False when this
/// system allows neither.
fn pin(file: &Path, on: bool) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let folder = file.parent().unwrap();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        Command::new("chattr")
            .arg(if on { "+i" } else { "-i" })
            .arg(file)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    } else {
        let mode = if on { 0o555 } else { 0o755 };
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode)).is_ok()
    }
}

#[test]
fn an_old_tree_that_cannot_be_removed_is_named_in_a_warning() {
    let (dir, reference) = built();
    let stale = dir.path().join(".site.old-1");
    std::fs::create_dir_all(stale.join("changes")).unwrap();
    let stuck = stale.join("changes/index.html");
    std::fs::write(&stuck, "<p>").unwrap();
    if !pin(&stuck, true) {
        eprintln!("skipped: this system cannot make a file impossible to remove");
        return;
    }
    let (status, stderr) = build_into(dir.path(), "site");
    pin(&stuck, false);
    assert_eq!(status, 0, "{stderr}");
    let warning = format!("warning: cannot remove `{}`", stale.display());
    assert!(stderr.lines().any(|l| l.starts_with(&warning)), "{stderr}");
    assert_complete(&dir.path().join("site"), &reference);
}

#[test]
fn concurrent_builds_into_one_folder_all_succeed() {
    let (dir, reference) = built();
    // Before: 2 of 102 rounds of two builds made one exit 2 with a rename
    // error; a few rounds of three make the race likely enough to show.
    for round in 0..4 {
        let children: Vec<_> = (0..3)
            .map(|_| {
                Command::new(assert_cmd::cargo::cargo_bin("cutover"))
                    .current_dir(dir.path())
                    .args(build_args())
                    .args(["--out", "site"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_eq!(names(dir.path()), ["site"], "round {round}");
        assert_complete(&dir.path().join("site"), &reference);
    }
}

#[test]
fn a_build_waits_while_another_holds_the_folder() {
    let (dir, reference) = built();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.path().join(".site.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("cutover"))
        .current_dir(dir.path())
        .args(build_args())
        .args(["--out", "site"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, receiver) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("a line saying the build waits");
    assert!(
        line.starts_with("waiting for another build into `") && line.contains(".site.lock"),
        "{line}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it did not wait");
    drop(lock);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "still waiting");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    assert_complete(&dir.path().join("site"), &reference);
}
