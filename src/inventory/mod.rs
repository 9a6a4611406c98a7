//! Load stage: find the inventory's files, read and parse them keeping
//! spans, and read every entity, reporting every problem as a finding.

mod config;
pub mod entities;
pub mod reader;
pub mod resolve;
pub mod tree;

use std::path::Path;

use rayon::prelude::*;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::base::source::{At, FileId, Loc, SourceFile, Sources};
use crate::base::{Finding, Rule, timings};
use crate::model::{Kind, Model, PeriodKind};
use reader::{Cx, Table};
use tree::{Content, FileTree, Folder, TreeFile};

/// A problem that stops the run before any file is read (exit status 2).
#[derive(Debug)]
pub struct LoadError(pub String);

/// An inventory as read: its files, its model and what is wrong with it.
pub struct Loaded {
    /// Every file read, for locating findings.
    pub sources: Sources,
    /// The entities that could be read, their references resolved.
    pub model: Model,
    /// Loading findings (schema, duplicate ids, unknown references, …),
    /// unsorted and before `[rules]` overrides.
    pub findings: Vec<Finding>,
}

/// Ids of every entity that had one, also of those dropped for errors, so
/// that a bad entity does not make every reference to it dangle.
#[derive(Default)]
pub struct Declared {
    /// Ids of `[[system]]` tables.
    pub systems: Vec<At<String>>,
    /// Ids of `[[integration]]` tables.
    pub integrations: Vec<At<String>>,
    /// Ids of `[[process]]` tables.
    pub processes: Vec<At<String>>,
    /// Ids of `[[team]]` tables.
    pub teams: Vec<At<String>>,
    /// Ids of `[[audience]]` tables.
    pub audiences: Vec<At<String>>,
    /// Ids of `[[window]]` tables.
    pub windows: Vec<At<String>>,
    /// Ids of `[[freeze]]` tables.
    pub freezes: Vec<At<String>>,
    /// Ids of `[[peak]]` tables.
    pub peaks: Vec<At<String>>,
    /// Ids of `[[change]]` tables.
    pub changes: Vec<At<String>>,
    /// Ids of `[[incident]]` tables.
    pub incidents: Vec<At<String>>,
    /// Every reference read, by the kind it names (see [`reader::Cx::refs`]).
    pub refs: Vec<(Kind, At<String>)>,
}

impl Declared {
    /// Moves `other`'s ids and references to the end of these.
    fn append(&mut self, other: &mut Declared) {
        self.systems.append(&mut other.systems);
        self.integrations.append(&mut other.integrations);
        self.processes.append(&mut other.processes);
        self.teams.append(&mut other.teams);
        self.audiences.append(&mut other.audiences);
        self.windows.append(&mut other.windows);
        self.freezes.append(&mut other.freezes);
        self.peaks.append(&mut other.peaks);
        self.changes.append(&mut other.changes);
        self.incidents.append(&mut other.incidents);
        self.refs.append(&mut other.refs);
    }

    /// The ids declared for `kind`.
    pub fn ids(&self, kind: Kind) -> &[At<String>] {
        match kind {
            Kind::System => &self.systems,
            Kind::Integration => &self.integrations,
            Kind::Process => &self.processes,
            Kind::Team => &self.teams,
            Kind::Audience => &self.audiences,
            Kind::Window => &self.windows,
            Kind::Freeze => &self.freezes,
            Kind::Peak => &self.peaks,
            Kind::Change => &self.changes,
            Kind::Incident => &self.incidents,
        }
    }
}

const CONFIG_FILE: &str = "cutover.toml";

/// Loads the inventory folder at `root`: every file, every entity, resolved.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    load_tree(&Folder::new(root))
}

/// Loads the inventory held by `tree` (a folder, a git revision...).
pub fn load_tree(tree: &dyn FileTree) -> Result<Loaded, LoadError> {
    let stage = timings::start("load: read files");
    let files = tree.files()?;
    stage.end();
    if files.is_empty() {
        // Most likely the wrong folder: checking nothing must not pass.
        return Err(LoadError(format!(
            "{} holds no .toml files; pass the inventory folder, or create one with `cutover init`",
            tree.name()
        )));
    }
    let mut sources = Sources::default();
    let mut findings = Vec::new();
    let mut model = Model::default();
    let mut declared = Declared::default();
    let mut to_read: Vec<(FileId, bool)> = Vec::with_capacity(files.len());
    for TreeFile { path: rel, content } in files {
        let bytes = match content {
            Content::Bytes(bytes) => bytes,
            Content::Unreadable { message, help } => {
                let file = sources.add(SourceFile::new(rel, String::new()));
                findings
                    .push(Finding::new(Rule::Unreadable, Loc::new(file, 0..0), message).help(help));
                continue;
            }
        };
        // A UTF-8 byte order mark is not part of the TOML text.
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let (text, bad_utf8) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                (
                    String::from_utf8_lossy(err.as_bytes()).into_owned(),
                    Some(at),
                )
            }
        };
        let is_config = rel == CONFIG_FILE;
        let file = sources.add(SourceFile::new(rel, text));
        if let Some(at) = bad_utf8 {
            findings.push(
                Finding::new(
                    Rule::Syntax,
                    Loc::new(file, at..at),
                    "the file is not UTF-8 text: TOML files must be UTF-8",
                )
                .help("save the file as UTF-8"),
            );
            continue;
        }
        to_read.push((file, is_config));
    }
    // Parsing and reading need nothing but the file: every file is read on
    // some core into its own entities (its tree dropped there), and the
    // files are then joined in file order, so findings and ids come out in
    // the same order whatever the thread count.
    let stage = timings::start("load: parse and read");
    let read: Vec<FileRead> = to_read
        .par_iter()
        .map(|&(file, is_config)| {
            let source = sources.get(file);
            read_file(
                source,
                file,
                is_config,
                DeTable::parse_recoverable(&source.text),
            )
        })
        .collect();
    stage.end();
    let stage = timings::start("load: join");
    for mut one in read {
        findings.append(&mut one.findings);
        if let Some(config) = one.config {
            model.config = config;
        }
        model.append(&mut one.model);
        declared.append(&mut one.declared);
    }
    stage.end();
    let stage = timings::start("load: resolve");
    resolve::resolve(&mut model, &declared, &mut findings);
    stage.end();
    Ok(Loaded {
        sources,
        model,
        findings,
    })
}

/// A file's TOML as the parser left it: the table (as much as could be
/// read) and the syntax errors.
type Parsed<'a> = (Spanned<DeTable<'a>>, Vec<toml::de::Error>);

/// What one file holds: its entities, the ids it declares and the
/// references it makes, and what is wrong with it.
#[derive(Default)]
struct FileRead {
    config: Option<crate::model::Config>,
    model: Model,
    declared: Declared,
    findings: Vec<Finding>,
}

/// Reads one parsed file's entities. A file with syntax errors still
/// declares its ids (so references to them do not dangle), but its other
/// findings are dropped: they would mostly echo the syntax error.
fn read_file(
    source: &SourceFile,
    file: FileId,
    is_config: bool,
    (root, errors): Parsed,
) -> FileRead {
    let mut out = FileRead::default();
    for error in &errors {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().to_string();
        out.findings.push(Finding::new(Rule::Syntax, Loc::new(file, span), format!("invalid TOML: {message}")).help(
            "see https://toml.io for the syntax; strings need quotes, and each key may appear once per table",
        ));
    }
    let mut own = Vec::new();
    let mut cx = Cx {
        file,
        findings: &mut own,
        refs: Vec::new(),
    };
    let table = Table::root(&cx, &root, format!("`{}`", source.path));
    if is_config {
        out.config = Some(config::read(&mut cx, table));
    } else {
        read_entities(&mut cx, table, &mut out.model, &mut out.declared);
    }
    let mut refs = std::mem::take(&mut cx.refs);
    if errors.is_empty() {
        out.declared.refs.append(&mut refs);
        out.findings.append(&mut own);
    }
    out
}

fn read_entities(cx: &mut Cx, mut root: Table, model: &mut Model, declared: &mut Declared) {
    let entries: Vec<_> = root.entries().collect();
    for (key, value) in entries {
        let name: &str = key.get_ref();
        let Some(kind) = Kind::from_key(name) else {
            continue;
        };
        let DeValue::Array(items) = value.get_ref() else {
            cx.report(
                Finding::new(
                    Rule::Schema,
                    cx.loc(key.span()),
                    format!("`{name}` must be an array of tables"),
                )
                .help(format!("write each entry under its own [[{name}]] header")),
            );
            continue;
        };
        for item in items {
            let Some(t) = Table::new(cx, item, format!("a [[{name}]] entry")) else {
                continue;
            };
            macro_rules! add {
                ($read:expr, $ids:ident, $list:ident) => {{
                    let (id, entity) = $read;
                    declared.$ids.extend(id);
                    model.$list.extend(entity);
                }};
            }
            match kind {
                Kind::System => add!(entities::system(cx, t), systems, systems),
                Kind::Integration => {
                    add!(entities::integration(cx, t), integrations, integrations)
                }
                Kind::Process => add!(entities::process(cx, t), processes, processes),
                Kind::Team => add!(entities::team(cx, t), teams, teams),
                Kind::Audience => add!(entities::audience(cx, t), audiences, audiences),
                Kind::Window => add!(
                    entities::period(cx, t, PeriodKind::Window),
                    windows,
                    periods
                ),
                Kind::Freeze => add!(
                    entities::period(cx, t, PeriodKind::Freeze),
                    freezes,
                    periods
                ),
                Kind::Peak => add!(entities::period(cx, t, PeriodKind::Peak), peaks, periods),
                Kind::Change => add!(entities::change(cx, t), changes, changes),
                Kind::Incident => add!(entities::incident(cx, t), incidents, incidents),
            }
        }
    }
    // Every top-level key that is not an entity kind is unknown.
    for kind in Kind::ALL {
        root.raw(kind.key());
    }
    root.what = "this file (top level)".into();
    root.finish(cx);
}
