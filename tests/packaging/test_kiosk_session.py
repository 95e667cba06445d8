"""The kiosk machine's OS-level lock-down (installer/kiosk/, installer/windows/kiosk-shell-launcher.*).

``fzmediate-kiosk-setup`` runs against a scratch root (``--root DIR``), never against this machine: as root with
the real shadow tools (``useradd --prefix`` edits only the scratch root's files), otherwise with stand-ins that
do the same to the scratch root's /etc/passwd. ``fzmediate-kiosk-session`` runs with a stand-in app that exits
with the codes a test asks for (no X display: the X settings are skipped). Neither needs a built package;
the Debian package's own listing is checked in test_deb.py (``make dist-test``).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from installer.deb import build_deb
from tests.packaging.conftest import ROOT

KIOSK = ROOT / "installer" / "kiosk"
SETUP = KIOSK / "fzmediate-kiosk-setup"
SESSION = KIOSK / "fzmediate-kiosk-session"
WINDOWS = ROOT / "installer" / "windows"
LIGHTDM = Path("etc/lightdm/lightdm.conf.d/50-fzmediate-kiosk.conf")
XORG = Path("etc/X11/xorg.conf.d/50-fzmediate-kiosk.conf")
KIOSK_CONF = Path("etc/fzmediate/kiosk.conf")
SYSCTL = Path("etc/sysctl.d/50-fzmediate-kiosk.conf")
SL = "{http://schemas.microsoft.com/ShellLauncher/2018/Configuration}"
SL2 = "{http://schemas.microsoft.com/ShellLauncher/2019/Configuration}"

#: Stand-ins for useradd and usermod when the tests cannot run the real ones (not root): they record the call
#: and make the account in the scratch root given with --prefix, as the real tools do.
FAKE_USERADD = """#!/bin/sh
echo "useradd $*" >> "$FAKE_LOG"
[ "$1" = --prefix ] || exit 9
for name; do :; done
echo "$name:x:1001:1001:fzmediate kiosk:/home/$name:/usr/sbin/nologin" >> "$2/etc/passwd"
mkdir -p "$2/home/$name"
"""
FAKE_USERMOD = """#!/bin/sh
echo "usermod $*" >> "$FAKE_LOG"
[ "$1" = --prefix ] || exit 9
"""


def _real_shadow_tools() -> bool:
    return os.geteuid() == 0 and all(shutil.which(tool) for tool in ("useradd", "usermod"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A scratch root with the account files a fresh system has (root, and an administrator in sudo)."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "home").mkdir()
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\nit:x:1000:1000::/home/it:/bin/bash\n")
    (root / "etc" / "group").write_text("root:x:0:\nsudo:x:27:it\nit:x:1000:\n")
    (root / "etc" / "shadow").write_text("root:*:20000:0:99999:7:::\nit:*:20000:0:99999:7:::\n")
    (root / "etc" / "gshadow").write_text("root:*::\nsudo:*::it\nit:!::\n")
    for name in ("shadow", "gshadow"):
        (root / "etc" / name).chmod(0o640)
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment the set-up script runs in: the real shadow tools as root, else the stand-ins first."""
    out = dict(os.environ, LC_ALL="C")
    if not _real_shadow_tools():
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        for name, text in (("useradd", FAKE_USERADD), ("usermod", FAKE_USERMOD)):
            (bin_dir / name).write_text(text)
            (bin_dir / name).chmod(0o755)
        out["PATH"] = "{0}{1}{2}".format(bin_dir, os.pathsep, out["PATH"])
        out["FAKE_LOG"] = str(tmp_path / "calls.log")
    return out


def _setup(root: Path, env: dict[str, str], *args: str, expect: int = 0) -> str:
    done = subprocess.run(
        ["bash", str(SETUP), "--root", str(root), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == expect, done.stdout + done.stderr
    return done.stdout + done.stderr


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o7777)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_scripts_parse() -> None:
    subprocess.run(["bash", "-n", str(SETUP)], check=True)
    for shell in ("sh", "dash"):  # the session is POSIX sh: /bin/sh is dash on Debian, UOS and Kylin
        if shutil.which(shell):
            subprocess.run([shell, "-n", str(SESSION)], check=True)
    assert os.access(SETUP, os.X_OK) and os.access(SESSION, os.X_OK)


def test_setup_makes_a_locked_account_logged_in_to_the_kiosk_session(scratch: Path, env: dict[str, str]) -> None:
    out = _setup(scratch, env, "--printer", "Kiosk_A4", "--lang", "zh_CN")
    assert "account created: fzkiosk" in out
    entry = next(line for line in (scratch / "etc" / "passwd").read_text().splitlines() if line.startswith("fzkiosk:"))
    assert entry.split(":")[5:] == ["/home/fzkiosk", "/usr/sbin/nologin"]
    assert (scratch / "home" / "fzkiosk").stat().st_mode & 0o777 == 0o700
    if _real_shadow_tools():  # no usable password: nobody logs in as it; LightDM's autologin asks for none
        shadow = (scratch / "etc" / "shadow").read_text()
        assert re.search(r"^fzkiosk:!", shadow, re.M)
    sudo = next(line for line in (scratch / "etc" / "group").read_text().splitlines() if line.startswith("sudo:"))
    assert "fzkiosk" not in sudo

    lightdm = configparser.ConfigParser(interpolation=None)
    lightdm.read(scratch / LIGHTDM)
    assert dict(lightdm["Seat:*"]) == {
        "autologin-user": "fzkiosk",
        "autologin-user-timeout": "0",
        "autologin-session": "fzmediate-kiosk",  # the name of the session entry the package installs
    }
    xorg = (scratch / XORG).read_text()
    assert re.search(r'Option "DontVTSwitch" "true"', xorg) and re.search(r'Option "DontZap" "true"', xorg)
    assert re.search(r"^kernel\.sysrq = 0$", (scratch / SYSCTL).read_text(), re.M)
    assert 'FZMEDIATE_KIOSK_ARGS="--printer Kiosk_A4 --lang zh_CN"' in (scratch / KIOSK_CONF).read_text()
    for path in (LIGHTDM, XORG, SYSCTL, KIOSK_CONF):
        assert (scratch / path).stat().st_mode & 0o777 == 0o644


def test_setup_run_again_changes_nothing(scratch: Path, env: dict[str, str]) -> None:
    _setup(scratch, env, "--printer", "Kiosk_A4")
    before = _snapshot(scratch)
    out = _setup(scratch, env, "--printer", "Kiosk_A4")
    assert "account exists: fzkiosk" in out and out.count("unchanged:") == 4
    assert _snapshot(scratch) == before
    # A changed option rewrites only its own file.
    _setup(scratch, env)
    after = _snapshot(scratch)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {KIOSK_CONF.as_posix()}


def test_undo_removes_the_settings_and_keeps_the_account_and_its_data(scratch: Path, env: dict[str, str]) -> None:
    _setup(scratch, env)
    store = scratch / "home" / "fzkiosk" / ".local" / "share" / "fzmediate" / "kiosk.db"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"sealed applications")
    out = _setup(scratch, env, "--undo")
    assert out.count("removed:") == 4
    for path in (LIGHTDM, XORG, SYSCTL, KIOSK_CONF):
        assert not (scratch / path).exists()
    assert store.read_bytes() == b"sealed applications"
    assert "fzkiosk:" in (scratch / "etc" / "passwd").read_text()
    assert _setup(scratch, env, "--undo").count("absent:") == 4  # and again: nothing to do


def test_setup_never_overwrites_a_file_it_did_not_write(scratch: Path, env: dict[str, str]) -> None:
    theirs = scratch / LIGHTDM
    theirs.parent.mkdir(parents=True)
    theirs.write_text("[Seat:*]\nautologin-user=someone\n")
    out = _setup(scratch, env, expect=1)
    assert "was not written by this script" in out
    assert theirs.read_text() == "[Seat:*]\nautologin-user=someone\n"
    assert "left alone" in _setup(scratch, env, "--undo")
    assert theirs.exists()


def test_allow_vt_switch_leaves_the_keyboard_settings_out(scratch: Path, env: dict[str, str]) -> None:
    _setup(scratch, env)
    _setup(scratch, env, "--allow-vt-switch")
    assert not (scratch / XORG).exists() and not (scratch / SYSCTL).exists()
    assert (scratch / LIGHTDM).exists()


def test_setup_refuses_a_kiosk_account_that_is_an_administrator(scratch: Path, env: dict[str, str]) -> None:
    out = _setup(scratch, env, "--user", "it", expect=1)
    assert "it is in the group sudo" in out
    assert not (scratch / LIGHTDM).exists()
    assert "it:x:1000:1000::/home/it:/bin/bash" in (scratch / "etc" / "passwd").read_text()  # not locked
    assert "root is the superuser" in _setup(scratch, env, "--user", "root", expect=1)


def test_setup_refuses_unsafe_values(scratch: Path, env: dict[str, str]) -> None:
    assert "print queue name" in _setup(scratch, env, "--printer", 'Q"; reboot; "', expect=1)
    assert "not a valid user name" in _setup(scratch, env, "--user", "Root Kiosk", expect=1)
    assert "--lang" in _setup(scratch, env, "--lang", "fr", expect=1)
    assert not (scratch / "etc" / "lightdm").exists()
    assert "fzkiosk" not in (scratch / "etc" / "passwd").read_text()


def test_setup_warns_when_lightdm_conf_overrides_the_autologin(scratch: Path, env: dict[str, str]) -> None:
    main = scratch / "etc" / "lightdm" / "lightdm.conf"
    main.parent.mkdir(parents=True)
    main.write_text("[Seat:*]\nautologin-user=guest\n")
    (scratch / "etc" / "X11").mkdir(parents=True)
    (scratch / "etc" / "X11" / "default-display-manager").write_text("/usr/sbin/gdm3\n")
    out = _setup(scratch, env)
    assert "comment out its autologin-user" in out and "not LightDM" in out


# --- the session -------------------------------------------------------------------------------------------


def _fake_app(tmp_path: Path, codes: list[int | str]) -> Path:
    """A stand-in for /usr/bin/fzmediate: logs its arguments, then exits with the next of ``codes``."""
    app = tmp_path / "fzmediate"
    (tmp_path / "fzmediate.codes").write_text("".join("{0}\n".format(c) for c in codes))
    app.write_text(
        "#!/bin/sh\n"
        'echo "$*" >> "$0.calls"\n'
        'code=$(head -n 1 "$0.codes"); sed -i 1d "$0.codes"\n'
        '[ "$code" = wait ] && exec sleep 60\n'
        'exit "$code"\n'
    )
    app.chmod(0o755)
    return app


def _session_env(tmp_path: Path, app: Path, args: str = "") -> dict[str, str]:
    conf = tmp_path / "kiosk.conf"
    conf.write_text('FZMEDIATE_KIOSK_ARGS="{0}"\n'.format(args))
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(
        FZMEDIATE_KIOSK_APP=str(app), FZMEDIATE_KIOSK_CONF=str(conf), FZMEDIATE_KIOSK_RESTART_DELAY="0", LC_ALL="C"
    )
    return env


def _calls(app: Path) -> list[str]:
    path = Path(str(app) + ".calls")
    return path.read_text().splitlines() if path.exists() else []


def test_the_session_starts_the_kiosk_again_until_staff_close_it(tmp_path: Path) -> None:
    app = _fake_app(tmp_path, [1, 139, 0])  # an error, a crash (signal), then staff close it
    env = _session_env(tmp_path, app, "--printer Kiosk_A4")
    done = subprocess.run(["sh", str(SESSION)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _calls(app) == ["kiosk --printer Kiosk_A4"] * 3
    assert "exit 139" in done.stderr and "closed by staff" in done.stderr


def test_the_session_ends_when_the_account_has_no_kiosk_store(tmp_path: Path) -> None:
    app = _fake_app(tmp_path, [2, 0])
    done = subprocess.run(["sh", str(SESSION)], env=_session_env(tmp_path, app), capture_output=True, timeout=60)
    assert done.returncode == 2
    assert _calls(app) == ["kiosk"]


def test_ending_the_session_stops_the_kiosk_and_does_not_restart_it(tmp_path: Path) -> None:
    app = _fake_app(tmp_path, ["wait", 0])  # "wait": runs until killed
    session = subprocess.Popen(["sh", str(SESSION)], env=_session_env(tmp_path, app), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not _calls(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _calls(app) == ["kiosk"]
        time.sleep(0.2)  # the stand-in has exec'd sleep by now
        session.send_signal(signal.SIGTERM)  # what the display manager does at logout or shutdown
        assert session.wait(timeout=20) == 0
        assert _calls(app) == ["kiosk"]
    finally:
        if session.poll() is None:
            session.kill()
            session.wait()


# --- what the packages carry -------------------------------------------------------------------------------


def test_the_session_entry_runs_the_session_script_where_the_deb_installs_it() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(KIOSK / "fzmediate-kiosk-session.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    installed = {dest: mode for _src, dest, mode in build_deb.KIOSK_FILES}
    assert installed["usr/share/xsessions/fzmediate-kiosk.desktop"] == 0o644  # session name: fzmediate-kiosk
    assert entry["Exec"] == entry["TryExec"] == "/usr/libexec/fzmediate/fzmediate-kiosk-session"
    assert installed[entry["Exec"].lstrip("/")] == 0o755
    assert installed["usr/sbin/fzmediate-kiosk-setup"] == 0o755
    assert entry["Name[zh_CN]"] and entry["Name[zh_TW]"] and entry["Name"].isascii()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(KIOSK / "fzmediate-kiosk-session.desktop")], check=True)


def test_the_deb_layout_carries_the_kiosk_files_with_their_modes(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "fzmediate").write_bytes(b"placeholder")
    staged = build_deb.stage(bundle, tmp_path / "deb-root", version="0.0.0", arch="amd64")
    for src, dest, mode in build_deb.KIOSK_FILES:
        path = staged / dest
        assert path.read_bytes() == (KIOSK / src).read_bytes()
        assert path.stat().st_mode & 0o777 == mode
    assert "Suggests: lightdm" in (staged / "DEBIAN" / "control").read_text()


def test_the_windows_shell_launcher_example_runs_the_kiosk_for_one_account() -> None:
    config = ET.parse(WINDOWS / "kiosk-shell-launcher.xml").getroot()
    assert config.tag == SL + "ShellLauncherConfiguration"
    profile = config.find("{0}Profiles/{0}Profile".format(SL))
    assert profile is not None
    shell = profile.find(SL + "Shell")
    assert shell is not None
    assert shell.get("Shell") == r"%ProgramFiles%\fzmediate\fzmediate.exe kiosk"
    assert shell.get(SL2 + "AppType") == "Desktop"
    actions = {a.get("ReturnCode"): a.get("Action") for a in shell.iter(SL + "ReturnCodeAction")}
    assert actions == {"0": "DoNothing", "2": "DoNothing"}  # staff closed it / no kiosk store: as on Linux
    default = shell.find(SL + "DefaultAction")
    assert default is not None and default.get("Action") == "RestartShell"
    config_entry = config.find("{0}Configs/{0}Config".format(SL))
    assert config_entry is not None
    account, linked = config_entry.find(SL + "Account"), config_entry.find(SL + "Profile")
    assert account is not None and account.get("Name") == "fzkiosk"
    assert linked is not None and linked.get("Id") == profile.get("Id")
    default_profile = config.find("{0}Profiles/{0}DefaultProfile/{0}Shell".format(SL))
    assert default_profile is not None and default_profile.get("Shell") == r"%SystemRoot%\explorer.exe"


def test_the_windows_installer_removes_the_kiosk_examples_it_installs() -> None:
    script = (WINDOWS / "fzmediate.nsi").read_text("utf-8")
    installed = re.findall(r'^\s*File "(kiosk-[^"]+)"', script, re.M)
    assert sorted(installed) == ["kiosk-shell-launcher.ps1", "kiosk-shell-launcher.xml"]
    uninstall = script[script.index('Section "Uninstall"') :]
    for name in installed:
        assert (WINDOWS / name).is_file()
        assert 'Delete "$INSTDIR\\kiosk\\{0}"'.format(name) in uninstall
    assert 'RMDir "$INSTDIR\\kiosk"' in uninstall
