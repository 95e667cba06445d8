"""Draw the application icon (resources/icons/): an SVG, PNGs for the Linux desktop and an .ico for Windows.

Run once when the design changes (``.venv/bin/python installer/make_icons.py``); the results are committed.
The design is plain geometry (no text, so no font is needed): a balance — a mediator's sign — in white on
a deep blue rounded square.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
BLUE = "#1f4e8c"
WHITE = "#ffffff"
# On a 256-unit canvas: (kind, coordinates…)
SHAPES: list[tuple[str, tuple[int, ...]]] = [
    ("rect", (122, 56, 134, 200)),  # the post
    ("rect", (52, 76, 204, 88)),  # the beam
    ("rect", (84, 196, 172, 210)),  # the base
    ("circle", (128, 56, 14)),  # the top
    ("line", (64, 88, 40, 150)),  # the left pan's strings
    ("line", (64, 88, 88, 150)),
    ("line", (192, 88, 168, 150)),  # the right pan's strings
    ("line", (192, 88, 216, 150)),
    ("pan", (34, 150, 94)),  # the pans: a half disc
    ("pan", (162, 150, 222)),
]


def svg() -> str:
    body = []
    for kind, c in SHAPES:
        if kind == "rect":
            rect = '<rect x="{0}" y="{1}" width="{2}" height="{3}" rx="3"/>'
            body.append(rect.format(c[0], c[1], c[2] - c[0], c[3] - c[1]))
        elif kind == "circle":
            body.append('<circle cx="{0}" cy="{1}" r="{2}"/>'.format(*c))
        elif kind == "line":
            body.append('<line x1="{0}" y1="{1}" x2="{2}" y2="{3}" stroke="{4}" stroke-width="5"/>'.format(*c, WHITE))
        else:
            r = (c[2] - c[0]) // 2
            body.append('<path d="M{0} {1} A{2} {2} 0 0 0 {3} {1} Z"/>'.format(c[0], c[1], r, c[2]))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">\n'
        '<rect width="256" height="256" rx="48" fill="{0}"/>\n<g fill="{1}">\n{2}\n</g>\n</svg>\n'
    ).format(BLUE, WHITE, "\n".join(body))


def png(size: int) -> Image.Image:
    scale = 4 * size / 256  # draw at 4x, then shrink: smooth edges
    big = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    d.rounded_rectangle((0, 0, size * 4 - 1, size * 4 - 1), radius=int(48 * scale), fill=BLUE)
    for kind, c in SHAPES:
        s = [v * scale for v in c]
        if kind == "rect":
            d.rounded_rectangle(s, radius=int(3 * scale), fill=WHITE)
        elif kind == "circle":
            d.ellipse((s[0] - s[2], s[1] - s[2], s[0] + s[2], s[1] + s[2]), fill=WHITE)
        elif kind == "line":
            d.line(s, fill=WHITE, width=max(1, int(5 * scale)))
        else:
            r = (s[2] - s[0]) / 2
            d.pieslice((s[0], s[1] - r, s[2], s[1] + r), 0, 180, fill=WHITE)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fzmediate.svg").write_text(svg(), encoding="utf-8")
    for size in (48, 128, 256):
        png(size).save(OUT / "fzmediate-{0}.png".format(size), optimize=True)
    png(256).save(OUT / "fzmediate.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
