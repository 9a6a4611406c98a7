"""Renders pages of a built cutover site in headless Chromium and fails when
one scrolls sideways: for each page and width, the page's own width
(document.documentElement.scrollWidth) must not exceed the viewport
(innerWidth). Speaks the DevTools protocol over --remote-debugging-pipe
(file descriptors 3 and 4, NUL-terminated JSON), so it needs nothing but
the standard library and a Chromium binary.

usage: render_check.py CHROMIUM SITE PAGE... [--widths 390,1280] [--shots DIR]
"""
import base64
import fcntl
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile

TIMEOUT = 60


class Browser:
    def __init__(self, binary):
        self.profile = tempfile.TemporaryDirectory()
        # Chromium reads commands on fd 3 and writes answers on fd 4. The
        # child's ends are moved above 10 first, so that putting them on 3
        # and 4 cannot overwrite one with the other.
        child_in, self.out = os.pipe()
        self.inp, child_out = os.pipe()
        high_in = fcntl.fcntl(child_in, fcntl.F_DUPFD_CLOEXEC, 10)
        high_out = fcntl.fcntl(child_out, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(child_in)
        os.close(child_out)

        def pipes():
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=pipes,
        )
        os.close(high_in)
        os.close(high_out)
        self.next_id = 0
        self.buffer = b""

    def _read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.inp, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        return self.next_id

    def call(self, method, params=None, session=None):
        want = self.send(method, params, session)
        while True:
            message = self._read()
            if message.get("id") == want:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_event(self, name, session):
        while True:
            message = self._read()
            if message.get("method") == name and message.get("sessionId") == session:
                return message

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=TIMEOUT)
        except Exception:
            self.proc.kill()
        self.profile.cleanup()


def timed_out(signum, frame):
    raise TimeoutError(f"chromium did not answer within {TIMEOUT} s")


def measure(browser, url, width, shot=None):
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call(
        "Target.attachToTarget", {"targetId": target, "flatten": True}
    )["sessionId"]
    browser.call("Page.enable", session=session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    browser.call("Page.navigate", {"url": url}, session=session)
    browser.wait_event("Page.loadEventFired", session)
    result = browser.call(
        "Runtime.evaluate",
        {
            "expression": "JSON.stringify([document.documentElement.scrollWidth,"
            " innerWidth, document.documentElement.scrollHeight])",
            "returnByValue": True,
        },
        session=session,
    )
    scroll, inner, height = json.loads(result["result"]["value"])
    if shot:
        data = browser.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True},
            session=session,
        )["data"]
        pathlib.Path(shot).write_bytes(base64.b64decode(data))
    browser.call("Target.closeTarget", {"targetId": target})
    return scroll, inner, height


def main(argv):
    args = list(argv)
    widths = [390, 1280]
    shots = None
    if "--widths" in args:
        i = args.index("--widths")
        widths = [int(w) for w in args[i + 1].split(",")]
        del args[i : i + 2]
    if "--shots" in args:
        i = args.index("--shots")
        shots = pathlib.Path(args[i + 1])
        shots.mkdir(parents=True, exist_ok=True)
        del args[i : i + 2]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, site, pages = args[0], pathlib.Path(args[1]).resolve(), args[2:]
    failures = []
    signal.signal(signal.SIGALRM, timed_out)
    browser = Browser(binary)
    try:
        for page in pages:
            path = site / page
            if not path.is_file():
                failures.append(f"{page}: no such page")
                continue
            for width in widths:
                shot = None
                if shots:
                    shot = shots / f"{page.replace('/', '_').removesuffix('.html')}-{width}.png"
                signal.alarm(TIMEOUT)
                scroll, inner, height = measure(browser, path.as_uri(), width, shot)
                signal.alarm(0)
                verdict = "ok" if scroll <= inner else "OVERFLOWS"
                print(f"render_check: {page} at {width} px: scrollWidth {scroll}, innerWidth {inner}, height {height}: {verdict}")
                if scroll > inner:
                    failures.append(f"{page} at {width} px scrolls sideways ({scroll} > {inner})")
    finally:
        browser.close()
    for failure in failures:
        print(f"render_check: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
