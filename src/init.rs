//! `cutover init`: write a starting inventory, built into the binary: the
//! full example (`inventory/` of this repository) or a minimal skeleton
//! (`skeleton/`), with the JSON Schemas of its files and a `.taplo.toml`
//! that associates them, so editors with Taplo (Even Better TOML) check
//! every file as it is typed.

use std::path::Path;

use crate::base::fsio;
use crate::report::schema::{self, SchemaFile};

include!(concat!(env!("OUT_DIR"), "/example.rs"));

/// Which inventory to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The full example, with findings on purpose.
    Example,
    /// A small skeleton that checks without a finding.
    Minimal,
}

/// Where `init` puts the schemas, inside the inventory (the loader skips
/// hidden folders).
pub const CONFIG_SCHEMA: &str = ".cutover/config.schema.json";
/// Where `init` puts the entities schema (every file but `cutover.toml`).
pub const ENTITIES_SCHEMA: &str = ".cutover/entities.schema.json";

/// Taplo's configuration: `cutover.toml` against the config schema, every
/// other file (but templates and hidden folders) against the entities one.
pub const TAPLO: &str = r#"# Taplo (the TOML engine of VS Code's Even Better TOML, and `taplo lint`)
# checks the inventory against cutover's JSON Schemas: completion, hover
# help and errors while you type. After upgrading cutover, refresh them:
#   cutover schema --file config > .cutover/config.schema.json
#   cutover schema --file entities > .cutover/entities.schema.json
include = ["**/*.toml"]
exclude = [".taplo.toml", "templates/**", ".*/**"]

[[rule]]
name = "cutover configuration"
include = ["cutover.toml"]

[rule.schema]
path = "./.cutover/config.schema.json"

[[rule]]
name = "cutover entities"
include = ["**/*.toml"]
exclude = ["cutover.toml", ".taplo.toml", "templates/**", ".*/**"]

[rule.schema]
path = "./.cutover/entities.schema.json"
"#;

/// Every file `init` writes for `kind`: the inventory, the schemas and
/// `.taplo.toml`.
pub fn files(kind: Kind) -> Vec<(String, String)> {
    let inventory = match kind {
        Kind::Example => EXAMPLE,
        Kind::Minimal => MINIMAL,
    };
    let mut files: Vec<(String, String)> = inventory
        .iter()
        .map(|(rel, text)| (rel.to_string(), text.to_string()))
        .collect();
    files.push((".taplo.toml".into(), TAPLO.into()));
    files.push((CONFIG_SCHEMA.into(), schema::render(SchemaFile::Config)));
    files.push((ENTITIES_SCHEMA.into(), schema::render(SchemaFile::Entities)));
    files
}

/// Writes the inventory of `kind` below `dir`, which must not exist yet or
/// be empty, so that nothing of the user's is overwritten.
pub fn write(dir: &Path, kind: Kind) -> Result<(), String> {
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
    for (rel, contents) in files(kind) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fsio::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fsio::write(&path, contents.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
