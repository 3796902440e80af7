"""Figures for the notes.

Every function builds a ``matplotlib.figure.Figure`` directly instead of going through
``pyplot``: no global figure registry to leak memory when a page draws hundreds of plots,
no ``show()``, and any backend (Agg included) works. Figures have a white background so
they stay legible on a dark-mode page. Tensors may live on any device and require grad.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import PIL.Image
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ArrayLike = torch.Tensor | np.ndarray | Sequence[float]

DPI = 100  # one resolution for every figure: same size on every page, small PNGs


class DisplayFigure(Figure):
    """A ``Figure`` that Jupyter displays as a PNG when a cell ends with it.

    Figures made without pyplot have no display hook of their own; ``_repr_png_`` gives them
    one that works in any notebook, with no ``%matplotlib`` magic. The PNG carries no
    version metadata, so the same drawing gives the same bytes on every build.
    """

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
        # Agg writes 32-bit RGBA. Line art and colour maps need far fewer colours: a 256-colour
        # palette PNG looks the same and is about 3x smaller, which keeps pages light.
        # No dithering: its noise costs bytes and blurs thin lines.
        image = PIL.Image.open(buf).convert("RGB")
        image = image.quantize(
            256, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE
        )
        out = io.BytesIO()
        image.save(out, format="png", optimize=True)
        return out.getvalue()


def _to_numpy(x: ArrayLike) -> np.ndarray:
    """A NumPy copy of ``x``; tensors are detached, cast to float32 (NumPy has no bfloat16)
    and moved to the CPU."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device="cpu", dtype=torch.float32).numpy()
    return np.asarray(x, dtype=np.float32)


def new_figure(
    nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (4.5, 3), **kw: Any
) -> tuple[Figure, Axes | np.ndarray]:
    """A white, constrained-layout figure with a grid of axes, created without pyplot.

    Args:
        nrows: Rows of axes.
        ncols: Columns of axes.
        figsize: Figure size in inches ``(width, height)``.
        **kw: Passed to ``Figure.subplots`` (``sharex``, ``sharey``, ``squeeze``, ...).

    Returns:
        ``(figure, axes)``: one ``Axes`` for a 1x1 grid, else an array of them (as with
        ``plt.subplots``).
    """
    fig = DisplayFigure(figsize=figsize, dpi=DPI, facecolor="white", layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kw)


def _figure_of(ax: Axes) -> Figure:
    """The top-level figure of ``ax`` (``ax.figure`` may be a SubFigure)."""
    return ax.figure.figure


def show_heatmaps(
    matrices: ArrayLike,
    xlabel: str,
    ylabel: str,
    titles: Sequence[str] | None = None,
    figsize: tuple[float, float] = (2.5, 2.5),
    cmap: str = "Reds",
) -> Figure:
    """Draw a grid of attention-weight matrices with one shared colour scale.

    Args:
        matrices: Shape ``(rows, cols, n_queries, n_keys)``; ``(cols, n_queries, n_keys)``
            draws one row and ``(n_queries, n_keys)`` a single matrix.
        xlabel: Label of the x axis (the keys), shown under the bottom row.
        ylabel: Label of the y axis (the queries), shown left of the first column.
        titles: One title per column.
        figsize: Size in inches of *each* matrix's panel.
        cmap: Matplotlib colour map name.

    Returns:
        The figure: ``rows * cols`` image axes and a colorbar.

    Raises:
        ValueError: ``matrices`` is not 2-, 3- or 4-D, or ``titles`` does not have one
            entry per column.
    """
    m = _to_numpy(matrices)
    if m.ndim not in (2, 3, 4):
        raise ValueError(
            f"matrices: expected shape (rows, cols, n_queries, n_keys), (cols, n_queries, "
            f"n_keys) or (n_queries, n_keys), got {m.shape}"
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
    vmin, vmax = float(np.nanmin(m)), float(np.nanmax(m))
    for i in range(rows):
        for j in range(cols):
            ax = axes[i, j]
            image = ax.imshow(m[i, j], cmap=cmap, vmin=vmin, vmax=vmax)
            if i == rows - 1:
                ax.set_xlabel(xlabel)
            if j == 0:
                ax.set_ylabel(ylabel)
            if titles is not None:
                ax.set_title(titles[j])
    fig.colorbar(image, ax=axes, shrink=0.6)
    return fig


def plot_kernel_regression(
    x_test: ArrayLike,
    y_truth: ArrayLike,
    x_train: ArrayLike,
    y_train: ArrayLike,
    predictions: Mapping[str, ArrayLike] | ArrayLike,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Truth, predictions and training data of the toy regression, as in the notes.

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
        predictions = {"Pred": predictions}
    x = _to_numpy(x_test)
    ax.plot(x, _to_numpy(y_truth), label="Truth")
    for label, y_hat in predictions.items():
        ax.plot(x, _to_numpy(y_hat), "--", label=label)
    ax.plot(_to_numpy(x_train), _to_numpy(y_train), "o", alpha=0.5, label="Training data")
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
) -> Figure:
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
