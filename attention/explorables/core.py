"""The ``Explorable`` object and the helpers every chapter's explorables are built with."""

from __future__ import annotations

import itertools
import json
import math
import re
from numbers import Integral
from typing import Any

import torch

from attention._checks import brief
from attention.i18n import get_language

MIME_VEGALITE = "application/vnd.vegalite.v6+json"
DIGITS = 3  # every number in a chart is rounded to 3 decimals: enough to draw, small to ship
# nbconvert's text for an image with no alt text (as attention.plotting.PLACEHOLDER).
PLACEHOLDER = "No description has been provided for this image"
MIN_DESCRIPTION = 10
# The words of attention.data.FEATURES on Chinese pages (two chapters' explorables show them).
FEATURES_ZH = {
    "object": "物体",
    "place/surface": "地点/表面",
    "animal": "动物",
    "function word": "虚词",
}
# A name becomes an HTML id, a file name (``<name>.json`` beside the page) and part of a CSS
# selector: ASCII letters, digits, hyphens and underscores only, nothing to escape anywhere.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


class Explorable:
    """A Vega-Lite chart with controls and a text description, shown on the site and in Jupyter.

    Args:
        spec: The Vega-Lite specification (a JSON-able dict of finite numbers).
        description: What the chart shows and what its controls do, for screen readers: at
            least 10 characters, and not nbconvert's placeholder.
        name: A short identifier such as ``"nadaraya-watson"`` (ASCII letters, digits, hyphens
            and underscores), used as the container's id and the spec's file name.
        label: The chart's accessible name, a few words in the page's language, written into
            the spec's ``description`` (which explorables.js gives the chart as its
            ``aria-label``). Without one, the spec's own ``description`` is the name, else the
            first sentence of ``description``.

    Raises:
        ValueError: A spec that is not a dict, a description that is too short or nbconvert's
            placeholder, or a name that is not such an identifier.
    """

    def __init__(
        self, spec: dict[str, Any], description: str, name: str, label: str | None = None
    ) -> None:
        if not isinstance(spec, dict):
            raise ValueError(f"spec: expected a Vega-Lite spec as a dict, got {brief(spec)}")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                "name: expected an identifier of at most 64 ASCII letters, digits, hyphens "
                f"and underscores, starting with a letter (such as 'nadaraya-watson'), got "
                f"{brief(name)}"
            )
        self.description = _check_text("description", description)
        if label is not None:
            spec = {**spec, "description": _check_text("label", label, minimum=3)}
        self.spec = spec
        self.name = name

    def to_json(self) -> str:
        """The spec as compact JSON with sorted keys: the same bytes on every build.

        Raises:
            ValueError: The spec holds a NaN or an infinity, which JSON cannot represent.
        """
        try:
            return json.dumps(
                self.spec,
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
                allow_nan=False,
            )
        except ValueError:
            raise ValueError(
                f"spec: expected finite numbers only (JSON has no NaN or infinity), "
                f"got a non-finite number in explorable {self.name!r}"
            ) from None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        """The Vega-Lite chart, which Jupyter draws itself, and its description as text; the
        metadata names the explorable and its description, from which the site writes the spec
        and a still of its first state to files and builds the figure that
        ``explorables.js`` draws (attention_site/notebooks/figures.py)."""
        data = {MIME_VEGALITE: json.loads(self.to_json()), "text/plain": self.description}
        about = {"name": self.name, "description": self.description, "lang": get_language()}
        return data, {MIME_VEGALITE: {"attention": about}}

    def __repr__(self) -> str:
        return f"Explorable({self.name!r}, {len(self.to_json())} bytes)"


def _check_text(name: str, text: object, minimum: int = MIN_DESCRIPTION) -> str:
    """``text`` with its runs of white space made single spaces, unless it is too short or
    nbconvert's placeholder (whatever its spacing)."""
    words = " ".join(text.split()) if isinstance(text, str) else ""
    if len(words) < minimum or words.casefold() == PLACEHOLDER.casefold():
        raise ValueError(
            f"{name}: expected a text of at least {minimum} characters that says what the "
            f"chart shows, got {brief(text)}"
        )
    return words


# --------------------------------------------------------------------------- helpers
def _alt() -> Any:
    import altair

    return altair


def _round(values: torch.Tensor | list[float], digits: int = DIGITS) -> list[float]:
    """Plain floats rounded to ``digits`` decimals; -0.0 becomes 0 (same JSON every build).

    Raises:
        ValueError: A NaN or an infinity: a chart must never show one as a number.
    """
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().flatten().tolist()
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"values: expected finite numbers for the chart, got {brief(values)}")
    return [round(v, digits) + 0.0 for v in values]


def _per_mille(values: torch.Tensor) -> list[int]:
    """Weights in ``[0, 1]`` as whole thousandths: the smallest form for the largest data."""
    return [round(v * 1000) for v in _round(values)]


def _short(value: Any) -> str:
    """A short ``repr`` of ``value`` for error messages (``attention._checks.brief``)."""
    return brief(value)


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an ``int`` if it is a whole number type (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name}: expected an integer in [{low}, {high}], got {brief(value)}")
    return int(value)


def _check_seed(name: str, value: Any) -> int:
    """A seed ``torch.Generator.manual_seed`` keeps as is: an integer in ``[0, 2**64)``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not 0 <= value < 2**64:
        raise ValueError(f"{name}: expected an integer in [0, 2**64), got {brief(value)}")
    return int(value)


def _check_grid(
    name: str, values: Any, low: float, high: float, *, positive: bool = False, most: int = 64
) -> list[float]:
    """A list of 1 to ``most`` finite numbers in ``[low, high]`` (``> low`` if ``positive``),
    else ValueError naming ``name``: bounded, so no value can overflow what the chart shows."""
    try:
        grid = [float(v) for v in values] if not isinstance(values, (str, bytes)) else []
    except (TypeError, ValueError, OverflowError):
        grid = []
    ok = 0 < len(grid) <= most and all(
        math.isfinite(v) and low <= v <= high and not (positive and v == low) for v in grid
    )
    if not ok:
        bound = f"({low}, {high}]" if positive else f"[{low}, {high}]"
        raise ValueError(f"{name}: expected 1 to {most} numbers in {bound}, got {brief(values)}")
    return grid


def _check_even_grid(name: str, values: Any, low: float, high: float, **kw: Any) -> list[float]:
    """``_check_grid``, and evenly spaced increasing values: the positions of a slider."""
    grid = _check_grid(name, values, low, high, **kw)
    steps = [b - a for a, b in itertools.pairwise(grid)]
    if any(step <= 0 or abs(step - steps[0]) > 1e-9 for step in steps):
        raise ValueError(f"{name}: expected evenly spaced increasing numbers, got {brief(values)}")
    return grid


def _chart(
    layers: list[Any], height: int, params: list[Any], data: dict[str, Any], **layer: Any
) -> Any:
    """One layered chart as wide as the page, its tables stored once under their names
    (``alt.Data(name=...)`` in a layer refers to them) however many layers read them."""
    alt = _alt()
    return (
        alt.layer(*layers, **layer)
        .add_params(*params)
        .properties(width="container", height=height, datasets=data)
        .configure_view(stroke=None)
    )


def _slider(name: str, value: float, low: float, high: float, step: float, label: str) -> Any:
    """A parameter bound to a labelled range input (a real <input type=range>)."""
    alt = _alt()
    bind = alt.binding_range(min=low, max=high, step=step, name=label)
    return alt.param(name=name, value=value, bind=bind)


def _menu(name: str, value: Any, options: list[Any], labels: list[str], label: str) -> Any:
    """A parameter bound to a labelled <select>."""
    alt = _alt()
    bind = alt.binding_select(options=options, labels=labels, name=label)
    return alt.param(name=name, value=value, bind=bind)


def _switch(name: str, value: bool, label: str) -> Any:
    """A parameter bound to a labelled checkbox."""
    alt = _alt()
    return alt.param(name=name, value=value, bind=alt.binding_checkbox(name=label))


def _data(name: str) -> Any:
    return _alt().Data(name=name)


def _spec(chart: Any) -> dict[str, Any]:
    return chart.to_dict()
