//! Load stage: `cutover.toml`, every key optional, defaults from
//! [`Config::default`].

use toml::de::DeValue;

use crate::base::{Family, Finding, Level, Override, Rule};
use crate::inventory::reader::{Cx, Table};
use crate::model::{Config, MetricKind, Named};

fn schema(cx: &mut Cx, span: std::ops::Range<usize>, message: String, help: &str) {
    let loc = cx.loc(span);
    cx.report(Finding::new(Rule::Schema, loc, message).help(help.to_string()));
}

fn rule_named(
    cx: &mut Cx,
    key: &toml::Spanned<std::borrow::Cow<'_, str>>,
    table: &str,
) -> Option<Rule> {
    let name: &str = key.get_ref();
    match Rule::from_name(name) {
        Some(rule) if rule.family() == Family::Loading => {
            schema(
                cx,
                key.span(),
                format!(
                    "`{name}` is a loading rule: it is always an error and cannot be changed in [{table}]"
                ),
                "remove this line; fix the inventory instead",
            );
            None
        }
        Some(rule) => Some(rule),
        None => {
            let close = crate::base::finding::closest(name, Rule::ALL.iter().map(|r| r.name()))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let help = format!(
                "{close}`cutover explain` lists no rule of this name; rule names are those of rules.md"
            );
            schema(
                cx,
                key.span(),
                format!("[{table}] names `{name}`, which is not a rule"),
                &help,
            );
            None
        }
    }
}

/// Whether `text` is an absolute http(s) URL as feeds and calendars can
/// carry it: `http://` or `https://`, a host, and only characters RFC 3986
/// allows in a URI (no space, quote, angle bracket, backslash or control
/// character; others %-encoded).
fn is_http_url(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&()*+,;=%".contains(c);
    !host.is_empty() && !host.starts_with(':') && rest.chars().all(allowed)
}

/// Whether `text` is a well-formed BCP 47 (RFC 5646) language tag: parts
/// of 1 to 8 letters and digits joined by `-`, the first a language of 2,
/// 3 or 5 to 8 letters (or `x`/`i` and more parts), a one-letter part
/// always followed by another.
fn is_language_tag(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let well_formed = parts
        .iter()
        .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let first = parts[0];
    let language = first.bytes().all(|b| b.is_ascii_alphabetic())
        && (matches!(first.len(), 2 | 3 | 5..=8)
            || (first.len() == 1 && matches!(first, "x" | "X" | "i" | "I") && parts.len() > 1));
    let singletons_lead = parts
        .iter()
        .enumerate()
        .all(|(i, p)| p.len() != 1 || i + 1 < parts.len());
    well_formed && language && singletons_lead
}

/// Reads the root table of `cutover.toml`.
pub fn read(cx: &mut Cx, mut root: Table) -> Config {
    let mut config = Config::default();

    if let Some(mut site) = root.table(cx, "site", "[site]".into()) {
        if let Some(title) = site.text(cx, "title", false) {
            config.site.title = title;
        }
        if let Some(url) = site.string(cx, "base_url", false) {
            if is_http_url(&url.value) {
                let mut value = url.value;
                if !value.ends_with('/') {
                    value.push('/');
                }
                config.site.base_url = Some(value);
            } else {
                cx.report(
                    Finding::new(Rule::Schema, url.loc, format!("`base_url` `{}` is not an absolute http(s) address", url.value.escape_debug()))
                        .help("write the address the site is published at, such as \"https://intranet.example.com/changes/\" (spaces, quotes and other characters an address cannot hold written %-encoded, such as %20)"),
                );
            }
        }
        if let Some(id) = site.string(cx, "id", false) {
            let fits = !id.value.is_empty()
                && id.value.len() <= 200
                && !id
                    .value
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control());
            if fits {
                config.site.id = Some(id.value);
            } else {
                cx.report(
                    Finding::new(Rule::Schema, id.loc, format!("`id` `{}` of [site] is not a usable site id", id.value.escape_debug()))
                        .help("write a short name without spaces that no other site uses, such as your intranet's host name: \"changes.example.com\""),
                );
            }
        }
        if let Some(zone) = site.zone(cx, "timezone") {
            config.site.timezone = zone.value;
        }
        if let Some(language) = site.string(cx, "language", false) {
            if is_language_tag(&language.value) {
                config.site.language = language.value;
            } else {
                cx.report(
                    Finding::new(
                        Rule::Schema,
                        language.loc,
                        format!(
                            "`language` `{}` is not a BCP 47 language tag",
                            language.value.escape_debug()
                        ),
                    )
                    .help("write a tag such as \"en\", \"de-CH\" or \"pt-BR\" (letters and digits in parts of up to 8, joined by `-`)"),
                );
            }
        }
        if let Some(url) = site.string(cx, "rules_url", false) {
            if url.value.starts_with("https://") || url.value.starts_with("http://") {
                config.site.rules_url = Some(url.value);
            } else {
                cx.report(
                    Finding::new(Rule::Schema, url.loc, format!("`rules_url` `{}` is not an absolute http(s) address", url.value))
                        .help("write where the rule pages are published, `{rule}` standing for a rule's name: \"https://git.example.com/cutover/blob/main/docs/rules/{rule}.md\""),
                );
            }
        }
        site.finish(cx);
    }

    if let Some(mut policy) = root.table(cx, "policy", "[policy]".into()) {
        let p = &mut config.policy;
        for (key, slot) in [
            ("notice", &mut p.notice),
            ("health_max_age", &mut p.health_max_age),
            ("monitoring", &mut p.monitoring),
            ("min_soak", &mut p.min_soak),
        ] {
            if let Some(d) = policy.duration(cx, key, false) {
                *slot = d.value;
            }
        }
        if policy.has("required_metrics") {
            let names = policy.strings(cx, "required_metrics", false);
            p.required_metrics.clear();
            for name in names {
                match MetricKind::from_name(&name.value) {
                    Some(kind) if !p.required_metrics.contains(&kind) => {
                        p.required_metrics.push(kind)
                    }
                    Some(_) => {}
                    None => cx.report(
                        Finding::new(
                            Rule::Schema,
                            name.loc,
                            format!("`{}` is not a metric kind", name.value),
                        )
                        .help(format!("use any of {}", MetricKind::names())),
                    ),
                }
            }
        }
        policy.finish(cx);
    }

    if let Some(rules) = root.table(cx, "rules", "[rules]".into()) {
        for (key, value) in rules.entries() {
            let Some(rule) = rule_named(cx, key, "rules") else {
                continue;
            };
            let level = match value.get_ref() {
                DeValue::String(s) => match s.as_ref() {
                    "error" => Some(Override::Level(Level::Error)),
                    "warning" => Some(Override::Level(Level::Warning)),
                    "info" => Some(Override::Level(Level::Info)),
                    "off" => Some(Override::Off),
                    _ => None,
                },
                _ => None,
            };
            match level {
                Some(level) => {
                    config.rules.insert(rule, level);
                }
                None => schema(
                    cx,
                    value.span(),
                    format!(
                        "the level of `{rule}` must be \"error\", \"warning\", \"info\" or \"off\""
                    ),
                    "write for example `peak-overlap = \"error\"`",
                ),
            }
        }
    }

    if let Some(mut risk) = root.table(cx, "risk", "[risk]".into()) {
        let mut thresholds = Vec::new();
        for key in ["medium", "high", "critical"] {
            if let Some(n) = risk.integer(cx, key) {
                if (0..=100).contains(&n.value) {
                    let slot = match key {
                        "medium" => &mut config.risk.medium,
                        "high" => &mut config.risk.high,
                        _ => &mut config.risk.critical,
                    };
                    *slot = n.value as u32;
                    thresholds.push(n);
                } else {
                    schema(
                        cx,
                        n.loc.span,
                        format!("the `{key}` threshold must be between 0 and 100"),
                        "scores go from 0 to 100",
                    );
                }
            }
        }
        let r = &config.risk;
        if !(r.medium < r.high && r.high < r.critical) {
            let span = thresholds
                .last()
                .map_or(risk.loc.span.clone(), |n| n.loc.span.clone());
            schema(
                cx,
                span,
                format!(
                    "risk thresholds must rise: medium {} < high {} < critical {}",
                    r.medium, r.high, r.critical
                ),
                "the defaults are medium = 25, high = 50, critical = 75",
            );
        }
        if let Some(weights) = risk.table(cx, "weights", "[risk.weights]".into()) {
            for (key, value) in weights.entries() {
                let Some(rule) = rule_named(cx, key, "risk.weights") else {
                    continue;
                };
                // The score counts risk and schedule rules only (rules.md).
                if !matches!(rule.family(), Family::Risk | Family::Schedule) {
                    schema(
                        cx,
                        key.span(),
                        format!("`{rule}` does not count in the risk score, so it has no weight"),
                        "weights apply to the risk and schedule rules; remove this line",
                    );
                    continue;
                }
                let points = match value.get_ref() {
                    DeValue::Integer(i) => {
                        i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
                    }
                    _ => None,
                };
                match points {
                    Some(points) if (0..=100).contains(&points) => {
                        config.risk.weights.insert(rule, points as u32);
                    }
                    _ => schema(
                        cx,
                        value.span(),
                        format!("the weight of `{rule}` must be a whole number from 0 to 100"),
                        "write for example `no-backup = 30`",
                    ),
                }
            }
        }
        risk.finish(cx);
    }

    if let Some(mut export) = root.table(cx, "export", "[export]".into()) {
        if let Some(mut argocd) = export.table(cx, "argocd", "[export.argocd]".into()) {
            read_argocd(cx, &mut argocd, &mut config.export.argocd);
            argocd.finish(cx);
        }
        export.finish(cx);
    }

    root.finish(cx);
    config
}

/// Whether `name` can name Argo CD applications: a Kubernetes name
/// (lowercase letters, digits, `-`, `.`), or a pattern of one with `*`.
fn is_application_pattern(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'*')
        })
}

/// `[export.argocd]`: `project`, `namespace`, and `[export.argocd.applications]`
/// mapping system ids to the applications that deploy them.
fn read_argocd(cx: &mut Cx, argocd: &mut Table, out: &mut crate::model::ArgoCd) {
    for (key, slot) in [
        ("project", &mut out.project),
        ("namespace", &mut out.namespace),
    ] {
        if let Some(name) = argocd.string(cx, key, false) {
            if is_application_pattern(&name.value) && !name.value.contains('*') {
                *slot = name.value;
            } else {
                cx.report(
                    Finding::new(Rule::Schema, name.loc, format!("`{key}` `{}` is not a Kubernetes name", name.value))
                        .help("use lowercase letters, digits, `-` and `.`, as the AppProject's metadata does"),
                );
            }
        }
    }
    let Some(applications) =
        argocd.table(cx, "applications", "[export.argocd.applications]".into())
    else {
        return;
    };
    for (key, value) in applications.entries() {
        let id: &str = key.get_ref();
        let id_loc = cx.loc(key.span());
        if !crate::model::is_id(id) {
            cx.report(
                Finding::new(
                    Rule::Schema,
                    id_loc,
                    format!("`{id}` is not a valid system id"),
                )
                .help("each key of [export.argocd.applications] is the id of a system"),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            schema(
                cx,
                value.span(),
                format!("the applications of `{id}` must be a list of names"),
                "write for example `wms = [\"wms-prod\", \"wms-worker\"]`",
            );
            continue;
        };
        let mut names = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(name) if is_application_pattern(name) => names.push(
                    crate::base::source::At::new(name.to_string(), cx.loc(item.span())),
                ),
                _ => schema(
                    cx,
                    item.span(),
                    format!("an application of `{id}` must be an Argo CD application name"),
                    "quote each name; use lowercase letters, digits, `-`, `.` (and `*` as a wildcard)",
                ),
            }
        }
        let system = crate::base::source::At::new(id.to_string(), id_loc);
        cx.refs.push((crate::model::Kind::System, system.clone()));
        out.applications.push(crate::model::Applications {
            system: crate::model::Ref::new(system),
            names,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_must_be_an_absolute_http_address() {
        for good in [
            "https://intranet.example.com/changes/",
            "http://localhost:8000",
            "https://user@host.example/a%20b/?q=1#x",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "https://intra net.example/",
            "https://x.example/\"onmouseover=\"",
            "https://x.example/\r\nX-Injected: 1",
            "https://x.example/'",
            "https://x.example/<b>",
            "https:///path",
            "https://:80/",
            "ftp://x.example/",
            "/changes/",
            "intranet.example.com",
            "https://é.example/",
        ] {
            assert!(!is_http_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn language_must_be_a_bcp47_tag() {
        for good in [
            "en",
            "de-CH",
            "pt-BR",
            "zh-Hant-TW",
            "sr-Latn",
            "es-419",
            "x-klingon",
            "en-US-x-twain",
        ] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "english language",
            "en_US",
            "en-",
            "-en",
            "en--us",
            "1en",
            "toolongtag",
            "en-x",
            "de\"><script>",
        ] {
            assert!(!is_language_tag(bad), "{bad:?}");
        }
    }
}
