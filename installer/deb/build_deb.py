"""Build the Debian package (UOS, Kylin, Debian) from the PyInstaller bundle, with dpkg-deb alone.

    python installer/deb/build_deb.py [--bundle build/dist/fzmediate] [--out build/dist] [--compress xz|gzip|none]

Layout: the bundle under /opt/fzmediate, ``/usr/bin/fzmediate`` (a wrapper), the desk's and the kiosk's
desktop entries and the icon in the hicolor theme; for kiosk machines, the kiosk's X session
(``/usr/share/xsessions/fzmediate-kiosk.desktop`` running ``/usr/libexec/fzmediate/fzmediate-kiosk-session``) and
``/usr/sbin/fzmediate-kiosk-setup``, which an administrator runs to lock a machine down (installer/kiosk/).
``Depends`` comes from ``depends.txt`` (the system libraries the bundle links but does not carry). The
package creates no user data and its removal, purge included, never touches the users' data directories
(``postrm``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ICONS = ROOT / "resources" / "icons"
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}
#: The kiosk machine's session and set-up: (file in installer/kiosk/, path in the package, mode).
KIOSK_FILES = (
    ("fzmediate-kiosk-session.desktop", "usr/share/xsessions/fzmediate-kiosk.desktop", 0o644),
    ("fzmediate-kiosk-session", "usr/libexec/fzmediate/fzmediate-kiosk-session", 0o755),
    ("fzmediate-kiosk-setup", "usr/sbin/fzmediate-kiosk-setup", 0o755),
)


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def depends() -> list[str]:
    lines = (HERE / "depends.txt").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _install(src: Path, dest: Path, mode: int) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def _tree_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir())
    return (total + 1023) // 1024


def stage(bundle: Path, staging: Path, *, version: str, arch: str) -> Path:
    """Lay out the package's file tree (and DEBIAN/) in ``staging``; return it."""
    if not (bundle / "fzmediate").is_file():
        raise SystemExit("no bundle at {0}: run `make dist` first".format(bundle))
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(bundle, staging / "opt" / "fzmediate", symlinks=True)
    _install(HERE / "fzmediate.sh", staging / "usr" / "bin" / "fzmediate", 0o755)
    for entry in ("fzmediate-desk.desktop", "fzmediate-kiosk.desktop"):
        _install(HERE / entry, staging / "usr" / "share" / "applications" / entry, 0o644)
    kiosk = ROOT / "installer" / "kiosk"  # inert until an administrator runs fzmediate-kiosk-setup
    for src, dest, mode in KIOSK_FILES:
        _install(kiosk / src, staging / dest, mode)
    hicolor = staging / "usr" / "share" / "icons" / "hicolor"
    for size in (48, 128, 256):
        png = ICONS / "fzmediate-{0}.png".format(size)
        _install(png, hicolor / "{0}x{0}".format(size) / "apps" / "fzmediate.png", 0o644)
    _install(ICONS / "fzmediate.svg", hicolor / "scalable" / "apps" / "fzmediate.svg", 0o644)
    doc = staging / "usr" / "share" / "doc" / "fzmediate"
    for licence in sorted((ROOT / "resources" / "fonts").glob("*.[tT][xX][tT]")):
        if licence.name.startswith(("LICENSE", "ARPHICPL")):
            _install(licence, doc / "fonts" / licence.name, 0o644)
    for path in staging.rglob("*"):  # dpkg wants no group/other write bits
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o755)
    control = (
        (HERE / "control.in")
        .read_text("utf-8")
        .format(version=version, arch=arch, installed_size=_tree_size_kib(staging), depends=", ".join(depends()))
    )
    debian = staging / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(control, encoding="utf-8")
    for script in ("postinst", "postrm"):
        _install(HERE / script, debian / script, 0o755)
    return staging


def build(bundle: Path, out: Path, *, compress: str = "xz", arch: str | None = None) -> Path:
    version = project_version()
    arch = arch or ARCHES.get(platform.machine(), platform.machine())
    staging = stage(bundle, out / "deb-root", version=version, arch=arch)
    deb = out / "fzmediate_{0}_{1}.deb".format(version, arch)
    args = ["dpkg-deb", "--root-owner-group", "-Z{0}".format(compress), "--build", str(staging), str(deb)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, SOURCE_DATE_EPOCH="0"))
    shutil.rmtree(staging)
    return deb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "dist" / "fzmediate")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "dist")
    parser.add_argument("--compress", choices=("xz", "gzip", "none"), default="xz")
    args = parser.parse_args(argv)
    print(build(args.bundle, args.out, compress=args.compress))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
