//! Every file-system call, with errors that always name their path.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// An I/O error and the path it happened on.
#[derive(Debug)]
pub struct IoError {
    /// The path the call was made on (for `rename`, the source).
    pub path: PathBuf,
    /// What was attempted, as it reads after "cannot": `read`, `write`, `create the folder`...
    pub action: &'static str,
    /// The error the operating system returned.
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

/// Reads the whole file at `path` (`std::fs::read`).
pub fn read(path: &Path) -> Result<Vec<u8>, IoError> {
    wrap(std::fs::read(path), "read", path)
}

/// Writes `contents` to `path`, replacing the file (`std::fs::write`).
pub fn write(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    wrap(std::fs::write(path, contents), "write", path)
}

/// Creates `path` and its missing parents (`std::fs::create_dir_all`).
pub fn create_dir_all(path: &Path) -> Result<(), IoError> {
    wrap(std::fs::create_dir_all(path), "create the folder", path)
}

/// Removes the folder `path` and all it holds (`std::fs::remove_dir_all`).
pub fn remove_dir_all(path: &Path) -> Result<(), IoError> {
    wrap(std::fs::remove_dir_all(path), "remove", path)
}

/// Moves `from` to `to` (`std::fs::rename`); the error names `from`.
pub fn rename(from: &Path, to: &Path) -> Result<(), IoError> {
    wrap(std::fs::rename(from, to), "move into place", to).map_err(|mut e| {
        e.path = from.to_path_buf();
        e
    })
}
