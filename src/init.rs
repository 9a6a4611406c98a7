//! `cutover init`: write the example inventory, built into the binary.

use std::path::Path;

use crate::base::fsio;

include!(concat!(env!("OUT_DIR"), "/example.rs"));

/// Writes every file of the example inventory below `dir`, which must not
/// exist yet or be empty, so that nothing of the user's is overwritten.
pub fn write(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "`{}` already exists and is not empty; choose a new folder so nothing is overwritten",
                dir.display()
            ));
        }
    }
    for (rel, contents) in EXAMPLE {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fsio::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fsio::write(&path, contents.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
