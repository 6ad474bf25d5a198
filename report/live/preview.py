"""`report preview`: the HTML briefing served on loopback, reloaded on every save.

* The server is the standard library's `ThreadingHTTPServer`, bound to 127.0.0.1 only. It
  serves the page at `/` and a stream of server-sent events at `/events`, which the page
  reads with the browser's own `EventSource` (reconnecting by itself if the stream drops).
* The page is the briefing exactly as `report build --format html` writes it, plus, as it
  is served, one script and `connect-src 'self'` in its Content-Security-Policy so the
  script may open the event stream. output/briefing.html never has either.
* Two events: `reload` {version} when a save gave a new page, and `problems` {version,
  title, lines} when a save could not be built. Every page knows its version. A stream that opens
  is told the current state at once, so a page behind reloads, and a page whose inputs are
  bad shows the problems over itself (as text, never as HTML) until a good save.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ..build import BuildOptions
from ..escape import html_text
from ..load.files import InputFiles

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
KEEP_ALIVE = 15.0  # seconds between comments on a quiet stream, so a closed tab is noticed
RETRY_MS = 500  # how soon the browser reconnects after the stream drops

# What the page shows before the first good save; its words are in the label catalogue.
PLACEHOLDER = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'none'; style-src 'unsafe-inline'">
<title>%(title)s</title>
</head>
<body style="font-family: sans-serif; margin: 2em">
<p>%(waiting)s</p>
</body>
</html>
"""

# Reloads the page when the server has a newer one, keeping the scroll position, and shows
# a save's problems over the last good page. Problem lines are set as text, never as HTML.
RELOAD_SCRIPT = """
(function () {
  "use strict";
  var version = %(version)s, key = "report-preview-scroll", box = null;
  try {
    var y = sessionStorage.getItem(key);
    if (y !== null) {
      sessionStorage.removeItem(key);
      var back = function () { window.scrollTo(0, Number(y)); };
      back();
      window.addEventListener("load", back);
    }
  } catch (e) {}
  function reload() {
    try {
      sessionStorage.setItem(key, String(window.scrollY));
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    } catch (e) {}
    location.reload();
  }
  function show(title, lines) {
    if (!box) {
      box = document.createElement("div");
      box.id = "report-preview-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
        "max-height:60vh;overflow:auto;margin:0;padding:0.75em 1em;background:#fff4f4;" +
        "color:#5c0a0a;border-bottom:3px solid #b00020;box-shadow:0 2px 10px rgba(0,0,0,.25);" +
        "font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      var head = document.createElement("div");
      head.style.cssText = "font-weight:bold;margin-bottom:0.4em";
      var list = document.createElement("pre");
      list.style.cssText = "margin:0;white-space:pre-wrap;font:inherit";
      box.appendChild(head);
      box.appendChild(list);
      document.body.appendChild(box);
    }
    box.firstChild.textContent = title;
    box.lastChild.textContent = lines.join("\\n");
  }
  function hide() {
    if (box) { box.remove(); box = null; }
  }
  var events = new EventSource("/events");
  events.addEventListener("reload", function (e) {
    if (JSON.parse(e.data).version !== version) reload(); else hide();
  });
  events.addEventListener("problems", function (e) {
    var d = JSON.parse(e.data);
    if (d.version !== version) reload(); else show(d.title, d.lines);
  });
})();
"""

CSP_META = re.compile(
    r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.IGNORECASE)


class PageMaker:
    """Makes the briefing's HTML page for the inputs as they are now, as `report build
    --format html` would write it, without touching output/ and without drawing chart
    images (the page draws its charts itself). pandoc's work on the sections a save did not
    change is kept for the next save (incremental.py)."""

    def __init__(self) -> None:
        from .incremental import IncrementalPage

        self.pages = IncrementalPage()

    def __call__(self, options: BuildOptions, epoch: int, files: InputFiles) -> str:
        """The page; raises InputError for bad inputs. `epoch`: the build date
        (SOURCE_DATE_EPOCH), worked out once per save by the loop; `files`: the save's
        snapshot of its input files."""
        from ..build import compose_briefing, day_of
        from ..check import checked_inputs
        from ..render.environment import environment, fewer_gc_passes

        with environment("SOURCE_DATE_EPOCH", str(epoch)), fewer_gc_passes():
            inputs = checked_inputs(options.cases_dir, options.brief, options.strict, files,
                                    day_of(epoch))
            composed = compose_briefing(inputs, epoch, options, export=False)
            return self.pages.page(composed.briefing, composed.charts, composed.images)

    def close(self) -> None:
        self.pages.close()


def placeholder() -> str:
    """The page served before the first good save."""
    from ..words.labels import Labels

    t = Labels()
    return PLACEHOLDER % {"title": html_text(t("preview.title")),
                          "waiting": html_text(t("preview.waiting"))}


def problems_title(n: int) -> str:
    """The overlay's heading for a save with `n` problems."""
    from ..words.labels import Labels

    return Labels()("preview.problems", n=n)


def served_page(page: str, version: int) -> bytes:
    """Return `page` as the preview serves it: the reload script before `</body>`, allowed
    by its hash in the page's Content-Security-Policy (which allows no other script than the
    page's own), and the event stream allowed too."""
    from ..render.html import allow_scripts

    def allow_events(match: re.Match) -> str:
        directives = [d.strip() for d in match.group(2).split(";")
                      if d.strip() and d.split()[0].lower() != "connect-src"]
        return match.group(1) + "; ".join([*directives, "connect-src 'self'"]) + match.group(3)

    reload = RELOAD_SCRIPT % {"version": json.dumps(version)}
    # The policy stands early in the head: search only up to the first style or script.
    head_end = min([i for i in (page.find("<style"), page.find("<script"), page.find("</head>"))
                    if i >= 0] or [len(page)])
    head = allow_scripts(CSP_META.sub(allow_events, page[:head_end], count=1), [reload])
    script = f"<script>{reload}</script>\n"
    end = page.rfind("</body>")
    if end < 0:
        return (head + page[head_end:] + script).encode("utf-8")
    return b"".join(part.encode("utf-8") for part in (head, page[head_end:end], script,
                                                       page[end:]))


class Hub:
    """The newest good page, the problems of the last save, and who is waiting to hear."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._serial = 0  # counts changes, so a stream knows what it has sent
        self._version = 0
        self._page = served_page(placeholder(), 0)
        self._problems: list[str] = []
        self._closed = False

    @property
    def version(self) -> int:
        with self._changed:
            return self._version

    def page(self) -> bytes:
        with self._changed:
            return self._page

    def publish(self, page: str) -> None:
        """A save gave a new page: serve it, and tell every open page to reload."""
        with self._changed:
            self._version += 1
            self._page = served_page(page, self._version)
            self._problems = []
            self._bump()

    def problems(self, lines: list[str]) -> None:
        """A save could not be built: show its problems over every open page."""
        with self._changed:
            self._problems = list(lines)
            self._bump()

    def clear(self) -> None:
        """The problems are gone and the page is current: take the overlay away."""
        with self._changed:
            self._problems = []
            self._bump()

    def close(self) -> None:
        """End every event stream."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def next_event(self, seen: int, timeout: float) -> tuple[int, str | None] | None:
        """Wait until the state is newer than `seen`; return (its serial, the event), or
        (`seen`, None) after `timeout`, or None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._serial != seen, timeout)
            if self._closed:
                return None
            if self._serial == seen:
                return seen, None
            if self._problems:
                name, data = "problems", {"version": self._version, "lines": self._problems,
                                          "title": problems_title(len(self._problems))}
            else:
                name, data = "reload", {"version": self._version}
            return self._serial, f"event: {name}\ndata: {json.dumps(data)}\n\n"

    def _bump(self) -> None:
        self._serial += 1
        self._changed.notify_all()


class PreviewServer(ThreadingHTTPServer):
    """Serves the hub's page and events on 127.0.0.1, each request on its own thread."""

    daemon_threads = True

    def __init__(self, hub: Hub, port: int = DEFAULT_PORT) -> None:
        self.hub = hub
        super().__init__((HOST, port), PreviewHandler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True, name="report-preview-server")
        self._thread.start()

    def stop(self) -> None:
        self.hub.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
        self.server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "report-preview"

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if not self._from_this_machine():
            self.send_error(403, "preview pages are served to 127.0.0.1 and localhost only")
            return
        path = urlsplit(self.path).path
        if path in ("/", "/briefing.html"):
            self._page()
        elif path == "/events":
            self._events()
        else:
            self.send_error(404)

    def _from_this_machine(self) -> bool:
        """Refuse a request whose Host names another site: a page elsewhere that rebinds
        its DNS name to 127.0.0.1 must not read the briefing. Every Host header counts (a
        good one first and another host second was served), so a request has at most one."""
        hosts = self.headers.get_all("Host") or []
        return len(hosts) <= 1 and all(
            host.strip().lower() in {f"{HOST}:{self.server.port}",
                                     f"localhost:{self.server.port}"} for host in hosts)

    def _page(self) -> None:
        body = self.server.hub.page()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(f"retry: {RETRY_MS}\n\n".encode())
            while (got := self.server.hub.next_event(seen, KEEP_ALIVE)) is not None:
                seen, event = got
                self.wfile.write((event or ": still here\n\n").encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # the terminal shows builds, not requests
