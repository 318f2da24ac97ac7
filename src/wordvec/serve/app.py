"""The web explorer's server: a FastAPI app over one or more sets of word vectors.

Everything is read-only and decided when the server starts: which vector
files are shown, which evaluation files are scored. A request only ever names
words and small numbers, each with an upper limit (:data:`LIMITS`), so no
request can read a file or make the server scan more than a bounded amount.
Errors reach the client as JSON ``{"error": message}`` with a 4xx status; an
unexpected failure is logged on the server and answered with a plain 500,
never a traceback.

The pages (``static/``) are plain HTML, CSS and JavaScript shipped inside the
package: no CDN, they work offline. ``/docs`` is a small page of our own that
lists the API from ``/openapi.json`` (FastAPI's default docs page loads its
scripts from a CDN).
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from wordvec.errors import ConfigError, WordvecError
from wordvec.vectors import UnknownWordError, WordVectors
from wordvec.vectors.index import estimate_recall

logger = logging.getLogger("wordvec")

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Upper limits on what one request may ask for.
LIMITS = {
    "topn": 100,  # neighbours or analogy answers
    "word_length": 100,  # characters in one word or prefix
    "words": 50,  # words in a typed map list
    "map_neighbors": 50,  # neighbours drawn around a word on the map
    "completions": 50,  # completions returned for a prefix
    "models": 4,  # vector files one server shows
}
#: Evaluation files are scored like ``wordvec evaluate`` (its default restrict_vocab).
EVAL_RESTRICT_VOCAB = 30000

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
}


class ApiError(Exception):
    """A request the server refuses: an HTTP status and a message for a person."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


# --------------------------------------------------------------------------- models


class Completer:
    """Prefix completion over a vocabulary, most frequent (lowest row) first.

    The words are sorted once; a prefix is a range of that order found by
    binary search, and the ``limit`` lowest rows of the range are picked
    without sorting it, so completion stays fast at a million words.
    """

    def __init__(self, words: list[str]) -> None:
        order = sorted(range(len(words)), key=words.__getitem__)
        self._sorted = [words[i] for i in order]
        self._rows = np.asarray(order, dtype=np.int64)
        self._words = words

    def complete(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words starting with ``prefix``, most frequent first."""
        if not prefix:
            return self._words[:limit]
        lo = bisect.bisect_left(self._sorted, prefix)
        hi = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", lo)
        rows = self._rows[lo:hi]
        if len(rows) > limit:
            rows = np.partition(rows, limit - 1)[:limit]
        return [self._words[i] for i in np.sort(rows)]


@dataclass
class Model:
    """One set of vectors as the server shows it."""

    name: str
    wv: WordVectors
    index: Any
    path: str = ""
    recall: float = 1.0  # estimated recall@10 of the index against exact search
    completer: Completer = field(init=False)

    def __post_init__(self) -> None:
        self.completer = Completer(self.wv.index_to_key)
        # close spellings cost ~25 ms (difflib over the 20,000 most frequent words): remember
        # the last few thousand, so a client repeating an unknown word costs nothing
        self.suggest = functools.lru_cache(maxsize=4096)(self.wv.suggest)

    def info(self, number: int) -> dict[str, Any]:
        """JSON-ready description (no file system path: only the file name)."""
        meta = {k: v for k, v in self.wv.meta.items()
                if isinstance(v, (str, int, float, bool)) and k not in ("corpus",)}
        return {"model": number, "name": self.name, "words": len(self.wv),
                "dimensions": self.wv.vector_size,
                "index": {**self.index.describe(), "recall_at_10": round(self.recall, 3)},
                "meta": meta}


def load_models(paths: list[str | os.PathLike], index: str = "auto",
                **index_params: Any) -> list[Model]:
    """Open vector files (native ones memory-mapped) and build a neighbour index for each."""
    from wordvec.vectors.formats import load_vectors

    if not paths:
        raise ConfigError("give at least one vector file")
    if len(paths) > LIMITS["models"]:
        raise ConfigError(f"at most {LIMITS['models']} vector files can be shown at once, "
                          f"got {len(paths)}")
    names = _display_names([Path(p) for p in paths])
    models = []
    for path, name in zip(paths, names, strict=True):
        t0 = time.perf_counter()
        wv = load_vectors(path, mmap=True)
        ix = wv.build_index(index, **index_params)
        recall = estimate_recall(wv, ix)
        logger.info("%s: %d words x %d, %s index (recall@10 about %.3f), ready in %.1f s",
                    name, len(wv), wv.vector_size, ix.kind, recall, time.perf_counter() - t0)
        if recall < 0.9:
            logger.warning("%s: the %s index finds only %.0f%% of the true 10 nearest "
                           "neighbours of random words; use --index exact for exact answers",
                           name, ix.kind, 100 * recall)
        models.append(Model(name=name, wv=wv, index=ix, path=str(path), recall=recall))
    return models


def _display_names(paths: list[Path]) -> list[str]:
    names = [p.name for p in paths]
    if len(set(names)) < len(names):  # same file name in two folders: add the folder
        names = [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name
                 for p in paths]
    if len(set(names)) < len(names):
        names = [f"{i}: {n}" for i, n in enumerate(names)]
    return names


def evaluate_models(models: list[Model], analogies: list[str | os.PathLike] = (),
                    pairs: list[str | os.PathLike] = ()) -> list[dict[str, Any]]:
    """Score every model on the evaluation files exactly as ``wordvec evaluate`` does."""
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs, format_results

    out: list[dict[str, Any]] = []
    if not analogies and not pairs:
        return out
    for number, m in enumerate(models):
        results: list = [evaluate_analogies(m.wv, p, restrict_vocab=EVAL_RESTRICT_VOCAB)
                         for p in analogies]
        results += [evaluate_pairs(m.wv, p) for p in pairs]
        dicts = []
        for r in results:
            d = r.to_dict()
            d["file"] = Path(d.pop("path")).name  # no server path goes to the client
            dicts.append(d)
        text = format_results(results)
        for r in results:  # the same text without the server's folders
            text = text.replace(str(r.path), Path(r.path).name)
        out.append({"model": number, "name": m.name, "results": dicts, "text": text})
    return out


# --------------------------------------------------------------------------- queries


class Explorer:
    """The queries behind the API, on loaded models; raises :class:`ApiError`."""

    def __init__(self, models: list[Model], evaluation: list[dict[str, Any]] | None = None):
        if not models:
            raise ConfigError("the explorer needs at least one model")
        self.models = models
        self.evaluation = evaluation or []

    def model(self, number: int) -> Model:
        if not 0 <= number < len(self.models):
            raise ApiError(404, f"model {number} does not exist: this server shows "
                           f"{len(self.models)} model(s), numbered from 0")
        return self.models[number]

    @staticmethod
    def resolve(m: Model, word: str) -> str:
        """The word as the vocabulary spells it (exact, else lower case), or a 404."""
        word = word.strip()
        if not word:
            raise ApiError(422, "the word is empty: type a word")
        if word in m.wv.key_to_index:
            return word
        if word.lower() in m.wv.key_to_index:
            return word.lower()
        close = m.suggest(word)
        msg = str(UnknownWordError(word))  # without the vectors: no second search for spellings
        if close:
            msg += " (did you mean " + ", ".join(repr(w) for w in close) + "?)"
        raise ApiError(404, msg, word=word, suggestions=close)

    @staticmethod
    def _pairs(pairs: list[tuple[str, float]]) -> list[dict[str, Any]]:
        return [{"word": w, "score": round(float(s), 6)} for w, s in pairs]

    def neighbors(self, word: str, topn: int, model: int) -> dict[str, Any]:
        m = self.model(model)
        w = self.resolve(m, word)
        got = m.wv.most_similar(positive=[w], topn=topn, index=m.index)
        return {"word": w, "model": model, "neighbors": self._pairs(got)}

    def analogy(self, a: str, b: str, c: str, topn: int, method: str,
                model: int) -> dict[str, Any]:
        m = self.model(model)
        a, b, c = (self.resolve(m, x) for x in (a, b, c))
        if method == "3cosadd":
            got = m.wv.most_similar(positive=[b, c], negative=[a], topn=topn, index=m.index)
        else:  # 3CosMul needs every score: an exact pass over the vocabulary
            got = m.wv.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn)
        return {"a": a, "b": b, "c": c, "method": method, "model": model,
                "answers": self._pairs(got)}

    def complete(self, prefix: str, limit: int, model: int) -> dict[str, Any]:
        m = self.model(model)
        return {"prefix": prefix, "model": model, "words": m.completer.complete(prefix, limit)}

    def compare(self, word: str, topn: int) -> dict[str, Any]:
        cols = []
        for number, m in enumerate(self.models):
            try:
                got = self.neighbors(word, topn, number)
                cols.append({"model": number, "name": m.name, "word": got["word"],
                             "neighbors": got["neighbors"]})
            except ApiError as exc:
                if exc.status != 404:
                    raise
                cols.append({"model": number, "name": m.name, "error": exc.message,
                             "neighbors": []})
        if all("error" in c for c in cols):
            raise ApiError(404, cols[0]["error"], word=word)
        sets = [{n["word"] for n in c["neighbors"]} for c in cols if "error" not in c]
        shared = set.intersection(*sets) if len(sets) > 1 else set()
        first = next(c for c in cols if "error" not in c)
        order = [n["word"] for n in first["neighbors"] if n["word"] in shared]
        return {"word": first["word"], "models": cols, "shared": order}

    def map(self, word: str | None, words: str | None, neighbors: int, method: str,
            model: int) -> dict[str, Any]:
        m = self.model(model)
        if bool(word) == bool(words):
            raise ApiError(422, "give either word=W (a word and its neighbours) or "
                           "words=W1,W2,... (a list), not both and not neither")
        if word:
            w = self.resolve(m, word)
            near = m.wv.most_similar(positive=[w], topn=neighbors, index=m.index)
            chosen = [w] + [x for x, _ in near]
            roles = ["center"] + ["neighbor"] * len(near)
            scores = [1.0] + [float(s) for _, s in near]
        else:
            typed = [x.strip() for x in words.split(",") if x.strip()]  # type: ignore[union-attr]
            if len(typed) > LIMITS["words"]:
                raise ApiError(422, f"too many words: {len(typed)}, at most "
                               f"{LIMITS['words']} can be drawn at once")
            if len(typed) < 2:
                raise ApiError(422, "a map of a list needs at least two words, "
                               "separated by commas")
            long = [x for x in typed if len(x) > LIMITS["word_length"]]
            if long:
                raise ApiError(422, f"a word is longer than {LIMITS['word_length']} characters")
            missing, chosen = [], []
            for x in typed:
                try:
                    chosen.append(self.resolve(m, x))
                except ApiError as exc:
                    missing.append(exc.message)
            if missing:
                raise ApiError(404, "; ".join(missing[:5]))
            chosen = list(dict.fromkeys(chosen))
            if len(chosen) < 2:
                raise ApiError(422, "a map needs at least two different words")
            roles = ["word"] * len(chosen)
            scores = [None] * len(chosen)
        coords = project(_unit(m.wv[chosen]), method)
        points = [{"word": w, "x": round(float(x), 5), "y": round(float(y), 5), "role": r,
                   "score": None if s is None else round(s, 6)}
                  for w, (x, y), r, s in zip(chosen, coords, roles, scores, strict=True)]
        return {"method": method, "model": model, "word": chosen[0] if word else None,
                "points": points}


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def map_methods() -> list[str]:
    """Projection methods available here: PCA always, t-SNE and UMAP when installed."""
    methods = ["pca"]
    try:
        import sklearn.manifold  # noqa: F401
        methods.append("tsne")
    except ImportError:
        pass
    try:
        import umap  # noqa: F401
        methods.append("umap")
    except ImportError:
        pass
    return methods


def project(x: np.ndarray, method: str) -> np.ndarray:
    """2-D coordinates of the rows of ``x`` by PCA, t-SNE or UMAP, scaled to [-1, 1]."""
    from wordvec.plot import project_2d

    if method not in map_methods():
        need = {"tsne": "scikit-learn", "umap": "umap-learn"}.get(method, "")
        raise ApiError(422, f"map method {method!r} is not available on this server"
                       + (f" ({need} is not installed)" if need else "")
                       + f": use one of {', '.join(map_methods())}")
    if method == "umap":
        import umap

        n = len(x)
        reducer = umap.UMAP(n_components=2, n_neighbors=max(2, min(15, n - 1)),
                            metric="cosine", random_state=0)
        coords = np.asarray(reducer.fit_transform(x), dtype=np.float64)
    else:
        coords = project_2d(x, method=method)
    coords = coords - coords.mean(axis=0)
    span = np.abs(coords).max()
    return coords / span if span > 0 else coords


# --------------------------------------------------------------------------- the app


def _human(err: dict[str, Any]) -> str:
    """One pydantic validation error as a sentence."""
    name = str(err.get("loc", ["", "value"])[-1])
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    got = err.get("input")
    shown = "" if got is None else f" (got {str(got)[:40]!r})"
    if kind == "missing":
        return f"{name} is required"
    if kind in ("less_than_equal", "less_than"):
        return f"{name} must be at most {ctx.get('le', ctx.get('lt'))}{shown}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{name} must be at least {ctx.get('ge', ctx.get('gt'))}{shown}"
    if kind == "string_too_long":
        return f"{name} must be at most {ctx.get('max_length')} characters long"
    if kind == "int_parsing":
        return f"{name} must be a whole number{shown}"
    if kind == "string_pattern_mismatch":
        choices = str(ctx.get("pattern", "")).strip("^$()").replace("|", ", ")
        return f"{name} must be one of {choices}{shown}"
    if kind in ("literal_error", "enum"):
        return f"{name} must be one of {ctx.get('expected', '')}{shown}"
    return f"{name}: {err.get('msg', 'invalid value')}{shown}"


class _SecurityHeaders:
    """Pure ASGI middleware adding :data:`_SECURITY_HEADERS` to every response.

    (Starlette's ``@app.middleware("http")`` wraps each request in extra tasks
    and streams; this costs nothing measurable.)
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.headers if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(models: list[Model], evaluation: list[dict[str, Any]] | None = None,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The FastAPI application over loaded ``models`` (see :func:`load_models`)."""
    ex = Explorer(models, evaluation)
    app = FastAPI(title="wordvec explorer", docs_url=None, redoc_url=None,
                  description="Read-only queries on the word vectors this server was "
                  "started with. Errors are JSON `{\"error\": message}` with a 4xx status.",
                  version="1")
    app.state.explorer = ex
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    app.add_middleware(_SecurityHeaders)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> JSONResponse:
        msgs = [_human(e) for e in exc.errors()]
        return JSONResponse({"error": "; ".join(msgs)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        msg = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"there is nothing at {request.url.path[:100]!r}: see /docs for the API"
        return JSONResponse({"error": msg}, status_code=exc.status_code)

    @app.exception_handler(WordvecError)
    async def wordvec_error(request: Request, exc: WordvecError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("error answering %s", request.url.path)
        return JSONResponse({"error": "internal error: the server could not answer this "
                             "request (details are in the server's log)"}, status_code=500)

    nmax = LIMITS["topn"]
    wlen = LIMITS["word_length"]

    def model_q() -> Any:
        return Query(0, ge=0, le=LIMITS["models"] - 1,
                     description="which vector file (0 = the first given)")

    @app.get("/api/info", summary="the models this server shows, limits, map methods")
    def info() -> JSONResponse:
        return JSONResponse({"models": [m.info(i) for i, m in enumerate(ex.models)],
                             "limits": LIMITS, "map_methods": map_methods(),
                             "evaluation": bool(ex.evaluation)})

    @app.get("/api/neighbors", summary="nearest words of a word, by cosine similarity")
    def neighbors(word: str = Query(..., min_length=1, max_length=wlen),
                  topn: int = Query(10, ge=1, le=nmax), model: int = model_q()) -> JSONResponse:
        return JSONResponse(ex.neighbors(word, topn, model))

    @app.get("/api/analogy", summary="a : b :: c : ?  (3CosAdd: b - a + c, or 3CosMul)")
    def analogy(a: str = Query(..., min_length=1, max_length=wlen),
                b: str = Query(..., min_length=1, max_length=wlen),
                c: str = Query(..., min_length=1, max_length=wlen),
                topn: int = Query(10, ge=1, le=nmax),
                method: str = Query("3cosadd", pattern="^(3cosadd|3cosmul)$"),
                model: int = model_q()) -> JSONResponse:
        return JSONResponse(ex.analogy(a, b, c, topn, method, model))

    @app.get("/api/complete", summary="words starting with a prefix, most frequent first")
    def complete(prefix: str = Query("", max_length=wlen),
                 limit: int = Query(10, ge=1, le=LIMITS["completions"]),
                 model: int = model_q()) -> JSONResponse:
        return JSONResponse(ex.complete(prefix, limit, model))

    @app.get("/api/compare", summary="neighbours of one word in every model, overlap marked")
    def compare(word: str = Query(..., min_length=1, max_length=wlen),
                topn: int = Query(10, ge=1, le=nmax)) -> JSONResponse:
        return JSONResponse(ex.compare(word, topn))

    @app.get("/api/map", summary="2-D coordinates of a word's neighbourhood or a word list")
    def map_(word: str | None = Query(None, max_length=wlen),
             words: str | None = Query(None, max_length=LIMITS["words"] * (wlen + 1),
                                       description="comma-separated words"),
             neighbors: int = Query(20, ge=1, le=LIMITS["map_neighbors"]),
             method: str = Query("pca", pattern="^(pca|tsne|umap)$"),
             model: int = model_q()) -> JSONResponse:
        return JSONResponse(ex.map(word, words, neighbors, method, model))

    @app.get("/api/evaluation", summary="scores on the evaluation files given at start-up")
    def evaluation() -> JSONResponse:
        return JSONResponse({"models": ex.evaluation, "restrict_vocab": EVAL_RESTRICT_VOCAB})

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
