"""Diagrams of the chapter "Nadaraya-Watson": one query's attention weights as a window over x."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from attention.data import toy_regression_data
from attention.diagrams import draw
from attention.i18n import pick
from attention.plotting import new_figure
from attention.pooling import nadaraya_watson
from attention.style import FAINT, GREY, INK, PAPER, QUERY, VALUE, WEIGHT


@draw.diagram
def nadaraya_watson_window_diagram(query: float = 2.5, width: float = 1.0) -> Figure:
    """One query's Gaussian Nadaraya-Watson weights drawn as a bump over x: its window.

    Computed with ``attention.nadaraya_watson`` on ``attention.toy_regression_data()`` (50
    training points, seed 0). Top: the truth (solid), the training points (dots, area in
    proportion to their weight) and the prediction at the query (dashed line to a star).
    Bottom: the weight of every key (stems) on the bump of the normalised kernel. This is one
    row of the chapter's heatmap, laid over x.

    Args:
        query: The query ``x`` (0 to 5).
        width: The kernel's bandwidth.

    Returns:
        A 6.5 x 3.6 inch figure with two axes sharing x.

    Raises:
        ValueError: ``query`` outside ``[0, 5]`` or ``width`` not positive.
    """
    if not 0 <= query <= 5:
        raise ValueError(f"query: expected a number from 0 to 5, got {query!r}")
    x_train, y_train, x_test, y_truth = toy_regression_data()
    y_hat, weights = nadaraya_watson(torch.tensor([float(query)]), x_train, y_train, width=width)
    w = weights[0]
    # the bump: the normalised kernel of a key at any x, which passes through every stem's top
    grid = torch.linspace(0, 5, 201)
    bump = torch.exp(-0.5 * ((grid - query) / width) ** 2)
    bump = bump / torch.exp(-0.5 * ((x_train - query) / width) ** 2).sum()

    fig, (top, bottom) = new_figure(
        2, 1, figsize=(6.5, 3.6), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    fig.set_facecolor(PAPER)
    top.plot(x_test, y_truth, color=GREY, linewidth=1.5, label=pick("truth", "真实函数"))
    top.scatter(x_train, y_train, s=4 + 600 * w, color=VALUE, alpha=0.7, linewidths=0,
                label=pick("training data (area = weight)", "训练数据（面积 = 权重）"))  # fmt: skip
    pred = pick(f"prediction at x = {query:g}", f"x = {query:g} 处的预测")
    top.plot([query, query], [-1, y_hat.item()], "--", color=QUERY, linewidth=1.2)
    top.plot([query], [y_hat.item()], "*", color=QUERY, markersize=12, label=pred)
    top.set(ylim=(-1, 5), ylabel="y")
    legend = top.legend(loc="upper right", fontsize=8, facecolor=PAPER, edgecolor=FAINT)
    for entry in legend.get_texts():
        entry.set_color(INK)

    bottom.vlines(x_train, 0, w, color=WEIGHT, linewidth=1.2)
    bottom.plot(x_train, w, "o", color=WEIGHT, markersize=2.5)
    bottom.plot(grid, bump, color=WEIGHT, linewidth=1.0, alpha=0.6)
    bottom.axvline(query, color=QUERY, linestyle="--", linewidth=1.2)
    effective = 1 / (w**2).sum().item()
    window = pick(
        f"weights of the query x = {query:g}: about {effective:.0f} of 50 keys count",
        f"查询 x = {query:g} 的权重：约 {effective:.0f} 个键（共 50 个）起作用",
    )
    bottom.text(0.01, 0.93, window, transform=bottom.transAxes, fontsize=8, color=INK, va="top")
    bottom.set(
        xlim=(0, 5),
        ylim=(0, 1.25 * w.max().item()),
        xlabel=pick("x (keys: training inputs)", "x（键：训练输入）"),
        ylabel=pick("weight", "注意力权重"),
    )
    for ax in (top, bottom):
        draw.style_axes(ax)
    return fig
