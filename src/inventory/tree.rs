//! Load stage: where the inventory's files come from. The loader reads a
//! [`FileTree`]: a folder on disk ([`Folder`]) or any other tree of files,
//! such as a git revision (`crate::diff::git`). Every tree lists its
//! `*.toml` files the same way: relative paths with `/`, in byte order,
//! hidden entries and the root `templates/` folder skipped, and an entry
//! for each thing that could not be read, so that the loader reports it.

use std::path::{Path, PathBuf};

use crate::base::fsio;
use crate::inventory::LoadError;

/// One file of an inventory tree, or a thing in it that could not be read.
#[derive(Debug, Clone)]
pub struct TreeFile {
    /// Relative to the inventory root, with `/`.
    pub path: String,
    /// The file's bytes, or why it could not be read.
    pub content: Content,
}

/// The bytes of a file, or why there are none.
#[derive(Debug, Clone)]
pub enum Content {
    /// The file's bytes, as read.
    Bytes(Vec<u8>),
    /// An `unreadable` finding at the file: what happened, and how to fix it.
    Unreadable {
        /// What happened, naming the file.
        message: String,
        /// How to fix it.
        help: String,
    },
}

impl TreeFile {
    /// An entry for `path` that could not be read, with the finding's message
    /// and help.
    pub fn unreadable(path: String, message: String, help: &str) -> TreeFile {
        TreeFile {
            path,
            content: Content::Unreadable {
                message,
                help: help.to_string(),
            },
        }
    }
}

/// A tree of inventory files.
pub trait FileTree {
    /// How messages name the inventory: "`inventory`", "`inventory/` at `main`".
    fn name(&self) -> String;

    /// Every `*.toml` file and every entry that could not be read, sorted
    /// by the bytes of its path ([`sort`]). An error when the tree itself
    /// cannot be read (exit status 2).
    fn files(&self) -> Result<Vec<TreeFile>, LoadError>;
}

/// Whether an entry named `name` at `depth` (1: directly in the root) is
/// left out of the inventory: hidden entries, and the root `templates/`
/// folder (the site's template overrides).
pub fn skipped(name: &str, depth: usize, is_dir: bool) -> bool {
    name.starts_with('.') || (depth == 1 && is_dir && name == "templates")
}

/// Whether a file named `name` is an inventory file.
pub fn is_toml(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|ext| ext == "toml")
}

/// Sorts files in byte order of their paths, as inventory.md requires.
pub fn sort(files: &mut [TreeFile]) {
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
}

/// The message of a link that leads out of the inventory.
pub fn link_out(path: &str, target: &str) -> String {
    format!(
        "`{path}` links to `{target}`, outside the inventory: links outside the inventory are not followed"
    )
}

/// The help of [`link_out`]'s finding.
pub const LINK_HELP: &str =
    "move what it links to into the inventory folder, or replace the link by the file itself";

/// An inventory folder on disk. Symlinks are followed while they stay in
/// the folder; one that leads out of it (say, to `/`) is not, and is
/// reported: walking it could read the whole machine or never end.
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    /// The inventory folder at `root` (not read until [`FileTree::files`]).
    pub fn new(root: &Path) -> Folder {
        Folder {
            root: root.to_path_buf(),
        }
    }
}

impl FileTree for Folder {
    fn name(&self) -> String {
        format!("`{}`", self.root.display())
    }

    fn files(&self) -> Result<Vec<TreeFile>, LoadError> {
        let root = &self.root;
        if !root.exists() {
            return Err(LoadError(format!(
                "the inventory folder `{}` does not exist; pass the folder holding your TOML files, or create one with `cutover init`",
                root.display()
            )));
        }
        if !root.is_dir() {
            return Err(LoadError(format!(
                "`{}` is not a folder; pass the inventory folder",
                root.display()
            )));
        }
        let canonical = std::fs::canonicalize(root).map_err(|err| {
            LoadError(format!(
                "cannot read the inventory folder `{}`: {err}",
                root.display()
            ))
        })?;
        walk(root, &canonical)
    }
}

/// Where a symlink leads when that is outside `canonical_root`; `None` for
/// links that stay inside. A broken link is judged by its text (as at a
/// git revision); one that stays inside is left to the walk to report.
fn leads_outside(path: &Path, canonical_root: &Path) -> Option<String> {
    let written = std::fs::read_link(path).ok()?;
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(_) => {
            let parent = path.parent().and_then(|p| std::fs::canonicalize(p).ok())?;
            let mut lexical = PathBuf::new();
            for component in parent.join(&written).components() {
                match component {
                    std::path::Component::ParentDir => {
                        lexical.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => lexical.push(other),
                }
            }
            lexical
        }
    };
    if target.starts_with(canonical_root) {
        return None;
    }
    Some(written.to_string_lossy().into_owned())
}

/// What a file that is neither a regular file nor a folder is, in words.
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
    }
    let _ = file_type;
    "not a regular file"
}

/// Walks the folder: every `*.toml` regular file with its bytes, and an
/// unreadable entry for links out of the folder, special files named
/// `*.toml`, symlink loops, unreadable folders and files.
fn walk(root: &Path, canonical_root: &Path) -> Result<Vec<TreeFile>, LoadError> {
    let mut files = Vec::new();
    let mut outside = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_dir();
            if skipped(&name, entry.depth(), is_dir) {
                return false;
            }
            if entry.path_is_symlink()
                && let Some(target) = leads_outside(entry.path(), canonical_root)
            {
                // Every such link, whatever it leads to: a git revision
                // cannot tell a folder from a file out of the repository,
                // and both sides of a diff must report the same.
                outside.push(TreeFile::unreadable(
                    relative(root, entry.path()),
                    link_out(&relative(root, entry.path()), &target),
                    LINK_HELP,
                ));
                return false;
            }
            true
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) => {
                let name = entry.file_name().to_string_lossy();
                if !is_toml(&name) {
                    continue;
                }
                let rel = relative(root, entry.path());
                if !entry.file_type().is_file() {
                    // Reading a FIFO blocks until someone writes to it, and
                    // a device never ends: neither is an inventory file.
                    let kind = special_kind(entry.file_type());
                    files.push(TreeFile::unreadable(
                        rel.clone(),
                        format!("`{rel}` is {kind}, not a regular file: it was not read"),
                        "replace it by a regular file, or move it out of the inventory",
                    ));
                    continue;
                }
                let content = match fsio::read(entry.path()) {
                    Ok(bytes) => Content::Bytes(bytes),
                    Err(err) => Content::Unreadable {
                        message: err.to_string(),
                        help: "make the file readable by the user running cutover, or move it out of the inventory".into(),
                    },
                };
                files.push(TreeFile { path: rel, content });
            }
            Err(err) if err.depth() == 0 => {
                return Err(LoadError(format!(
                    "cannot read the inventory folder `{}`: {err}",
                    root.display()
                )));
            }
            Err(err) => {
                let rel = err
                    .path()
                    .map_or_else(|| ".".to_string(), |p| relative(root, p));
                // A broken link out of the folder fails before the filter
                // sees it: report it as a link out, as a revision would.
                if let Some(path) = err.path()
                    && err.loop_ancestor().is_none()
                    && path
                        .symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink())
                    && let Some(target) = leads_outside(path, canonical_root)
                {
                    files.push(TreeFile::unreadable(
                        rel.clone(),
                        link_out(&rel, &target),
                        LINK_HELP,
                    ));
                    continue;
                }
                let message = if let Some(ancestor) = err.loop_ancestor() {
                    format!(
                        "`{rel}` is a symlink loop back to `{}`; it was not followed",
                        relative(root, ancestor)
                    )
                } else {
                    format!(
                        "`{rel}` cannot be read: {}",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    )
                };
                files.push(TreeFile::unreadable(
                    rel,
                    message,
                    "fix the link or the permissions, or move it out of the inventory",
                ));
            }
        }
    }
    files.append(&mut outside);
    sort(&mut files);
    Ok(files)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(files: &[TreeFile]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn files_come_in_byte_order_without_hidden_entries_or_root_templates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "b.toml",
            "a/z.toml",
            "a.toml",
            "B.toml",
            ".hidden.toml",
            ".git/x.toml",
            "templates/t.toml",
            "sub/templates/kept.toml",
            "notes.txt",
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let files = Folder::new(root).files().unwrap();
        assert_eq!(
            paths(&files),
            vec![
                "B.toml",
                "a.toml",
                "a/z.toml",
                "b.toml",
                "sub/templates/kept.toml"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_folder_are_followed_and_those_out_of_it_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("inv");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/a.toml"), "").unwrap();
        std::fs::write(dir.path().join("secret.toml"), "").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("alias")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.toml"), root.join("s.toml")).unwrap();
        std::os::unix::fs::symlink("/", root.join("slash")).unwrap();
        // A link out of the folder, named like no inventory file.
        std::os::unix::fs::symlink(dir.path().join("secret.toml"), root.join("notes")).unwrap();
        // Broken links: judged by their text.
        std::os::unix::fs::symlink("/nowhere/x.toml", root.join("gone.toml")).unwrap();
        std::os::unix::fs::symlink("real/missing.toml", root.join("lost.toml")).unwrap();
        let mut files = Folder::new(&root).files().unwrap();
        let (gone, lost) = (files.remove(1), files.remove(1));
        assert_eq!(
            paths(&files),
            vec!["alias/a.toml", "notes", "real/a.toml", "s.toml", "slash"]
        );
        let message = |f: &TreeFile| match &f.content {
            Content::Unreadable { message, .. } => message.clone(),
            Content::Bytes(_) => panic!("{} must be unreadable", f.path),
        };
        assert_eq!(
            message(&gone),
            "`gone.toml` links to `/nowhere/x.toml`, outside the inventory: links outside the inventory are not followed"
        );
        assert!(
            message(&lost).starts_with("`lost.toml` cannot be read: "),
            "{}",
            message(&lost)
        );
        let Content::Unreadable { message, .. } = &files[4].content else {
            panic!("the link to / must be unreadable: {:?}", files[4]);
        };
        assert_eq!(
            message,
            "`slash` links to `/`, outside the inventory: links outside the inventory are not followed"
        );
        assert!(matches!(files[1].content, Content::Unreadable { .. }));
        assert!(matches!(files[3].content, Content::Unreadable { .. }));
        assert!(matches!(files[0].content, Content::Bytes(_)));
        assert!(matches!(files[2].content, Content::Bytes(_)));
    }
}
