"""The Windows installer script (installer/windows/fzmediate.nsi) compiles with makensis, warnings as errors,
against the folder layout of PyInstaller's Windows build; what its uninstaller removes is only what it
installed (the data directories are never named in it)."""

from __future__ import annotations

import re
from pathlib import Path

from installer.windows.check_nsis import compile_installer, project_version
from tests.packaging.conftest import ROOT, needs

SCRIPT = ROOT / "installer" / "windows" / "fzmediate.nsi"


def _section(name: str) -> str:
    script = SCRIPT.read_text("utf-8")
    match = re.search(r'(?ms)^Section "{0}".*?^SectionEnd'.format(re.escape(name)), script)
    assert match, name
    return match.group(0)


@needs("makensis")
def test_the_installer_script_compiles_into_a_windows_program(tmp_path: Path) -> None:
    out = tmp_path / "fzmediate-{0}-installer.exe".format(project_version())
    compile_installer(out, version=project_version())
    assert out.read_bytes()[:2] == b"MZ" and out.stat().st_size > 50_000


def test_the_installer_is_per_machine_with_desk_and_kiosk_in_the_start_menu() -> None:
    script = SCRIPT.read_text("utf-8")
    assert "RequestExecutionLevel admin" in script and '"$PROGRAMFILES64\\${PRODUCT}"' in script
    main = _section("fzmediate")
    assert "SetShellVarContext all" in main
    shortcuts = re.findall(r'CreateShortcut "\$SMPROGRAMS[^"]+" "\$INSTDIR\\fzmediate\.exe" "(\w+)"', main)
    assert shortcuts == ["desk", "kiosk"]
    assert re.search(r"\$\{VersionCompare\}.*\n.*\$1 == 1.*\n.*\n\s*Abort", script)  # no downgrade


def test_the_uninstaller_removes_only_what_was_installed() -> None:
    uninstall = _section("Uninstall")
    removed = re.findall(r'^\s*(?:Delete|RMDir(?: /r)?)\s+"([^"]+)"', uninstall, re.M)
    assert removed and all(p.startswith(("$INSTDIR\\", "$INSTDIR", "$SMPROGRAMS\\")) for p in removed)
    recursive = re.findall(r'RMDir /r "([^"]+)"', uninstall)
    assert recursive == ["$INSTDIR\\_internal"]
    assert not re.search(r"APPDATA|LOCALAPPDATA|\$PROFILE|\$DOCUMENTS", uninstall.split("\n", 1)[1])
