"""The toy task: a self-attention model learns to reverse sequences, and its explorable."""

from __future__ import annotations

import json
import re

import pytest
import torch

from attention.i18n import language
from attention.toy_task import (
    ReversalModel,
    reversal_alignment,
    reversal_data,
    train_reversal,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# Tiny but enough to learn: 4 tokens from 5, 60 steps (about a second on one core).
TINY = dict(steps=60, snapshot_every=20, seq_len=4, vocab_size=5, num_hiddens=16, batch_size=32)


@pytest.fixture(scope="module")
def run(device: torch.device):
    return train_reversal(**TINY, n_test=100, device=device)


def test_data_are_sequences_and_their_reversals() -> None:
    tokens, targets = reversal_data(6, seq_len=5, vocab_size=3, seed=1)
    assert tokens.shape == targets.shape == (6, 5) and tokens.dtype == torch.int64
    assert torch.equal(targets, tokens.flip(1))
    assert tokens.min() >= 0 and tokens.max() < 3
    assert torch.equal(tokens, reversal_data(6, seq_len=5, vocab_size=3, seed=1)[0])
    assert not torch.equal(tokens, reversal_data(6, seq_len=5, vocab_size=3, seed=2)[0])


def test_alignment_is_the_anti_diagonal() -> None:
    A = reversal_alignment(3)
    assert torch.equal(A, torch.tensor([[0.0, 0, 1], [0, 1, 0], [1, 0, 0]]))
    tokens, targets = reversal_data(2, seq_len=3, seed=0)
    # Weights equal to the alignment copy the right token to every position.
    assert torch.equal((A @ tokens.T.float()).T.long(), targets)


def test_the_model_learns_to_attend(run) -> None:
    first, last = run.snapshots[0], run.snapshots[-1]
    assert [s.step for s in run.snapshots] == [0, 20, 40, 60]
    # Untrained: near chance (1/5) and near-uniform weights (1/4 on the right key).
    assert first.accuracy < 0.4 and first.mass < 0.35
    assert last.accuracy >= 0.95 and last.mass >= 0.5
    assert last.weights.shape == (4, 4) and last.weights.device.type == "cpu"
    assert torch.allclose(last.weights.sum(-1), torch.ones(4))
    # Every query of the example gives its largest weight to the right key.
    assert torch.equal(last.weights.argmax(-1), torch.tensor([3, 2, 1, 0]))
    assert torch.equal(last.output, run.example.flip(0))


def test_without_positions_it_cannot_reverse() -> None:
    run = train_reversal(**TINY, n_test=100, positional=False, device="cpu")
    last = run.snapshots[-1]
    assert last.accuracy < 0.6 and abs(last.mass - 0.25) < 0.05  # uniform over 4 keys


def test_runs_are_deterministic_and_leave_the_global_rng_alone() -> None:
    state = torch.random.get_rng_state()
    small = dict(TINY, steps=20, snapshot_every=10)
    a = train_reversal(**small, n_test=20, seed=3, device="cpu")
    b = train_reversal(**small, n_test=20, seed=3, device="cpu")
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.example, b.example)
    for x, y in zip(a.snapshots, b.snapshots, strict=True):
        assert (x.step, x.loss, x.accuracy, x.mass) == (y.step, y.loss, y.accuracy, y.mass)
        assert torch.equal(x.weights, y.weights) and torch.equal(x.output, y.output)
    c = train_reversal(**small, n_test=20, seed=4, device="cpu")
    assert not torch.equal(a.snapshots[-1].weights, c.snapshots[-1].weights)


def test_zero_steps_measures_the_untrained_model() -> None:
    run = train_reversal(steps=0, seq_len=3, n_test=10, device="cpu")
    assert [s.step for s in run.snapshots] == [0]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"steps": -1}, "steps"),
        ({"snapshot_every": 0}, "snapshot_every"),
        ({"steps": 25, "snapshot_every": 10}, "snapshot_every"),
        ({"seq_len": 1}, "seq_len"),
        ({"vocab_size": 1}, "vocab_size"),
        ({"num_hiddens": 0}, "num_hiddens"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"lr": 0.0}, "lr"),
        ({"n_test": 0}, "n_test"),
        ({"positional": "yes"}, "positional"),
        ({"seed": -1}, "seed"),
    ],
)
def test_training_arguments_name_themselves(kwargs, name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected .*got") as info:
        train_reversal(**{"steps": 0, "n_test": 2, "device": "cpu", **kwargs})
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: reversal_data(0), "n_sequences"),
        (lambda: reversal_data(2, seq_len=True), "seq_len"),
        (lambda: reversal_alignment(1), "seq_len"),
        (lambda: ReversalModel(5, 4)(torch.zeros(1, 3)), "tokens"),  # floats
        (lambda: ReversalModel(5, 4)(torch.tensor([[0, 5]])), "tokens"),  # unknown token
        (lambda: ReversalModel(5, 4)(torch.tensor([0, 1])), "tokens"),  # no batch
        (lambda: ReversalModel(5, 4, positional=1), "positional"),
    ],
)
def test_other_arguments_name_themselves(call, name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected .*got"):
        call()


# --------------------------------------------------------------------------- the explorable
@pytest.fixture(scope="module")
def cpu_run():
    return train_reversal(**TINY, n_test=50, device="cpu")


def test_explorable_data_are_the_snapshots(cpu_run) -> None:
    from attention.explorables_training import reversal_training_data

    d = reversal_training_data(cpu_run)
    assert d["example"] == cpu_run.example.tolist()
    assert d["truth"] == [{"i": i, "j": 3 - i} for i in range(4)]
    for snap, row, stats in zip(cpu_run.snapshots, d["weights"], d["stats"], strict=True):
        assert row["s"] == stats["s"] == snap.step
        shipped = torch.tensor(row["w"]).reshape(4, 4) / 1000
        assert torch.allclose(shipped, snap.weights, atol=5e-4)
        assert stats["acc"] == round(snap.accuracy, 3) and stats["mass"] == round(snap.mass, 3)
        assert stats["out"] == snap.output.tolist()


def test_explorable_is_deterministic_and_follows_the_language(cpu_run) -> None:
    from attention.explorables_training import reversal_training_explorable

    en = reversal_training_explorable(cpu_run)
    assert en.to_json() == reversal_training_explorable(cpu_run).to_json()
    with language("zh"):
        zh = reversal_training_explorable(cpu_run)
    slider = next(p for p in en.spec["params"] if "bind" in p)
    assert slider["bind"]["input"] == "range" and slider["bind"]["max"] == 60
    assert slider["bind"]["step"] == 20 and slider["value"] == 0

    def words(e) -> str:
        spec = {k: v for k, v in e.spec.items() if k != "datasets"}
        return e.description + json.dumps(spec, ensure_ascii=False)

    assert CJK.search(words(zh)) and not CJK.search(words(en))
    assert zh.spec["datasets"] == en.spec["datasets"]
    assert en.name == zh.name == "reversal-training"


def test_explorable_refuses_what_is_not_a_run() -> None:
    from attention.explorables_training import reversal_training_explorable

    with pytest.raises(ValueError, match=r"^run: expected a ReversalRun .*got"):
        reversal_training_explorable({"snapshots": []})
