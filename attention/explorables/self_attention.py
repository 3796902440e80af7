"""The self-attention chapter's explorables: the positional code, and the permutation
equivariance that makes it necessary."""

from __future__ import annotations

import json
from typing import Any

import torch

from attention import style
from attention.data import FEATURES, cat_on_mat
from attention.explorables.core import (
    FEATURES_ZH,
    Explorable,
    _alt,
    _chart,
    _check_int,
    _data,
    _menu,
    _round,
    _short,
    _slider,
    _spec,
    _switch,
)
from attention.i18n import pick
from attention.positional import PositionalEncoding
from attention.self_attention import SelfAttention

# --------------------------------------------------------------------------- positional encoding
# What attention.explorables lends out: it reads this list without importing the module.
__all__ = [
    "ORDERS",
    "permutation_data",
    "permutation_explorable",
    "positional_encoding_data",
    "positional_encoding_explorable",
]


def positional_encoding_data(num_hiddens: int = 32, max_len: int = 64) -> dict[str, Any]:
    """The numbers behind ``positional_encoding_explorable``, from ``PositionalEncoding``.

    Returns:
        ``{"pairs": [{j, omega, sin, cos}]}``: for each column pair ``j``, its frequency and
        its sine column ``P[:, 2j]`` and cosine column ``P[:, 2j+1]`` over ``max_len``
        positions, rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: ``num_hiddens`` odd or not in ``[2, 512]``, ``max_len`` not in ``[2, 1000]``.
    """
    num_hiddens = _check_int("num_hiddens", num_hiddens, 2, 512)
    max_len = _check_int("max_len", max_len, 2, 1000)
    if num_hiddens % 2:
        raise ValueError(f"num_hiddens: expected an even number, got {_short(num_hiddens)}")
    P = PositionalEncoding(num_hiddens, max_len=max_len).P[0]  # (max_len, num_hiddens)
    return {
        "pairs": [
            {
                "j": j,
                "omega": float(f"{10000 ** (-2 * j / num_hiddens):.4g}"),
                "sin": _round(P[:, 2 * j]),
                "cos": _round(P[:, 2 * j + 1]),
            }
            for j in range(num_hiddens // 2)
        ]
    }


def positional_encoding_explorable(num_hiddens: int = 32, max_len: int = 64) -> Explorable:
    """The sinusoidal positional code to play with: a position and a frequency slider.

    Args:
        num_hiddens: Size ``d`` of the code (even).
        max_len: Number of positions shown.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = positional_encoding_data(num_hiddens, max_len)
    pair = _slider("pair", 2, 0, num_hiddens // 2 - 1, 1, pick("Column pair j ", "列对 j "))
    position = _slider("position", 10, 0, max_len - 1, 1, pick("Position i ", "位置 i "))
    sin_label = pick("sin column 2j", "sin 列 2j")
    cos_label = pick("cos column 2j+1", "cos 列 2j+1")
    rows = (
        alt.Chart(_data("pairs"))
        .transform_filter("datum.j == pair")
        .transform_calculate(i=f"sequence({max_len})")
        .transform_flatten(["sin", "cos", "i"])
        .transform_fold(["sin", "cos"], as_=["column", "value"])
        .transform_calculate(column=f"datum.column == 'sin' ? '{sin_label}' : '{cos_label}'")
    )
    x = alt.X("i:Q", title=pick("position i", "位置 i"), scale=alt.Scale(domain=[0, max_len - 1]))
    y = alt.Y(
        "value:Q", title=pick("value of the code", "编码的值"), scale=alt.Scale(domain=[-1.1, 1.1])
    )
    color = alt.Color(
        "column:N",
        title=None,
        scale=alt.Scale(domain=[sin_label, cos_label], range=[style.QUERY, style.KEY]),
        legend=alt.Legend(orient="bottom"),
    )
    lines = rows.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
    dots = (
        rows.transform_filter("datum.i == position")
        .mark_point(filled=True, size=90)
        .encode(x=x, y=y, color=color)
    )
    rule = (
        alt.Chart(_data("one"))
        .transform_calculate(i="position")
        .mark_rule(color=style.GREY, strokeDash=[3, 3])
        .encode(x="i:Q")
    )
    label = (
        alt.Chart(_data("pairs"))
        .transform_filter("datum.j == pair")
        .transform_calculate(
            label=(
                f"['ω = ' + format(datum.omega, '.4g') + '  ·  {pick('period', '周期')} 2π/ω = ' + "
                f"format(2 * PI / datum.omega, '.1f'), 'P[i, 2j] = ' + "
                f"format(datum.sin[position], '.3f') + '  ·  P[i, 2j+1] = ' + "
                f"format(datum.cos[position], '.3f')]"
            )
        )
        .mark_text(align="left", baseline="top", dx=4, dy=-38, fontSize=12, lineHeight=16)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart([rule, lines, dots, label], 240, [pair, position], {**d, "one": [{}]})
    return Explorable(
        _spec(chart),
        pick(
            f"Interactive chart: the sinusoidal positional encoding with d = {num_hiddens}. A "
            "slider picks the column pair j, whose sine and cosine columns are drawn over "
            f"positions 0 to {max_len - 1}; a second slider marks position i and prints its two "
            "values. Low pairs oscillate fast (period about 6 positions), high pairs slowly, so "
            "every position gets its own pattern of values.",
            f"交互图：d = {num_hiddens} 的正弦位置编码。一个滑块选择列对 j，画出它的 sin 列"
            f"和 cos 列在位置 0 到 {max_len - 1} 上的取值；另一个滑块标出位置 i 并给出它的两个值。"
            "编号小的列对"
            "振荡快（周期约 6 个位置），编号大的慢，所以每个位置都有自己独特的一组值。",
        ),
        "positional-encoding",
        pick(
            "The sinusoidal positional encoding, column pair by column pair",
            "正弦位置编码，逐个列对查看",
        ),
    )


# --------------------------------------------------------------------------- equivariance
LABELS = 100  # pixels for the row labels of the permutation chart
# Orders of the six words of "The cat is on the mat" offered in the menu (as permutations of
# the sentence's positions): the sentence, two words swapped, reversed, rotated by one.
ORDERS = ((0, 1, 2, 3, 4, 5), (0, 5, 2, 3, 4, 1), (5, 4, 3, 2, 1, 0), (1, 2, 3, 4, 5, 0))


def permutation_data(orders: tuple[tuple[int, ...], ...] = ORDERS) -> dict[str, Any]:
    """The numbers behind ``permutation_explorable``, from ``SelfAttention`` and
    ``PositionalEncoding``.

    The six embeddings of ``cat_on_mat`` are fed in each order to a ``SelfAttention(4, 4)``
    whose three projections are the identity (``Q = K = V``: the chapter's "raw dot
    products"), with and without ``PositionalEncoding(4)`` added to them first.

    Returns:
        ``{"tokens": [...], "features": [...], "orders": [[...]], "states": [{o, pe, y, a,
        change}]}``: for order number ``o`` and ``pe`` (bool), ``y[p]`` is the output row
        (4 numbers) at input position ``p``, ``a[p]`` the attention row (6 weights over the
        positions) of the query at ``p``, and ``change`` the largest difference between a
        word's output row and that word's output row in the first order (with the same
        ``pe``); rounded to 3 decimals.

    Raises:
        ValueError: ``orders`` not 1 to 8 permutations of ``0 .. 5``.
    """
    tokens, X, _ = cat_on_mat()
    n = len(tokens)
    perms = [] if isinstance(orders, (str, bytes)) else list(orders)
    ok = 0 < len(perms) <= 8 and all(
        isinstance(p, (tuple, list)) and sorted(p) == list(range(n)) for p in perms
    )
    if not ok:
        raise ValueError(
            f"orders: expected 1 to 8 permutations of 0 .. {n - 1}, got {_short(orders)}"
        )
    perms = [[int(i) for i in p] for p in perms]
    layer = SelfAttention(X.shape[1], X.shape[1])
    with torch.no_grad():
        for projection in (layer.W_q, layer.W_k, layer.W_v):
            projection.weight.copy_(torch.eye(X.shape[1]))
    position = PositionalEncoding(X.shape[1])
    states, reference = [], {}
    with torch.no_grad():
        for number, perm in enumerate(perms):
            for pe in (False, True):
                inputs = X[perm][None]  # (1, 6, 4): the words in this order
                Y = layer(position(inputs) if pe else inputs)[0]  # (6, 4)
                by_word = torch.empty_like(Y)
                by_word[perm] = Y  # row w: the output of word w, wherever it stands
                reference.setdefault(pe, by_word)  # the first order, with or without codes
                states.append(
                    {
                        "o": number,
                        "pe": pe,
                        "y": [_round(row) for row in Y],
                        "a": [_round(row) for row in layer.attention_weights[0]],
                        "change": _round([(by_word - reference[pe]).abs().max().item()])[0],
                    }
                )
    return {"tokens": tokens, "features": list(FEATURES), "orders": perms, "states": states}


def permutation_explorable(orders: tuple[tuple[int, ...], ...] = ORDERS) -> Explorable:
    """Self-attention is permutation-equivariant until positions are added: reorder the words
    of "The cat is on the mat", switch the positional encoding, pick a word's attention row.

    Args:
        orders: The orders of the six words offered in the menu, as permutations of
            ``0 .. 5``; the first is the reference.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = permutation_data(orders)
    tokens, perms = d["tokens"], d["orders"]
    n, m = len(tokens), len(d["features"])
    order = _menu(
        "order",
        0,
        list(range(len(perms))),
        [" ".join(tokens[i] for i in p) for p in perms],
        pick("Word order ", "词序 "),
    )
    pe = _switch("pe", False, pick("Add the positional encoding ", "加上位置编码 "))
    nth = [pick(f"{t} (word {i + 1})", f"{t}（第 {i + 1} 个词）") for i, t in enumerate(tokens)]
    token = _menu(
        "token",
        tokens.index("cat") if "cat" in tokens else 0,
        list(range(n)),
        nth,
        pick("Attention row of ", "查看注意力的词 "),
    )
    names = [pick(f, FEATURES_ZH[f]) for f in d["features"]]
    # Rows of the grid, top to bottom: the input words, the output's columns, one query's weights.
    rows = ["word", *[f"y{j}" for j in range(m)], "a"]
    row_labels = {
        "word": pick("input", "输入"),
        # Y: the layer's output, as the chapter writes it.
        **{f"y{j}": pick(f"Y: {name}", f"Y：{name}") for j, name in enumerate(names)},
    }
    weights_of = pick("weights: ", "权重：")
    label_expr = (
        f"datum.value == 'a' ? '{weights_of}' + {json.dumps(tokens)}[token] : "
        f"{json.dumps(row_labels, ensure_ascii=False)}[datum.value]"
    )
    x = alt.X(
        "p:O",
        title=pick("position in the input", "在输入中的位置"),
        axis=alt.Axis(labelAngle=0, orient="bottom"),
    )
    y = alt.Y(
        "row:N",
        title=None,
        scale=alt.Scale(domain=rows),
        # A fixed width, so that the text above can start where the labels do, also on a phone.
        axis=alt.Axis(
            labelExpr=label_expr,
            labelFontSize=11,
            labelLimit=LABELS - 4,
            minExtent=LABELS,
            maxExtent=LABELS,
            ticks=False,
            domain=False,
        ),
    )
    perm_of = f"{json.dumps(perms)}[order]"
    state = alt.Chart(_data("states")).transform_filter("datum.o == order && datum.pe == pe")
    # Where the chosen word stands now: its column is shaded.
    where = f"indexof({perm_of}, token)"
    shade = (
        alt.Chart(_data("one"))
        .transform_calculate(p=where)
        .mark_rect(color=style.QUERY, opacity=0.15)
        .encode(x=x)
    )
    words = (
        alt.Chart(_data("one"))
        .transform_calculate(p=f"sequence({n})")
        .transform_flatten(["p"])
        .transform_calculate(row="'word'", word=f"{json.dumps(tokens)}[{perm_of}[datum.p]]")
        .mark_text(fontSize=13, fontWeight="bold")
        .encode(x=x, y=y, text="word:N")
    )
    cells = (
        state.transform_calculate(p=f"sequence({n})")
        .transform_flatten(["y", "p"])
        .transform_calculate(v="datum.y", c=f"sequence({m})")
        .transform_flatten(["v", "c"])
        .transform_calculate(row="'y' + datum.c")
    )
    colour = alt.condition("datum.v < 0", alt.value(style.KEY), alt.value(style.VALUE))
    tint = alt.Opacity("t:Q", scale=alt.Scale(domain=[0, 2], range=[0.05, 0.6]), legend=None)
    output = (
        cells.transform_calculate(t="abs(datum.v)")
        .mark_rect()
        .encode(x=x, y=y, color=colour, opacity=tint)
    )
    output_text = cells.mark_text(fontSize=11).encode(x=x, y=y, text=alt.Text("v:Q", format=".2f"))
    attention_row = (
        state.transform_calculate(w=f"datum.a[{where}]", p=f"sequence({n})")
        .transform_flatten(["w", "p"])
        .transform_calculate(row="'a'", t="datum.w * 2")
    )
    weights = attention_row.mark_rect(color=style.WEIGHT).encode(x=x, y=y, opacity=tint)
    weight_text = attention_row.mark_text(fontSize=11).encode(
        x=x, y=y, text=alt.Text("w:Q", format=".2f")
    )
    first_line = pick("largest change of a word's output row", "与第一种词序相比，")
    second_line = pick("vs. the first order: ", "词的输出最多变化 ")
    moved = pick(" (rows only moved)", "（各行只是换了位置）")
    change = (
        state.transform_calculate(
            text=(
                f"[{json.dumps(first_line)}, {json.dumps(second_line)} + "
                f"format(datum.change, '.2f') + (datum.change < 0.005 ? '{moved}' : '')]"
            )
        )
        .mark_text(align="left", baseline="bottom", dy=-14, fontSize=11, lineHeight=14)
        .encode(x=alt.value(-LABELS), y=alt.value(0), text="text:N")
    )
    chart = _chart(
        [shade, words, output, output_text, weights, weight_text, change],
        230,
        [order, pe, token],
        {"states": d["states"], "one": [{}]},
    )
    return Explorable(
        _spec(chart),
        pick(
            "Interactive chart: self-attention over the six words of “The cat is on the mat” "
            "(a SelfAttention layer whose projections are the identity). The columns are the "
            "input positions, with the word at each on top; below it, the four numbers of "
            "that position's output row, and the attention weights of one chosen word (its "
            "column is shaded). A menu reorders the words, a checkbox adds the positional "
            "encoding, a second menu picks the word. Without positions, reordering only moves "
            "each word's column, with the same numbers in it: the layer is permutation "
            "equivariant, and the printed largest change stays 0. With the positional "
            "encoding the numbers change with the order, and the identical words “The”, “is” "
            "and “the” no longer get identical outputs.",
            "交互图：在“The cat is on the mat”六个词上的自注意力（一个投影都是单位矩阵的 "
            "SelfAttention 层）。每一列是输入中的一个位置，顶上写着该位置的词；下面是这个位置"
            "输出行的四个数，以及所选词的注意力权重（所选词所在的列有底色）。一个菜单改变词序，"
            "一个复选框加上位置编码，另一个菜单选择词。没有位置信息时，改变词序只是移动每个词的"
            "那一列，列里的数不变：这一层是置换等变的，图上写出的最大变化始终为 0。加上位置编码"
            "后，这些数随词序而变，相同的词“The”“is”“the”也不再得到相同的输出。",
        ),
        "permutation",
        pick("Self-attention under a reordering of its input", "输入重新排序时的自注意力"),
    )
