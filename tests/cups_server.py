"""A private CUPS scheduler for the printing tests and benchmark: its own config, socket, spool and queue.

The system's CUPS (if any) is neither used nor touched: our ``cupsd -f`` reads a config directory of its own
and listens only on a Unix socket inside it; callers point ``lp`` at it with ``CUPS_SERVER`` (the printing
service's ``server=``). The queue ``fz-pdf`` is a PDF printer (a minimal PPD whose only filter is CUPS's
``pdftopdf``) with a ``file:`` device, so the filter chain (copies, fit-to-page) runs as for a real printer
that takes PDF, and its output lands in ``out/``;
``PreserveJobFiles`` keeps what reached the spool for inspection.

The directory is made with :func:`tempfile.mkdtemp` in the system's temp directory rather than pytest's
``tmp_path``: cupsd runs its filters as the unprivileged ``lp`` user, which cannot enter pytest's 0700 temp
root, and a Unix socket path must stay under 108 bytes. It is removed when the server stops.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

QUEUE = "fz-pdf"
#: A PDF printer: CUPS's pdftopdf filter (copies, fit-to-page) writes PDF straight to the queue's device.
_PDF_PPD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "FZPDF.PPD"
*Manufacturer: "fzmediate tests"
*Product: "(PDF)"
*ModelName: "fzmediate test PDF printer"
*ShortNickName: "fzmediate test PDF printer"
*NickName: "fzmediate test PDF printer"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: True
*DefaultColorSpace: RGB
*FileSystem: False
*Throughput: "1"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsVersion: 2.4
*cupsManualCopies: True
*cupsFilter2: "application/vnd.cups-pdf application/pdf 0 -"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595 842"
"""

_CUPSD_CONF = """Listen {root}/cups.sock
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
PreserveJobFiles Yes
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
_FILES_CONF = """ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
Printcap {root}/etc/printcap
FileDevice Yes
"""


class CupsUnavailable(RuntimeError):
    """The private cupsd could not be started here (not installed, not root, …): the reason says why."""


class PrivateCups:
    """A running private cupsd; ``server`` is what ``CUPS_SERVER`` takes (its socket path)."""

    def __init__(self, root: Path, process: subprocess.Popen[bytes]) -> None:
        self.root = root
        self.process = process
        self.server = str(root / "cups.sock")
        self.spool = root / "spool"
        self.out = root / "out"

    @classmethod
    def start(cls) -> PrivateCups:
        """Start cupsd in the foreground on a fresh directory and wait until it answers (≤ 10 s)."""
        cupsd = shutil.which("cupsd") or ("/usr/sbin/cupsd" if Path("/usr/sbin/cupsd").exists() else None)
        if cupsd is None or shutil.which("lp") is None or shutil.which("lpadmin") is None:
            raise CupsUnavailable("cupsd / cups-client are not installed (.ci/sysdeps installs them)")
        if os.name != "posix" or os.geteuid() != 0:
            raise CupsUnavailable("a private cupsd needs root here (it runs its filters as the lp user)")
        root = Path(tempfile.mkdtemp(prefix="fzcups-"))
        root.chmod(0o755)  # the lp user runs the filters: it must reach the spool and the output directory
        for sub in ("etc", "spool", "spool/tmp", "cache", "state", "log", "out"):
            (root / sub).mkdir(exist_ok=True)
        (root / "out").chmod(0o777)
        (root / "etc" / "cupsd.conf").write_text(_CUPSD_CONF.format(root=root), "utf-8")
        (root / "etc" / "cups-files.conf").write_text(_FILES_CONF.format(root=root), "utf-8")
        process = subprocess.Popen(
            [cupsd, "-f", "-c", str(root / "etc" / "cupsd.conf"), "-s", str(root / "etc" / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = cls(root, process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = server.error_log()
                server.stop()
                raise CupsUnavailable("cupsd exited at start: " + log[-500:])
            if (root / "cups.sock").exists() and server.lpstat("-r").returncode == 0:
                return server
            time.sleep(0.05)
        server.stop()
        raise CupsUnavailable("cupsd did not answer within 10 s")

    def env(self) -> dict[str, str]:
        return dict(os.environ, CUPS_SERVER=self.server, LC_ALL="C", LANG="C")

    def lpstat(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["lpstat", *args], env=self.env(), capture_output=True, text=True, check=False)

    def add_pdf_queue(self, name: str = QUEUE) -> str:
        """Add a PDF queue (CUPS's pdftopdf filter, a ``file:`` device) that writes what it prints to
        ``out/NAME.pdf``; returns its name."""
        ppd = self.root / "etc" / "fz-pdf.ppd"
        ppd.write_text(_PDF_PPD, "ascii")
        uri = "file://{0}".format(self.out / (name + ".pdf"))
        self._admin("-p", name, "-E", "-v", uri, "-P", str(ppd))
        return name

    def reject(self, name: str) -> None:
        """Make the queue refuse new jobs (``cupsreject``)."""
        subprocess.run(["cupsreject", name], env=self.env(), capture_output=True, check=True)

    def _admin(self, *args: str) -> None:
        done = subprocess.run(["lpadmin", *args], env=self.env(), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CupsUnavailable("lpadmin failed: " + done.stderr.strip())

    def spooled(self) -> list[Path]:
        """The job documents that reached the spool (``d#####-###``), oldest first."""
        return sorted(self.spool.glob("d*-*"))

    def completed(self, job_id: str, timeout: float = 20.0) -> bool:
        """Wait until the job has left the queue (printed to its file); True when it did in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if job_id not in self.lpstat("-o").stdout:
                return True
            time.sleep(0.05)
        return False

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop cupsd (only the process we started) and remove its directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)


def start_or_skip() -> PrivateCups:
    """Start a private cupsd; skip the test outside CI when it cannot run here, fail loudly in CI."""
    import pytest

    try:
        return PrivateCups.start()
    except CupsUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the printing tests against a real cupsd: {0}".format(exc))
        pytest.skip("no private cupsd here ({0}); run .ci/sysdeps as root to install CUPS".format(exc))


@contextlib.contextmanager
def pdf_queue() -> Iterator[PrivateCups]:
    """A private cupsd with its PDF queue (``fz-pdf``), stopped afterwards; skipped or failed as
    :func:`start_or_skip` says."""
    server = start_or_skip()
    try:
        server.add_pdf_queue()
        yield server
    finally:
        server.stop()


def as_the_system_cups(server: PrivateCups, monkeypatch: Any) -> None:
    """Make ``server`` the one libcups talks to in this process (``CUPS_SERVER``), for code that asks libcups
    itself — Qt's print dialog, which keeps the server it first used (per thread) until told to read
    ``CUPS_SERVER`` again."""
    import ctypes.util

    monkeypatch.setenv("CUPS_SERVER", server.server)
    name = ctypes.util.find_library("cups")
    if name:
        ctypes.CDLL(name).cupsSetServer(None)
