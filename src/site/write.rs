//! Write stage: put a built site in place without ever leaving a half-built
//! one. Files go to a fresh folder beside the target; only when all of them
//! are written is the new one swapped in (one `renameat2` exchange on Linux,
//! two renames elsewhere), so a failed or killed build leaves the previous
//! site exactly as it was.
//!
//! Around the swap: the `--out` path is normalised first (so no step passes
//! through the folder being replaced), builds into one folder take turns
//! through a lock file beside it (removed again when done), and the one
//! holding the lock removes the folders that killed builds left behind.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::base::fsio::{self, IoError};

/// A page or file of the site: its path relative to the site root (with
/// `/`) and its bytes.
pub struct Output {
    /// Relative to the site root, with `/` separators.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// A file in every built site: only a folder holding it (or an empty or
/// missing one) is ever replaced, so a mistyped `--out` cannot wipe a home
/// folder or the inventory.
pub const MARKER: &str = ".cutover-site";

/// The two kinds of folder a build makes beside the target.
const KINDS: [&str; 2] = ["new", "old"];

/// The target's last component; [`normalise`] guarantees there is one.
fn name(target: &Path) -> String {
    target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned())
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    target.with_file_name(format!(".{}.{suffix}-{}", name(target), std::process::id()))
}

/// The `--out` path made absolute and free of `.` and `..`, lexically.
///
/// Every folder the writer makes is then a true sibling of the target and
/// no move passes through the folder being moved (`d/site/../site` and
/// `d/site/x/..` both mean `d/site`). A `..` is resolved lexically only
/// where that agrees with the file system: after a symbolic link it would
/// not, so that is refused, as is a target that holds the current folder.
pub fn normalise(out: &Path) -> Result<PathBuf, String> {
    if out.as_os_str().is_empty() {
        return Err("--out is empty; name the folder to write the site to".into());
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    // The current folder comes from the kernel, free of links and `..`.
    let mut path = PathBuf::new();
    for component in cwd.join(out).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if path.is_symlink() {
                    return Err(format!(
                        "--out `{}`: `..` after the symbolic link `{}` is ambiguous; name the folder without `..`",
                        out.display(),
                        path.display()
                    ));
                }
                path.pop();
            }
            other => path.push(other),
        }
    }
    if path.file_name().is_none() {
        return Err(format!(
            "--out `{}` is the root of the file system; choose a folder inside it",
            out.display()
        ));
    }
    let physical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if cwd.starts_with(&path) || cwd.starts_with(&physical) {
        return Err(format!(
            "--out `{}` is the current folder or holds it; run cutover from outside the folder it replaces",
            out.display()
        ));
    }
    Ok(path)
}

/// Why the target cannot be replaced, if it cannot.
fn check_target(target: &Path) -> Result<(), String> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(format!(
            "`{}` exists and is not a folder; choose another --out",
            target.display()
        ));
    }
    let empty = std::fs::read_dir(target)
        .map_err(|e| format!("cannot read `{}`: {e}", target.display()))?
        .next()
        .is_none();
    if empty || target.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not empty and was not built by cutover, so it is left alone; choose a new or empty folder with --out",
            target.display()
        ))
    }
}

/// Writes `outputs` (plus the marker) as the whole content of `target`,
/// atomically as far as the file system allows. Builds into one target
/// wait for each other.
pub fn replace_dir(target: &Path, outputs: &[Output]) -> Result<(), String> {
    replace_dir_with(target, |sink| put_all(sink, outputs))
}

/// Like [`replace_dir`], for files made while they are written: `fill`
/// puts them into a [`DirSink`] on the fresh folder (the marker is already
/// there); only when it succeeds is the folder swapped in.
pub fn replace_dir_with<T>(
    target: &Path,
    fill: impl FnOnce(&DirSink) -> Result<T, String>,
) -> Result<T, String> {
    let target = normalise(target)?;
    if let Some(parent) = target.parent() {
        fsio::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let lock = lock(&target)?;
    remove_stale(&target, lock.is_some());
    check_target(&target)?;
    let fresh = sibling(&target, "new");
    let result = fill_dir(&fresh, fill).and_then(|value| {
        swap(&target, &fresh)
            .map_err(|e| e.to_string())
            .map(|()| value)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&fresh);
    }
    drop(lock);
    result
}

/// Writes `outputs` (plus the marker) into `dir`, a folder nobody reads
/// yet (`serve` builds each version into a folder of its own). Nothing is
/// left of `dir` when this fails.
pub fn write_new(dir: &Path, outputs: &[Output]) -> Result<(), String> {
    write_new_with(dir, |sink| put_all(sink, outputs))
}

/// Like [`write_new`], for files made while they are written (see
/// [`replace_dir_with`]).
pub fn write_new_with<T>(
    dir: &Path,
    fill: impl FnOnce(&DirSink) -> Result<T, String>,
) -> Result<T, String> {
    let result = fill_dir(dir, fill);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

fn put_all(sink: &DirSink, outputs: &[Output]) -> Result<(), String> {
    use rayon::prelude::*;
    outputs
        .par_iter()
        .try_for_each(|output| sink.write(&output.path, &output.bytes))
}

/// Where the files of a site go as they are made.
pub trait Sink: Sync {
    /// Takes one file of the site; the error text when it cannot.
    fn put(&self, output: Output) -> Result<(), String>;

    /// Takes the file `path` as `fill` writes it, for a file too big to
    /// hold whole; by default it is held and [`Sink::put`].
    fn put_written(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), String> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|e| format!("cannot write {path}: {e}"))?;
        self.put(Output {
            path: path.to_string(),
            bytes,
        })
    }
}

/// A [`Sink`] that writes each file into a folder as it comes, making the
/// folders it needs; safe to call from many threads.
pub struct DirSink {
    dir: PathBuf,
    /// Folders (relative, with `/`) known to exist.
    made: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl DirSink {
    fn new(dir: &Path) -> DirSink {
        DirSink {
            dir: dir.to_path_buf(),
            made: Default::default(),
        }
    }

    /// Writes `bytes` as the file `path` (relative, with `/`).
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.make_folder(path)?;
        fsio::write(&self.dir.join(path), bytes).map_err(|e| e.to_string())
    }

    /// Makes the folder of `path` unless it is known to exist.
    fn make_folder(&self, path: &str) -> Result<(), String> {
        if let Some((folder, _)) = path.rsplit_once('/') {
            let known = self
                .made
                .lock()
                .map(|made| made.contains(folder))
                .unwrap_or(false);
            if !known {
                fsio::create_dir_all(&self.dir.join(folder)).map_err(|e| e.to_string())?;
                if let Ok(mut made) = self.made.lock() {
                    made.insert(folder.to_string());
                }
            }
        }
        Ok(())
    }
}

impl Sink for DirSink {
    fn put(&self, output: Output) -> Result<(), String> {
        self.write(&output.path, &output.bytes)
    }

    fn put_written(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), String> {
        self.make_folder(path)?;
        let file = self.dir.join(path);
        let failed = |source| {
            IoError {
                path: file.clone(),
                action: "write",
                source,
            }
            .to_string()
        };
        let mut out = io::BufWriter::with_capacity(1 << 16, File::create(&file).map_err(failed)?);
        fill(&mut out).map_err(failed)?;
        io::Write::flush(&mut out).map_err(failed)
    }
}

/// A [`Sink`] that keeps the files in memory, for callers that want them
/// all (tests, the `render_site` of a library user).
#[derive(Default)]
pub struct MemorySink(std::sync::Mutex<Vec<Output>>);

impl MemorySink {
    /// The files put so far, sorted by path.
    pub fn into_sorted(self) -> Vec<Output> {
        let mut outputs = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        outputs.sort_by(|a, b| a.path.cmp(&b.path));
        outputs
    }
}

impl Sink for MemorySink {
    fn put(&self, output: Output) -> Result<(), String> {
        match self.0.lock() {
            Ok(mut outputs) => outputs.push(output),
            Err(poisoned) => poisoned.into_inner().push(output),
        }
        Ok(())
    }
}

/// The lock of a target, held until dropped; its file is removed then,
/// so a successful build leaves nothing beside the site.
struct Lock {
    file: File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a build waiting on this file sees that
        // it was replaced and takes the lock again on a new one.
        if cfg!(unix) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Whether `path` still names the open `file` (not removed or replaced
/// since it was opened).
fn still_names(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Takes the lock of `target`, a `.NAME.lock` file beside it, waiting (as
/// long as it takes, as cargo does) while another build holds it. The
/// kernel drops the lock of a killed build, so a wait ends when the other
/// build ends. `None` when the file system has no locks.
fn lock(target: &Path) -> Result<Option<Lock>, String> {
    let path = target.with_file_name(format!(".{}.lock", name(target)));
    let failed = |e: io::Error| format!("cannot lock `{}`: {e}", path.display());
    let mut told = false;
    loop {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open the lock `{}`: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if !told {
                    eprintln!(
                        "waiting for another build into `{}` to finish (it holds `{}`)",
                        target.display(),
                        path.display()
                    );
                    told = true;
                }
                file.lock().map_err(failed)?;
            }
            Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
                return Ok(None);
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
        }
        if still_names(&file, &path) {
            return Ok(Some(Lock { file, path }));
        }
    }
}

/// The process id in a sibling's name (`.NAME.new-PID`, `.NAME.old-PID`).
fn sibling_pid(target_name: &str, file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(&format!(".{target_name}."))?;
    KINDS.iter().find_map(|kind| {
        let pid = rest.strip_prefix(kind)?.strip_prefix('-')?;
        pid.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| pid.parse().ok())
            .flatten()
    })
}

/// Whether process `pid` may still run: known only where `/proc` is.
fn may_be_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes the `.NAME.new-PID` and `.NAME.old-PID` folders of builds that
/// were killed. With the lock held every one of them is stale (a running
/// build would hold the lock); without locks, those whose process is gone.
/// What cannot be removed is named in a warning.
fn remove_stale(target: &Path, locked: bool) {
    let Some(parent) = target.parent() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let target_name = name(target);
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            sibling_pid(&target_name, &entry.file_name().to_string_lossy())
                .is_some_and(|pid| locked || !may_be_alive(pid))
        })
        .map(|entry| parent.join(entry.file_name()))
        .collect();
    stale.sort();
    for path in stale {
        remove_or_warn(&path, remove_any);
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// The warning for a folder that cannot be removed, if it cannot.
fn remove_or_warn(path: &Path, remove: impl Fn(&Path) -> io::Result<()>) -> Option<String> {
    let error = remove(path).err()?;
    let warning = format!(
        "warning: cannot remove `{}`, left by a build of the site: {error}; remove it by hand (the next build tries again)",
        path.display()
    );
    eprintln!("{warning}");
    Some(warning)
}

/// Makes `dir` afresh with the marker, then lets `fill` write into it.
fn fill_dir<T>(dir: &Path, fill: impl FnOnce(&DirSink) -> Result<T, String>) -> Result<T, String> {
    let start = || -> Result<(), IoError> {
        if dir.exists() {
            fsio::remove_dir_all(dir)?;
        }
        fsio::create_dir_all(dir)?;
        fsio::write(
            &dir.join(MARKER),
            b"This folder is a site built by cutover; each build replaces it whole.\n",
        )
    };
    start().map_err(|e| e.to_string())?;
    fill(&DirSink::new(dir))
}

/// Exchanges `fresh` and `target` in one step; `Unsupported` where the
/// system or the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(fresh: &Path, target: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, fresh, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // An old kernel (ENOSYS) or a file system without exchange (EINVAL).
        Err(Errno::NOSYS | Errno::INVAL) => Err(io::ErrorKind::Unsupported.into()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_fresh: &Path, _target: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

fn swap(target: &Path, fresh: &Path) -> Result<(), IoError> {
    if target.symlink_metadata().is_err() {
        return fsio::rename(fresh, target);
    }
    let old = sibling(target, "old");
    match exchange(fresh, target) {
        // `fresh` now holds the previous site.
        Ok(()) => {
            if std::fs::rename(fresh, &old).is_err() {
                remove_or_warn(fresh, remove_any);
                return Ok(());
            }
        }
        Err(e) if e.kind() == io::ErrorKind::Unsupported => {
            fsio::rename(target, &old)?;
            if let Err(e) = fsio::rename(fresh, target) {
                // Put the previous site back before reporting.
                let _ = std::fs::rename(&old, target);
                return Err(e);
            }
        }
        Err(source) => {
            return Err(IoError {
                path: fresh.to_path_buf(),
                action: "move into place",
                source,
            });
        }
    }
    remove_or_warn(&old, remove_any);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &str, text: &str) -> Output {
        Output {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        replace_dir(&site, &[out("a.html", "1"), out("x/b.html", "2")]).unwrap();
        replace_dir(&site, &[out("c.html", "3")]).unwrap();
        assert!(!site.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(site.join("c.html")).unwrap(), "3");
        // Nothing is left beside it.
        assert_eq!(names(dir.path()), ["site"]);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        replace_dir(&site, &[out("a.html", "1")]).unwrap();
        // A path that cannot be written: a file where a folder must be.
        let result = replace_dir(&site, &[out("f", "x"), out("f/g.html", "y")]);
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(site.join("a.html")).unwrap(), "1");
        assert_eq!(names(dir.path()), ["site"]);
    }

    #[test]
    fn files_put_before_a_failure_never_reach_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        replace_dir(&site, &[out("a.html", "1")]).unwrap();
        let result: Result<(), String> = replace_dir_with(&site, |sink| {
            sink.put(out("deep/b.html", "2"))?;
            Err("a page cannot be rendered".into())
        });
        assert_eq!(result.unwrap_err(), "a page cannot be rendered");
        assert_eq!(std::fs::read_to_string(site.join("a.html")).unwrap(), "1");
        assert!(!site.join("deep").exists());
        assert_eq!(names(dir.path()), ["site"]);
        // The same files put as they come make the whole site.
        let count = replace_dir_with(&site, |sink| {
            sink.put(out("deep/b.html", "2"))?;
            sink.put(out("deep/er/c.html", "3"))?;
            Ok(2)
        })
        .unwrap();
        assert_eq!(count, 2);
        assert_eq!(names(&site), [MARKER, "deep"]);
        assert_eq!(
            std::fs::read_to_string(site.join("deep/er/c.html")).unwrap(),
            "3"
        );
    }

    #[test]
    fn dot_dot_is_resolved_lexically_outside_links() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(d.join("site")).unwrap();
        assert_eq!(normalise(&d.join("site/../site")).unwrap(), d.join("site"));
        assert_eq!(normalise(&d.join("site/x/..")).unwrap(), d.join("site"));
        assert_eq!(normalise(&d.join("./a/./b/")).unwrap(), d.join("a/b"));
        // A relative path is made absolute against the current folder.
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(normalise(Path::new("out")).unwrap(), cwd.join("out"));
        assert_eq!(
            normalise(Path::new("../out")).unwrap(),
            cwd.parent().unwrap().join("out")
        );
    }

    #[test]
    fn dot_dot_after_a_link_the_root_and_the_current_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(d.join("elsewhere/deep")).unwrap();
        std::os::unix::fs::symlink(d.join("elsewhere/deep"), d.join("link")).unwrap();
        let error = normalise(&d.join("link/../site")).unwrap_err();
        assert!(error.contains("symbolic link"), "{error}");
        assert!(error.contains("link"), "{error}");
        assert!(normalise(Path::new("/")).unwrap_err().contains("root"));
        assert!(normalise(Path::new("/..")).unwrap_err().contains("root"));
        let error = normalise(Path::new(".")).unwrap_err();
        assert!(error.contains("holds it"), "{error}");
        assert!(normalise(Path::new("..")).is_err());
        assert!(normalise(Path::new("")).is_err());
    }

    #[test]
    fn only_siblings_of_this_target_with_a_pid_are_stale() {
        assert_eq!(sibling_pid("site", ".site.new-123"), Some(123));
        assert_eq!(sibling_pid("site", ".site.old-7"), Some(7));
        assert_eq!(sibling_pid("site", ".site.lock"), None);
        assert_eq!(sibling_pid("site", ".site.new-12x"), None);
        assert_eq!(sibling_pid("site", ".site.new-+12"), None);
        assert_eq!(sibling_pid("site", ".site.new-"), None);
        assert_eq!(sibling_pid("site", ".other.new-123"), None);
        assert_eq!(sibling_pid("site", ".site.tmp-123"), None);
    }

    #[test]
    fn stale_siblings_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        for stale in [".site.new-999999999", ".site.old-1"] {
            std::fs::create_dir_all(dir.path().join(stale).join("changes")).unwrap();
            std::fs::write(dir.path().join(stale).join("changes/x.html"), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join(".other.new-1")).unwrap();
        replace_dir(&site, &[out("a.html", "1")]).unwrap();
        assert_eq!(names(dir.path()), [".other.new-1", "site"]);
    }

    #[test]
    fn a_tree_that_cannot_be_removed_is_named_in_a_warning() {
        let refuse = |_: &Path| Err(io::Error::from(io::ErrorKind::PermissionDenied));
        let warning = remove_or_warn(Path::new("d/.site.old-42"), refuse).unwrap();
        assert!(warning.starts_with("warning: cannot remove `d/.site.old-42`"));
        assert!(warning.contains("permission denied"), "{warning}");
        assert_eq!(remove_or_warn(Path::new("d/x"), |_| Ok(())), None);
    }

    #[test]
    fn a_second_writer_waits_for_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        replace_dir(&site, &[out("a.html", "1")]).unwrap();
        let held = lock(&normalise(&site).unwrap()).unwrap().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let writer = {
            let site = site.clone();
            std::thread::spawn(move || {
                let result = replace_dir(&site, &[out("b.html", "2")]);
                sender.send(()).unwrap();
                result
            })
        };
        let waited = receiver.recv_timeout(std::time::Duration::from_millis(500));
        assert!(waited.is_err(), "the writer did not wait for the lock");
        assert!(site.join("a.html").exists());
        drop(held);
        receiver
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the writer goes on once the lock is free");
        writer.join().unwrap().unwrap();
        assert!(site.join("b.html").exists());
        assert!(!site.join("a.html").exists());
    }
}
