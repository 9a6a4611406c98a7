//! `cutover serve`: build the site into a temporary folder, serve it on
//! 127.0.0.1, rebuild when a file of the inventory (or of the template
//! folders) changes, and reload open pages.
//!
//! The built files stay free of JavaScript: only HTML *responses* get a
//! small script that asks `/__cutover/version` once a second and reloads
//! the page when a rebuild happened. A plan with errors is rendered with
//! its errors shown (as `--allow-errors` does); when the inventory cannot
//! be loaded, every page is replaced by a page listing the errors.
//!
//! The server answers only requests addressed to `127.0.0.1:PORT` or
//! `localhost:PORT` (so a web page cannot read the plan through DNS
//! rebinding), reads at most 8 KB of a request head, and serves each
//! version of the site from a folder of its own: a rebuild never changes a
//! tree that a request may be reading.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::base::Family;
use crate::check;
use crate::report;
use crate::site;

/// The most a request head (request line and headers) may take.
const HEAD_LIMIT: usize = 8 * 1024;

/// How long a client has to send its request head.
const HEAD_TIME: Duration = Duration::from_secs(10);

/// The pause after a failed `accept` (at the open-file limit, say), so the
/// loop waits for a free descriptor instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// One built version of the site, in a folder of its own: the folder is
/// removed when the last request reading it ends.
struct Site(PathBuf);

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the server currently serves.
struct State {
    /// The built site, or the text of the errors that stopped it.
    site: Result<Arc<Site>, Arc<str>>,
    version: u64,
}

impl State {
    /// What a request starting now serves, with the lock held briefly.
    fn current(state: &Mutex<State>) -> (Result<Arc<Site>, Arc<str>>, u64) {
        let state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (state.site.clone(), state.version)
    }

    /// Serves `site` from now on. The previous tree goes when the last
    /// request still reading it ends, never under the lock.
    fn publish(state: &Mutex<State>, site: Result<Arc<Site>, Arc<str>>) {
        let previous = {
            let mut state = state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.version += 1;
            std::mem::replace(&mut state.site, site)
        };
        drop(previous);
    }
}

/// Options of `serve`.
pub struct Options {
    /// The inventory folder, watched for changes.
    pub inventory: PathBuf,
    /// A folder of template overrides (`--templates`), watched too; `None`:
    /// the built-in templates and `<INVENTORY>/templates/` only.
    pub templates: Option<PathBuf>,
    /// The port on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// The as-of date of every rebuild.
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

/// Builds into `out`, a new folder nobody reads yet; the error text when
/// it cannot.
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
    let overrides = site::template_overrides(&options.inventory, options.templates.as_deref())?;
    let overrides: Vec<&Path> = overrides.iter().map(PathBuf::as_path).collect();
    let templates = site::templates(&overrides)?;
    site::write::write_new_with(out, |sink| {
        site::render_into(&checked, &templates, sink).map(|_| ())
    })
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

/// An answer, before it is sent.
#[derive(Debug)]
struct Response {
    status: &'static str,
    kind: &'static str,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: &'static str, body: &str) -> Response {
        Response {
            status,
            kind: "text/plain; charset=utf-8",
            location: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn not_found() -> Response {
        Response::text("404 Not Found", "not found")
    }

    /// Sends it; a HEAD request gets the same head and no body.
    fn send(&self, stream: &mut TcpStream, head_only: bool) {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
            self.status,
            self.kind,
            self.body.len()
        );
        if let Some(location) = &self.location {
            head.push_str(&format!("Location: {location}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        if !head_only {
            let _ = stream.write_all(&self.body);
        }
    }
}

/// Why no request head could be read.
#[derive(Debug, PartialEq)]
enum HeadError {
    /// Longer than [`HEAD_LIMIT`].
    TooLarge,
    /// Closed, failed or too slow before the head ended.
    Incomplete,
}

/// Where the head ends (the empty line), if it has.
fn head_end(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find_map(|i| {
        if bytes[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if bytes[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

/// Reads the request head, never holding more than [`HEAD_LIMIT`] bytes
/// and never waiting longer than [`HEAD_TIME`] in all.
fn read_head(
    stream: &mut impl Read,
    mut set_timeout: impl FnMut(Duration),
) -> Result<Vec<u8>, HeadError> {
    let deadline = Instant::now() + HEAD_TIME;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let room = HEAD_LIMIT - head.len();
        if room == 0 {
            return Err(HeadError::TooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::Incomplete);
        }
        set_timeout(left);
        let n = match stream.read(&mut chunk[..room.min(1024)]) {
            Ok(0) | Err(_) => return Err(HeadError::Incomplete),
            Ok(n) => n,
        };
        // The end may straddle two reads.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&head[from..]) {
            head.truncate(from + end);
            return Ok(head);
        }
    }
}

/// Reads and drops what the client still sends (a bounded amount, for a
/// bounded time), so closing does not reset the connection before the
/// client has read the answer.
fn drain(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut chunk = [0u8; 8192];
    let mut total = 0usize;
    while total < 1 << 20 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n,
        }
    }
}

/// Whether `host` (a `Host` header) names this server: `127.0.0.1` or
/// `localhost` with its port (without one only on port 80, the default).
fn host_allowed(host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, given) = match host.rsplit_once(':') {
        Some((name, given)) => (name, Some(given)),
        None => (host.as_str(), None),
    };
    let port_matches = match given {
        Some(given) => given == port.to_string(),
        None => port == 80,
    };
    matches!(name, "127.0.0.1" | "localhost") && port_matches
}

/// The bytes of a percent-encoded path; `None` for a malformed escape.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    Some(decoded)
}

/// A path segment as it may appear in a `Location` header.
fn percent_encode(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The segments of a request path, decoded; `Err` with the answer for a
/// path that is malformed or leaves the site (`..`, encoded or not).
fn segments(path: &str) -> Result<Vec<String>, Response> {
    let bad = || Response::text("400 Bad Request", "bad request");
    let decoded = percent_decode(path).ok_or_else(bad)?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Response::not_found()),
            _ if segment.contains(['\\', '\0']) => return Err(Response::not_found()),
            _ => segments.push(segment.to_string()),
        }
    }
    Ok(segments)
}

/// The answer to one request head: a file of the current site, the
/// version, a redirect to a folder's slash form, or an error.
fn answer(head: &[u8], port: u16, state: &Mutex<State>) -> Response {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Response::text("400 Bad Request", "bad request");
    };
    let hosts: Vec<&str> = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value)
        .collect();
    if !matches!(hosts[..], [host] if host_allowed(host, port)) {
        return Response::text(
            "421 Misdirected Request",
            &format!(
                "this server answers only to http://127.0.0.1:{port}/ and http://localhost:{port}/\n"
            ),
        );
    }
    if method != "GET" && method != "HEAD" {
        return Response::text("405 Method Not Allowed", "GET only");
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if !path.starts_with('/') {
        return Response::text("400 Bad Request", "bad request");
    }
    let segments = match segments(path) {
        Ok(segments) => segments,
        Err(response) => return response,
    };
    let (site, version) = State::current(state);
    if segments == ["__cutover", "version"] {
        return Response::text("200 OK", &version.to_string());
    }
    let site = match site {
        Ok(site) => site,
        Err(errors) => {
            return Response {
                status: "200 OK",
                kind: "text/html; charset=utf-8",
                location: None,
                body: error_page(&errors).into_bytes(),
            };
        }
    };
    let mut file = site.0.clone();
    file.extend(&segments);
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links of the folder's page need the slash form.
            let location: String = segments
                .iter()
                .map(|s| format!("/{}", percent_encode(s)))
                .collect();
            return Response {
                location: Some(format!("{location}/")),
                ..Response::text("301 Moved Permanently", "moved")
            };
        }
        file.push("index.html");
    }
    // `site` stays held until the file is read: a rebuild meanwhile
    // leaves this tree in place.
    let Ok(mut bytes) = std::fs::read(&file) else {
        return Response::not_found();
    };
    let kind = content_type(&file);
    if kind.starts_with("text/html") {
        let text = String::from_utf8_lossy(&bytes).replace("</body>", &format!("{RELOAD}</body>"));
        bytes = text.into_bytes();
    }
    Response {
        status: "200 OK",
        kind,
        location: None,
        body: bytes,
    }
}

/// Answers one connection.
fn handle(mut stream: TcpStream, port: u16, state: &Mutex<State>) {
    let timeouts = stream.try_clone();
    let head = read_head(&mut stream, |left| {
        if let Ok(s) = &timeouts {
            let _ = s.set_read_timeout(Some(left));
        }
    });
    match head {
        Ok(head) => {
            let head_only = head.starts_with(b"HEAD ");
            answer(&head, port, state).send(&mut stream, head_only);
        }
        Err(HeadError::TooLarge) => {
            Response::text(
                "431 Request Header Fields Too Large",
                "request head over 8 KB",
            )
            .send(&mut stream, false);
            drain(&mut stream);
        }
        Err(HeadError::Incomplete) => {}
    }
}

/// Runs until the process is stopped.
pub fn run(options: Options) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("cutover-serve-{}", std::process::id()));
    // Ctrl-C or a termination signal removes the temporary sites.
    let cleanup = work.clone();
    ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&cleanup);
        std::process::exit(0);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // Each version of the site in a folder of its own.
    let build = move |options: &Options, version: u64| {
        let out = work.join(format!("site-{version}"));
        rebuild(options, &out)
            .map(|()| Arc::new(Site(out)))
            .map_err(Arc::<str>::from)
    };
    let dirs: Vec<PathBuf> = std::iter::once(options.inventory.clone())
        .chain(options.templates.clone())
        .collect();
    // Taken before the first build reads the files, so that a change made
    // while it runs, or before the watcher's first look, is a change.
    let first_seen = fingerprint(&dirs.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let state = Arc::new(Mutex::new(State {
        site: build(&options, 1),
        version: 1,
    }));
    println!(
        "serving {} on http://{address}/ (Ctrl-C to stop)",
        options.inventory.display()
    );
    let _ = std::io::stdout().flush();

    // The watcher: poll the inventory and template folders.
    let watcher_state = Arc::clone(&state);
    std::thread::spawn(move || {
        let dir_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let mut seen = first_seen;
        let mut built = 1;
        loop {
            std::thread::sleep(Duration::from_millis(400));
            let now = fingerprint(&dir_refs);
            if now == seen {
                continue;
            }
            seen = now;
            built += 1;
            let result = build(&options, built);
            match &result {
                Ok(_) => eprintln!("rebuilt"),
                Err(_) => eprintln!("the inventory has errors; the page shows them"),
            }
            State::publish(&watcher_state, result);
        }
    });

    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of descriptors, most likely: wait for one to be freed.
            std::thread::sleep(ACCEPT_BACKOFF);
            continue;
        };
        let state = Arc::clone(&state);
        let port = address.port();
        let spawned = std::thread::Builder::new().spawn(move || handle(stream, port, &state));
        if spawned.is_err() {
            std::thread::sleep(ACCEPT_BACKOFF);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Vec<u8>, HeadError> {
        read_head(&mut std::io::Cursor::new(bytes), |_| {})
    }

    #[test]
    fn the_head_ends_at_the_empty_line_and_stops_at_8_kb() {
        let head = b"GET / HTTP/1.1\r\nHost: localhost:1\r\n\r\n";
        let mut sent = head.to_vec();
        sent.extend_from_slice(b"next request");
        assert_eq!(read(&sent).unwrap(), head);
        assert_eq!(read(b"GET / HTTP/1.0\n\n").unwrap(), b"GET / HTTP/1.0\n\n");
        assert_eq!(read(b"GET / HTTP/1.1\r\n"), Err(HeadError::Incomplete));
        // 8 KB of header without its end: refused after reading 8 KB, not
        // the megabyte offered.
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.resize(1 << 20, b'a');
        let mut cursor = std::io::Cursor::new(huge);
        assert_eq!(read_head(&mut cursor, |_| {}), Err(HeadError::TooLarge));
        assert_eq!(cursor.position(), HEAD_LIMIT as u64);
        // Exactly at the limit is still a head.
        let mut full = b"GET / HTTP/1.1\r\nX: ".to_vec();
        full.resize(HEAD_LIMIT - 4, b'a');
        full.extend_from_slice(b"\r\n\r\n");
        assert_eq!(read(&full).unwrap().len(), HEAD_LIMIT);
    }

    #[test]
    fn only_this_servers_own_names_and_port_are_hosts() {
        assert!(host_allowed("127.0.0.1:8000", 8000));
        assert!(host_allowed(" LocalHost:8000 ", 8000));
        assert!(host_allowed("localhost", 80));
        assert!(!host_allowed("localhost", 8000));
        assert!(!host_allowed("localhost:8001", 8000));
        assert!(!host_allowed("evil.example:8000", 8000));
        assert!(!host_allowed("localhost.evil.example:8000", 8000));
        assert!(!host_allowed("127.0.0.2:8000", 8000));
        assert!(!host_allowed("[::1]:8000", 8000));
        assert!(!host_allowed("", 8000));
    }

    #[test]
    fn paths_are_decoded_and_may_not_leave_the_site() {
        assert_eq!(
            segments("/changes/chg%2D2041/./runbook.html").unwrap(),
            ["changes", "chg-2041", "runbook.html"]
        );
        assert_eq!(segments("//a//b/").unwrap(), ["a", "b"]);
        for path in [
            "/../etc/passwd",
            "/a/%2e%2e/%2E%2E/etc",
            "/a%2f..%2fb",
            "/a%00",
        ] {
            assert_eq!(
                segments(path).unwrap_err().status,
                "404 Not Found",
                "{path}"
            );
        }
        for path in ["/%zz", "/%2", "/%ff"] {
            assert_eq!(
                segments(path).unwrap_err().status,
                "400 Bad Request",
                "{path}"
            );
        }
        assert_eq!(percent_encode("chg 1/é"), "chg%201%2F%C3%A9");
    }

    fn state_with(dir: &Path) -> Mutex<State> {
        Mutex::new(State {
            site: Ok(Arc::new(Site(dir.to_path_buf()))),
            version: 1,
        })
    }

    #[test]
    fn a_request_keeps_the_tree_it_started_with() {
        let work = tempfile::tempdir().unwrap();
        let (one, two) = (work.path().join("site-1"), work.path().join("site-2"));
        for dir in [&one, &two] {
            std::fs::create_dir(dir).unwrap();
            std::fs::write(dir.join("a.txt"), dir.display().to_string()).unwrap();
        }
        let state = state_with(&one);
        // A request in flight holds the first version.
        let (held, version) = State::current(&state);
        assert_eq!(version, 1);
        State::publish(&state, Ok(Arc::new(Site(two.clone()))));
        let (now, version) = State::current(&state);
        assert_eq!(version, 2);
        assert_eq!(now.unwrap().0, two);
        // The first tree is whole while held, and gone once let go.
        let held = held.unwrap();
        assert!(held.0.join("a.txt").is_file());
        drop(held);
        assert!(!one.exists());
        assert!(two.join("a.txt").is_file());
        // Errors replace the site; the last version's tree goes with it.
        State::publish(&state, Err(Arc::from("broken")));
        assert!(!two.exists());
    }

    fn ask(head: &str, state: &Mutex<State>) -> Response {
        answer(head.as_bytes(), 8000, state)
    }

    #[test]
    fn answers_check_the_host_and_redirect_folders_to_their_slash_form() {
        let work = tempfile::tempdir().unwrap();
        let site = work.path().join("site-1");
        std::fs::create_dir_all(site.join("changes/chg 1")).unwrap();
        std::fs::write(site.join("changes/chg 1/index.html"), "<body></body>").unwrap();
        let state = state_with(&site);
        let get = |path: &str| {
            ask(
                &format!("GET {path} HTTP/1.1\r\nHost: localhost:8000\r\n\r\n"),
                &state,
            )
        };

        let folder = get("/changes/chg%201?x=1");
        assert_eq!(folder.status, "301 Moved Permanently");
        assert_eq!(folder.location.as_deref(), Some("/changes/chg%201/"));
        // A doubled slash must not become a link to another host.
        assert_eq!(get("//changes").location.as_deref(), Some("/changes/"));
        let page = get("/changes/chg%201/");
        assert_eq!(page.status, "200 OK");
        assert!(
            String::from_utf8(page.body)
                .unwrap()
                .contains("/__cutover/version")
        );
        assert_eq!(get("/__cutover/version").body, b"1");

        for head in [
            "GET / HTTP/1.1\r\nHost: evil.example:8000\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: localhost:8000\r\nHost: evil.example\r\n\r\n",
            "GET /__cutover/version HTTP/1.1\r\nHost: localhost:8001\r\n\r\n",
        ] {
            assert_eq!(
                ask(head, &state).status,
                "421 Misdirected Request",
                "{head}"
            );
        }
        let other = ask(
            "GET http://localhost:8000/ HTTP/1.1\r\nHost: localhost:8000\r\n\r\n",
            &state,
        );
        assert_eq!(other.status, "400 Bad Request");
    }
}
