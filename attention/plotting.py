"""Figures for the notes: SVG that follows the page's language and colour scheme.

Every function builds a ``matplotlib.figure.Figure`` directly instead of going through
``pyplot``: no global figure registry to leak memory when a page draws hundreds of plots,
no ``show()``, and any backend (Agg included) works. Tensors may live on any device and
require grad.

A ``DisplayFigure`` shows itself in Jupyter as SVG, and the site shows it as an SVG file:

* **described**: ``fig.describe("...")`` sets the text a screen reader reads; a figure without
  one refuses to display, so a chapter cannot forget it;
* **in the page's language**: default labels come from ``attention.i18n.pick``; Chinese text is
  drawn with the Noto Sans CJK font that the ``noto-cjk-sans-otc`` package installs, as outlines
  (the reader needs no font);
* **in the page's colours**: every colour role of ``attention.style`` becomes a CSS custom
  property (``var(--attn-ink)``) that the SVG's own style sheet sets to its light value, and to
  its dark value when the file is opened as ``figure.svg#only-dark`` (Material's convention for
  an image shown only in the dark scheme); the background is transparent;
* **deterministic and light**: fixed SVG ids (unique per figure, several share a page), no
  metadata, coordinates rounded to 0.01 pt.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import noto_cjk_sans_otc
import numpy as np
import torch
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from attention import style
from attention._checks import brief, check_positive_float
from attention.i18n import pick

ArrayLike = torch.Tensor | np.ndarray | Sequence[float]

DPI = 100  # raster resolution only (the SVG is sized in points: 1 inch = 96 CSS px)
CJK_FONT = str(noto_cjk_sans_otc.FONT_PATH)  # OFL-1.1, installed with the package
CJK_FAMILY = "Noto Sans CJK SC"
# nbconvert writes this when an image has no alt text; a description must say more.
PLACEHOLDER = "No description has been provided for this image"
MIN_DESCRIPTION = 20

# The colour roles, as CSS custom properties (the SVG's own style sheet sets them: SVG_RULES).
ROLES = tuple(name for name, v in vars(style).items() if name.isupper() and isinstance(v, str))
CSS_VARS = {getattr(style, role).lower(): f"var(--attn-{role.lower()})" for role in ROLES}
CSS_VARS["#000000"] = CSS_VARS[style.INK.lower()]  # matplotlib's default black is ink too


def _register_font() -> None:
    """Make the packaged CJK font matplotlib's fallback for every glyph DejaVu Sans lacks.

    The package's file goes first in the font list, so it wins over a system copy of the
    same family (the tests check that it is this file that draws)."""
    manager = font_manager.fontManager
    if not any(f.fname == CJK_FONT for f in manager.ttflist):  # importing again adds no copy
        manager.addfont(CJK_FONT)
    ours = [f for f in manager.ttflist if f.fname == CJK_FONT]
    manager.ttflist[:] = ours + [f for f in manager.ttflist if f.fname != CJK_FONT]
    font_manager.FontManager._findfont_cached.cache_clear()


_register_font()
# Attention weights: one hue whose opacity grows with the value, so that a zero weight is the
# page's background in either scheme and the darkest cell is the strongest weight.
WEIGHT_CMAP = LinearSegmentedColormap.from_list(
    "attention", [(*to_rgb(style.WEIGHT), 0.0), (*to_rgb(style.WEIGHT), 1.0)]
)
# Signed values (positional encodings): negative in the key colour, positive in the weight
# colour, zero transparent.
DIVERGING_CMAP = LinearSegmentedColormap.from_list(
    "attention_diverging",
    [
        (*to_rgb(style.KEY), 1.0),
        (*to_rgb(style.KEY), 0.0),
        (*to_rgb(style.WEIGHT), 0.0),
        (*to_rgb(style.WEIGHT), 1.0),
    ],
)
for _cmap in (WEIGHT_CMAP, DIVERGING_CMAP):
    if _cmap.name not in mpl.colormaps:
        mpl.colormaps.register(_cmap)

# Defaults for every figure, also those a reader draws with pyplot after importing this module:
# text and axes in the ink colour, lines in the role colours, Chinese through the font above.
mpl.rcParams.update(
    {
        "font.family": ["DejaVu Sans", CJK_FAMILY],
        "text.color": style.INK,
        "axes.edgecolor": style.INK,
        "axes.labelcolor": style.INK,
        "axes.facecolor": "none",
        "axes.prop_cycle": cycler(
            color=[style.KEY, style.QUERY, style.VALUE, style.WEIGHT, style.GREY, style.MUTED]
        ),
        "xtick.color": style.INK,
        "ytick.color": style.INK,
        "grid.color": style.FAINT,
        "legend.edgecolor": style.FAINT,
        "legend.facecolor": "none",
        "legend.framealpha": None,
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "image.cmap": "attention",
    }
)
_SVG_RC = {
    "svg.fonttype": "path",  # text as outlines: Chinese needs no font on the reader's side
    "svg.hashsalt": "attention",  # deterministic clip-path ids
    "path.simplify": True,
    "path.simplify_threshold": 0.5,
}
# A number with two or more decimals, except inside scale(...) (glyphs are scaled by 0.02).
_NUMBER = re.compile(r"(scale\([^)]*\))|(?<![#\w])(-?\d+\.\d{2,})")
_ID = re.compile(r'\sid="([^"]+)"')
_GROUP = re.compile(r"<g\b[^>]*>|</g>")
# A run of markers with one style (scatter points, ticks): the style moves to a group around it.
_MARKERS = re.compile(
    r'(?:<use xlink:href="#[^"]+" x="[^"]*" y="[^"]*" style="([^"]*)"/>\n)'
    r'(?:<use xlink:href="#[^"]+" x="[^"]*" y="[^"]*" style="\1"/>\n)+'
)
_REF = re.compile(r"(?:url\(#|href=\"#)([^)\"]+)")
_REF_FULL = re.compile(r"(url\(#|href=\"#)([^)\"]+)")
_PATH_DATA = re.compile(r'\bd="([^"]*)"')
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
# A figure file follows Material's light/dark convention on its own: opened as
# ``figure.svg#only-dark`` its root is the :target and the roles take their dark values.
# Heatmaps are embedded at one pixel per matrix entry: each entry is drawn as a crisp square.
_LIGHT = ";".join(f"--attn-{role.lower()}:{getattr(style, role)}" for role in ROLES)
_DARK = ";".join(f"--attn-{role}:{colour}" for role, colour in style.DARK.items())
SVG_RULES = (
    f"#only-dark{{{_LIGHT}}}#only-dark image{{image-rendering:pixelated}}"
    f"#only-dark:target{{{_DARK}}}"
)
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')


def _round(match: re.Match) -> str:
    """Coordinates to 0.1 pt (0.13 CSS px): finer than any screen shows at 1x zoom."""
    if match.group(1):
        return match.group(1)
    text = f"{float(match.group(2)):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _unwrap_groups(svg: str) -> str:
    """Drop every ``<g>`` without attributes (and its ``</g>``) and every empty ``<g/>``:
    wrappers that do nothing."""
    out, kept, last = [], [], 0
    for m in _GROUP.finditer(svg):
        out.append(svg[last : m.start()])
        last = m.end()
        if m.group(0).endswith("/>"):
            continue
        if m.group(0) == "</g>":
            if kept.pop():
                out.append("</g>")
        else:
            kept.append(m.group(0) != "<g>")
            if kept[-1]:
                out.append(m.group(0))
    out.append(svg[last:])
    return "".join(out)


def _compact_path(d: str) -> str:
    return re.sub(r"\s*([MLQCZz])\s*", r"\1", " ".join(d.split()))


class DisplayFigure(Figure):
    """A ``Figure`` that Jupyter and the site display as described, self-colouring SVG.

    Figures made without pyplot have no display hook of their own; ``_repr_mimebundle_`` gives
    them one that works in any notebook, with no ``%matplotlib`` magic: an ``image/svg+xml``
    output whose metadata carries the description.
    """

    description: str | None = None

    def describe(self, text: str) -> DisplayFigure:
        """Set what a screen reader says for this figure: what it shows, what to notice.

        Returns the figure, so a cell can end with ``fig.describe("...")``.
        """
        self.description = _check_description(text)
        return self

    def to_svg(self) -> str:
        """The figure as a self-contained SVG file: role colours as CSS variables, set to their
        light value, or their dark value when the file is opened as ``#only-dark``
        (`SVG_RULES`); ids unique, no metadata. Deterministic: the same drawing
        gives the same text. The one place that rewrites matplotlib's SVG."""
        buf = io.StringIO()
        with mpl.rc_context(_SVG_RC):
            self.savefig(
                buf, format="svg", bbox_inches="tight", transparent=True, metadata={"Date": None}
            )
        svg = buf.getvalue()
        svg = svg[svg.index("<svg") :]
        svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
        # matplotlib's `*{...}` rule would style a whole page if the SVG were inlined in one.
        svg = re.sub(r"\s*<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
        svg = svg.replace(
            "<svg ",
            '<svg id="only-dark" style="stroke-linejoin:round;stroke-linecap:butt" ',
            1,
        )
        svg = _NUMBER.sub(_round, svg)
        # Path data: "M 1 2 \nL 3 4 \nz" -> "M1 2L3 4z" (a third of a line plot's bytes).
        svg = _PATH_DATA.sub(lambda m: 'd="' + _compact_path(m.group(1)) + '"', svg)
        svg = re.sub(r"\n\s*", "\n", svg)  # indentation is a tenth of the bytes
        svg = _HEX.sub(lambda m: CSS_VARS.get(m.group(0).lower(), m.group(0)), svg)
        # Ids: every id that is referenced gets a short name starting with the figure's hash
        # (unique if several figures share a page, as in Jupyter); the ids nothing refers to
        # are dropped (matplotlib names every group: "xtick_3", "line2d_5", ...).
        prefix = "f" + hashlib.sha256((svg + (self.description or "")).encode()).hexdigest()[:6]
        used = list(dict.fromkeys(_REF.findall(svg)))
        names = {old: f"{prefix}{n:x}" for n, old in enumerate(used)}
        names["only-dark"] = "only-dark"
        svg = _ID.sub(lambda m: f' id="{names[m.group(1)]}"' if m.group(1) in names else "", svg)
        svg = _unwrap_groups(re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL))
        svg = re.sub(r"\n+", "\n", svg)
        svg = _MARKERS.sub(
            lambda m: (
                f'<g style="{m.group(1)}">\n'
                + m.group(0).replace(f' style="{m.group(1)}"', "")
                + "</g>\n"
            ),
            svg,
        )
        svg = _REF_FULL.sub(lambda m: m.group(1) + names.get(m.group(2), m.group(2)), svg)
        # Shorter: "fill: x; stroke: y" -> "fill:x;stroke:y", SVG 2's href, no newlines.
        svg = _STYLE_ATTR.sub(lambda m: re.sub(r"([:;]) ", r"\1", m.group(0)), svg)
        svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1)
        svg = svg.replace(" xlink:href=", " href=").replace(">\n<", "><")
        return svg.replace(">", f"><style>{SVG_RULES}</style>", 1)  # after the colours' rewrite

    def drawn_texts(self) -> list[str]:
        """Every text the figure holds (titles, axis labels, legends, annotations; tick labels
        once it has been drawn), once each. The SVG draws them as glyph outlines, which cannot
        be read back."""
        return list(dict.fromkeys(t.get_text() for t in self.findobj(Text) if t.get_text()))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        """An SVG output described in its metadata (``alt``: Jupyter's key for an image's text
        alternative; ``texts``: the words it draws, `drawn_texts`); the site writes it to a file and
        shows it with that ``alt`` (attention_site/notebooks/figures.py), and the tests read
        the words of the Chinese figures from the built notebooks."""
        description = _check_description(self.description)
        svg = self.to_svg()  # draws the figure: tick labels get their text only then
        data = {"image/svg+xml": svg, "text/plain": f"<Figure: {description}>"}
        return data, {"image/svg+xml": {"alt": description, "texts": self.drawn_texts()}}


def _check_description(text: object) -> str:
    if text is None:
        raise ValueError(
            "description: this figure has none; end the cell with fig.describe('what it shows "
            "and what to notice') so that screen readers can read it"
        )
    # The placeholder is refused however it is spaced: the page shows it collapsed.
    if (
        not isinstance(text, str)
        or len(text.strip()) < MIN_DESCRIPTION
        or " ".join(text.split()) == PLACEHOLDER
    ):
        raise ValueError(
            f"description: expected what the figure shows and what to notice, at least "
            f"{MIN_DESCRIPTION} characters, got {brief(text)}"
        )
    return " ".join(text.split())


def _to_numpy(x: ArrayLike) -> np.ndarray:
    """A NumPy copy of ``x``; tensors are detached, cast to float32 (NumPy has no bfloat16)
    and moved to the CPU."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device="cpu", dtype=torch.float32).numpy()
    return np.asarray(x, dtype=np.float32)


def _array(name: str, x: object, ndims: tuple[int, ...], layout: str) -> np.ndarray:
    """``x`` as a float32 NumPy array of one of ``ndims`` dimensions; a ``ValueError`` naming
    ``name`` otherwise, rather than NumPy's or matplotlib's message."""
    try:
        if isinstance(x, (str, bytes)):  # NumPy would read "1.5" as a number
            raise TypeError
        array = _to_numpy(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(
            f"{name}: expected numbers (a tensor, an array or a list), got {brief(x)}"
        ) from None
    if array.ndim not in ndims:
        raise ValueError(f"{name}: expected shape {layout}, got {array.shape}")
    return array


def _check_args(
    figsize: object = (1, 1), ax: object = None, **texts: object
) -> tuple[float, float]:
    """Check the arguments every plot shares: ``figsize``, ``ax`` and optional labels."""
    if not isinstance(figsize, Sequence) or isinstance(figsize, str) or len(figsize) != 2:
        raise ValueError(f"figsize: expected (width, height) in inches, got {brief(figsize)}")
    size = (
        check_positive_float("figsize", figsize[0]),
        check_positive_float("figsize", figsize[1]),
    )
    if ax is not None and not isinstance(ax, Axes):
        raise ValueError(f"ax: expected a matplotlib Axes or None, got {brief(ax)}")
    for name, text in texts.items():
        if text is not None and not isinstance(text, str):
            raise ValueError(f"{name}: expected a string or None, got {brief(text)}")
    return size


def new_figure(
    nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (4.5, 3), **kw: Any
) -> tuple[DisplayFigure, Axes | np.ndarray]:
    """A transparent, constrained-layout figure with a grid of axes, created without pyplot.

    Args:
        nrows: Rows of axes.
        ncols: Columns of axes.
        figsize: Figure size in inches ``(width, height)``.
        **kw: Passed to ``Figure.subplots`` (``sharex``, ``sharey``, ``squeeze``, ...).

    Returns:
        ``(figure, axes)``: one ``Axes`` for a 1x1 grid, else an array of them (as with
        ``plt.subplots``).
    """
    fig = DisplayFigure(figsize=figsize, dpi=DPI, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kw)


def _figure_of(ax: Axes) -> Figure:
    """The top-level figure of ``ax`` (``ax.figure`` may be a SubFigure)."""
    return ax.figure.figure


def show_heatmaps(
    matrices: ArrayLike,
    xlabel: str | None = None,
    ylabel: str | None = None,
    titles: Sequence[str] | None = None,
    figsize: tuple[float, float] = (2.5, 2.5),
    cmap: str | Colormap | None = None,
    colorbar_label: str | None = None,
) -> DisplayFigure:
    """Draw a grid of attention-weight matrices with one shared colour scale.

    Args:
        matrices: Shape ``(rows, cols, n_queries, n_keys)``; ``(cols, n_queries, n_keys)``
            draws one row and ``(n_queries, n_keys)`` a single matrix. Finite values only.
        xlabel: Label of the x axis, under the bottom row; "Keys" in the figure language.
        ylabel: Label of the y axis, left of the first column; "Queries" in the figure language.
        titles: One title per column.
        figsize: Size in inches of *each* matrix's panel.
        cmap: Matplotlib colour map name; by default the weight colour, transparent at 0 so
            that a zero weight reads as the page's background in either scheme.
            ``"attention_diverging"`` (signed values) is centred on 0.
        colorbar_label: Label of the colour bar; "weight" in the figure language.

    Returns:
        The figure: ``rows * cols`` image axes and a colorbar.

    Raises:
        ValueError: ``matrices`` is not 2-, 3- or 4-D or holds inf or NaN, or ``titles``
            does not have one entry per column.
    """
    m = _array(
        "matrices",
        matrices,
        (2, 3, 4),
        "(rows, cols, n_queries, n_keys), (cols, n_queries, n_keys) or (n_queries, n_keys)",
    )
    figsize = _check_args(figsize, xlabel=xlabel, ylabel=ylabel, colorbar_label=colorbar_label)
    if cmap is not None and not isinstance(cmap, Colormap) and cmap not in mpl.colormaps:
        raise ValueError(f"cmap: expected a matplotlib colour map or its name, got {brief(cmap)}")
    if not np.isfinite(m).all():
        raise ValueError(
            f"matrices: expected finite values, got {int((~np.isfinite(m)).sum())} inf or NaN "
            f"entries of {m.size} (mask with masked_softmax before plotting)"
        )
    m = m.reshape((1,) * (4 - m.ndim) + m.shape)  # (rows, cols, n_q, n_k)
    rows, cols = m.shape[:2]
    if titles is not None:
        # A string is a sequence too: "ab" would become the titles "a" and "b".
        if isinstance(titles, str) or not isinstance(titles, Sequence):
            raise ValueError(
                f"titles: expected a list of {cols} titles (one per column), got {brief(titles)}"
            )
        if len(titles) != cols:
            raise ValueError(f"titles: expected {cols} titles (one per column), got {len(titles)}")
    fig, axes = new_figure(
        rows,
        cols,
        figsize=(figsize[0] * cols, figsize[1] * rows),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    # One colour scale for every panel, so that the shared colorbar is true for all of them.
    # The transparent end means zero: weights start at 0, signed values are centred on it.
    vmin, vmax = min(float(m.min()), 0.0), float(m.max())
    if cmap in ("attention_diverging", DIVERGING_CMAP):
        vmax = max(abs(vmin), abs(vmax))
        vmin = -vmax
    for i in range(rows):
        for j in range(cols):
            ax = axes[i, j]
            # "none": the matrix goes into the SVG at its own resolution, drawn as crisp
            # squares by the browser (figures.css), not resampled.
            image = ax.imshow(
                m[i, j], cmap=cmap or WEIGHT_CMAP, vmin=vmin, vmax=vmax, interpolation="none"
            )
            for axis in (ax.xaxis, ax.yaxis):  # entries sit at whole numbers: so do the ticks
                axis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            if i == rows - 1:
                ax.set_xlabel(pick("Keys", "键") if xlabel is None else xlabel)
            if j == 0:
                ax.set_ylabel(pick("Queries", "查询") if ylabel is None else ylabel)
            if titles is not None:
                ax.set_title(titles[j])
    bar = fig.colorbar(image, ax=axes, shrink=0.6)
    bar.outline.set_edgecolor(style.FAINT)
    bar.set_label(pick("weight", "权重") if colorbar_label is None else colorbar_label)
    return fig


def plot_kernel_regression(
    x_test: ArrayLike,
    y_truth: ArrayLike,
    x_train: ArrayLike,
    y_train: ArrayLike,
    predictions: Mapping[str, ArrayLike] | ArrayLike,
    title: str | None = None,
    ax: Axes | None = None,
) -> DisplayFigure:
    """Truth, predictions and training data of the toy regression, as in the notes.

    Legend labels are in the figure language (``attention.i18n``).

    Args:
        x_test: Evaluation grid, shape ``(n_test,)``.
        y_truth: Noise-free targets on the grid, shape ``(n_test,)``.
        x_train: Training inputs, shape ``(n_train,)``.
        y_train: Training targets, shape ``(n_train,)``.
        predictions: One prediction of shape ``(n_test,)``, or a mapping from legend label
            to prediction to compare several.
        title: Axes title.
        ax: Axes to draw into; a new figure is created when ``None``.

    Returns:
        The figure holding the axes.

    Raises:
        ValueError: An argument that is not numbers of the shapes above, or a ``title`` or
            ``ax`` of the wrong type.
    """
    _check_args(ax=ax, title=title)
    if not isinstance(predictions, Mapping):
        predictions = {pick("Prediction", "预测"): predictions}
    x, x_train = _array("x_test", x_test, (1,), "(n,)"), _array("x_train", x_train, (1,), "(n,)")
    named = [("y_truth", y_truth, x, "x_test"), ("y_train", y_train, x_train, "x_train")]
    named += [(f"predictions[{brief(k)}]", y, x, "x_test") for k, y in predictions.items()]
    ys = []
    for name, y, like, like_name in named:
        ys.append(_array(name, y, (1,), "(n,)"))
        if ys[-1].shape != like.shape:
            raise ValueError(
                f"{name}: expected shape {like.shape} like {like_name}, got {ys[-1].shape}"
            )
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = _figure_of(ax)
    ax.plot(x, ys[0], color=style.INK, label=pick("Truth", "真实值"))
    for label, y_hat in zip(predictions, ys[2:], strict=True):
        ax.plot(x, y_hat, "--", label=label)
    ax.plot(
        x_train,
        ys[1],
        "o",
        color=style.GREY,
        alpha=0.6,
        markersize=4,
        label=pick("Training data", "训练数据"),
    )
    ax.set(xlim=(0, 5), ylim=(-1, 5), xlabel="x", ylabel="y")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return fig


def plot_curves(
    x: ArrayLike,
    curves: Mapping[str, ArrayLike],
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logy: bool = False,
    figsize: tuple[float, float] = (4.5, 3),
    ax: Axes | None = None,
) -> DisplayFigure:
    """Line plot of one or more curves against ``x`` (loss curves, variance vs ``d``, ...).

    Args:
        x: Shape ``(n,)``.
        curves: Legend label to y values of shape ``(n,)``.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        title: Axes title.
        logy: Use a logarithmic y axis.
        figsize: Figure size in inches when a new figure is created.
        ax: Axes to draw into; a new figure is created when ``None``.

    Returns:
        The figure holding the axes.

    Raises:
        ValueError: A curve whose length differs from ``x``, arguments that are not numbers,
            or labels, ``figsize``, ``logy`` or ``ax`` of the wrong type.
    """
    figsize = _check_args(figsize, ax, xlabel=xlabel, ylabel=ylabel, title=title)
    if not isinstance(logy, bool):
        raise ValueError(f"logy: expected True or False, got {brief(logy)}")
    if not isinstance(curves, Mapping):
        raise ValueError(f"curves: expected a mapping from label to y values, got {brief(curves)}")
    xs = _array("x", x, (1,), "(n,)")
    ys = {label: _array(f"curves[{brief(label)}]", y, (1,), "(n,)") for label, y in curves.items()}
    for label, y in ys.items():
        if y.shape != xs.shape:
            raise ValueError(
                f"curves[{brief(label)}]: expected shape {xs.shape} like x, got {y.shape}"
            )
    if ax is None:
        fig, ax = new_figure(figsize=figsize)
    else:
        fig = _figure_of(ax)
    for label, y in ys.items():
        ax.plot(xs, y, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if logy:
        ax.set_yscale("log")
    if title is not None:
        ax.set_title(title)
    if ys:
        ax.legend()
    return fig


def plot_softmax_rows(
    scores: Mapping[str, ArrayLike],
    xlabel: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> DisplayFigure:
    """One panel per row of scores: the softmax weights as bars, each key's score beneath.

    The largest weight of a row is written on its bar; scores of 10 or more are rounded to whole
    numbers, smaller ones to one decimal.

    Shows what the scale of the scores does to a softmax: the same number of keys gives spread
    weights when the scores differ by about 1 and a near one-hot row when they differ by tens.

    Args:
        scores: Panel title to the raw scores of one query, shape ``(n_keys,)`` each, finite.
        xlabel: Label of the x axes; "each key's score" in the figure language.
        figsize: Figure size in inches; by default 4.2 wide (a phone's width) and 2 per row.

    Returns:
        The figure: one axes per row, stacked, sharing the weight axis from 0 to 1.

    Raises:
        ValueError: ``scores`` is empty, or a row is not 1-D or holds inf or NaN.
    """
    rows = {title: _to_numpy(row) for title, row in scores.items()}
    if not rows:
        raise ValueError("scores: expected at least one row of scores, got none")
    for title, row in rows.items():
        if row.ndim != 1 or not row.size or not np.isfinite(row).all():
            raise ValueError(
                f"scores[{title!r}]: expected a non-empty 1-D row of finite scores, got shape "
                f"{row.shape}"
            )
    size = (4.2, 2.0 * len(rows)) if figsize is None else figsize
    fig, axes = new_figure(len(rows), 1, figsize=size, sharey=True, squeeze=False)
    for ax, (title, row) in zip(axes[:, 0], rows.items(), strict=True):
        weights = torch.softmax(torch.from_numpy(row).double(), dim=0).numpy()
        bars = ax.bar(range(len(row)), weights, color=style.WEIGHT)
        top = int(weights.argmax())  # the largest weight is labelled; the bars show the rest
        ax.bar_label(bars, labels=[f"{w:.2f}" if k == top else "" for k, w in enumerate(weights)],
            fontsize=7, color=style.INK)  # fmt: skip
        ticks = [f"{s:.0f}" if abs(s) >= 9.95 else f"{s:.1f}" for s in row]
        ax.set_xticks(range(len(row)), [t.replace("-0.0", "0.0") for t in ticks], fontsize=7)
        ax.set(ylim=(0, 1.15), yticks=[0, 0.5, 1], title=title)
        ax.set_xlabel(pick("each key's score", "每个键的分数") if xlabel is None else xlabel)
        ax.set_ylabel(pick("softmax weight", "softmax 权重"))
    return fig
