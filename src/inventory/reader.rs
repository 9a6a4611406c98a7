//! Load stage: typed reading of one spanned TOML table.
//!
//! [`Table`] hands out the fields an entity asks for, checking kind and form,
//! and records a located finding for each problem instead of stopping, so
//! one run reports every problem of every entity. Keys nobody asked for are
//! reported by [`Table::finish`] as unknown.

use jiff::civil::{Date, Time};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::base::source::{At, FileId, Loc};
use crate::base::text::{NESTING_LIMIT, TEXT_LIMIT, markdown_nesting};
use crate::base::{Finding, Rule};
use crate::model::time::{self, DateTime, Duration, Zone};
use crate::model::{Entity, Kind, Named, Ref, is_id};

/// Where findings of one file go.
pub struct Cx<'f> {
    /// The file being read.
    pub file: FileId,
    /// Where its findings are added.
    pub findings: &'f mut Vec<Finding>,
    /// Every reference read, by the kind it names, also those of entities
    /// later dropped for other errors, so each one is checked.
    pub refs: Vec<(Kind, At<String>)>,
}

impl Cx<'_> {
    /// The location of `span` (byte offsets) in this file.
    pub fn loc(&self, span: std::ops::Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    /// Records `finding`.
    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn schema(&mut self, span: std::ops::Range<usize>, message: String, help: String) {
        let finding = Finding::new(Rule::Schema, self.loc(span), message).help(help);
        self.report(finding);
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

/// One TOML table being read as an entity (or a part of one).
pub struct Table<'a, 'i> {
    /// The table's location (the whole table; `0..0` for a file's root).
    pub loc: Loc,
    /// How messages name this table: "system `erp`", "a [[change.phase]]".
    pub what: String,
    entries: &'a DeTable<'i>,
    asked: Vec<&'static str>,
}

/// "a string", "an integer", ... for messages.
fn kind_of(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(_), None, _) => "a date",
            (None, Some(_), _) => "a time",
            (Some(_), Some(_), None) => "a local date-time",
            _ => "an offset date-time",
        },
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Table<'a, 'i> {
    /// Reads `value` as a table; a schema finding when it is not one.
    pub fn new(cx: &mut Cx, value: &'a Value<'i>, what: String) -> Option<Table<'a, 'i>> {
        match value.get_ref() {
            DeValue::Table(entries) => Some(Table {
                loc: cx.loc(value.span()),
                what,
                entries,
                asked: Vec::new(),
            }),
            other => {
                cx.schema(
                    value.span(),
                    format!("{what} must be a table, found {}", kind_of(other)),
                    "write it as a [table] or an inline { key = value } table".into(),
                );
                None
            }
        }
    }

    /// The root table of a file.
    pub fn root(cx: &Cx, value: &'a Spanned<DeTable<'i>>, what: String) -> Table<'a, 'i> {
        Table {
            loc: cx.loc(0..0),
            what,
            entries: value.get_ref(),
            asked: Vec::new(),
        }
    }

    /// The raw value of `key`, marking the key as known.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.asked.push(key);
        self.entries.get(key)
    }

    /// The location of `key`'s value, if present and an empty array.
    pub fn empty_array(&self, key: &str) -> Option<Loc> {
        let value = self.entries.get(key)?;
        match value.get_ref() {
            DeValue::Array(items) if items.is_empty() => {
                Some(Loc::new(self.loc.file, value.span()))
            }
            _ => None,
        }
    }

    /// Where `key` itself is written (marking it known), if present.
    pub fn key_loc(&mut self, key: &'static str) -> Option<Loc> {
        self.asked.push(key);
        self.entries
            .keys()
            .find(|k| k.get_ref() == key)
            .map(|k| Loc::new(self.loc.file, k.span()))
    }

    /// Whether `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Whether `key` is written as one table (not an array of them).
    pub fn is_table(&self, key: &str) -> bool {
        self.entries
            .get(key)
            .is_some_and(|value| matches!(value.get_ref(), DeValue::Table(_)))
    }

    fn missing(&self, cx: &mut Cx, key: &str, kind: &str) {
        cx.schema(
            self.loc.span.clone(),
            format!("{} has no `{key}`, which is required", self.what),
            format!("add `{key} = ...` ({kind})"),
        );
    }

    fn wrong(&self, cx: &mut Cx, key: &str, value: &Value<'_>, kind: &str) {
        cx.schema(
            value.span(),
            format!(
                "`{key}` of {} must be {kind}, found {}",
                self.what,
                kind_of(value.get_ref())
            ),
            format!("write `{key}` as {kind}"),
        );
    }

    /// A value that must be present when `required`.
    fn get(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
        kind: &str,
    ) -> Option<&'a Value<'i>> {
        let value = self.raw(key);
        if value.is_none() && required {
            self.missing(cx, key, kind);
        }
        value
    }

    /// A string; a schema finding when it is missing but `required`, or not a
    /// string.
    pub fn string(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Option<At<String>> {
        let value = self.get(cx, key, required, "a string")?;
        match value.get_ref() {
            DeValue::String(s) => Some(At::new(s.to_string(), cx.loc(value.span()))),
            _ => {
                self.wrong(cx, key, value, "a string");
                None
            }
        }
    }

    /// A plain text field, at most [`TEXT_LIMIT`] bytes.
    pub fn text(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Option<String> {
        let text = self.string(cx, key, required)?;
        self.bounded(cx, key, &text, false);
        Some(text.value)
    }

    /// A Markdown text field: at most [`TEXT_LIMIT`] bytes, block quotes
    /// and lists nested at most [`NESTING_LIMIT`] deep.
    pub fn markdown(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Option<String> {
        let text = self.string(cx, key, required)?;
        self.bounded(cx, key, &text, true);
        Some(text.value)
    }

    /// A `schema` finding at `key` (or at the list element `text`) when
    /// `text` is longer than [`TEXT_LIMIT`] or, for Markdown, nests deeper
    /// than [`NESTING_LIMIT`]: rendering stays linear within these bounds.
    fn bounded(&mut self, cx: &mut Cx, key: &'static str, text: &At<String>, markdown: bool) {
        let loc = || {
            let at_key = self
                .entries
                .keys()
                .find(|k| k.get_ref() == key)
                .map(|k| Loc::new(self.loc.file, k.span()));
            // A list element is its own place; a field is its key.
            match at_key {
                Some(k)
                    if !matches!(
                        self.entries.get(key).map(|v| v.get_ref()),
                        Some(DeValue::Array(_))
                    ) =>
                {
                    k
                }
                _ => text.loc.clone(),
            }
        };
        if text.value.len() > TEXT_LIMIT {
            cx.report(
                Finding::new(
                    Rule::Schema,
                    loc(),
                    format!(
                        "`{key}` of {} is {} bytes long; a text field holds at most {TEXT_LIMIT}",
                        self.what,
                        text.value.len()
                    ),
                )
                .help("shorten it, and link to a longer document if one is needed"),
            );
        } else if markdown {
            let depth = markdown_nesting(&text.value);
            if depth > NESTING_LIMIT {
                cx.report(
                    Finding::new(
                        Rule::Schema,
                        loc(),
                        format!(
                            "`{key}` of {} nests block quotes and lists {depth} deep; Markdown fields nest at most {NESTING_LIMIT}",
                            self.what
                        ),
                    )
                    .help("flatten the quotes and lists (a line that starts with `>` or `- ` opens one more level)"),
                );
            }
        }
    }

    /// A string that must be of the id form.
    pub fn id(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Option<At<String>> {
        let id = self.string(cx, key, required)?;
        if is_id(&id.value) {
            Some(id)
        } else {
            cx.report(
                Finding::new(Rule::Schema, id.loc.clone(), format!("`{}` is not a valid id", id.value))
                    .help("an id starts with a letter or digit and has at most 64 letters, digits, `.`, `_` or `-`"),
            );
            None
        }
    }

    /// A reference to an entity of kind `K` (an id), recorded in [`Cx::refs`]
    /// to be resolved later.
    pub fn reference<K: Entity>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Option<Ref<K>> {
        let id = self.id(cx, key, required)?;
        cx.refs.push((K::KIND, id.clone()));
        Some(Ref::new(id))
    }

    /// A list of strings; each bad element is its own finding.
    pub fn strings(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Vec<At<String>> {
        let Some(value) = self.get(cx, key, required, "a list of strings") else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong(cx, key, value, "a list of strings, like [\"a\", \"b\"]");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(At::new(s.to_string(), cx.loc(item.span()))),
                other => cx.schema(
                    item.span(),
                    format!(
                        "`{key}` of {} lists {}, where strings belong",
                        self.what,
                        kind_of(other)
                    ),
                    "quote each element: [\"a\", \"b\"]".into(),
                ),
            }
        }
        out
    }

    /// A list of plain texts, each at most [`TEXT_LIMIT`] bytes.
    pub fn texts(&mut self, cx: &mut Cx, key: &'static str) -> Vec<String> {
        self.bounded_texts(cx, key, false)
    }

    /// A list of Markdown texts (steps, checks, triggers), each bounded as
    /// [`Table::markdown`] is.
    pub fn markdowns(&mut self, cx: &mut Cx, key: &'static str) -> Vec<String> {
        self.bounded_texts(cx, key, true)
    }

    fn bounded_texts(&mut self, cx: &mut Cx, key: &'static str, markdown: bool) -> Vec<String> {
        let items = self.strings(cx, key, false);
        for item in &items {
            self.bounded(cx, key, item, markdown);
        }
        items.into_iter().map(|s| s.value).collect()
    }

    /// A list of references to entities of kind `K`, each recorded in
    /// [`Cx::refs`]; an element that is not an id is its own finding.
    pub fn references<K: Entity>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Vec<Ref<K>> {
        let mut out = Vec::new();
        for item in self.strings(cx, key, required) {
            if is_id(&item.value) {
                cx.refs.push((K::KIND, item.clone()));
                out.push(Ref::new(item));
            } else {
                cx.report(
                    Finding::new(Rule::Schema, item.loc.clone(), format!("`{}` is not a valid id", item.value))
                        .help("an id starts with a letter or digit and has at most 64 letters, digits, `.`, `_` or `-`"),
                );
            }
        }
        out
    }

    /// An optional boolean; a schema finding when it is not `true` or
    /// `false`.
    pub fn boolean(&mut self, cx: &mut Cx, key: &'static str) -> Option<At<bool>> {
        let value = self.raw(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(At::new(*b, cx.loc(value.span()))),
            _ => {
                self.wrong(cx, key, value, "true or false");
                None
            }
        }
    }

    /// An optional whole number (any TOML radix); a schema finding when it is
    /// not one or does not fit an `i64`.
    pub fn integer(&mut self, cx: &mut Cx, key: &'static str) -> Option<At<i64>> {
        let value = self.raw(key)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
            }
            _ => None,
        };
        if parsed.is_none() {
            self.wrong(cx, key, value, "a whole number");
        }
        parsed.map(|i| At::new(i, cx.loc(value.span())))
    }

    /// One of the names of `T`.
    pub fn choice<T: Named>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Option<At<T>> {
        let text = self.string(cx, key, required)?;
        match T::from_name(&text.value) {
            Some(value) => Some(At::new(value, text.loc)),
            None => {
                cx.report(
                    Finding::new(
                        Rule::Schema,
                        text.loc,
                        format!("`{}` is not a valid `{key}` of {}", text.value, self.what),
                    )
                    .help(format!("use one of {}", T::names())),
                );
                None
            }
        }
    }

    fn datetime_value(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
        kind: &str,
    ) -> Option<(&'a Value<'i>, toml::value::Datetime)> {
        let value = self.get(cx, key, required, kind)?;
        match value.get_ref() {
            DeValue::Datetime(dt) => Some((value, *dt)),
            _ => {
                self.wrong(cx, key, value, kind);
                None
            }
        }
    }

    /// A TOML local date (no time); an `invalid-time` finding for a date out
    /// of range.
    pub fn date(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Option<At<Date>> {
        const KIND: &str = "a date such as 2026-12-06 (no quotes)";
        let (value, dt) = self.datetime_value(cx, key, required, KIND)?;
        match (dt.date, dt.time) {
            (Some(date), None) => match time::date_from_toml(date) {
                Ok(date) => Some(At::new(date, cx.loc(value.span()))),
                Err(e) => {
                    cx.report(
                        Finding::new(
                            Rule::InvalidTime,
                            cx.loc(value.span()),
                            format!("`{key}` of {}: {e}", self.what),
                        )
                        .help("write a real date between 1900 and 2999, such as 2026-12-06"),
                    );
                    None
                }
            },
            _ => {
                self.wrong(cx, key, value, KIND);
                None
            }
        }
    }

    /// A local or offset date-time.
    pub fn datetime(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Option<At<DateTime>> {
        const KIND: &str =
            "a date-time such as 2026-12-06T02:00:00 (local) or 2026-12-06T01:00:00Z (no quotes)";
        let (value, dt) = self.datetime_value(cx, key, required, KIND)?;
        match time::datetime_from_toml(&dt) {
            Some(Ok(parsed)) => Some(At::new(parsed, cx.loc(value.span()))),
            Some(Err(e)) => {
                cx.report(
                    Finding::new(Rule::InvalidTime, cx.loc(value.span()), format!("`{key}` of {}: {e}", self.what))
                        .help("write a real date and time between 1900 and 2999, such as 2026-12-06T02:00:00"),
                );
                None
            }
            None => {
                self.wrong(cx, key, value, KIND);
                None
            }
        }
    }

    /// A string parsed by `parse`; its failure is an `invalid-time` finding.
    fn parsed<T>(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
        fix: &str,
    ) -> Option<At<T>> {
        let text = self.string(cx, key, required)?;
        match parse(&text.value) {
            Ok(value) => Some(At::new(value, text.loc)),
            Err(message) => {
                cx.report(
                    Finding::new(
                        Rule::InvalidTime,
                        text.loc,
                        format!("`{key}` of {}: {message}", self.what),
                    )
                    .help(fix.to_string()),
                );
                None
            }
        }
    }

    /// A duration string (`"1h30m"`); an `invalid-time` finding when it does
    /// not parse.
    pub fn duration(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Option<At<Duration>> {
        self.parsed(cx, key, required, Duration::parse, time::DURATION_FORM)
    }

    /// A time of day (`"02:00"`, 24-hour clock); an `invalid-time` finding
    /// when it does not parse.
    pub fn time_of_day(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        required: bool,
    ) -> Option<At<Time>> {
        self.parsed(cx, key, required, time::parse_time_of_day, time::TIME_FORM)
    }

    /// An optional IANA zone name (`"Europe/Berlin"`); an `invalid-time`
    /// finding when it is unknown.
    pub fn zone(&mut self, cx: &mut Cx, key: &'static str) -> Option<At<Zone>> {
        self.parsed(cx, key, false, Zone::parse, time::ZONE_FORM)
    }

    /// A sub-table.
    pub fn table(&mut self, cx: &mut Cx, key: &'static str, what: String) -> Option<Table<'a, 'i>> {
        let value = self.raw(key)?;
        Table::new(cx, value, what)
    }

    /// An array of tables (`[[x.key]]` or `key = [{...}]`); with `single`,
    /// one table is accepted too.
    pub fn tables(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
        single: bool,
    ) -> Vec<Table<'a, 'i>> {
        let Some(value) = self.raw(key) else {
            return Vec::new();
        };
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| Table::new(cx, item, what.to_string()))
                .collect(),
            DeValue::Table(_) if single => Table::new(cx, value, what.to_string())
                .into_iter()
                .collect(),
            _ => {
                self.wrong(cx, key, value, "an array of tables");
                Vec::new()
            }
        }
    }

    /// Every entry, for tables whose keys are names (`[rules]`); the caller
    /// checks the keys, so [`Table::finish`] is not called on these.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Value<'i>)> {
        self.entries.iter()
    }

    /// Reports every key that no reader asked for.
    pub fn finish(self, cx: &mut Cx) {
        for key in self.entries.keys() {
            let name: &str = key.get_ref();
            if self.asked.contains(&name) {
                continue;
            }
            let suggestion = crate::base::finding::closest(name, self.asked.iter().copied())
                .map(|known| format!("did you mean `{known}`? "))
                .unwrap_or_default();
            let mut known: Vec<&str> = self.asked.clone();
            known.sort_unstable();
            known.dedup();
            cx.schema(
                key.span(),
                format!("unknown key `{name}` in {}", self.what),
                format!("{suggestion}the keys here are: {}", known.join(", ")),
            );
        }
    }
}
