//! Write stage: put a built site in place without ever leaving a half-built
//! one. Files go to a fresh folder beside the target; only when all of them
//! are written is the old site moved aside and the new one moved in, so a
//! failed build leaves the previous site exactly as it was.

use std::path::{Path, PathBuf};

use crate::base::fsio::{self, IoError};

/// A page or file of the site: its path relative to the site root (with
/// `/`) and its bytes.
pub struct Output {
    pub path: String,
    pub bytes: Vec<u8>,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.{suffix}-{}", std::process::id()))
}

/// A file in every built site: only a folder holding it (or an empty or
/// missing one) is ever replaced, so a mistyped `--out` cannot wipe a home
/// folder or the inventory.
pub const MARKER: &str = ".cutover-site";

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
/// atomically as far as the file system allows: two renames.
pub fn replace_dir(target: &Path, outputs: &[Output]) -> Result<(), String> {
    check_target(target)?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        fsio::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let fresh = sibling(target, "new");
    let result = write_all(&fresh, outputs).and_then(|()| swap(target, &fresh));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&fresh);
    }
    result.map_err(|e| e.to_string())
}

fn write_all(dir: &Path, outputs: &[Output]) -> Result<(), IoError> {
    if dir.exists() {
        fsio::remove_dir_all(dir)?;
    }
    fsio::create_dir_all(dir)?;
    // Folders first (sorted, so parents come before children), then the
    // files in parallel.
    let mut folders: Vec<&str> = outputs
        .iter()
        .filter_map(|o| o.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        fsio::create_dir_all(&dir.join(folder))?;
    }
    fsio::write(
        &dir.join(MARKER),
        b"This folder is a site built by cutover; each build replaces it whole.\n",
    )?;
    use rayon::prelude::*;
    outputs
        .par_iter()
        .try_for_each(|output| fsio::write(&dir.join(&output.path), &output.bytes))
}

fn swap(target: &Path, fresh: &Path) -> Result<(), IoError> {
    if target.exists() {
        let old = sibling(target, "old");
        fsio::rename(target, &old)?;
        if let Err(e) = fsio::rename(fresh, target) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, target);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        fsio::rename(fresh, target)?;
    }
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

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        replace_dir(&site, &[out("a.html", "1"), out("x/b.html", "2")]).unwrap();
        replace_dir(&site, &[out("c.html", "3")]).unwrap();
        assert!(!site.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(site.join("c.html")).unwrap(), "3");
        // Nothing is left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("site")]);
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
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("site")]);
    }
}
