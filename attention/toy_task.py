"""A model that learns to attend: one self-attention layer trained to reverse sequences.

Reversal is a task whose right alignment is known in advance: output position ``i`` of a
sequence of length ``L`` must copy input position ``L - 1 - i``. A model that solves it with
attention must put its weight on the anti-diagonal of its ``(L, L)`` weight matrix, so the
weights it learns can be checked against that alignment. ``train_reversal`` trains a small model
built from this package's layers and keeps snapshots of its weights, loss and accuracy as it
learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from attention._checks import brief, check_positive_float, check_positive_int, check_seed
from attention.device import default_device
from attention.positional import PositionalEncoding
from attention.self_attention import SelfAttention


def reversal_data(
    n_sequences: int, seq_len: int = 8, vocab_size: int = 10, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """Random token sequences and their reversals: the inputs and targets of the toy task.

    Args:
        n_sequences: Number of sequences.
        seq_len: Length ``L`` of each sequence, at least 2.
        vocab_size: Tokens are drawn uniformly from ``0 .. vocab_size - 1``, at least 2.
        seed: Seed of a private ``torch.Generator``; the global RNG is left untouched.

    Returns:
        ``(tokens, targets)``: ``int64`` tensors on the CPU, shape ``(n_sequences, L)`` each,
        with ``targets[:, i] == tokens[:, L - 1 - i]``.

    Raises:
        ValueError: A size that is not an integer in range, or a bad ``seed``.
    """
    check_positive_int("n_sequences", n_sequences)
    check_positive_int("seq_len", seq_len, minimum=2)
    check_positive_int("vocab_size", vocab_size, minimum=2)
    check_seed("seed", seed)
    return _reversal_batch(torch.Generator().manual_seed(seed), n_sequences, seq_len, vocab_size)


def _reversal_batch(
    generator: torch.Generator, n: int, seq_len: int, vocab_size: int
) -> tuple[Tensor, Tensor]:
    tokens = torch.randint(vocab_size, (n, seq_len), generator=generator)  # (n, L)
    return tokens, tokens.flip(1)


def reversal_alignment(seq_len: int) -> Tensor:
    """The right attention weights for reversal: query ``i`` puts all its weight on key
    ``L - 1 - i``.

    Args:
        seq_len: Length ``L`` of the sequences, at least 2.

    Returns:
        Shape ``(L, L)``, ``float32``: ones on the anti-diagonal, zeros elsewhere.

    Raises:
        ValueError: ``seq_len`` is not an integer >= 2.
    """
    check_positive_int("seq_len", seq_len, minimum=2)
    return torch.eye(seq_len).flip(1)


class ReversalModel(nn.Module):
    """Token embedding, positional encoding, one ``SelfAttention`` layer, a linear read-out.

    There is no residual connection: the output at position ``i`` is the attention output
    ``sum_j a_ij v_j`` read by a linear layer, so the only way to reach the token that
    position ``i`` must produce is to attend to the position that holds it.

    Args:
        vocab_size: Number of distinct tokens.
        num_hiddens: Size of the embeddings, of the queries, keys and values.
        max_len: Longest sequence the positional encoding supports.
        positional: Add the positional encoding to the embeddings. Without it the layer is
            permutation-equivariant and cannot tell the first position from the last.
    """

    def __init__(
        self, vocab_size: int, num_hiddens: int, max_len: int = 64, positional: bool = True
    ) -> None:
        super().__init__()
        check_positive_int("vocab_size", vocab_size, minimum=2)
        check_positive_int("num_hiddens", num_hiddens)
        check_positive_int("max_len", max_len)
        if not isinstance(positional, bool):
            raise ValueError(f"positional: expected True or False, got {brief(positional)}")
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.position = PositionalEncoding(num_hiddens, max_len=max_len) if positional else None
        self.attention = SelfAttention(num_hiddens, num_hiddens)
        self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, tokens: Tensor) -> Tensor:
        """Scores of every token at every position.

        Args:
            tokens: Integer tensor of shape ``(batch, L)`` with values in ``[0, vocab_size)``
                and ``L <= max_len``.

        Returns:
            Logits of shape ``(batch, L, vocab_size)``. The layer's weights, shape
            ``(batch, L, L)``, are left in ``self.attention.attention_weights``.

        Raises:
            ValueError: ``tokens`` is not a 2-D integer tensor of known tokens.
        """
        vocab_size = self.embedding.num_embeddings
        if (
            not isinstance(tokens, Tensor)
            or tokens.ndim != 2
            or tokens.is_floating_point()
            or tokens.dtype == torch.bool
            or (tokens.numel() and not (tokens.min() >= 0 and tokens.max() < vocab_size))
        ):
            raise ValueError(
                f"tokens: expected an integer tensor of shape (batch, L) with values in "
                f"[0, {vocab_size}), got {brief(tokens)}"
            )
        X = self.embedding(tokens)  # (B, L, h)
        if self.position is not None:
            X = self.position(X)
        return self.output(self.attention(X))  # (B, L, h) -> (B, L, vocab_size)


@dataclass(frozen=True)
class Snapshot:
    """The model at one step of ``train_reversal``, measured on the held-out test sequences."""

    step: int
    """Optimizer steps taken so far (0: the untrained model)."""
    loss: float
    """Mean cross-entropy per token."""
    accuracy: float
    """Fraction of output tokens predicted right."""
    mass: float
    """Mean attention weight on the right key (the anti-diagonal), over all queries."""
    weights: Tensor
    """Attention weights of the example (the first test sequence), shape ``(L, L)``, CPU."""
    output: Tensor
    """The tokens the model outputs for the example, shape ``(L,)``, CPU."""


@dataclass(frozen=True)
class ReversalRun:
    """What ``train_reversal`` returns."""

    model: ReversalModel
    """The trained model."""
    example: Tensor
    """The first test sequence, shape ``(L,)``: the one whose weights the snapshots keep."""
    snapshots: list[Snapshot]
    """One snapshot every ``snapshot_every`` steps, from step 0 to the last step."""


def train_reversal(
    steps: int = 200,
    snapshot_every: int = 10,
    seq_len: int = 8,
    vocab_size: int = 10,
    num_hiddens: int = 32,
    batch_size: int = 64,
    lr: float = 0.03,
    n_test: int = 500,
    positional: bool = True,
    seed: int = 0,
    device: torch.device | str | None = None,
) -> ReversalRun:
    """Train a ``ReversalModel`` to reverse random sequences, with snapshots along the way.

    Each step draws a fresh batch of random sequences and takes one Adam step on the
    cross-entropy of the reversed sequence. Every ``snapshot_every`` steps (and before the
    first) the model is measured on ``n_test`` sequences drawn once, before training.

    Args:
        steps: Optimizer steps, a multiple of ``snapshot_every`` (0: measure the untrained
            model only).
        snapshot_every: Steps between two snapshots.
        seq_len: Length ``L`` of the sequences, at least 2.
        vocab_size: Number of distinct tokens, at least 2.
        num_hiddens: Size of the embeddings and of the attention layer.
        batch_size: Sequences per step.
        lr: Adam's learning rate.
        n_test: Number of held-out test sequences.
        positional: Give the model the positional encoding (see ``ReversalModel``).
        seed: Seeds the data and the initial weights; the global RNG is left untouched, and
            the same arguments give the same run.
        device: Where to train; ``default_device()`` when ``None``.

    Returns:
        A ``ReversalRun``: the trained model, the example sequence and
        ``steps // snapshot_every + 1`` snapshots.

    Raises:
        ValueError: A size that is not a positive integer, ``steps`` not a multiple of
            ``snapshot_every``, ``lr <= 0``, a bad ``seed`` or ``positional`` not a bool.
    """
    check_positive_int("steps", steps, minimum=0)
    check_positive_int("snapshot_every", snapshot_every)
    if steps % snapshot_every:
        raise ValueError(
            f"snapshot_every: expected a divisor of steps={steps}, got {snapshot_every}"
        )
    check_positive_int("seq_len", seq_len, minimum=2)
    check_positive_int("vocab_size", vocab_size, minimum=2)
    check_positive_int("num_hiddens", num_hiddens)
    check_positive_int("batch_size", batch_size)
    lr = check_positive_float("lr", lr)
    check_positive_int("n_test", n_test)
    check_seed("seed", seed)
    device = torch.device(device) if device is not None else default_device()
    with torch.random.fork_rng(devices=[]):  # seeded weights, global RNG untouched
        torch.manual_seed(seed)
        model = ReversalModel(vocab_size, num_hiddens, seq_len, positional).to(device)
    generator = torch.Generator().manual_seed(seed)
    test_tokens, test_targets = (
        t.to(device) for t in _reversal_batch(generator, n_test, seq_len, vocab_size)
    )
    alignment = reversal_alignment(seq_len).to(device)  # (L, L)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()

    def snapshot(step: int) -> Snapshot:
        with torch.no_grad():
            logits = model(test_tokens)  # (n_test, L, vocab_size)
            weights = model.attention.attention_weights  # (n_test, L, L)
            assert weights is not None
            loss = loss_fn(logits.flatten(0, 1), test_targets.flatten())
            accuracy = (logits.argmax(-1) == test_targets).float().mean()
            mass = (weights * alignment).sum(-1).mean()  # weight on the right key, per query
        return Snapshot(
            step,
            loss.item(),
            accuracy.item(),
            mass.item(),
            weights[0].cpu(),
            logits[0].argmax(-1).cpu(),
        )

    snapshots = [snapshot(0)]
    for step in range(1, steps + 1):
        tokens, targets = (
            t.to(device) for t in _reversal_batch(generator, batch_size, seq_len, vocab_size)
        )
        optimizer.zero_grad()
        loss = loss_fn(model(tokens).flatten(0, 1), targets.flatten())  # (B * L, vocab) vs (B * L,)
        loss.backward()
        optimizer.step()
        if step % snapshot_every == 0:
            snapshots.append(snapshot(step))
    return ReversalRun(model, test_tokens[0].cpu(), snapshots)
