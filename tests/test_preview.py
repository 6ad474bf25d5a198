"""`report preview`: the page reloads on a save, shows a bad save's problems, is served on
loopback only, and Ctrl-C leaves nothing running. Real HTTP against the running command;
nothing here is timed."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import pytest

from report.build import BuildOptions
from report.live.preview import Hub, PageMaker, placeholder, served_page
from report.load.builddate import source_date_epoch
from report.load.files import InputFiles
from report.publish import DATA
from report.render.html import script_hash

from .conftest import BAD, EPOCH, GOOD, case_dir, run_cli
from .preview_client import Events, Preview, fetch
from .processes import marked, running_with


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_save_reloads_the_page_and_a_bad_save_shows_its_problems_over_it(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    good = alpha.read_text(encoding="utf-8")
    preview = Preview(tmp_path, "--format", "html")
    try:
        events = Events(preview.url)
        _, first = events.until(lambda name, data: name == "reload" and data["version"] >= 1)
        status, page = fetch(preview.url)
        assert status == 200 and f"var version = {first['version']}," in page
        assert "connect-src 'self'" in page and "Open models first" in page

        edit(alpha, "Open models first", "Saved from an editor")
        assert events.next() == ("reload", {"version": first["version"] + 1})
        page = fetch(preview.url)[1]
        assert "Saved from an editor" in page

        alpha.write_text((BAD / "negative_price.yaml").read_text(encoding="utf-8"),
                         encoding="utf-8")
        name, data = events.next()
        assert name == "problems" and data["version"] == first["version"] + 1
        assert data["lines"][0].startswith("cases/alpha.yaml:9:62: pricing[0].input")
        assert data["title"] == ("Not rebuilt: the last save has 1 problem. Below is the last "
                                 "good build.")
        assert preview.wait_for(lambda line: True, "err") == data["lines"][0]  # and here
        assert fetch(preview.url)[1] == page  # the last good page stays underneath
        late = Events(preview.url)  # a page opened now hears of the problems at once
        assert late.next() == (name, data)
        late.close()

        alpha.write_text(good.replace("Open models first", "Saved again"), encoding="utf-8")
        assert events.next() == ("reload", {"version": first["version"] + 2})
        assert "Saved again" in fetch(preview.url)[1]
        # The documents follow in the background; the reload script is the server's alone.
        written = ""
        while "Saved again" not in written:  # an earlier save's build may report first
            built = preview.wait_for(lambda line: " built in " in line)
            assert built.endswith(": output/briefing.html, output/data.xlsx")
            written = (tmp_path / "output" / "briefing.html").read_text(encoding="utf-8")
        assert "EventSource" not in written
        assert "connect-src" not in written
        events.close()
        assert preview.stop() == 0
        assert preview.wait_for(lambda line: line == "stopped previewing")
    finally:
        preview.kill()


def test_the_page_is_served_on_loopback_only(tmp_path):
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    preview = Preview(tmp_path, "--format", "html")
    try:
        listening = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for row in Path(table).read_text().splitlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, port = local.rsplit(":", 1)
                if state == "0A" and int(port, 16) == preview.port:  # 0A: listening
                    listening.add(address)
        assert listening == {"0100007F"}  # 127.0.0.1, and no IPv6 or wildcard socket
        for address in other_addresses():
            with pytest.raises(OSError), socket.create_connection((address, preview.port), 5):
                pass
        assert fetch(preview.url, host=f"localhost:{preview.port}")[0] == 200
        # A site whose name was pointed at 127.0.0.1 (DNS rebinding) gets nothing.
        assert fetch(preview.url, host=f"attacker.example:{preview.port}")[0] == 403
        # Every Host header counts: a good one first and another host second is refused.
        for hosts in ([f"127.0.0.1:{preview.port}", f"attacker.example:{preview.port}"],
                      [f"127.0.0.1:{preview.port}", f"127.0.0.1:{preview.port}"]):
            assert raw_status(preview.port, hosts) == 403, hosts
        assert raw_status(preview.port, [f"127.0.0.1:{preview.port}"]) == 200
        assert fetch(preview.url + "cases/alpha.yaml")[0] == 404
        assert preview.stop() == 0
    finally:
        preview.kill()


def raw_status(port: int, hosts: list[str]) -> int:
    """The status of a GET / sent with these Host headers, as written on the wire."""
    with socket.create_connection(("127.0.0.1", port), 10) as connection:
        connection.sendall(("GET / HTTP/1.1\r\n" + "".join(f"Host: {h}\r\n" for h in hosts)
                            + "Connection: close\r\n\r\n").encode())
        reply = b""
        while b"\r\n" not in reply and (chunk := connection.recv(4096)):
            reply += chunk
    return int(reply.split()[1])


def other_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback, as far as they can be found."""
    found = set()
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None,
                                                            socket.AF_INET)}
    except OSError:
        pass
    for row in Path("/proc/net/fib_trie").read_text().splitlines() if Path(
            "/proc/net/fib_trie").exists() else []:
        parts = row.split()
        if len(parts) == 2 and parts[0] == "|--" and parts[1].count(".") == 3:
            found.add(parts[1])
    return {a for a in found if not a.startswith("127.") and not a.endswith((".0", ".255"))}


def test_ctrl_c_lets_the_build_under_way_finish_and_leaves_nothing_running(tmp_path,
                                                                           monkeypatch):
    marker = marked(monkeypatch)
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    preview = Preview(tmp_path)  # PDF, DOCX and HTML, cold: no chart images yet
    try:
        preview.wait_for(lambda line: " page ready in " in line)
        preview.interrupt()
        assert preview.next().startswith("finishing the PDF, DOCX, HTML build under way")
        assert " built in " in preview.next()
        assert preview.next() == "stopped previewing"
        assert preview.proc.wait(timeout=60) == 0
        assert running_with(marker) == {}
        out = tmp_path / "output"
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
            "briefing.docx", "briefing.html", "briefing.md", "briefing.pdf",
            *sorted(DATA), "manifest.json"]
        # Whole and current: a build of the same cases finds nothing to do.
        assert run_cli("build", "--quiet", cwd=tmp_path).out.startswith("up to date ")
    finally:
        preview.kill()


def test_a_second_ctrl_c_stops_the_build_and_all_it_started(tmp_path, monkeypatch):
    marker = marked(monkeypatch)
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    preview = Preview(tmp_path)
    try:
        preview.wait_for(lambda line: " page ready in " in line)
        # Wait until the build draws its charts: Chromium leaves the build's process group.
        started = running_with(marker, running="chrom")
        assert any("chrom" in command for command in started.values()), started
        preview.interrupt()
        assert preview.next().startswith("finishing the PDF, DOCX, HTML build under way")
        preview.interrupt()
        assert preview.next() == "stopped previewing"
        assert preview.proc.wait(timeout=60) == 0
        assert running_with(marker) == {}
        # The build stopped before publishing: nothing half-made in output/.
        assert [p.name for p in (tmp_path / "output").iterdir()
                if p.name != ".report.lock"] == []
    finally:
        preview.kill()


def test_a_bad_save_shows_in_a_real_browser_as_text_and_a_good_one_reloads_in_place(
        tmp_path):
    choreographer = pytest.importorskip("choreographer")
    from report.charts import find_browser

    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    good = alpha.read_text(encoding="utf-8")
    preview = Preview(tmp_path, "--format", "html")

    async def browse() -> dict:
        seen = {}
        async with choreographer.Browser(path=find_browser(), headless=True) as browser:
            tab = await browser.create_tab(preview.url)

            async def js(expression: str):
                while True:  # the page may be between two loads
                    try:
                        reply = await tab.send_command("Runtime.evaluate", params={
                            "expression": expression, "returnByValue": True})
                        return reply["result"]["result"].get("value")
                    except Exception:  # noqa: BLE001 (any protocol error: ask again)
                        await asyncio.sleep(0.1)

            async def until(expression: str):
                while not (value := await js(expression)):
                    await asyncio.sleep(0.1)
                return value

            await until("document.readyState === 'complete' && "
                        "document.body.innerText.includes('Open models first')")
            await js("window.scrollTo(0, 3000)")
            seen["scrolled"] = await js("window.scrollY")
            # A problem line holding markup: it must show as text, not become an element.
            alpha.write_text(good + '"<img src=x onerror=alert(1)>": 1\n', encoding="utf-8")
            seen["overlay"] = await until(
                "(document.getElementById('report-preview-problems') || {}).textContent")
            seen["elements"] = await js(
                "document.querySelectorAll('#report-preview-problems img').length")
            alpha.write_text(good.replace("Open models first", "Saved again"), encoding="utf-8")
            await until("document.readyState === 'complete' && "
                        "document.body.innerText.includes('Saved again')")
            await until("window.scrollY > 0")
            seen["after"] = await js("window.scrollY")
            seen["overlay after"] = await js("!!document.getElementById('report-preview-problems')")
        return seen

    try:
        seen = asyncio.run(asyncio.wait_for(browse(), 300))
        assert "cases/alpha.yaml:" in seen["overlay"]
        assert "<img src=x onerror=alert(1)>" in seen["overlay"]
        assert seen["elements"] == 0
        assert seen["after"] == seen["scrolled"] > 0  # reloaded where it was
        assert seen["overlay after"] is False
        assert preview.stop() == 0
    finally:
        preview.kill()


def test_the_served_page_is_the_built_page_plus_the_reload_script(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    monkeypatch.chdir(tmp_path)
    assert run_cli("build", "--quiet", "--format", "html", cwd=tmp_path).code == 0
    built = (tmp_path / "output" / "briefing.html").read_text(encoding="utf-8")
    options = BuildOptions(cases_dir=Path("cases"), figures_dir=Path("figures"))
    page = PageMaker()(options, source_date_epoch(options.cases_dir),
                       InputFiles(options.cases_dir))
    assert page == built  # the preview shows what `report build` writes
    served = served_page(page, 7).decode("utf-8")
    script = served[served.rindex("<script>"):served.rindex("</body>")]
    allowed = " " + script_hash(script.removeprefix("<script>").removesuffix("</script>\n"))
    assert served.replace(script, "").replace("; connect-src 'self'", "").replace(
        allowed, "", 1) == built
    assert "var version = 7," in script
    assert "textContent" in script and "innerHTML" not in script


def test_a_policy_naming_connect_src_gets_self_instead():
    page = placeholder().replace("style-src 'unsafe-inline'",
                               "connect-src 'none'; style-src 'unsafe-inline'")
    served = served_page(page, 1).decode("utf-8")
    reload = served[served.rindex("<script>") + 8:served.rindex("</script>")]
    assert (f"default-src 'none'; script-src {script_hash(reload)}; style-src "
            "'unsafe-inline'; connect-src 'self'") in served
    assert "connect-src 'none'" not in served


def test_an_event_stream_hears_each_change_once_and_ends_with_the_server():
    hub = Hub()
    serial, event = hub.next_event(-1, 0)
    assert event == 'event: reload\ndata: {"version": 0}\n\n'
    assert hub.next_event(serial, 0) == (serial, None)  # nothing new: a keep-alive
    hub.problems(["a.yaml:1:1: id: bad <b>"])
    serial, event = hub.next_event(serial, 0)
    assert event == ('event: problems\ndata: {"version": 0, "lines": '
                     '["a.yaml:1:1: id: bad <b>"], "title": "Not rebuilt: the last save has 1 '
                     'problem. Below is the last good build."}\n\n')
    hub.publish("<html><body>page</body></html>")
    serial, event = hub.next_event(serial, 0)
    assert event == 'event: reload\ndata: {"version": 1}\n\n'
    assert b"page" in hub.page()
    hub.close()
    assert hub.next_event(serial, 10) is None


def test_sigterm_while_a_build_is_paused_resumes_it_and_ends_it_with_all_it_started(
        tmp_path, monkeypatch):
    """A preview ended by SIGTERM while it held the background build paused (a save's page
    being made) left the build's Chromium stopped and orphaned; now nothing is left."""
    marker = marked(monkeypatch)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    paused = tmp_path / "paused"
    preview = Preview(tmp_path, env={"REPORT_TEST_PAUSE": f"preview-paused:{paused}"})
    try:
        preview.wait_for(lambda line: " page ready in " in line)
        running_with(marker, running="chrom")  # the build is drawing its charts
        alpha = cases / "alpha.yaml"
        alpha.write_text(alpha.read_text(encoding="utf-8").replace(
            "Open models first", "Saved while drawing"), encoding="utf-8")
        deadline = time.monotonic() + 120
        while not paused.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert paused.exists()  # the loop holds the build paused while it makes the page
        held = {pid for pid, command in running_with(marker).items()
                if pid != preview.proc.pid}
        assert "T" in {process_state(pid) for pid in held}
        preview.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # and again, as a supervisor may, while it stops the build
        preview.proc.send_signal(signal.SIGTERM)
        assert preview.proc.wait(timeout=120) == 0
        assert "Traceback" not in preview.proc.stderr.read() if preview.proc.stderr else True
        assert running_with(marker) == {}
        assert [p.name for p in (tmp_path / "output").iterdir()
                if p.name != ".report.lock"] == []  # nothing half-made published
    finally:
        preview.kill()


def process_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
