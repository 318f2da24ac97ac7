"""Full-softmax skip-gram and CBOW in plain NumPy: the tutorials' models, written to be read.

This module is the teaching and checking companion of the fast trainer
(:class:`wordvec.Word2Vec`). It implements word2vec the way the introductory
tutorials do, with nothing hidden:

* every word has two vectors, an *input* vector (a row of ``W_in``, the
  embedding we keep) and an *output* vector (a row of ``W_out``);
* the model turns one input representation ``h`` into a score for **every**
  word of the vocabulary, ``scores = h @ W_out.T``, and a softmax turns the
  scores into a probability distribution;
* the loss is the cross-entropy of that distribution against the word that
  really occurred, i.e. ``-log p[true word]``;
* gradients are written out by hand and applied with minibatch SGD.

Skip-gram uses the centre word's input vector as ``h`` and predicts each
context word; CBOW averages the input vectors of the context words and
predicts the centre word.

The full softmax costs ``O(V)`` per training example, so this is only for
small vocabularies (see :data:`MAX_SOFTMAX_VOCAB`). For real corpora use
:class:`wordvec.Word2Vec` with negative sampling or hierarchical softmax.

Two implementation choices follow the tutorials' own optimisations:

* Inputs and labels are word *ids*, never one-hot matrices. Multiplying a
  one-hot vector by ``W_in`` just selects a row, so we index instead; and an
  id label needs ``O(m)`` memory for ``m`` examples instead of ``O(V * m)``.
* Within a minibatch the output weights get the *mean* gradient over the
  batch, while each input vector gets the *sum* of its own examples'
  gradients (see ``SkipGramSoftmax._train_batch`` for why).

Example:
    >>> from wordvec.train.reference import SkipGramSoftmax
    >>> sentences = [["machine", "learning", "is", "fun"]] * 20
    >>> model = SkipGramSoftmax(vector_size=8, window=1, epochs=20, seed=0)
    >>> model = model.fit(sentences)
    >>> model.predict_context("machine", topn=1)[0][0]
    'learning'
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec.errors import ConfigError, CorpusError, TrainingError, VocabError
from wordvec.wording import counted

if TYPE_CHECKING:  # imported lazily at run time, see _build_vocab, .wv and _Reporter
    from wordvec.text.vocab import Vocab
    from wordvec.train.word2vec import Progress
    from wordvec.vectors.keyed import WordVectors

logger = logging.getLogger("wordvec")

#: Largest vocabulary the full-softmax models accept. Each training step
#: scores every word for every example in the batch (a ``batch_size x V``
#: matrix), and the output-weight gradient is a dense ``V x vector_size``
#: matrix, so time per example grows linearly with V. Beyond this size
#: negative sampling or hierarchical softmax is the right tool.
MAX_SOFTMAX_VOCAB = 20_000

#: Learning-rate schedules accepted by name (``lr_decay=``); see
#: :func:`learning_rate_schedule`.
LR_SCHEDULES = ("inverse", "linear", "none")


# --------------------------------------------------------------------------
# Training data: sliding windows over word ids
# --------------------------------------------------------------------------


def sliding_window_pairs(
    ids: Sequence[int] | np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Skip-gram training pairs of one sentence: every (centre, context) within ``window``.

    For each position ``i`` the contexts are the words at ``i - window`` ..
    ``i + window`` except ``i`` itself, left to right. Near the sentence
    edges the window is simply cut short: no padding, no pairs across
    sentences.

    Returns ``(centers, contexts)``, two int32 arrays of equal length.

    Example:
        >>> c, x = sliding_window_pairs([0, 1, 2], window=1)
        >>> list(zip(c.tolist(), x.tolist()))
        [(0, 1), (1, 0), (1, 2), (2, 1)]
    """
    ids = np.asarray(ids, dtype=np.int32)
    window = int(window)
    if window < 1:
        raise ConfigError(f"window must be at least 1, got {window}")
    centers: list[int] = []
    contexts: list[int] = []
    n = len(ids)
    for i in range(n):
        for j in range(max(0, i - window), min(n, i + window + 1)):
            if j != i:
                centers.append(int(ids[i]))
                contexts.append(int(ids[j]))
    return np.array(centers, dtype=np.int32), np.array(contexts, dtype=np.int32)


def cbow_windows(
    ids: Sequence[int] | np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CBOW training examples of one sentence: each word with the words around it.

    Returns ``(contexts, mask, targets)``:

    * ``contexts``: int32 ``[n, 2 * window]``, the context word ids of each
      example, left to right; slots past a sentence edge hold 0 (padding);
    * ``mask``: bool ``[n, 2 * window]``, True where a slot holds a real word;
    * ``targets``: int32 ``[n]``, the centre word each example predicts.

    A sentence of one word has no context and gives no example.

    Example:
        >>> ctx, mask, tgt = cbow_windows([5, 6, 7], window=1)
        >>> tgt.tolist(), ctx.tolist(), mask.tolist()
        ([5, 6, 7], [[0, 6], [5, 7], [6, 0]], [[False, True], [True, True], [True, False]])
    """
    ids = np.asarray(ids, dtype=np.int32)
    window = int(window)
    if window < 1:
        raise ConfigError(f"window must be at least 1, got {window}")
    n = len(ids)
    if n < 2:
        empty = np.zeros((0, 2 * window), dtype=np.int32)
        return empty, empty.astype(bool), np.zeros(0, dtype=np.int32)
    contexts = np.zeros((n, 2 * window), dtype=np.int32)
    mask = np.zeros((n, 2 * window), dtype=bool)
    # Slot k holds offset -window..-1 for k < window and +1..+window after.
    offsets = [o for o in range(-window, window + 1) if o != 0]
    for i in range(n):
        for k, o in enumerate(offsets):
            j = i + o
            if 0 <= j < n:
                contexts[i, k] = ids[j]
                mask[i, k] = True
    return contexts, mask, ids.copy()


# --------------------------------------------------------------------------
# The two models' mathematics: forward pass, softmax, loss, backward pass
# --------------------------------------------------------------------------


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log of the softmax of ``scores`` (shape ``[m, V]``), computed stably.

    Subtracting each row's maximum first changes nothing mathematically
    (softmax is shift-invariant) but keeps ``exp`` from overflowing.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def skipgram_loss_and_grads(
    W_in: np.ndarray, W_out: np.ndarray, centers: np.ndarray, contexts: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with full softmax: mean loss over (centre, context) pairs and its exact gradients.

    For each pair the model computes ``p = softmax(W_out @ W_in[center])``
    and pays ``-log p[context]``. Returns ``(loss, dW_in, dW_out)`` where the
    gradients have the shapes of ``W_in`` and ``W_out`` and are the gradients
    of the *mean* loss over the pairs.

    (The tutorial that groups all contexts of one centre into a multi-hot
    target ``y`` gets ``W_out`` gradient ``(C * p - y) h^T`` with ``C`` the
    number of contexts: exactly the sum of our per-pair gradients.)

    Example:
        >>> rng = np.random.default_rng(0)
        >>> W_in, W_out = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
        >>> loss, dW_in, dW_out = skipgram_loss_and_grads(W_in, W_out, [0, 1], [1, 2])
        >>> dW_in.shape, dW_out.shape, bool(loss > 0)
        ((5, 3), (5, 3), True)
    """
    centers = np.asarray(centers, dtype=np.intp)
    contexts = np.asarray(contexts, dtype=np.intp)
    m = len(centers)
    rows = np.arange(m)

    # Forward. A one-hot centre times W_in is just row `center` of W_in, so we
    # index instead of multiplying. Then one score per vocabulary word.
    h = W_in[centers]  # [m, d]
    scores = h @ W_out.T  # [m, V]

    # Softmax turns the scores into a probability for every word (in log
    # space, which the loss needs anyway).
    log_probs = log_softmax(scores)  # [m, V]

    # Loss. With a one-hot target y, the cross-entropy -sum(y * log p) keeps
    # only the true context word's term, so we read it off by index.
    loss = -float(log_probs[rows, contexts].mean())

    # Backward through softmax and cross-entropy together: dloss/dscores is
    # p - y. Subtracting 1 at the label is the "- y" without building y; the
    # 1/m comes from averaging over the batch.
    dscores = np.exp(log_probs)
    dscores[rows, contexts] -= 1.0
    dscores /= m

    # scores = h @ W_out.T, so by the chain rule:
    dW_out = dscores.T @ h  # [V, d]: output vector w gets sum_i dscores[i, w] * h_i
    dh = dscores @ W_out  # [m, d]: example i gets sum_w dscores[i, w] * u_w

    # h_i is row centers[i] of W_in, so dh_i lands on that row. np.add.at (not
    # dW_in[centers] += dh) because a centre may occur several times in one
    # batch and every occurrence must add its share.
    dW_in = np.zeros_like(W_in)
    np.add.at(dW_in, centers, dh)
    return loss, dW_in, dW_out


def cbow_loss_and_grads(
    W_in: np.ndarray,
    W_out: np.ndarray,
    contexts: np.ndarray,
    mask: np.ndarray,
    targets: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray]:
    """CBOW with full softmax: mean loss over examples and its exact gradients.

    Each example's hidden vector is the mean of the input vectors of its
    context words (``contexts[i, k]`` where ``mask[i, k]``); the model then
    computes ``p = softmax(W_out @ h)`` and pays ``-log p[target]``. Returns
    ``(loss, dW_in, dW_out)``, the gradients of the *mean* loss.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> W_in, W_out = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
        >>> ctx, mask, tgt = cbow_windows([0, 1, 2], window=1)
        >>> loss, dW_in, dW_out = cbow_loss_and_grads(W_in, W_out, ctx, mask, tgt)
        >>> dW_in.shape, dW_out.shape
        ((5, 3), (5, 3))
    """
    contexts = np.asarray(contexts, dtype=np.intp)
    mask = np.asarray(mask, dtype=bool)
    targets = np.asarray(targets, dtype=np.intp)
    m, d = len(targets), W_in.shape[1]
    rows = np.arange(m)
    n_context = mask.sum(axis=1)  # how many real context words each example has
    if np.any(n_context == 0):
        raise ValueError("every CBOW example needs at least one context word (mask row all False)")

    # Forward. h is the mean of the context words' input vectors: padding
    # slots get weight 0, real slots 1 / (number of real slots).
    weights = (mask / n_context[:, None]).astype(W_in.dtype)  # [m, 2w]
    h = np.einsum("mk,mkd->md", weights, W_in[contexts])  # [m, d]
    scores = h @ W_out.T  # [m, V]

    # Softmax over the whole vocabulary, in log space.
    log_probs = log_softmax(scores)  # [m, V]

    # Loss: -log p[centre word], averaged over the batch.
    loss = -float(log_probs[rows, targets].mean())

    # Backward through softmax + cross-entropy: dloss/dscores = (p - y) / m.
    dscores = np.exp(log_probs)
    dscores[rows, targets] -= 1.0
    dscores /= m

    # Through scores = h @ W_out.T, exactly as in skip-gram.
    dW_out = dscores.T @ h  # [V, d]
    dh = dscores @ W_out  # [m, d]

    # Through the mean: every context word of example i receives
    # dh_i / n_context_i. Padding slots carry weight 0 and add nothing to row 0.
    per_slot = weights[:, :, None] * dh[:, None, :]  # [m, 2w, d]
    dW_in = np.zeros_like(W_in)
    np.add.at(dW_in, contexts.reshape(-1), per_slot.reshape(-1, d))
    return loss, dW_in, dW_out


# --------------------------------------------------------------------------
# Learning-rate schedule
# --------------------------------------------------------------------------


def learning_rate_schedule(
    lr_decay: str | Callable[[int, float], float], learning_rate: float, epochs: int
) -> np.ndarray:
    """The learning rate of each epoch, as a float64 array of length ``epochs``.

    ``lr_decay`` is one of:

    * ``"inverse"``: the rule of the skip-gram tutorial, applied after each
      epoch ``e`` (1-based): ``lr <- lr / (1 + lr * e)``. Fast at first,
      then the rate shrinks roughly like ``2 / e**2``;
    * ``"linear"``: the word2vec C tool's shape, falling linearly from
      ``learning_rate`` towards ``learning_rate * 1e-4`` (here per epoch);
    * ``"none"``: constant;
    * a callable ``f(epoch, learning_rate) -> float`` with a 0-based epoch.

    The models default to ``"linear"``: the tutorial's ``"inverse"`` rule
    caps the total step size (over 100 epochs the rates sum to about 2.4
    from a starting rate of 1.0, about 0.5 from 0.05), so on small corpora
    training stalls after a handful of epochs.

    Example:
        >>> learning_rate_schedule("inverse", 0.5, 3).round(4).tolist()
        [0.5, 0.3333, 0.2]
    """
    if callable(lr_decay):
        rates = [float(lr_decay(e, learning_rate)) for e in range(epochs)]
    elif lr_decay == "inverse":
        rates, lr = [], learning_rate
        for e in range(1, epochs + 1):
            rates.append(lr)
            lr = lr / (1.0 + lr * e)
    elif lr_decay == "linear":
        rates = [learning_rate * max(1.0 - e / epochs, 1e-4) for e in range(epochs)]
    elif lr_decay == "none":
        rates = [learning_rate] * epochs
    else:
        raise ConfigError(
            f"lr_decay must be one of {', '.join(LR_SCHEDULES)} or a function "
            f"f(epoch, learning_rate) -> float, got {lr_decay!r}"
        )
    out = np.array(rates, dtype=np.float64)
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise ConfigError(f"lr_decay produced invalid learning rates: {out.tolist()}")
    return out


# --------------------------------------------------------------------------
# The estimators
# --------------------------------------------------------------------------


class _Reporter:
    """Calls a progress callback with the engine's :class:`Progress` reports, at most
    every ``every`` seconds (the clock is read once per minibatch)."""

    def __init__(self, progress: Callable[[Progress], object] | None, every: float,
                 epochs: int, n_examples: int) -> None:
        self.progress = progress
        self.every = every
        self.epochs = epochs
        self.n = n_examples
        self.t0 = time.perf_counter()
        self.last = self.t0

    def __call__(self, epoch: int, done: int, lr: float, loss_sum: float) -> None:
        if self.progress is None:
            return
        now = time.perf_counter()
        if now - self.last < self.every:
            return
        self.last = now
        self._send(epoch, epoch * self.n + done, lr, loss_sum / done if done else math.nan, now)

    def finish(self, lr: float, loss: float) -> None:
        if self.progress is not None:
            self._send(self.epochs - 1, self.epochs * self.n, lr, loss, time.perf_counter())

    def _send(self, epoch: int, done: int, lr: float, loss: float, now: float) -> None:
        from wordvec.train.word2vec import Progress

        elapsed = now - self.t0
        rate = done / elapsed if elapsed > 0 else 0.0
        total = self.epochs * self.n
        self.progress(Progress(
            epoch=epoch + 1, epochs=self.epochs, words_done=done, words_total=total,
            words_per_sec=rate, alpha=lr, loss=loss, elapsed=elapsed,
            eta=(total - done) / rate if rate > 0 else math.inf,
        ))


class _SoftmaxModel:
    """Shared machinery of the two full-softmax models: vocabulary, training loop, queries."""

    def __init__(
        self,
        vector_size: int = 10,
        window: int = 2,
        epochs: int = 50,
        learning_rate: float = 0.5,
        batch_size: int = 16,
        seed: int = 1,
        min_count: int = 1,
        lr_decay: str | Callable[[int, float], float] = "linear",
        shuffle: bool = True,
        dtype: str | type = "float64",
        **unknown: Any,
    ) -> None:
        if unknown:  # a misspelt setting names itself, as Word2Vec and PPMISVD do
            known = ("vector_size, window, epochs, learning_rate, batch_size, seed, "
                     "min_count, lr_decay, shuffle, dtype")
            raise ConfigError(f"unknown parameter(s) {', '.join(sorted(unknown))}; "
                              f"known: {known}")
        self.vector_size = vector_size
        self.window = window
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.seed = seed
        self.min_count = min_count
        self.lr_decay = lr_decay
        self.shuffle = shuffle
        self.dtype = dtype
        # Learned state, set by fit().
        self.vocab: Vocab | None = None
        self.W_in: np.ndarray | None = None
        self.W_out: np.ndarray | None = None
        self.losses: list[float] = []
        self.learning_rates: list[float] = []

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(vector_size={self.vector_size}, window={self.window}, "
            f"epochs={self.epochs}, learning_rate={self.learning_rate}, "
            f"batch_size={self.batch_size}, seed={self.seed}, min_count={self.min_count}, "
            f"lr_decay={self.lr_decay!r})"
        )

    # -- checks ------------------------------------------------------------

    def _check_params(self) -> np.dtype:
        for name in ("vector_size", "window", "epochs", "batch_size", "min_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.learning_rate, numbers.Real) and self.learning_rate > 0):
            raise ConfigError(
                f"learning_rate must be a positive number, got {self.learning_rate!r}"
            )
        try:
            dtype = np.dtype(self.dtype)
        except TypeError as exc:
            raise ConfigError(f"dtype must be float32 or float64, got {self.dtype!r}") from exc
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ConfigError(f"dtype must be float32 or float64, got {self.dtype!r}")
        return dtype

    def _require_fitted(self) -> None:
        if self.W_in is None or self.vocab is None:
            raise ConfigError(f"this {type(self).__name__} is not trained yet; call fit() first")

    # -- data --------------------------------------------------------------

    def _build_vocab(self, sentences: list[list[str]]) -> Vocab:
        from wordvec.text.vocab import Vocab

        # Counter keeps first-seen order, which Vocab uses to break count ties.
        counts = Counter(token for sentence in sentences for token in sentence)
        if not counts:
            raise CorpusError("the corpus holds no tokens; pass a list of token lists")
        vocab = Vocab.from_counts(counts, min_count=self.min_count)
        if len(vocab) == 0:
            raise VocabError(
                f"no word occurs at least min_count={self.min_count} times; lower min_count"
            )
        if len(vocab) > MAX_SOFTMAX_VOCAB:
            raise VocabError(
                f"the vocabulary has {len(vocab):,} words, more than the full-softmax limit of "
                f"{MAX_SOFTMAX_VOCAB:,} (MAX_SOFTMAX_VOCAB in wordvec.train.reference): "
                "a full softmax "
                "scores every word for every training example. Raise min_count to shrink the "
                "vocabulary, or train with wordvec.Word2Vec using negative sampling (negative=5) "
                "or hierarchical softmax (hs=1), which scale to millions of words."
            )
        return vocab

    def _encode(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Each sentence as an int32 array of ids; words below min_count are dropped."""
        index = self.vocab.index
        return [
            np.array([index[t] for t in s if t in index], dtype=np.int32) for s in sentences
        ]

    def _make_examples(self, encoded: list[np.ndarray]) -> int:
        """Build and keep the training examples; return how many there are."""
        raise NotImplementedError

    def _train_batch(self, batch: np.ndarray, lr: float) -> float:
        """One SGD step on the examples ``batch`` (indices); return their mean loss."""
        raise NotImplementedError

    # -- training ----------------------------------------------------------

    def fit(
        self,
        sentences: Iterable[Sequence[str]],
        progress: Callable[[Progress], object] | None = None,
        progress_every: float = 1.0,
    ) -> _SoftmaxModel:
        """Learn vectors from ``sentences``, an iterable of token lists. Returns ``self``.

        ``progress`` is called about every ``progress_every`` seconds, and once at
        the end, with a :class:`wordvec.train.word2vec.Progress` (the engine's report:
        epoch, fraction done, examples per second, learning rate, running loss,
        ETA), so the same progress bar serves both. Its ``words_*`` fields count
        training examples here (pairs for skip-gram, centre words for CBOW).
        """
        dtype = self._check_params()
        rates = learning_rate_schedule(self.lr_decay, float(self.learning_rate), self.epochs)

        if isinstance(sentences, str):
            raise CorpusError(
                "sentences must be an iterable of token lists, got a single string; "
                "split it into tokens first (e.g. wordvec.text.corpus.tokenize)"
            )
        token_lists: list[list[str]] = []
        for s in sentences:
            tokens = [s] if isinstance(s, str) else list(s)
            if isinstance(s, str) or not all(isinstance(t, str) for t in tokens):
                raise CorpusError(
                    f"each sentence must be a list of string tokens, found {s!r:.60}; "
                    "tokenize first (e.g. wordvec.text.corpus.tokenize)"
                )
            token_lists.append(tokens)
        sentences = token_lists

        self.vocab = self._build_vocab(sentences)
        n_examples = self._make_examples(self._encode(sentences))
        if n_examples == 0:
            raise CorpusError(
                "no training examples: every sentence has fewer than two in-vocabulary words"
            )

        rng = np.random.default_rng(self.seed)
        V, d = len(self.vocab), self.vector_size
        self.W_in, self.W_out = self._init_weights(rng, V, d, dtype)
        self.losses = []
        self.learning_rates = rates.tolist()

        logger.info(
            "%s: %s, %s, %s", type(self).__name__, counted(V, "word"),
            counted(n_examples, "training example"), counted(self.epochs, "epoch"),
        )
        report = _Reporter(progress, progress_every, self.epochs, n_examples)
        for epoch, lr in enumerate(rates):
            # A fresh random order each epoch, so consecutive SGD steps do
            # not all come from the same stretch of text.
            order = rng.permutation(n_examples) if self.shuffle else np.arange(n_examples)
            total = 0.0
            for start in range(0, n_examples, self.batch_size):
                batch = order[start : start + self.batch_size]
                total += self._train_batch(batch, float(lr)) * len(batch)
                report(epoch, start + len(batch), float(lr), total)
            # Mean cross-entropy per example over the epoch, each batch scored
            # just before its own update (as the tutorials log it).
            epoch_loss = total / n_examples
            if not np.isfinite(epoch_loss):
                raise TrainingError(
                    f"training diverged in epoch {epoch + 1} (loss is {epoch_loss}); "
                    f"lower learning_rate (now {self.learning_rate})"
                )
            self.losses.append(epoch_loss)
            logger.info("epoch %d: loss %.4f, lr %.5g", epoch + 1, epoch_loss, lr)
        report.finish(float(rates[-1]), self.losses[-1])
        return self

    def _init_weights(
        self, rng: np.random.Generator, V: int, d: int, dtype: np.dtype
    ) -> tuple[np.ndarray, np.ndarray]:
        # As in the skip-gram tutorial: both matrices uniform in [-0.8, 0.8].
        # Random values break the symmetry between words, and a non-zero W_out
        # means the input vectors get a useful gradient from the first step
        # (with W_out = 0, dh = dscores @ W_out would start at exactly zero).
        W_in = rng.uniform(-0.8, 0.8, size=(V, d)).astype(dtype)
        W_out = rng.uniform(-0.8, 0.8, size=(V, d)).astype(dtype)
        return W_in, W_out

    # -- queries -----------------------------------------------------------

    def _output_distribution(self, h: np.ndarray, topn: int) -> list[tuple[str, float]]:
        # The same forward pass as training, for one hidden vector h.
        scores = (self.W_out @ h).astype(np.float64)
        probs = np.exp(log_softmax(scores[None, :]))[0]
        top = np.argsort(-probs, kind="stable")[: max(int(topn), 0)]
        return [(self.vocab.words[i], float(probs[i])) for i in top]

    def _id(self, word: str) -> int:
        if word not in self.vocab.index:
            raise KeyError(f"word {word!r} is not in the vocabulary")
        return self.vocab.index[word]

    def predict_context(self, word: str, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` words the model expects near ``word``, with their softmax probabilities.

        This is the output layer read directly: ``softmax(W_out @ W_in[word])``,
        sorted from most to least likely. Raises KeyError for an unknown word.
        """
        self._require_fitted()
        return self._output_distribution(self.W_in[self._id(word)], topn)

    @property
    def wv(self) -> WordVectors:
        """The learned input vectors as a :class:`wordvec.vectors.WordVectors` (float32)."""
        self._require_fitted()
        from wordvec.vectors.keyed import WordVectors

        return WordVectors(
            list(self.vocab.words),
            np.ascontiguousarray(self.W_in, dtype=np.float32),
            self.vocab.counts,
        )


class SkipGramSoftmax(_SoftmaxModel):
    """Skip-gram with a full softmax: predict each context word from the centre word.

    Parameters (defaults in brackets): ``vector_size`` [10], the embedding
    dimension; ``window`` [2], context words on each side; ``epochs`` [50];
    ``learning_rate`` [0.5], the initial SGD step; ``batch_size`` [16],
    examples per SGD step; ``seed`` [1]; ``min_count`` [1], rarer words are
    dropped; ``lr_decay`` ["linear"], see :func:`learning_rate_schedule`;
    ``shuffle`` [True], reshuffle the examples every epoch; ``dtype``
    ["float64"] or "float32". Vocabularies above :data:`MAX_SOFTMAX_VOCAB`
    words raise :class:`wordvec.errors.VocabError`.

    After :meth:`fit`: ``vocab``, ``W_in`` (the embeddings, ``[V, d]``),
    ``W_out`` (output vectors), ``losses`` (mean cross-entropy per
    training pair, one value per epoch), ``learning_rates`` and ``wv``.

    Example:
        >>> sentences = [["i", "like", "machine", "learning"]] * 20
        >>> model = SkipGramSoftmax(vector_size=8, window=1, epochs=20, seed=0)
        >>> model = model.fit(sentences)
        >>> model.losses[-1] < model.losses[0]
        True
        >>> model.predict_context("machine", topn=2)[0][0] in {"like", "learning"}
        True
    """

    def _make_examples(self, encoded: list[np.ndarray]) -> int:
        # fit() guarantees at least one sentence, so there is something to concatenate.
        pairs = [sliding_window_pairs(ids, self.window) for ids in encoded]
        self.centers_ = np.concatenate([c for c, _ in pairs])
        self.contexts_ = np.concatenate([x for _, x in pairs])
        return len(self.centers_)

    def _train_batch(self, batch: np.ndarray, lr: float) -> float:
        # Forward pass, softmax, loss and backward pass: see skipgram_loss_and_grads.
        loss, dW_in, dW_out = skipgram_loss_and_grads(
            self.W_in, self.W_out, self.centers_[batch], self.contexts_[batch]
        )
        # Update. The output weights take the mean gradient of the batch. The
        # input vectors take m times it, i.e. the *sum* of their own examples'
        # gradients: every example touches all of W_out but only one row of
        # W_in, so averaging over the whole batch would shrink each word
        # vector's step as the batch grows. (The tutorials' choice; with
        # batch_size=1 both rules are the same plain SGD.)
        m = len(batch)
        self.W_out -= lr * dW_out
        self.W_in -= (lr * m) * dW_in
        return loss


class CBOWSoftmax(_SoftmaxModel):
    """CBOW with a full softmax: predict the centre word from the mean of its context vectors.

    Same parameters and learned attributes as :class:`SkipGramSoftmax`;
    ``losses`` is the mean cross-entropy per centre word.

    Example:
        >>> sentences = [["the", "cat", "sat", "down"]] * 20
        >>> model = CBOWSoftmax(vector_size=8, window=1, epochs=20, seed=0)
        >>> model = model.fit(sentences)
        >>> model.predict_center(["the", "sat"], topn=1)[0][0]
        'cat'
    """

    def _make_examples(self, encoded: list[np.ndarray]) -> int:
        parts = [cbow_windows(ids, self.window) for ids in encoded]
        self.contexts_ = np.concatenate([p[0] for p in parts])
        self.mask_ = np.concatenate([p[1] for p in parts])
        self.targets_ = np.concatenate([p[2] for p in parts])
        return len(self.targets_)

    def _train_batch(self, batch: np.ndarray, lr: float) -> float:
        # Forward pass, softmax, loss and backward pass: see cbow_loss_and_grads.
        loss, dW_in, dW_out = cbow_loss_and_grads(
            self.W_in, self.W_out, self.contexts_[batch], self.mask_[batch], self.targets_[batch]
        )
        # Update: mean gradient for W_out, per-example sum for the word
        # vectors (see SkipGramSoftmax._train_batch for why).
        m = len(batch)
        self.W_out -= lr * dW_out
        self.W_in -= (lr * m) * dW_in
        return loss

    def predict_center(self, context: Sequence[str], topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` most likely centre words given the context words, with probabilities.

        The hidden vector is the mean of the context words' input vectors,
        exactly as in training. Raises KeyError for an unknown word.
        """
        self._require_fitted()
        if isinstance(context, str):
            context = [context]
        if not context:
            raise ValueError("context must hold at least one word")
        ids = [self._id(w) for w in context]
        return self._output_distribution(self.W_in[ids].mean(axis=0), topn)
