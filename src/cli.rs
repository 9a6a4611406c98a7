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
/// The whole command line.
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of `cutover`; each variant's doc is its `--help` line.
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
    /// May these systems (this change's phase) change now, for this long?
    /// Answers open, open with warnings or closed, why, and until when.
    #[command(after_long_help = GATE_EXAMPLES)]
    Gate(GateArgs),
    /// When can this change (these systems, for this long) run without an
    /// error finding? Proposes slots, best first, or says why none fits.
    #[command(after_long_help = SLOTS_EXAMPLES)]
    Slots(SlotsArgs),
    /// Print the documentation of a rule (or list every rule).
    Explain {
        /// A rule name, such as `outside-window`.
        rule: Option<String>,
    },
    /// Print a JSON Schema of the inventory files, for editor completion
    /// and checking (`cutover.toml` and the other files have one each).
    Schema {
        /// Which files: `config` (cutover.toml) or `entities` (every other).
        #[arg(long, value_enum, default_value_t = SchemaFile::Entities)]
        file: SchemaFile,
    },
    /// Write a starting inventory to DIR (the full example unless
    /// `--minimal`), with a `.taplo.toml` that checks it in editors.
    Init(InitArgs),
    /// Write the windows and freezes for a tool that enforces them: an Argo
    /// CD AppProject's sync windows, GitLab freeze periods, an SSM Change
    /// Calendar. Periods it cannot express are left out, with a finding.
    Export(ExportArgs),
}

/// Arguments of `cutover init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write it (must not exist or be empty).
    #[arg(default_value = "inventory")]
    pub dir: PathBuf,
    /// A small skeleton that checks clean: one team, two systems, an
    /// integration, an audience, a window, a freeze and one change.
    #[arg(long, conflicts_with = "example")]
    pub minimal: bool,
    /// The full example inventory, with findings on purpose (the default).
    #[arg(long)]
    pub example: bool,
}

/// Which inventory files `cutover schema` describes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaFile {
    /// `cutover.toml`.
    Config,
    /// Every other `*.toml` file of the inventory.
    Entities,
}

/// Arguments of `cutover export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// What to write.
    #[arg(value_enum)]
    pub target: ExportTarget,
    /// The inventory folder.
    #[arg(default_value = "inventory")]
    pub inventory: PathBuf,
    /// `native`: the tool's own document; `json`: cutover's description of
    /// it, with the occurrences each entry was checked against.
    #[arg(long, value_enum, default_value_t = ExportFormat::Native)]
    pub format: ExportFormat,
    /// The first day of the horizon (YYYY-MM-DD). Default: SOURCE_DATE_EPOCH
    /// when set, else today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The day after the horizon (YYYY-MM-DD). Default: a year after the
    /// as-of date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only the periods that constrain changes to this system (repeatable).
    /// Default: every system.
    #[arg(long = "system", value_name = "ID")]
    pub systems: Vec<String>,
    /// Leave soft freezes out.
    #[arg(long)]
    pub hard_only: bool,
    /// Also fail (exit 1) on warnings, such as a period left out.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,
    /// When to colour the findings (on standard error).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// The tools `cutover export` writes for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportTarget {
    /// Argo CD: an AppProject with `spec.syncWindows` (YAML).
    Argocd,
    /// GitLab: bodies for the Freeze Periods API (JSON).
    Gitlab,
    /// AWS Systems Manager: a Change Calendar document (iCalendar).
    SsmCalendar,
}

/// What `cutover export` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The tool's own document (YAML, JSON or iCalendar, by target).
    Native,
    /// cutover's description of the export, with the occurrences each entry
    /// was checked against.
    Json,
}

/// Arguments of `cutover check` (and the checking part of `build`).
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

/// Arguments of `cutover build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The arguments `check` takes, which `build` takes too.
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
    /// Print every finding as `check` does; by default a build that writes
    /// the site prints only the summary line (all findings when it refuses
    /// to write, or in a machine `--format`).
    #[arg(long)]
    pub findings: bool,
}

/// Arguments of `cutover serve`.
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

/// Arguments of `cutover diff`.
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
    /// under this URL (such as `https://github.com/o/r/blob/SHA/inventory`).
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

const GATE_EXAMPLES: &str = "\
Examples:
  # The step right before a deploy: may CHG-2043 run now? (exit 0 open, 1 closed, 2 unanswerable)
  cutover gate --change CHG-2043

  # A phase at its planned start, as `check` sees it
  cutover gate --change CHG-2043 --phase \"Patch app server 2, back-office users only\" --at 2026-12-27T03:15:00

  # Ad hoc: may erp and sso change at 02:00 (site zone) for 90 minutes, with 30 minutes of rollback?
  cutover gate --system erp --system sso --at 2026-12-06T02:00 --for 90m --rollback 30m

  # Everything tagged `saas`, now, as JSON
  cutover gate --tag saas --format json

  # Closed? Sleep until it opens (at most 6 hours), re-read the inventory, answer again
  cutover gate --change CHG-2043 --wait --timeout 6h

The runway checked is [at, at + for + rollback): the phase must fit a window occurrence
of every system it changes and clash with nothing `check` reports as an error on it; a
rollback that does not fit is `rollback-exceeds-window` (a warning unless [rules] says
otherwise). `until` is when the answer changes: for open, the latest start at which the
runway still fits; for closed, the next start at which it fits. See docs/gate.md.";

const SLOTS_EXAMPLES: &str = "\
Examples:
  # Five slots for CHG-2043 in the next 90 days, best first
  cutover slots --change CHG-2043

  # From a date, three slots, within 30 days
  cutover slots --change CHG-2051 --from 2026-11-24 --horizon 30d --count 3

  # A change not yet written: erp for 2h30m with 1h of rollback
  cutover slots --system erp --for 2h30m --rollback 1h --format json

Phases are placed in order, each at least policy.min_soak after the previous one, where
the phase and its rollback fit a window occurrence of every system it changes and no
error finding arises (hard freezes on impacted systems, collisions with other active
changes). Slots are ranked by the warnings they still get, then by start; each lists the
`start = ...` lines to paste. When nothing fits, it says why. See docs/slots.md.";

/// What `gate` and `slots` ask about: systems, tags, or a change.
#[derive(Args, Debug)]
pub struct Asked {
    /// A system that would change (repeatable).
    #[arg(long = "system", value_name = "ID")]
    pub systems: Vec<String>,
    /// Every system with this tag would change (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// A change of the inventory: its phase's systems and duration, its
    /// rollback time.
    #[arg(long, value_name = "ID", conflicts_with_all = ["systems", "tags"])]
    pub change: Option<String>,
}

/// Arguments of `cutover gate`.
#[derive(Args, Debug)]
pub struct GateArgs {
    /// The inventory folder.
    #[arg(default_value = "inventory")]
    pub inventory: PathBuf,
    /// What the gate is asked about: systems, tags, or a change.
    #[command(flatten)]
    pub asked: Asked,
    /// With --change: the phase (its name). Default: the phase whose planned
    /// interval holds --at, else the next one, else the last one.
    #[arg(long, value_name = "NAME", requires = "change")]
    pub phase: Option<String>,
    /// When the work would start: an offset datetime (2026-12-06T01:00:00Z,
    /// 2026-12-06T02:00:00+01:00) or a local one in the site's zone
    /// (2026-12-06T02:00). Default: now.
    #[arg(long, value_name = "DATETIME")]
    pub at: Option<String>,
    /// How long the work takes (90m, 2h, 1h30m). Default: the phase's
    /// duration, else 0 (an instant).
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
    /// How long a rollback takes. Default: the change's rollback.time, else 0.
    #[arg(long, value_name = "DURATION")]
    pub rollback: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GateFormat::Human)]
    pub format: GateFormat,
    /// Also answer closed (exit 1) when the gate is open with warnings.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,
    /// When closed, sleep until it opens, re-read the inventory and answer
    /// again (needs --timeout; not with --at).
    #[arg(long, requires = "timeout", conflicts_with = "at")]
    pub wait: bool,
    /// With --wait: give up (exit 1) when it would not open within this long.
    #[arg(long, value_name = "DURATION", requires = "wait")]
    pub timeout: Option<String>,
    /// The date the date-relative rules use (YYYY-MM-DD), as in `check`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// Arguments of `cutover slots`.
#[derive(Args, Debug)]
pub struct SlotsArgs {
    /// The inventory folder.
    #[arg(default_value = "inventory")]
    pub inventory: PathBuf,
    /// What slots are sought for: systems, tags, or a change.
    #[command(flatten)]
    pub asked: Asked,
    /// With --system or --tag: how long the work takes (90m, 2h, 1h30m).
    #[arg(long = "for", value_name = "DURATION", conflicts_with = "change")]
    pub duration: Option<String>,
    /// How long a rollback takes. Default: the change's rollback.time, else 0.
    #[arg(long, value_name = "DURATION")]
    pub rollback: Option<String>,
    /// The earliest start: an offset datetime or a local one in the site's
    /// zone. Default: now.
    #[arg(long, value_name = "DATETIME")]
    pub from: Option<String>,
    /// How far ahead to look.
    #[arg(long, value_name = "DURATION", default_value = "90d")]
    pub horizon: String,
    /// How many slots to propose.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub count: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SlotsFormat::Human)]
    pub format: SlotsFormat,
    /// The date the date-relative rules use (YYYY-MM-DD), as in `check`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// What `cutover gate` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateFormat {
    /// Text for a terminal: the answer, the runway, until when, then each
    /// reason.
    Human,
    /// One JSON document: the answer, until when, the runway and the
    /// reasons (see docs/gate.md).
    Json,
    /// GitHub Actions workflow commands: an annotation per reason.
    Github,
}

/// What `cutover slots` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotsFormat {
    /// Text for a terminal: each slot, best first, with the lines to paste
    /// into the change, or why nothing fits.
    Human,
    /// One JSON document: the slots, how many were found, and why nothing
    /// fits when nothing does (see docs/slots.md).
    Json,
}

/// What `cutover diff` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    /// Text for a terminal: the verdict, then each difference.
    Human,
    /// A pull-request comment: the verdict, then folding sections.
    Markdown,
    /// One JSON document, stable across versions (see docs/diff.md).
    Json,
}

/// What `cutover check` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Each finding with the lines it points at, each change with its risk,
    /// then a summary.
    Human,
    /// One JSON document: findings, and the risk and impact of every change.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A GitLab Code Quality report (JSON), for merge requests.
    Gitlab,
}

/// What `--deny` makes fail the run besides errors.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deny {
    /// Warnings fail the run (exit 1) too.
    Warnings,
}

/// When to colour output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// Colour when the stream is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
