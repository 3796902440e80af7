"""Diagrams of the chapter "Attention scoring functions": masked softmax over a padded batch,
additive attention drawn as the small network it is, and the geometry of a dot product."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Arc
from torch import Tensor

from attention.diagrams import draw
from attention.i18n import pick
from attention.masking import masked_softmax
from attention.style import FAINT, GREY, INK, KEY, MUTED, PAPER, QUERY, WEIGHT

PAD = "<pad>"
SENTENCES = ("the cat sat", "a cat sat on the mat", "the dog ran away")


def padded_batch(seed: int = 0) -> tuple[list[list[str]], Tensor, Tensor]:
    """The example batch of ``masked_softmax_diagram``: ``SENTENCES`` padded with ``<pad>``.

    Args:
        seed: Seed of the private generator that draws the scores.

    Returns:
        ``(tokens, valid_lens, scores)``: ``batch`` lists of ``n`` tokens each (the real ones,
        then ``<pad>``), the valid lengths (shape ``(batch,)``) and one query's scores per
        sentence, standard normal, shape ``(batch, 1, n)``.
    """
    words = [sentence.split() for sentence in SENTENCES]
    n = max(len(w) for w in words)
    tokens = [w + [PAD] * (n - len(w)) for w in words]
    valid_lens = torch.tensor([len(w) for w in words])
    scores = torch.randn(len(words), 1, n, generator=torch.Generator().manual_seed(seed))
    return tokens, valid_lens, scores


@draw.diagram
def masked_softmax_diagram(seed: int = 0) -> Figure:
    """A padded batch of sentences beside the weights ``masked_softmax`` gives them.

    Left, three sentences padded to one length with ``<pad>``, and their valid lengths; right,
    one query's attention weights over each sentence's positions, computed by
    ``attention.masked_softmax`` on random scores (``padded_batch(seed)``): each row sums to 1
    over the real tokens and the ``<pad>`` positions get exactly 0. A cell's shade is its
    weight (``draw.weight_cell``).

    Args:
        seed: Seed of the scores (see ``padded_batch``).

    Returns:
        A 7.5 x 2.5 inch figure with one axes.
    """
    tokens, valid_lens, scores = padded_batch(seed)
    weights = masked_softmax(scores, valid_lens)[:, 0]  # (batch, n): one query per sentence
    fig, ax = draw.canvas(7.5, 2.5)
    n = len(tokens[0])
    ys = [1.65 - 0.48 * b for b in range(len(tokens))]
    tok_x, tok_w, len_x, w_x, w_w = 0.45, 0.5, 3.75, 4.55, 0.46
    for y, row, length, w_row in zip(
        ys, tokens, valid_lens.tolist(), weights.tolist(), strict=True
    ):
        for j, (token, w) in enumerate(zip(row, w_row, strict=True)):
            real = j < length
            cell = (tok_x + tok_w * j, y), (tok_w - 0.06, 0.36)
            draw.box(ax, *cell, token, KEY if real else FAINT,
                fill=None if real else PAPER, text_size=7.5,
                linestyle="-" if real else (0, (2, 2)),
                text_kw={"color": INK if real else MUTED})  # fmt: skip
            label = f"{w:.2f}" if real else "0"
            draw.weight_cell(ax, (w_x + w_w * j - 0.02, y), (w_w - 0.04, 0.38),
                w / weights.max().item(), label)  # fmt: skip
        draw.text(ax, (len_x, y), str(length), size=10, weight="bold")
        draw.arrow(ax, (len_x + 0.2, y), (w_x - w_w / 2 - 0.08, y), GREY)
    centres = tok_x + tok_w * (n - 1) / 2, w_x + w_w * (n - 1) / 2
    labels = [  # position, words, colour
        ((centres[0], 2.2), pick("a padded batch of keys", "填充后的一批键"), INK),
        ((len_x, 2.2), pick("valid length", "有效长度"), INK),
        ((centres[1], 2.2), pick("masked softmax weights", "掩蔽 softmax 的权重"), WEIGHT),
    ]  # fmt: skip
    for xy, words, color in labels:
        draw.text(ax, xy, words, size=9, color=color, weight="bold")
    note = pick(
        "positions beyond the valid length (<pad>) get weight exactly 0; each row sums to 1",
        "超出有效长度的位置（<pad>）权重恰好为 0；每一行之和为 1",
    )
    draw.text(ax, (3.75, 0.22), note, size=8, color=MUTED, style="italic")
    return fig


@draw.diagram
def additive_attention_diagram() -> Figure:
    """Additive attention as a network: ``a(q, k) = w_v^T tanh(W_q q + W_k k)``.

    The query (size ``q``) and the key (size ``k``) are projected by ``W_q`` and ``W_k`` to the
    same hidden size ``h``, added, passed through ``tanh``, and ``w_v`` reads one number off the
    result: the score. The frame marks the one-hidden-layer MLP on ``[q; k]``.

    Returns:
        A 7.5 x 2.7 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 2.7)
    top, low, mid = 1.95, 0.85, 1.4
    in_x, w_x, add_x, tanh_x, v_x, out_x = 0.5, 1.85, 3.15, 4.2, 5.35, 6.7
    draw.box(ax, ((w_x + v_x) / 2 + 0.05, mid), (4.3, 2.0), color=GREY, fill=PAPER,
        linestyle=(0, (3, 2)), linewidth=0.8, rounding=0.1, zorder=1)  # fmt: skip
    for y, vec, mat, size, color, name in [
        (top, r"$\mathbf{q}$", r"$\mathbf{W}_q$", "q", QUERY, pick("query", "查询")),
        (low, r"$\mathbf{k}$", r"$\mathbf{W}_k$", "k", KEY, pick("key", "键")),
    ]:
        draw.box(ax, (in_x, y), (0.5, 0.4), vec, color, text_size=11)
        draw.text(ax, (in_x, y - 0.34), name, size=8, color=color)
        draw.arrow(ax, (in_x + 0.25, y), (w_x - 0.35, y), color)
        draw.text(ax, ((in_x + w_x) / 2, y + 0.12), f"${size}$", size=8, color=MUTED)
        draw.box(ax, (w_x, y), (0.7, 0.4), mat, color, text_size=10)
        draw.text(ax, (w_x, y - 0.32), rf"$h \times {size}$", size=8, color=MUTED)
        draw.arrow(ax, (w_x + 0.35, y), (add_x - 0.16, mid + (y - mid) * 0.3), color)
        draw.text(ax, ((w_x + add_x) / 2 + 0.05, (y + mid) / 2 + 0.14), "$h$", size=8, color=MUTED)
    draw.circle(ax, (add_x, mid), 0.17, INK, fill=PAPER)
    draw.text(ax, (add_x, mid), "$+$", size=12)
    stages = [  # left x, right x, the stage's box (centre x, words, colour, width)
        (add_x + 0.17, tanh_x - 0.35, "$h$"),
        (tanh_x + 0.35, v_x - 0.35, "$h$"),
        (v_x + 0.35, out_x - 0.55, "$1$"),
    ]
    for x0, x1, size in stages:
        draw.arrow(ax, (x0, mid), (x1, mid), INK)
        draw.text(ax, ((x0 + x1) / 2, mid + 0.13), size, size=8, color=MUTED)
    draw.box(ax, (tanh_x, mid), (0.7, 0.4), r"$\tanh$", GREY, text_size=10)
    draw.box(ax, (v_x, mid), (0.7, 0.4), r"$\mathbf{w}_v^\top$", GREY, text_size=10)
    draw.text(ax, (v_x, mid - 0.32), r"$1 \times h$", size=8, color=MUTED)
    draw.box(ax, (out_x, mid), (1.1, 0.44), r"$a(\mathbf{q}, \mathbf{k})$", WEIGHT, text_size=10)
    draw.text(ax, (out_x, mid - 0.36), pick("score", "注意力分数"), size=8, color=WEIGHT)
    frame = pick(
        "one hidden layer MLP on [q; k], no bias", "以 [q; k] 为输入的单隐藏层 MLP，无偏置"
    )
    draw.text(ax, ((w_x + v_x) / 2 + 0.05, mid + 1.13), frame, size=8.5, color=MUTED, weight="bold")
    note = pick(
        "the query and the key may differ in size: both are projected to the hidden size h",
        "查询和键的长度可以不同：两者都被投影到同一个隐藏维度 h",
    )
    draw.text(ax, (3.75, 0.12), note, size=8, color=MUTED, style="italic")
    return fig


SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
GEOMETRY_QUERY = (1.0, 0.0)
GEOMETRY_KEYS = ((0.8, 0.6), (0.0, 1.0), (-0.8, 0.6), (1.2, 1.6))


@draw.diagram
def dot_product_diagram(query: Tensor | None = None, keys: Tensor | None = None) -> Figure:
    """Why a dot product measures similarity: ``q·k = |q| |k| cos θ``, the shadow of ``k`` on ``q``.

    The query and each key drawn as arrows from one origin; a dashed line drops from the tip
    of every key onto the line of the query, and its foot, labelled with the score ``q·k``
    (``torch``), lies at ``q·k / |q|``: positive for a key pointing the query's way, 0 at
    right angles, negative when opposed, and farther out for a longer key. The angle ``θ`` is
    marked for the longest key.

    Args:
        query: Shape ``(2,)``, not zero; default ``GEOMETRY_QUERY``.
        keys: Shape ``(m, 2)`` with 1 to 5 keys of length at most 2.2; default
            ``GEOMETRY_KEYS``.

    Returns:
        A 3.8 x 3.0 inch figure with one axes.

    Raises:
        ValueError: ``query`` or ``keys`` has the wrong shape or size.
    """
    q = torch.tensor(GEOMETRY_QUERY) if query is None else query.detach().double().cpu()
    k = torch.tensor(GEOMETRY_KEYS) if keys is None else keys.detach().double().cpu()
    q, k = q.double(), k.double()
    if q.shape != (2,) or not 0 < q.norm() <= 2.2:
        raise ValueError(
            f"query: expected shape (2,), of length in (0, 2.2], got {q.tolist()!r:.80}"
        )
    if k.ndim != 2 or k.shape[1] != 2 or not 1 <= len(k) <= 5 or k.norm(dim=1).max() > 2.2:
        raise ValueError(
            f"keys: expected shape (m, 2) with 1 to 5 keys of length <= 2.2, got {k.tolist()!r:.80}"
        )
    scores = k @ q  # (m,)
    lengths = k.norm(dim=1)
    fig, ax = draw.canvas(3.8, 3.0)
    origin, unit = torch.tensor([1.6, 0.5]), 1.05  # inches per unit
    along = q / q.norm()  # the query's direction, and its left normal
    normal = torch.tensor([-along[1], along[0]])

    def at(v: Tensor) -> tuple[float, float]:
        p = origin + unit * v
        return (p[0].item(), p[1].item())

    ends = torch.stack([torch.zeros(2), *k, q]) @ along
    low, high = min(ends.min().item(), 0.0) - 0.35, max(ends.max().item(), 0.0) + 0.35
    draw.line(ax, *zip(at(low * along), at(high * along), strict=True), FAINT, 1.0)
    for i, (key, score) in enumerate(zip(k, scores, strict=True), start=1):
        foot = score / q.norm() * along
        draw.line(ax, *zip(at(key), at(foot), strict=True), GREY, 0.8)
        ax.lines[-1].set_linestyle((0, (3, 2)))
        draw.arrow(ax, at(torch.zeros(2)), at(key), KEY, linewidth=1.6, zorder=2)
        draw.circle(ax, at(foot), 0.04, WEIGHT, fill=WEIGHT, zorder=3.5)
        tip = at(key + 0.16 * key / key.norm())
        draw.text(ax, tip, f"k{SUBSCRIPTS[i]}", size=10, color=KEY, weight="bold")
        label = at(foot - 0.22 * normal)
        draw.text(ax, label, f"{score.item():.1f}", size=8, color=WEIGHT)
    draw.arrow(ax, at(torch.zeros(2)), at(q), QUERY, linewidth=2.4, zorder=2.6)
    draw.text(ax, at(q + 0.12 * normal + 0.1 * along), "q", size=11, color=QUERY, weight="bold")
    longest = int(lengths.argmax())
    theta = np.degrees(np.arctan2(k[longest, 1].item(), k[longest, 0].item()))
    base = np.degrees(np.arctan2(q[1].item(), q[0].item()))
    ax.add_patch(Arc(at(torch.zeros(2)), 0.7, 0.7, theta1=min(base, theta),
        theta2=max(base, theta), color=INK, linewidth=0.9, zorder=3))  # fmt: skip
    mid = np.radians((base + theta) / 2)
    draw.text(ax, at(0.48 * torch.tensor([np.cos(mid), np.sin(mid)])), "θ", size=9)
    draw.text(ax, (1.9, 2.57), pick("each key's shadow on the query", "每个键投影到查询"),
        size=8.5, color=MUTED)  # fmt: skip

    formula = "q·k = |q| |k| cos θ"
    draw.text(ax, (1.9, 2.82), formula, size=11, weight="bold")
    return fig
