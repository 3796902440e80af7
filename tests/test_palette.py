"""One palette: every colour of every figure is a role of `attention.style`, light and dark.

A figure file carries both schemes' values itself (`attention.plotting.DisplayFigure.to_svg`:
the light roles, and ``style.DARK`` when opened as ``#only-dark``), so no stylesheet may define
a second copy of them that could drift.
"""

from __future__ import annotations

import re
from pathlib import Path

from attention import style

STYLESHEETS = sorted((Path(__file__).parents[1] / "docs" / "assets" / "stylesheets").glob("*.css"))
ROLES = {name.lower() for name, v in vars(style).items() if name.isupper() and isinstance(v, str)}


def test_every_role_has_a_dark_value_and_nothing_else_does() -> None:
    assert set(style.DARK) == ROLES, ROLES ^ set(style.DARK)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in style.DARK.values())


def test_the_heatmap_hue_is_the_same_in_both_schemes() -> None:
    """Heatmaps bake the weight colour into their pixels: the dark scheme cannot recolour it."""
    assert style.DARK["weight"] == style.WEIGHT.lower()


def test_no_stylesheet_defines_the_figure_roles_again() -> None:
    defined = {
        f"{css.name}: --attn-{role}"
        for css in STYLESHEETS
        for role in re.findall(r"--attn-([\w-]+)\s*:", css.read_text(encoding="utf-8"))
        if role in ROLES
    }
    assert not defined, f"a second copy of the palette of attention/style.py: {sorted(defined)}"
