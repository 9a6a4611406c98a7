//! `cutover serve` on loopback: it serves the built site, answers the
//! version the pages poll, rebuilds when a file changes, and shows the
//! errors of an inventory that stops loading. Every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The server process, killed when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first, so the server removes its temporary folder.
        // The shell's own `kill`, so no extra package is needed.
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!("kill {}", self.child.id()))
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(inventory: &std::path::Path) -> Server {
    start_with(inventory, None)
}

/// Starts the server, under a limit of open files if one is given (through
/// the shell's `ulimit`, which `exec` keeps for the server).
fn start_with(inventory: &std::path::Path, open_files: Option<u32>) -> Server {
    let bin = assert_cmd::cargo::cargo_bin("cutover");
    let mut command = match open_files {
        None => Command::new(bin),
        Some(limit) => {
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                .arg(bin);
            command
        }
    };
    let mut child = command
        .args(["serve", "--port", "0", "--as-of", AS_OF])
        .arg(inventory)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .expect("the address line")
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    Server { child, address }
}

impl Server {
    fn port(&self) -> &str {
        self.address.rsplit(':').next().unwrap()
    }
}

/// Sends `request` as it is; the whole response (head and body).
fn exchange(server: &Server, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// The status line and the whole head of a response.
fn status_and_head(response: &str) -> (&str, &str) {
    let head = response.split("\r\n\r\n").next().unwrap();
    (head.lines().next().unwrap_or(""), head)
}

fn get(server: &Server, path: &str) -> (String, String) {
    let response = exchange(
        server,
        format!(
            "GET {path} HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    );
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

/// Polls the version until it differs from `old`, for at most 90 s: a
/// bound for a failure, not a timing (the watcher polls every second, and a
/// rebuild of the example on a loaded 2-core machine running the other
/// tests in parallel has taken more than 20 s).
fn wait_for_version(server: &Server, old: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (_, version) = get(server, "/__cutover/version");
        if version != old {
            return version;
        }
        assert!(Instant::now() < deadline, "no rebuild within 90 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn serves_the_site_and_rebuilds_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv");
    cutover().arg("init").arg(&inventory).assert().success();
    let server = start(&inventory);

    let (status, body) = get(&server, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("Upcoming changes"));
    assert!(
        body.contains("/__cutover/version"),
        "served pages reload themselves"
    );
    let (status, _) = get(&server, "/changes/chg-2041/runbook.html");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, _) = get(&server, "/../../etc/passwd");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let (_, version) = get(&server, "/__cutover/version");

    // Rename a change: the page shows the new title after the rebuild.
    let file = inventory.join("changes/chg-2041.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let title_line = text
        .lines()
        .find(|l| l.starts_with("title = "))
        .unwrap()
        .to_string();
    std::fs::write(
        &file,
        text.replacen(&title_line, "title = \"Renamed while serving\"", 1),
    )
    .unwrap();
    let version = wait_for_version(&server, &version);
    let (_, body) = get(&server, "/changes/chg-2041/index.html");
    assert!(body.contains("Renamed while serving"));

    // Break the inventory: every page shows the errors.
    std::fs::write(inventory.join("broken.toml"), "[[team]\n").unwrap();
    wait_for_version(&server, &version);
    let (status, body) = get(&server, "/index.html");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("The site cannot be built"));
    assert!(body.contains("broken.toml"));

    // Stopped, it leaves no temporary site behind.
    let work = std::env::temp_dir().join(format!("cutover-serve-{}", server.child.id()));
    assert!(work.exists());
    drop(server);
    assert!(!work.exists(), "{} was left behind", work.display());
}

/// A server on a fresh copy of the `init` inventory.
fn started() -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv");
    cutover().arg("init").arg(&inventory).assert().success();
    let server = start(&inventory);
    (dir, inventory, server)
}

#[test]
fn requests_for_another_host_are_refused() {
    let (_dir, _inventory, server) = started();
    let port = server.port().to_string();
    // DNS rebinding: a page of evil.example whose name now points here.
    for host in [
        format!("evil.example:{port}"),
        format!("localhost:{}", port.parse::<u16>().unwrap() ^ 1),
        "localhost".to_string(),
    ] {
        let response = exchange(
            &server,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        let (status, _) = status_and_head(&response);
        assert_eq!(status, "HTTP/1.1 421 Misdirected Request", "{host}");
        assert!(!response.contains("Upcoming changes"), "{host}");
    }
    let response = exchange(&server, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(
        status_and_head(&response).0,
        "HTTP/1.1 421 Misdirected Request"
    );
    for host in [format!("127.0.0.1:{port}"), format!("LOCALHOST:{port}")] {
        let response = exchange(
            &server,
            format!("GET / HTTP/1.1\r\nhost: {host}\r\n\r\n").as_bytes(),
        );
        assert_eq!(status_and_head(&response).0, "HTTP/1.1 200 OK", "{host}");
    }
}

#[test]
fn a_request_head_over_8_kb_gets_431() {
    let (_dir, _inventory, server) = started();
    let mut request = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{}\r\nX-Long: ",
        server.port()
    );
    request.push_str(&"a".repeat(9000));
    // No end of the head: the server must not wait for one.
    let started = Instant::now();
    let response = exchange(&server, request.as_bytes());
    assert_eq!(
        status_and_head(&response).0,
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // A head just under the bound is answered.
    let mut request = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{}\r\nX-Long: ",
        server.port()
    );
    request.push_str(&"a".repeat(8000));
    request.push_str("\r\n\r\n");
    assert_eq!(
        status_and_head(&exchange(&server, request.as_bytes())).0,
        "HTTP/1.1 200 OK"
    );
}

#[test]
fn head_answers_the_headers_of_get_without_a_body() {
    let (_dir, _inventory, server) = started();
    let (_, body) = get(&server, "/changes/chg-2041/runbook.html");
    let response = exchange(
        &server,
        format!(
            "HEAD /changes/chg-2041/runbook.html HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    );
    let (head, rest) = response.split_once("\r\n\r\n").unwrap();
    assert_eq!(head.lines().next().unwrap(), "HTTP/1.1 200 OK");
    assert!(
        head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(rest.is_empty(), "HEAD sent a body of {} bytes", rest.len());
}

#[test]
fn a_folder_without_its_slash_redirects_and_paths_stay_inside_the_site() {
    let (_dir, _inventory, server) = started();
    let response = exchange(
        &server,
        format!(
            "GET /changes/chg-2041?x=1 HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    );
    let (status, head) = status_and_head(&response);
    assert_eq!(status, "HTTP/1.1 301 Moved Permanently");
    assert!(
        head.lines().any(|l| l == "Location: /changes/chg-2041/"),
        "{head}"
    );
    let (status, body) = get(&server, "/changes/chg-2041/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("runbook.html"));
    // Percent-encoding is decoded: for a page, and for `..`, refused.
    let (status, _) = get(&server, "/changes/chg%2D2041/runbook%2Ehtml");
    assert_eq!(status, "HTTP/1.1 200 OK");
    for path in [
        "/changes/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/changes/..%2f..%2f..%2f..%2fetc/passwd",
        "/changes/%2E%2E/index.html",
    ] {
        let (status, body) = get(&server, path);
        assert_eq!(status, "HTTP/1.1 404 Not Found", "{path}");
        assert!(!body.contains("root:"), "{path}");
    }
}

#[test]
fn rebuilds_never_leave_a_request_without_its_page() {
    let (_dir, inventory, server) = started();
    let server = std::sync::Arc::new(server);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hammers: Vec<_> = (0..2)
        .map(|_| {
            let (server, stop) = (server.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut answered, mut failed) = (0, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    for path in ["/changes/chg-2041/runbook.html", "/data.json", "/"] {
                        let (status, body) = get(&server, path);
                        if status != "HTTP/1.1 200 OK" || body.is_empty() {
                            failed.push(format!("{path}: {status}"));
                        }
                        answered += 1;
                    }
                }
                (answered, failed)
            })
        })
        .collect();
    let (_, mut version) = get(&server, "/__cutover/version");
    let file = inventory.join("changes/chg-2041.toml");
    for round in 0..3 {
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(&format!("# round {round}\n"));
        std::fs::write(&file, text).unwrap();
        version = wait_for_version(&server, &version);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for hammer in hammers {
        let (count, failed) = hammer.join().unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        answered += count;
    }
    assert!(answered > 30, "only {answered} requests");
}

/// User and system CPU time of process `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
#[cfg(target_os = "linux")]
fn at_the_open_file_limit_the_server_waits_instead_of_spinning() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv");
    cutover().arg("init").arg(&inventory).assert().success();
    let server = start_with(&inventory, Some(40));
    assert_eq!(get(&server, "/").0, "HTTP/1.1 200 OK");
    // Idle connections until the server has no descriptor left: the
    // kernel completes them, but `accept` fails with EMFILE.
    let idle: Vec<TcpStream> = (0..80)
        .map(|_| TcpStream::connect(&server.address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let fds = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
        .unwrap()
        .count();
    assert!(
        fds >= 38,
        "the server was not at its limit: {fds} open files"
    );
    let before = cpu_ticks(server.child.id());
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(server.child.id()) - before;
    let hz: u64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    // Spinning costs most of a core (a whole second); waiting, nothing.
    assert!(spent * 5 < hz, "{spent} ticks of {hz} in one second");
    // Once the connections close, it answers again.
    drop(idle);
    assert_eq!(get(&server, "/").0, "HTTP/1.1 200 OK");
}
