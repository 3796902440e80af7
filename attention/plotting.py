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

from attention import style
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

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        """An SVG output described in its metadata (``alt``: Jupyter's key for an image's text
        alternative); the site writes it to a file and shows it with that ``alt``
        (attention_site/notebooks/figures.py)."""
        description = _check_description(self.description)
        data = {"image/svg+xml": self.to_svg(), "text/plain": f"<Figure: {description}>"}
        return data, {"image/svg+xml": {"alt": description}}


def _check_description(text: object) -> str:
    if text is None:
        raise ValueError(
            "description: this figure has none; end the cell with fig.describe('what it shows "
            "and what to notice') so that screen readers can read it"
        )
    if not isinstance(text, str) or len(text.strip()) < MIN_DESCRIPTION or text == PLACEHOLDER:
        raise ValueError(
            f"description: expected what the figure shows and what to notice, at least "
            f"{MIN_DESCRIPTION} characters, got {str(text)[:80]!r}"
        )
    return " ".join(text.split())


def _to_numpy(x: ArrayLike) -> np.ndarray:
    """A NumPy copy of ``x``; tensors are detached, cast to float32 (NumPy has no bfloat16)
    and moved to the CPU."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device="cpu", dtype=torch.float32).numpy()
    return np.asarray(x, dtype=np.float32)


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
    m = _to_numpy(matrices)
    if m.ndim not in (2, 3, 4):
        raise ValueError(
            f"matrices: expected shape (rows, cols, n_queries, n_keys), (cols, n_queries, "
            f"n_keys) or (n_queries, n_keys), got {m.shape}"
        )
    if not np.isfinite(m).all():
        raise ValueError(
            f"matrices: expected finite values, got {int((~np.isfinite(m)).sum())} inf or NaN "
            f"entries of {m.size} (mask with masked_softmax before plotting)"
        )
    m = m.reshape((1,) * (4 - m.ndim) + m.shape)  # (rows, cols, n_q, n_k)
    rows, cols = m.shape[:2]
    if titles is not None and len(titles) != cols:
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
    """
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = _figure_of(ax)
    if not isinstance(predictions, Mapping):
        predictions = {pick("Prediction", "预测"): predictions}
    x = _to_numpy(x_test)
    ax.plot(x, _to_numpy(y_truth), color=style.INK, label=pick("Truth", "真实值"))
    for label, y_hat in predictions.items():
        ax.plot(x, _to_numpy(y_hat), "--", label=label)
    ax.plot(
        _to_numpy(x_train),
        _to_numpy(y_train),
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
        ValueError: A curve whose length differs from ``x``.
    """
    xs = _to_numpy(x)
    ys = {label: _to_numpy(y) for label, y in curves.items()}
    for label, y in ys.items():
        if y.shape != xs.shape:
            raise ValueError(f"curves[{label!r}]: expected shape {xs.shape} like x, got {y.shape}")
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
