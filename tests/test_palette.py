"""One palette: the colour roles of `attention.style` and the custom properties of figures.css.

A figure's SVG names each colour as ``var(--attn-<role>, <style.py value>)`` and figures.css sets
those properties for Material's light and dark schemes, so the two files must agree: the light
scheme's values are style.py's, and both schemes define exactly style.py's roles. No build.
"""

from __future__ import annotations

import re

from attention import style
from attention_site.harness import ROOT

FIGURES_CSS = ROOT / "docs" / "assets" / "stylesheets" / "figures.css"
ROLES = {name.lower(): value.lower() for name, value in vars(style).items() if name.isupper()}
# A property's value, or the fallback of a `var(--md-..., #hex)` (the paper follows the page).
_HEX = r"(#[0-9a-fA-F]{6})"
_VALUE = re.compile(rf"^\s*{_HEX}\s*$|^\s*var\(--md-[\w-]+,\s*{_HEX}\s*\)\s*$")


def scheme_colours(css: str, selector: str) -> dict[str, str]:
    """The ``--attn-*`` colours of the rule of ``css`` whose selector list includes ``selector``,
    by role (``{"ink": "#2b2b2b", ...}``)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = [
        body
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        if selector in {s.strip() for s in selectors.split(",")} and "--attn-" in body
    ]
    assert len(rules) == 1, f"figures.css: expected one rule for {selector}, found {len(rules)}"
    colours = {}
    for name, value in re.findall(r"--attn-([\w-]+)\s*:\s*([^;]+);", rules[0]):
        match = _VALUE.match(value)
        assert match, f"figures.css {selector}: --attn-{name} is {value!r}, not a #rrggbb colour"
        colours[name] = (match.group(1) or match.group(2)).lower()
    return colours


def test_style_py_roles_are_colours() -> None:
    assert ROLES and all(re.fullmatch(_HEX, value) for value in ROLES.values()), ROLES


def test_light_scheme_is_style_py() -> None:
    css = FIGURES_CSS.read_text(encoding="utf-8")
    light = scheme_colours(css, '[data-md-color-scheme="default"]')
    assert light == scheme_colours(css, ":root")  # one rule for both selectors
    differ = {
        role: (value, light.get(role)) for role, value in ROLES.items() if light.get(role) != value
    }
    assert not differ, (
        f"figures.css light values differ from attention/style.py (style, css): {differ}"
    )
    assert light.keys() == ROLES.keys(), (
        f"figures.css roles style.py lacks: {light.keys() - ROLES.keys()}"
    )


def test_dark_scheme_defines_every_role() -> None:
    dark = scheme_colours(FIGURES_CSS.read_text(encoding="utf-8"), '[data-md-color-scheme="slate"]')
    assert dark.keys() == ROLES.keys(), (
        f"figures.css dark scheme: missing {ROLES.keys() - dark.keys()}, "
        f"unknown {dark.keys() - ROLES.keys()}"
    )
    # Heatmaps are raster images in style.WEIGHT's hue: their cells cannot change with the scheme.
    assert dark["weight"] == ROLES["weight"], "the dark --attn-weight must stay style.WEIGHT"


def test_an_edited_value_is_read() -> None:
    css = FIGURES_CSS.read_text(encoding="utf-8")
    edited = css.replace(f"--attn-key: {ROLES['key']}", "--attn-key: #123456", 1)
    assert edited != css
    assert scheme_colours(edited, ":root")["key"] == "#123456"
