//! `cutover serve`: build the site into a temporary folder, serve it on
//! 127.0.0.1, rebuild when a file of the inventory (or of the template
//! folders) changes, and reload open pages.
//!
//! The built files stay free of JavaScript: only HTML *responses* get a
//! small script that asks `/__cutover/version` once a second and reloads
//! the page when a rebuild happened. A plan with errors is rendered with
//! its errors shown (as `--allow-errors` does); when the inventory cannot
//! be loaded, every page is replaced by a page listing the errors.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::base::Family;
use crate::check;
use crate::report;
use crate::site;

/// What the server currently serves.
struct State {
    /// The built site, or the text of the errors that stopped it.
    site: Result<PathBuf, String>,
    version: AtomicU64,
}

/// Options of `serve`.
pub struct Options {
    pub inventory: PathBuf,
    pub templates: Option<PathBuf>,
    pub port: u16,
    pub as_of: jiff::civil::Date,
}

const RELOAD: &str = r#"<script>(function(){var v=null;setInterval(function(){fetch("/__cutover/version").then(function(r){return r.text()}).then(function(t){if(v===null){v=t}else if(t!==v){location.reload()}}).catch(function(){})},1000)})();</script>"#;

/// Every file of the inventory and template folders with its size and
/// modification time: a rebuild is due when this changes.
fn fingerprint(dirs: &[&Path]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut files = Vec::new();
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_file()
                && let Ok(meta) = entry.metadata()
            {
                files.push((entry.path().to_path_buf(), meta.len(), meta.modified().ok()));
            }
        }
    }
    files.sort();
    files
}

/// Builds into `out` (a folder of its own); the error text when it cannot.
fn rebuild(options: &Options, out: &Path) -> Result<(), String> {
    let checked = check::check(&options.inventory, options.as_of).map_err(|e| e.0)?;
    if checked
        .findings
        .iter()
        .any(|f| f.rule.family() == Family::Loading)
    {
        return Err(report::human::render(
            &checked.findings,
            &checked.sources,
            false,
        ));
    }
    let inventory_templates = options.inventory.join("templates");
    let mut overrides = vec![inventory_templates.as_path()];
    if let Some(dir) = &options.templates {
        overrides.push(dir.as_path());
    }
    let (tera, style) = site::templates(&overrides)?;
    let outputs = site::render_site(&checked, &tera, &style)?;
    site::write::replace_dir(out, &outputs)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn error_page(errors: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cutover: the site cannot be built</title></head>\
         <body><main><h1>The site cannot be built</h1><p>Fix these errors in the inventory or the templates; the page reloads by itself.</p><pre>{}</pre></main>{RELOAD}</body></html>\n",
        escape(errors)
    )
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/atom+xml",
        Some("ics") => "text/calendar; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Answers one request: a file of the current site, the version, or 404.
fn handle(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut line = String::new();
    let mut reader = BufReader::new(&stream);
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Read the rest of the head: closing a socket with unread data resets
    // the connection, and the client may lose the response.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 0) && header.trim_end() != "" {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(&mut stream, "400 Bad Request", "text/plain", b"bad request");
    };
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only",
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let state = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if path == "/__cutover/version" {
        let version = state.version.load(Ordering::SeqCst).to_string();
        return respond(&mut stream, "200 OK", "text/plain", version.as_bytes());
    }
    let root = match &state.site {
        Ok(root) => root.clone(),
        Err(errors) => {
            let page = error_page(errors);
            return respond(
                &mut stream,
                "200 OK",
                "text/html; charset=utf-8",
                page.as_bytes(),
            );
        }
    };
    drop(state);
    let mut relative = PathBuf::new();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => return respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
        }
    }
    let mut file = root.join(&relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(mut bytes) => {
            let kind = content_type(&file);
            if kind.starts_with("text/html") {
                let text =
                    String::from_utf8_lossy(&bytes).replace("</body>", &format!("{RELOAD}</body>"));
                bytes = text.into_bytes();
            }
            respond(&mut stream, "200 OK", kind, &bytes);
        }
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
    }
}

/// Runs until the process is stopped.
pub fn run(options: Options) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("cutover-serve-{}", std::process::id()));
    let out = work.join("site");
    // Ctrl-C or a termination signal removes the temporary site.
    let cleanup = work.clone();
    ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&cleanup);
        std::process::exit(0);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let first = rebuild(&options, &out);
    let state = Arc::new(Mutex::new(State {
        site: first.map(|()| out.clone()),
        version: AtomicU64::new(1),
    }));
    println!(
        "serving {} on http://{address}/ (Ctrl-C to stop)",
        options.inventory.display()
    );
    let _ = std::io::stdout().flush();

    // The watcher: poll the inventory and template folders.
    let watcher_state = Arc::clone(&state);
    std::thread::spawn(move || {
        let dirs: Vec<PathBuf> = std::iter::once(options.inventory.clone())
            .chain(options.templates.clone())
            .collect();
        let dir_refs = || dirs.iter().map(PathBuf::as_path).collect::<Vec<_>>();
        let mut seen = fingerprint(&dir_refs());
        loop {
            std::thread::sleep(Duration::from_millis(400));
            let now = fingerprint(&dir_refs());
            if now == seen {
                continue;
            }
            seen = now;
            let result = rebuild(&options, &out);
            match &result {
                Ok(()) => eprintln!("rebuilt"),
                Err(_) => eprintln!("the inventory has errors; the page shows them"),
            }
            let mut state = watcher_state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.site = result.map(|()| out.clone());
            state.version.fetch_add(1, Ordering::SeqCst);
        }
    });

    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(&state);
        std::thread::spawn(move || handle(stream, &state));
    }
    Ok(())
}
