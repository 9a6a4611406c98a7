//! Foundation: the text of every inventory file, and locations in it.
//!
//! Every finding points at a [`Loc`]: a file of the [`Sources`] and a byte
//! range in it. Lines and columns are derived from the range only when a
//! finding is printed, so the loader never counts lines itself.

use std::ops::Range;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A place in the inventory: a file and a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// The file it is in.
    pub file: FileId,
    /// Byte range in the file's text (not characters, not lines).
    pub span: Range<usize>,
}

impl Loc {
    /// The place `span` (byte offsets) in `file`.
    pub fn new(file: FileId, span: Range<usize>) -> Loc {
        Loc { file, span }
    }
}

/// A value together with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    /// The value read.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

impl<T> At<T> {
    /// `value`, written at `loc`.
    pub fn new(value: T, loc: Loc) -> At<T> {
        At { value, loc }
    }
}

/// One inventory file: its path relative to the inventory root (with `/`)
/// and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the inventory root, with `/` separators: `systems/erp.toml`.
    pub path: String,
    /// The whole text of the file, as read.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file of this path and text, its line starts counted once.
    pub fn new(path: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// All files of one inventory, in the order they were read.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a file and returns its id (files are numbered in the order added).
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    /// The file of `id` (an id from other [`Sources`] may panic).
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file, in the order added ([`FileId`] indexes this slice).
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let file = SourceFile::new("a.toml".into(), "ab\nçd = 1\n".into());
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(3), (2, 1));
        // `d` follows a two-byte character: byte 5, column 2.
        assert_eq!(file.line_column(5), (2, 2));
        assert_eq!(file.line_column(100), (3, 1));
    }
}
