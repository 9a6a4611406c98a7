//! Every file-system call, with errors that always name their path.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// An I/O error and the path it happened on.
#[derive(Debug)]
pub struct IoError {
    pub path: PathBuf,
    pub action: &'static str,
    pub source: io::Error,
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} `{}`: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for IoError {}

fn wrap<T>(result: io::Result<T>, action: &'static str, path: &Path) -> Result<T, IoError> {
    result.map_err(|source| IoError {
        path: path.to_path_buf(),
        action,
        source,
    })
}

pub fn read(path: &Path) -> Result<Vec<u8>, IoError> {
    wrap(std::fs::read(path), "read", path)
}

pub fn write(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    wrap(std::fs::write(path, contents), "write", path)
}

pub fn create_dir_all(path: &Path) -> Result<(), IoError> {
    wrap(std::fs::create_dir_all(path), "create the folder", path)
}

pub fn remove_dir_all(path: &Path) -> Result<(), IoError> {
    wrap(std::fs::remove_dir_all(path), "remove", path)
}

pub fn rename(from: &Path, to: &Path) -> Result<(), IoError> {
    wrap(std::fs::rename(from, to), "move into place", to).map_err(|mut e| {
        e.path = from.to_path_buf();
        e
    })
}
