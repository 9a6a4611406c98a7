//! Command-line definitions (clap) only; `main.rs` dispatches them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::analysis::score::RiskLevel;

#[derive(Parser, Debug)]
#[command(
    name = "cutover",
    version,
    about = "Check a change plan against your systems, windows and freezes; build runbooks and announcements from it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load and validate the inventory and print its findings.
    Check(CheckArgs),
    /// Check, then render the static site (refused when there are errors).
    Build(BuildArgs),
    /// Build into a temporary folder, serve it on 127.0.0.1, rebuild on
    /// change and reload open pages.
    Serve(ServeArgs),
    /// What a revision does to the plan: findings added and resolved, risk,
    /// impact and calendar, between two git revisions or two folders.
    Diff(DiffArgs),
    /// Print the documentation of a rule (or list every rule).
    Explain {
        /// A rule name, such as `outside-window`.
        rule: Option<String>,
    },
    /// Print a JSON Schema of the inventory files, for editor completion.
    Schema,
    /// Write the example inventory to DIR.
    Init {
        /// Where to write it (must not exist or be empty).
        #[arg(default_value = "inventory")]
        dir: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The inventory folder.
    #[arg(default_value = "inventory")]
    pub inventory: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The date every date-relative rule uses (YYYY-MM-DD). Default:
    /// SOURCE_DATE_EPOCH when set (its UTC date), else today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Print only errors, and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,
    /// Fail (exit 1) when an active change's risk is above this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub max_risk: Option<RiskLevel>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Where to write the site (replaced as a whole, only on success).
    #[arg(long, default_value = "site")]
    pub out: PathBuf,
    /// A folder of templates overriding the built-in ones file by file
    /// (after `<INVENTORY>/templates/`).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Render even when the plan has errors, showing them prominently.
    #[arg(long)]
    pub allow_errors: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The inventory folder.
    #[arg(default_value = "inventory")]
    pub inventory: PathBuf,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The date every date-relative rule uses (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A folder of templates overriding the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The base: a git revision of the repository holding the inventory
    /// (`main`, `origin/main`, `HEAD~1`, a commit), or a folder.
    pub base: String,
    /// The head: a revision or a folder. Default: the inventory folder in
    /// the working tree.
    pub head: Option<String>,
    /// The inventory folder; at a revision, the same path inside the
    /// repository.
    #[arg(long, default_value = "inventory", value_name = "PATH")]
    pub inventory: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// With `--format markdown`: link findings to the files at the head,
    /// under this URL (such as https://github.com/o/r/blob/SHA/inventory).
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
    /// The date every date-relative rule uses on both sides (YYYY-MM-DD).
    /// Default: SOURCE_DATE_EPOCH when set (its UTC date), else today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Also fail (exit 1) when the head adds warnings.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,
    /// Fail (exit 1) when the head raises an active change above this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub max_risk: Option<RiskLevel>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    /// A pull-request comment: the verdict, then folding sections.
    Markdown,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deny {
    Warnings,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}
