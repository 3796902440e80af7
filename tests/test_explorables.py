"""The explorables show what the package computes: their data equal the package's functions."""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import subprocess
import sys

import pytest
import torch

import attention
from attention import explorables
from attention.i18n import language

CJK = re.compile(r"[\u4e00-\u9fff]")
TOL = 6e-4  # data are rounded to 3 decimals


def close(got, expected, atol: float = TOL) -> bool:
    return torch.allclose(torch.tensor(got, dtype=torch.float64), expected.double(), atol=atol)


def toy():
    return attention.toy_regression_data(50, 0.5, seed=0)


# --------------------------------------------------------------------------- Nadaraya-Watson
@functools.cache
def nw_data():
    return explorables.nadaraya_watson_data()


def nw_weights(d, kernel, width, q) -> list[float]:
    """The weights the chart draws for query ``q``: the stored run, zeros around it."""
    row = next(r for r in d["weights"] if r["k"] == kernel and r["h"] in (width, None))
    i = round(q / 0.2)
    start, run = row["a"][i], row["w"][i]
    full = [0] * start + run + [0] * (50 - start - len(run))
    return [v / 100 for v in full]


@pytest.mark.parametrize(
    ("kernel", "width", "q"),
    [
        ("gaussian", 0.3, 2.4),
        ("boxcar", 0.1, 0.0),
        ("epanechnikov", 2.0, 4.8),
        ("gaussian", 1.0, 1.2),
        ("constant", 0.7, 3.0),
        ("boxcar", 1.7, 4.4),
    ],
)
def test_nadaraya_watson_data_is_the_package_output(kernel, width, q) -> None:
    d = nw_data()
    x_train, y_train, x_test, y_truth = toy()
    _, w = attention.nadaraya_watson(torch.tensor([q]), x_train, y_train, kernel, width)
    assert close(nw_weights(d, kernel, width, q), w[0], atol=0.006)  # hundredths
    y_hat, _ = attention.nadaraya_watson(x_test, x_train, y_train, kernel, width)
    fit = next(r for r in d["fits"] if r["k"] == kernel and r["h"] in (width, None))
    assert close(fit["y"], y_hat, atol=0.006)  # 2 decimals
    mse = next(r["mse"] for r in d["mse"] if r["k"] == kernel and r["h"] in (width, None))
    assert mse == pytest.approx(((y_hat - y_truth) ** 2).mean().item(), abs=TOL)
    assert close([p["x"] for p in d["points"]], x_train)
    assert close([p["y"] for p in d["truth"]], y_truth)


def test_nadaraya_watson_grid() -> None:
    d = nw_data()
    assert all(len(r["a"]) == len(r["w"]) == 25 for r in d["weights"])  # the query slider
    assert tuple(round(0.1 * i, 1) for i in range(1, 21)) == explorables.NW_WIDTHS
    width_free = {(r["k"], r["h"]) for r in d["mse"] if r["h"] is None}
    assert width_free == {("constant", None)}  # stored once: the width changes nothing
    assert {(r["k"], r["h"]) for r in d["mse"] if r["h"] is not None} == {
        (k, h) for k in explorables.NW_KERNELS if k != "constant" for h in explorables.NW_WIDTHS
    }
    constant = nw_weights(d, "constant", None, 2.4)
    assert constant == [0.02] * 50  # average pooling: 1/50 each, as the chapter says


def test_nw_training_replays_train_nw() -> None:
    d = explorables.nw_training_data(lrs=(0.5, 0.1, 0.02), epochs=100)
    x_train, y_train, _, _ = toy()
    model = attention.NWKernelRegression(seed=0)
    losses = attention.train_nw(model, x_train, y_train, lr=0.5, epochs=5)
    chapter = d["runs"][0]
    assert chapter["lr"] == 0.5
    assert close(chapter["loss"][:5], torch.tensor(losses), atol=1e-3)  # one run, step by step
    assert chapter["w"][5] == pytest.approx(model.w.item(), abs=1e-3)
    # The overshoot the chart replays: the first step jumps far past the minimum near w = 4,
    # the later ones creep back; the smaller rates never pass it.
    best = min(d["curve"], key=lambda p: p["loo"])["w"]
    assert 3.5 < best < 4.5
    assert chapter["w"][1] > 4 * best and chapter["w"][-1] == pytest.approx(3.96, abs=0.01)
    for run in d["runs"][1:]:
        assert max(run["w"]) <= best * 1.02 and run["w"] == sorted(run["w"])
    assert all(p["own"] <= p["loo"] + TOL for p in d["curve"])


# --------------------------------------------------------------------------- masking
@pytest.mark.parametrize(("valid_len", "key", "score"), [(0, 6, 10.0), (3, 6, 12.0), (8, 2, -4.0)])
def test_masking_data_is_masked_softmax(valid_len, key, score) -> None:
    d = explorables.masking_data()
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(8, generator=generator)
    values = torch.randn(8, generator=generator)
    scores[key] = score
    expected = attention.masked_softmax(scores[None, None], [valid_len])[0, 0]
    row = next(r for r in d["rows"] if (r["m"], r["k"], r["s"]) == ("select", key, score))
    got = [w / 1000 for w in row["w"][valid_len]]
    assert close(got, expected)
    assert all(w == 0 for w in got[valid_len:])  # exactly 0 past the valid length
    assert row["o"][valid_len] == pytest.approx((expected @ values).item(), abs=TOL)


def test_masking_padding_gets_zero_however_high_its_score() -> None:
    d = explorables.masking_data()
    top = max(explorables.MASK_SCORES)
    assert top > max(k["s"] for k in d["keys"]) + 5  # far above every other score
    for r in d["rows"]:
        for length in range(1, 9):
            if r["k"] >= length:  # the raised key is padding
                assert r["w"][length][r["k"]] == 0
    # d2l's -1e6 fill agrees while a real key is left, and spreads an empty row evenly.
    for select, fill in itertools.pairwise(d["rows"]):
        if (select["m"], fill["m"]) != ("select", "fill"):
            continue
        assert select["w"][1:] == fill["w"][1:]
        assert select["w"][0] == [0] * 8 and fill["w"][0] == [125] * 8
        assert select["o"][0] == 0
        mean = sum(k["v"] for k in d["keys"]) / 8
        assert fill["o"][0] == pytest.approx(mean, abs=2e-3)  # the average of the padding


# --------------------------------------------------------------------------- queries, keys, values
def test_cat_on_mat_data_is_softmax_of_the_scores() -> None:
    d = explorables.cat_on_mat_data()
    tokens, X, _ = attention.cat_on_mat()
    levels = d["levels"]
    queries = list(itertools.product(levels, repeat=4))
    assert len(d["weights"][0]["w"]) == 6 * len(queries)
    for n in (0, 17, 500, len(queries) - 1):
        q = torch.tensor(queries[n])
        for row in d["weights"]:
            got = [w / 100 for w in row["w"][6 * n : 6 * n + 6]]
            scale = 2.0 if row["scaled"] else 1.0  # sqrt(d), d = 4
            assert close(got, torch.softmax(X @ q / scale, dim=0), atol=0.006)
    assert d["tokens"] == tokens


def weights_of(d, q, scaled) -> list[float]:
    n = list(itertools.product(d["levels"], repeat=4)).index(tuple(q))
    row = next(r for r in d["weights"] if r["scaled"] == scaled)
    return [w / 100 for w in row["w"][6 * n : 6 * n + 6]]


def test_cat_on_mat_data_matches_the_chapter() -> None:
    """ "on" puts 0.70 of its weight on "mat"; "animal" alone asks "who?" (cat), "place" alone
    "where?" (mat); dividing by sqrt(d) softens every query's weights."""
    d = explorables.cat_on_mat_data()
    tokens = d["tokens"]
    on = weights_of(d, (0.5, 2.0, 0.0, -0.5), False)
    assert on[tokens.index("mat")] == pytest.approx(0.70, abs=0.005)
    who = weights_of(d, (0.0, 0.0, 2.0, 0.0), False)
    assert max(who) == who[tokens.index("cat")]
    where = weights_of(d, (0.0, 2.0, 0.0, 0.0), False)
    assert max(where) == where[tokens.index("mat")]
    for q in [(0.5, 2.0, 0.0, -0.5), (0.0, 0.0, 2.0, 0.0), (2.0, 2.0, 2.0, 2.0)]:
        assert max(weights_of(d, q, True)) <= max(weights_of(d, q, False))


# --------------------------------------------------------------------------- self-attention
@pytest.mark.parametrize("j", [0, 5, 15])
def test_positional_encoding_data_is_the_module_buffer(j) -> None:
    d = explorables.positional_encoding_data(32, 64)
    P = attention.PositionalEncoding(32, max_len=64).P[0]
    pair = d["pairs"][j]
    assert pair["j"] == j
    assert close(pair["sin"], P[:, 2 * j])
    assert close(pair["cos"], P[:, 2 * j + 1])
    assert pair["omega"] == pytest.approx(10000 ** (-2 * j / 32), rel=1e-3)


def test_permutation_data_is_equivariant_without_positions_only() -> None:
    d = explorables.permutation_data()
    tokens = attention.cat_on_mat()[0]
    orders = d["orders"]
    state = {(s["o"], s["pe"]): s for s in d["states"]}
    first = state[0, False]
    for o, perm in enumerate(orders):
        plain, coded = state[o, False], state[o, True]
        # Rows of the output permute with the input: position p holds word perm[p]'s row.
        assert plain["y"] == [first["y"][w] for w in perm]
        assert plain["change"] == 0
        # Attention rows too: query p's weight on position r is word perm[p]'s on perm[r].
        assert plain["a"] == [[first["a"][w][v] for v in perm] for w in perm]
        if perm != orders[0]:
            assert coded["change"] > 0.1  # with positions, the words' outputs change
    # The identical words The, is, the: one output without positions, three with them.
    same = [tokens.index("The"), 2, 4]
    assert len({tuple(first["y"][p]) for p in same}) == 1
    assert len({tuple(state[0, True]["y"][p]) for p in same}) == 3


def test_permutation_data_is_the_layer_output() -> None:
    d = explorables.permutation_data()
    _, X, _ = attention.cat_on_mat()
    perm = d["orders"][1]
    layer = attention.SelfAttention(4, 4)
    with torch.no_grad():
        for p in (layer.W_q, layer.W_k, layer.W_v):
            p.weight.copy_(torch.eye(4))
        Y = layer(attention.PositionalEncoding(4)(X[perm][None]))[0]
    state = next(s for s in d["states"] if s["o"] == 1 and s["pe"])
    assert close(state["y"], Y)
    assert close(state["a"], layer.attention_weights[0])
    # Q = K = V = X: the chapter's raw dot products, softmax(X X^T / 2).
    plain = next(s for s in d["states"] if s["o"] == 0 and not s["pe"])
    assert close(plain["a"], torch.softmax(X @ X.T / 2, dim=-1))


# --------------------------------------------------------------------------- attention cues
@pytest.mark.parametrize(("q", "width"), [(0.0, 0.5), (2.0, 0.5), (1.3, 2.0), (3.0, 0.25)])
def test_attention_pooling_data_is_nadaraya_watson(q, width) -> None:
    row = torch.tensor([9.0, 3.0, 1.0, 8.0])
    d = explorables.attention_pooling_data(row)
    out, w = attention.nadaraya_watson(torch.tensor([q]), torch.arange(4.0), row, width=width)
    got = next(r for r in d["rows"] if (r["q"], r["h"]) == (q, width))
    assert close(got["w"], w[0])
    assert got["o"] == pytest.approx(out.item(), abs=TOL)
    assert d["max"] == 9.0
    assert sorted({r["q"] for r in d["rows"]}) == [round(0.1 * i, 3) for i in range(31)]


def test_attention_pooling_outputs_sit_above_the_plot() -> None:
    """Issue 20: the printed outputs overlapped the query and max lines; now they are drawn
    above the plot area (a negative offset from its top), where no mark runs."""
    spec = explorables.attention_pooling_explorable([9.0, 3.0, 1.0, 8.0]).spec
    texts = [
        layer
        for group in spec["layer"]
        for layer in group.get("layer", [group])
        if layer["mark"]["type"] == "text"
    ]
    assert texts and all(t["mark"]["baseline"] == "bottom" and t["mark"]["dy"] < 0 for t in texts)
    assert all(t["encoding"]["y"] == {"value": 0} for t in texts)


# --------------------------------------------------------------------------- the objects
MAKERS = [
    functools.partial(explorables.attention_pooling_explorable, [9.0, 3.0, 1.0, 8.0]),
    explorables.nadaraya_watson_explorable,
    explorables.nw_training_explorable,
    explorables.masking_explorable,
    explorables.cat_on_mat_explorable,
    explorables.positional_encoding_explorable,
    explorables.permutation_explorable,
]


@functools.cache
def made(i: int, lang: str) -> explorables.Explorable:
    with language(lang):
        return MAKERS[i]()


@pytest.mark.parametrize("i", range(len(MAKERS)))
def test_deterministic_and_displayable(i) -> None:
    first, second = made(i, "en"), MAKERS[i]()
    assert first.to_json() == second.to_json()
    bundle, meta = first._repr_mimebundle_()
    assert set(bundle) == {explorables.MIME_VEGALITE, "text/plain"}
    assert bundle[explorables.MIME_VEGALITE] == first.spec  # the site draws exactly this spec
    about = meta[explorables.MIME_VEGALITE]["attention"]  # what the site builds its figure from
    assert about == {"name": first.name, "description": first.description, "lang": "en"}
    assert "/vega-lite/v6." in first.spec["$schema"]  # the vendored vega-lite is 6.x
    controls = [p for p in first.spec["params"] if "bind" in p]
    assert controls and all(p["bind"].get("name", "").strip() for p in controls)  # labelled
    assert len(first.to_json()) < 150_000  # shipped beside the page, fetched when drawn


@pytest.mark.parametrize(
    "name", ['x" onmouseover="alert(1)', "a b", "<b>", "x&y", "-x", "_x", "", 7, "x" * 65, "ünï"]
)
def test_a_name_is_a_safe_identifier(name) -> None:
    """The name goes into HTML attributes, a CSS selector and a file name: [A-Za-z0-9_-]."""
    with pytest.raises(ValueError, match=r"^name: expected an identifier"):
        explorables.Explorable({}, "a chart that shows something", name)


@pytest.mark.parametrize(
    "text",
    [
        "No description has been provided for this image",
        "  No description has been provided for this image",
        "No description has been provided for this image \n",
        "no  description has been provided for this image",
        "short",
        "                              ",
        "  a\n b  ",
        None,
    ],
)
def test_a_description_says_something(text) -> None:
    with pytest.raises(ValueError, match=r"^description: expected"):
        explorables.Explorable({}, text, "t")


def test_the_placeholder_is_nbconverts() -> None:
    from attention.explorables.core import PLACEHOLDER
    from attention.plotting import PLACEHOLDER as FIGURES

    assert PLACEHOLDER == FIGURES


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_json_is_valid_or_refused(bad) -> None:
    e = explorables.Explorable({"datasets": {"d": [{"x": bad}]}}, "a chart of one number", "t")
    with pytest.raises(ValueError, match=r"^spec: expected finite numbers"):
        e.to_json()


@pytest.mark.parametrize("i", range(len(MAKERS)))
def test_json_is_strict(i) -> None:
    """Every explorable's spec parses as strict JSON (no NaN, Infinity)."""
    text = made(i, "en").to_json()

    def refuse(constant):
        raise AssertionError(f"{constant} in the spec")

    json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("i", range(len(MAKERS)))
def test_words_follow_the_language(i) -> None:
    zh, en = made(i, "zh"), made(i, "en")

    def words(e: explorables.Explorable) -> str:
        spec = {k: v for k, v in e.spec.items() if k != "datasets"}
        return e.description + json.dumps(spec, ensure_ascii=False)

    assert CJK.search(zh.description) and CJK.search(words(zh))
    assert all(CJK.search(p["bind"]["name"]) for p in zh.spec["params"] if "bind" in p)
    assert not CJK.search(words(en))
    assert zh.spec["datasets"] == en.spec["datasets"]  # same numbers in both languages
    # The chart's accessible name: its own, in the page's language.
    names = {made(j, "en").spec["description"] for j in range(len(MAKERS))}
    assert len(names) == len(MAKERS)
    assert CJK.search(zh.spec["description"]) and not CJK.search(en.spec["description"])


def test_axis_titles_follow_the_language() -> None:
    """Every axis title and legend title of a zh chart is Chinese (or a formula)."""
    for i in range(len(MAKERS)):
        found = re.findall(
            r'"title":\s*"([^"]*)"', json.dumps(made(i, "zh").spec, ensure_ascii=False)
        )
        for title in found:
            assert CJK.search(title) or not re.search(r"[A-Za-z]{3,}", title), title


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: explorables.nadaraya_watson_data(kernels=("cosine",)), "kernels"),
        (lambda: explorables.nadaraya_watson_data(kernels="gaussian"), "kernels"),
        (lambda: explorables.nadaraya_watson_data(widths=(0.3, 0)), "widths"),
        (lambda: explorables.nadaraya_watson_data(widths=()), "widths"),
        (lambda: explorables.nadaraya_watson_data(widths=(1e-300,)), "widths"),
        (lambda: explorables.nadaraya_watson_data(widths=(1e300,)), "widths"),
        (lambda: explorables.nadaraya_watson_data(seed=-1), "seed"),
        (lambda: explorables.nadaraya_watson_data(seed=2**64), "seed"),
        (lambda: explorables.nadaraya_watson_data(seed=1.5), "seed"),
        (lambda: explorables.nadaraya_watson_explorable(widths=(float("nan"),)), "widths"),
        (lambda: explorables.nadaraya_watson_explorable(widths=(0.1, 0.2, 0.5)), "widths"),
        (lambda: explorables.nw_training_data(lrs=(0,)), "lrs"),
        (lambda: explorables.nw_training_data(lrs=(1e9,)), "lrs"),
        (lambda: explorables.nw_training_data(epochs=0), "epochs"),
        (lambda: explorables.nw_training_data(epochs=10**9), "epochs"),
        (lambda: explorables.nw_training_data(seed=True), "seed"),
        (lambda: explorables.masking_data(n_keys=0), "n_keys"),
        (lambda: explorables.masking_data(n_keys=10**6), "n_keys"),
        (lambda: explorables.masking_explorable(n_keys=2.5), "n_keys"),
        (lambda: explorables.masking_data(seed=-3), "seed"),
        (lambda: explorables.masking_data(seed="0"), "seed"),
        (lambda: explorables.masking_data(scores=(1e308, 2e308)), "scores"),
        (lambda: explorables.masking_data(scores=(0, 1, 3)), "scores"),
        (lambda: explorables.cat_on_mat_data(levels=(-1,)), "levels"),
        (lambda: explorables.cat_on_mat_explorable(levels=(0, 1, 3)), "levels"),
        (lambda: explorables.cat_on_mat_data(levels="abc"), "levels"),
        (lambda: explorables.cat_on_mat_data(levels=[float(i) for i in range(10_000)]), "levels"),
        (lambda: explorables.cat_on_mat_data(levels=(1e300, 2e300)), "levels"),
        (lambda: explorables.positional_encoding_data(num_hiddens=31), "num_hiddens"),
        (lambda: explorables.positional_encoding_explorable(max_len=1), "max_len"),
        (lambda: explorables.positional_encoding_data(num_hiddens=True), "num_hiddens"),
        (lambda: explorables.positional_encoding_data(max_len=10**12), "max_len"),
        (lambda: explorables.permutation_data(orders=((0, 1, 2),)), "orders"),
        (lambda: explorables.permutation_data(orders=((0, 0, 1, 2, 3, 4),)), "orders"),
        (lambda: explorables.permutation_data(orders="012345"), "orders"),
        (lambda: explorables.attention_pooling_data([1.0]), "values"),
        (lambda: explorables.attention_pooling_data(torch.ones(10_000)), "values"),
        (lambda: explorables.attention_pooling_data([[1.0, 2.0]]), "values"),
        (lambda: explorables.attention_pooling_data([1.0, float("inf")]), "values"),
        (lambda: explorables.attention_pooling_data([1e20, 3e38]), "values"),
        (lambda: explorables.attention_pooling_data(["a", "b"]), "values"),
        (lambda: explorables.attention_pooling_explorable([1.0, 2.0], widths=(-1,)), "widths"),
        (lambda: explorables.attention_pooling_data([1.0, 2.0], widths=(1e-300,)), "widths"),
    ],
)
def test_bad_arguments_name_themselves(call, name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected .*got") as info:
        call()
    assert len(str(info.value)) < 400


def test_sizes_and_seeds_take_numpy_integers() -> None:
    np = pytest.importorskip("numpy")
    d = explorables.masking_data(n_keys=np.int64(4), seed=np.int64(0))
    assert len(d["keys"]) == 4


def test_import_attention_does_not_need_altair() -> None:
    code = (
        "import sys, attention, attention.explorables\n"
        "assert 'altair' not in sys.modules, 'altair imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_chapter_imports_only_its_own_explorables() -> None:
    """The site re-executes a chapter when a package file it imported changes: a chapter that
    uses one explorable must not import the other chapters' modules."""
    for module, name in [
        ("scoring_functions", "masking_explorable"),
        ("self_attention", "permutation_explorable"),
        ("nadaraya_watson", "nw_training_explorable"),
        ("queries_keys_values", "cat_on_mat_explorable"),
        ("attention_cues", "attention_pooling_explorable"),
    ]:
        code = (
            "import sys\n"
            f"from attention.explorables import Explorable, {name}\n"
            "mods = {m for m in sys.modules if m.startswith('attention.explorables.')}\n"
            f"assert mods == {{'attention.explorables.' + m for m in ('core', {module!r})}}, mods\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


def test_the_package_lends_each_chapter_modules_names_read_without_importing_them() -> None:
    """`attention.explorables` reads each chapter module's ``__all__`` from its source: the
    map agrees with the modules as imported, and every ``*_data`` and ``*_explorable`` function
    a module defines is lent out."""
    import importlib
    import inspect

    import attention.explorables as explorables

    imported = {}
    for module in sorted(set(explorables._modules().values())):
        mod = importlib.import_module(f"attention.explorables.{module}")
        imported.update(dict.fromkeys(mod.__all__, module))
        defined = {
            name
            for name, f in inspect.getmembers(mod, inspect.isfunction)
            if f.__module__ == mod.__name__
            and not name.startswith("_")
            and name.endswith(("_data", "_explorable"))
        }
        assert defined <= set(mod.__all__), f"{module}: not lent out: {defined - set(mod.__all__)}"
    assert explorables._modules() == imported
    assert set(explorables._modules().values()) == {
        "attention_cues", "nadaraya_watson", "queries_keys_values", "scoring_functions",
        "self_attention",
    }  # fmt: skip
    for name in explorables.__all__:
        assert getattr(explorables, name) is not None
