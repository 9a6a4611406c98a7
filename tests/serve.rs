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
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("cutover"))
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
        .trim()
        .trim_end_matches('/')
        .to_string();
    let address = address
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    Server { child, address }
}

fn get(server: &Server, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

/// Polls the version until it differs from `old`, for at most 20 s.
fn wait_for_version(server: &Server, old: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, version) = get(server, "/__cutover/version");
        if version != old {
            return version;
        }
        assert!(Instant::now() < deadline, "no rebuild within 20 s");
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
