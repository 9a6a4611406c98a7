//! Load stage for `diff`: an inventory read from a git revision, without
//! checking it out and without writing into the repository (no index, no
//! work tree, no refs: only objects are read), through `gix`.
//!
//! [`GitTree`] is a [`FileTree`] like a folder on disk, so the loader reads
//! both the same way. Symlinks stored in the tree are followed while they
//! stay in the inventory, as on disk; one that leads out of it is reported.

use std::path::{Component, Path, PathBuf};

use gix::ObjectId;

use crate::inventory::LoadError;
use crate::inventory::tree::{self, Content, FileTree, LINK_HELP, TreeFile};

/// How many symlinks one path may go through before it counts as a loop.
const MAX_LINKS: usize = 8;

/// The repository holding an inventory, and the inventory's path in it.
pub struct Repo {
    repo: gix::Repository,
    /// Where messages say the repository is: its work tree, else its git folder.
    shown: PathBuf,
    /// The inventory's path relative to the repository root, with `/`
    /// (empty: the root itself).
    pub path: String,
}

impl Repo {
    /// Finds the repository holding `inventory` (a path that need not exist
    /// in the work tree) and the inventory's path inside it.
    pub fn discover(inventory: &Path) -> Result<Repo, LoadError> {
        let absolute = std::path::absolute(inventory).map_err(|err| {
            LoadError(format!(
                "cannot resolve the path `{}`: {err}",
                inventory.display()
            ))
        })?;
        // The deepest folder of the path that exists now: the inventory may
        // have been deleted in the work tree and still exist at a revision.
        let mut start = absolute.as_path();
        while !start.is_dir() {
            start = start.parent().unwrap_or(Path::new("/"));
        }
        let repo = gix::discover(start).map_err(|err| {
            LoadError(format!(
                "`{}` is not in a git repository ({err}); pass two folders, or run from the repository that holds the inventory",
                start.display()
            ))
        })?;
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.git_dir().to_path_buf());
        let shown = root.clone();
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        // Canonical form of the existing part, then the rest as written.
        let canonical_start = std::fs::canonicalize(start).unwrap_or(start.to_path_buf());
        let rest = absolute.strip_prefix(start).unwrap_or(Path::new(""));
        let full = normalize(&canonical_start.join(rest));
        let relative = full.strip_prefix(&root).map_err(|_| {
            LoadError(format!(
                "the inventory `{}` is outside the repository at {}",
                inventory.display(),
                shown.display()
            ))
        })?;
        let path = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Ok(Repo { repo, shown, path })
    }

    /// The inventory at revision `rev` (`main`, `origin/main`, `HEAD~2`, a
    /// commit or tag id...).
    pub fn tree(&self, rev: &str) -> Result<GitTree<'_>, LoadError> {
        let not_a_revision = |detail: String| {
            LoadError(format!(
                "`{rev}` is not a revision of {} ({detail})",
                self.shown.display()
            ))
        };
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(|err| not_a_revision(err.to_string()))?;
        let commit = id
            .object()
            .ok()
            .and_then(|object| object.peel_to_commit().ok())
            .map(|commit| commit.id);
        let root = id
            .object()
            .and_then(|object| object.peel_to_tree())
            .map_err(|err| not_a_revision(format!("it names no tree: {err}")))?;
        let shown_path = if self.path.is_empty() {
            "the repository root".to_string()
        } else {
            format!("`{}/`", self.path)
        };
        let inventory = if self.path.is_empty() {
            root.id
        } else {
            let entry = root
                .lookup_entry_by_path(&self.path)
                .map_err(|err| LoadError(format!("cannot read `{rev}`: {err}")))?;
            match entry {
                Some(entry) if entry.mode().is_tree() => entry.object_id(),
                Some(_) => {
                    return Err(LoadError(format!(
                        "{shown_path} is not a folder at `{rev}`"
                    )));
                }
                None => {
                    return Err(LoadError(format!("{shown_path} does not exist at `{rev}`")));
                }
            }
        };
        Ok(GitTree {
            repo: &self.repo,
            rev: rev.to_string(),
            path: self.path.clone(),
            root: root.id,
            inventory,
            commit,
        })
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The inventory folder of one revision.
pub struct GitTree<'r> {
    repo: &'r gix::Repository,
    rev: String,
    /// The inventory's path in the repository (empty: the root).
    path: String,
    root: ObjectId,
    inventory: ObjectId,
    commit: Option<ObjectId>,
}

/// What a path of the repository names, as far as the walk needs to know.
enum Found {
    Tree(ObjectId),
    Blob(ObjectId),
    Link(String),
    Other,
    Missing,
}

impl GitTree<'_> {
    /// The commit the revision names, if it names one.
    pub fn commit(&self) -> Option<String> {
        self.commit.map(|id| id.to_string())
    }

    fn error(&self, err: impl std::fmt::Display) -> LoadError {
        LoadError(format!("cannot read `{}`: {err}", self.rev))
    }

    /// What `path` (components from the repository root) names.
    fn find(&self, path: &[String]) -> Result<Found, LoadError> {
        if path.is_empty() {
            return Ok(Found::Tree(self.root));
        }
        let root = self.repo.find_tree(self.root).map_err(|e| self.error(e))?;
        let entry = root
            .lookup_entry(path.iter().map(|c| c.as_bytes()))
            .map_err(|e| self.error(e))?;
        let Some(entry) = entry else {
            return Ok(Found::Missing);
        };
        let mode = entry.mode();
        Ok(if mode.is_tree() {
            Found::Tree(entry.object_id())
        } else if mode.is_link() {
            Found::Link(self.blob_text(entry.object_id())?)
        } else if mode.is_blob() {
            Found::Blob(entry.object_id())
        } else {
            Found::Other
        })
    }

    fn blob(&self, id: ObjectId) -> Result<Vec<u8>, LoadError> {
        let mut blob = self.repo.find_blob(id).map_err(|e| self.error(e))?;
        Ok(blob.take_data())
    }

    fn blob_text(&self, id: ObjectId) -> Result<String, LoadError> {
        Ok(String::from_utf8_lossy(&self.blob(id)?).into_owned())
    }

    /// Components of the inventory root in the repository.
    fn base(&self) -> Vec<String> {
        if self.path.is_empty() {
            Vec::new()
        } else {
            self.path.split('/').map(str::to_string).collect()
        }
    }

    /// Follows the link at `at` (components from the repository root)
    /// whose text is `target`: what it leads to, or why it is not followed.
    /// `shown` is the link's path in the inventory, for messages.
    fn follow(&self, at: &[String], shown: &str, target: &str) -> Result<Found, String> {
        let outside = || tree::link_out(shown, target);
        let base = self.base();
        let (mut at, mut text) = (at.to_vec(), target.to_string());
        for _ in 0..MAX_LINKS {
            let path = resolve(&at, &text).ok_or_else(outside)?;
            if !path.starts_with(&base) {
                return Err(outside());
            }
            match self.find(&path).map_err(|e| e.0)? {
                Found::Link(next) => {
                    at = path;
                    text = next;
                }
                found => return Ok(found),
            }
        }
        Err(format!(
            "`{shown}` goes through more than {MAX_LINKS} symlinks; it was not followed"
        ))
    }
}

/// The path (components from the repository root) that a link at `at`
/// with text `target` names; `None` when it leaves the repository.
fn resolve(at: &[String], target: &str) -> Option<Vec<String>> {
    if target.starts_with('/') {
        return None;
    }
    let mut path: Vec<String> = at[..at.len().saturating_sub(1)].to_vec();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                path.pop()?;
            }
            part => path.push(part.to_string()),
        }
    }
    Some(path)
}

/// A tree still to walk: its id, its path from the inventory root and
/// from the repository root, and the trees above it (to see loops).
type Pending = (ObjectId, Vec<String>, Vec<String>, Vec<ObjectId>);

impl FileTree for GitTree<'_> {
    fn name(&self) -> String {
        if self.path.is_empty() {
            format!("the repository root at `{}`", self.rev)
        } else {
            format!("`{}/` at `{}`", self.path, self.rev)
        }
    }

    fn files(&self) -> Result<Vec<TreeFile>, LoadError> {
        let base = self.base();
        let mut files = Vec::new();
        // An explicit stack, so no recursion depth is left to the repository.
        let mut stack: Vec<Pending> = vec![(self.inventory, Vec::new(), base.clone(), Vec::new())];
        while let Some((id, rel, abs, ancestors)) = stack.pop() {
            let tree = self.repo.find_tree(id).map_err(|e| self.error(e))?;
            let mut chain = ancestors.clone();
            chain.push(id);
            for entry in tree.iter() {
                let entry = entry.map_err(|e| self.error(e))?;
                let name = entry.filename().to_string();
                let mode = entry.mode();
                let depth = rel.len() + 1;
                if tree::skipped(&name, depth, mode.is_tree()) {
                    continue;
                }
                let mut entry_rel = rel.clone();
                entry_rel.push(name.clone());
                let mut entry_abs = abs.clone();
                entry_abs.push(name.clone());
                let shown = entry_rel.join("/");
                if mode.is_tree() {
                    stack.push((entry.object_id(), entry_rel, entry_abs, chain.clone()));
                } else if mode.is_link() {
                    let target = self.blob_text(entry.object_id())?;
                    match self.follow(&entry_abs, &shown, &target) {
                        Ok(Found::Tree(tree)) if chain.contains(&tree) => {
                            files.push(TreeFile::unreadable(
                                shown.clone(),
                                format!("`{shown}` is a symlink loop back to `{target}`; it was not followed"),
                                "fix the link, or move it out of the inventory",
                            ));
                        }
                        Ok(Found::Tree(tree)) => {
                            stack.push((tree, entry_rel, entry_abs, chain.clone()));
                        }
                        Ok(Found::Blob(blob)) if tree::is_toml(&name) => {
                            files.push(TreeFile {
                                path: shown,
                                content: Content::Bytes(self.blob(blob)?),
                            });
                        }
                        Ok(_) if tree::is_toml(&name) => files.push(TreeFile::unreadable(
                            shown.clone(),
                            format!(
                                "`{shown}` links to `{target}`, which is not a file at `{}`",
                                self.rev
                            ),
                            "fix the link, or move it out of the inventory",
                        )),
                        Ok(_) => {}
                        // As on disk: every link out of the inventory.
                        Err(why) => files.push(TreeFile::unreadable(shown.clone(), why, LINK_HELP)),
                    }
                } else if tree::is_toml(&name) {
                    if mode.is_blob() {
                        files.push(TreeFile {
                            path: shown,
                            content: Content::Bytes(self.blob(entry.object_id())?),
                        });
                    } else {
                        files.push(TreeFile::unreadable(
                            shown.clone(),
                            format!(
                                "`{shown}` is a git submodule at `{}`, not a file: it was not read",
                                self.rev
                            ),
                            "replace it by a regular file, or move it out of the inventory",
                        ));
                    }
                }
            }
        }
        tree::sort(&mut files);
        Ok(files)
    }
}
