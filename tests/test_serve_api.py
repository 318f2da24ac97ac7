"""`wordvec serve`'s JSON API, every endpoint and every refusal, through FastAPI's TestClient;
the `serve` command itself in a subprocess; the neighbour indexes behind it."""

import json
import re
import signal
import subprocess
import sys
import warnings

# `make test` installs the serve extra: its absence fails, never skips
import fastapi  # noqa: F401
import httpx  # noqa: F401
import numpy as np
import pytest

with warnings.catch_warnings():  # starlette warns that it would prefer httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from serve_data import make_vectors, write_models  # noqa: E402

from wordvec import cli  # noqa: E402
from wordvec.errors import ConfigError  # noqa: E402
from wordvec.serve.app import (  # noqa: E402
    LIMITS,
    Completer,
    create_app,
    evaluate_models,
    load_models,
)
from wordvec.vectors import WordVectors  # noqa: E402
from wordvec.vectors.index import (  # noqa: E402
    AUTO_APPROX_WORDS,
    build_index,
    choose_kind,
    estimate_recall,
    faiss_available,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_models(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def client(files):
    a, b, questions, pairs = files
    models = load_models([a, b])
    app = create_app(models, evaluate_models(models, [questions], [pairs]))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def single(files):
    models = load_models([files[0]])
    with TestClient(create_app(models, evaluate_models(models)),
                    raise_server_exceptions=False) as c:
        yield c


def refused(resp, status, *needles):
    """A JSON error with this status whose message names what was wrong; no traceback."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in resp.text and "File \"" not in resp.text
    for n in needles:
        assert n.lower() in body["error"].lower(), (n, body["error"])
    return body


# ---------------------------------------------------------------------------- endpoints


def test_info_lists_models_limits_and_methods(client):
    body = client.get("/api/info").json()
    assert [m["name"] for m in body["models"]] == ["sg.wv", "epoch1.wv"]
    assert body["models"][0]["words"] == 2000 and body["models"][0]["dimensions"] == 32
    assert body["models"][0]["index"]["kind"] == "exact"
    assert body["limits"]["topn"] == LIMITS["topn"]
    assert "pca" in body["map_methods"] and body["evaluation"] is True
    assert "/" not in json.dumps(body["models"]).replace("sg.wv", "")  # no server paths


def test_neighbors_match_most_similar(client, files):
    wv = WordVectors.load(files[0])
    body = client.get("/api/neighbors", params={"word": "king", "topn": 7}).json()
    assert body["word"] == "king" and body["model"] == 0
    expected = wv.most_similar("king", topn=7)
    assert [n["word"] for n in body["neighbors"]] == [w for w, _ in expected]
    assert [n["score"] for n in body["neighbors"]] == pytest.approx([s for _, s in expected],
                                                                    abs=1e-6)
    other = client.get("/api/neighbors", params={"word": "king", "model": 1}).json()
    assert other["model"] == 1 and other["neighbors"] != body["neighbors"][:10]


def test_neighbors_fall_back_to_lower_case(client):
    assert client.get("/api/neighbors", params={"word": "King"}).json()["word"] == "king"


def test_analogy_both_methods(client, files):
    wv = WordVectors.load(files[0])
    q = {"a": "man", "b": "king", "c": "woman", "topn": 3}
    add = client.get("/api/analogy", params=q).json()
    assert add["method"] == "3cosadd" and add["answers"][0]["word"] == "queen"
    mul = client.get("/api/analogy", params={**q, "method": "3cosmul"}).json()
    expected = wv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=3)
    assert [a["word"] for a in mul["answers"]] == [w for w, _ in expected]
    assert mul["answers"][0]["score"] == pytest.approx(expected[0][1], abs=1e-6)
    assert mul["answers"][0]["score"] != add["answers"][0]["score"]


def test_complete_by_prefix_most_frequent_first(client):
    body = client.get("/api/complete", params={"prefix": "fil", "limit": 5}).json()
    assert body["words"] == ["filler0", "filler1", "filler2", "filler3", "filler4"]
    assert client.get("/api/complete", params={"prefix": "kin"}).json()["words"] == ["king"]
    assert client.get("/api/complete", params={"prefix": "zzz"}).json()["words"] == []
    assert len(client.get("/api/complete", params={"limit": 3}).json()["words"]) == 3


def test_completer_against_a_plain_scan():
    rng = np.random.default_rng(3)
    words = list(dict.fromkeys("".join(rng.choice(list("abc"), rng.integers(1, 6)))
                                for _ in range(400)))
    comp = Completer(words)
    for prefix in ("", "a", "ab", "cab", "ccccc", "x"):
        for limit in (1, 3, 50):
            expected = [w for w in words if w.startswith(prefix)][:limit]
            assert comp.complete(prefix, limit) == expected


def test_compare_marks_the_overlap(client):
    body = client.get("/api/compare", params={"word": "paris", "topn": 10}).json()
    a, b = ([n["word"] for n in m["neighbors"]] for m in body["models"])
    assert set(body["shared"]) == set(a) & set(b) and body["shared"]
    assert body["shared"] == [w for w in a if w in set(b)]  # in the first model's order
    assert len(set(a) & set(b)) < 10  # the two models really differ


def test_map_of_a_word_and_of_a_list(client):
    body = client.get("/api/map", params={"word": "king", "neighbors": 5}).json()
    assert [p["role"] for p in body["points"]] == ["center"] + ["neighbor"] * 5
    assert body["points"][0]["word"] == "king" and body["method"] == "pca"
    xy = np.array([[p["x"], p["y"]] for p in body["points"]])
    assert np.abs(xy).max() == pytest.approx(1.0) and np.ptp(xy, axis=0).min() > 0.1
    lst = client.get("/api/map", params={"words": "paris, berlin,tokyo,France"}).json()
    assert [p["word"] for p in lst["points"]] == ["paris", "berlin", "tokyo", "france"]


def test_map_matches_pca_of_unit_vectors(client, files):
    from wordvec.plot import project_2d

    wv = WordVectors.load(files[0])
    words = ["paris", "france", "king", "queen", "dog"]
    body = client.get("/api/map", params={"words": ",".join(words)}).json()
    got = np.array([[p["x"], p["y"]] for p in body["points"]])
    x = wv[words] / np.linalg.norm(wv[words], axis=1, keepdims=True)
    ref = project_2d(x)
    ref = (ref - ref.mean(axis=0)) / np.abs(ref - ref.mean(axis=0)).max()
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_evaluation_is_what_wordvec_evaluate_prints(client, files, capsys):
    a, b, questions, pairs = files
    body = client.get("/api/evaluation").json()
    assert [m["name"] for m in body["models"]] == ["sg.wv", "epoch1.wv"]
    for model, path in zip(body["models"], (a, b), strict=True):
        rc = cli.main(["-q", "evaluate", str(path), "--analogies", str(questions),
                       "--pairs", str(pairs)])
        printed = capsys.readouterr().out
        assert rc == 0
        printed = printed.replace(str(questions), questions.name).replace(str(pairs), pairs.name)

        def untimed(text):
            return re.sub(r", [0-9.]+ s\n", "\n", text).strip()

        assert untimed(model["text"]) == untimed(printed)
        assert str(questions.parent) not in json.dumps(model)  # file names only
    accs = [m["results"][0]["accuracy"] for m in body["models"]]
    assert accs[0] == 1.0 and 0.5 < accs[1] < 1.0


def test_evaluation_is_empty_without_files(single):
    assert single.get("/api/evaluation").json()["models"] == []
    assert single.get("/api/info").json()["evaluation"] is False


def test_pages_and_docs_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "http" not in re.sub(r'href="/[^"]*"', "", page.text).replace("http-equiv", "")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css", "docs.js"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and "https://" not in r.text  # nothing from a CDN
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/api/neighbors", "/api/analogy", "/api/complete", "/api/map",
                 "/api/compare", "/api/info", "/api/evaluation"):
        assert path in spec["paths"], path


# ---------------------------------------------------------------------------- refusals


def test_unknown_word_suggests_close_spellings(client):
    body = refused(client.get("/api/neighbors", params={"word": "kingg"}), 404,
                   "'kingg' is not in the vocabulary", "king")
    assert body["suggestions"][0] == "king"
    refused(client.get("/api/analogy", params={"a": "man", "b": "kng", "c": "woman"}), 404,
            "'kng'")
    refused(client.get("/api/compare", params={"word": "qqqq"}), 404, "'qqqq'")
    refused(client.get("/api/map", params={"word": "qqqq"}), 404, "'qqqq'")
    refused(client.get("/api/map", params={"words": "paris,qqqq,zzzz"}), 404, "'qqqq'", "'zzzz'")


@pytest.mark.parametrize("url,params,needle", [
    ("/api/neighbors", {"word": "king", "topn": 101}, "topn must be at most 100"),
    ("/api/neighbors", {"word": "king", "topn": 0}, "topn must be at least 1"),
    ("/api/neighbors", {"word": "king", "topn": "ten"}, "topn must be a whole number"),
    ("/api/neighbors", {}, "word is required"),
    ("/api/neighbors", {"word": "k" * 101}, "at most 100 characters"),
    ("/api/neighbors", {"word": "   "}, "empty"),
    ("/api/neighbors", {"word": "king", "model": -1}, "model must be at least 0"),
    ("/api/analogy", {"a": "man", "b": "king"}, "c is required"),
    ("/api/analogy", {"a": "man", "b": "king", "c": "woman", "method": "3cosmax"},
     "method must be one of 3cosadd, 3cosmul (got '3cosmax')"),
    ("/api/analogy", {"a": "man", "b": "king", "c": "woman", "topn": 500}, "at most 100"),
    ("/api/complete", {"prefix": "x" * 101}, "at most 100 characters"),
    ("/api/complete", {"prefix": "a", "limit": 51}, "limit must be at most 50"),
    ("/api/compare", {"word": "king", "topn": 101}, "at most 100"),
    ("/api/map", {}, "either word"),
    ("/api/map", {"word": "king", "words": "a,b"}, "not both"),
    ("/api/map", {"words": ",".join(["king"] * 51)}, "too many words: 51"),
    ("/api/map", {"words": "king"}, "at least two"),
    ("/api/map", {"words": "king,King"}, "two different words"),
    ("/api/map", {"word": "king", "neighbors": 51}, "neighbors must be at most 50"),
    ("/api/map", {"word": "king", "method": "mds"}, "method must be one of pca, tsne, umap"),
])
def test_bad_parameters_are_refused_with_a_sentence(client, url, params, needle):
    refused(client.get(url, params=params), 422, needle)


def test_unavailable_projection_and_missing_model(client):
    from wordvec.serve.app import map_methods

    for method in ("tsne", "umap"):
        if method not in map_methods():
            refused(client.get("/api/map", params={"word": "king", "method": method}), 422,
                    "not installed")
    refused(client.get("/api/neighbors", params={"word": "king", "model": 3}), 404,
            "model 3 does not exist", "2 model")


def test_unknown_paths_and_file_paths_are_refused(client):
    refused(client.get("/api/nothing"), 404, "nothing at")
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                 "/static//etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "import" not in r.text and "root:" not in r.text
    assert client.post("/api/neighbors", params={"word": "king"}).status_code == 405


def test_an_unexpected_failure_is_a_json_500_without_traceback(files, monkeypatch):
    models = load_models([files[0]])
    app = create_app(models)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(models[0].wv, "most_similar", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/neighbors", params={"word": "king"})
    refused(r, 500, "internal error")
    assert "secret" not in r.text


def test_only_loopback_host_names_when_bound_to_loopback(files):
    app = create_app(load_models([files[0]]), allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/info").status_code == 200
        assert c.get("/api/info", headers={"host": "evil.example"}).status_code == 400


def test_load_models_refusals(files, tmp_path):
    with pytest.raises(ConfigError, match="at most 4"):
        load_models([files[0]] * 5)
    with pytest.raises(ConfigError, match="at least one"):
        load_models([])
    same = load_models([files[0], files[0]])
    assert len({m.name for m in same}) == 2


# ---------------------------------------------------------------------------- indexes


def test_exact_index_gives_most_similar_itself():
    wv = make_vectors()
    index = wv.build_index("exact")
    for w in ("king", "paris", "filler7"):
        assert wv.most_similar(w, topn=10, index=index) == wv.most_similar(w, topn=10)
    assert (wv.most_similar(positive=["king", "woman"], negative=["man"], index=index)
            == wv.most_similar(positive=["king", "woman"], negative=["man"]))


@pytest.mark.parametrize("kind,params", [("hnsw", {"ef_search": 64}), ("ivf", {"nprobe": 8})])
def test_approximate_indexes_find_nearly_all_true_neighbours(kind, params):
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((200, 24)).astype(np.float32)
    vecs = centres[rng.integers(0, 200, 20000)] + 0.3 * rng.standard_normal((20000, 24))
    wv = WordVectors([f"w{i}" for i in range(20000)], vecs.astype(np.float32))
    index = wv.build_index(kind, **params)
    assert index.describe()["approximate"] is True and len(index) == 20000
    queries = [f"w{i}" for i in rng.integers(0, 20000, 100)]
    hits = 0
    for q in queries:
        exact = {w for w, _ in wv.most_similar(q, topn=10)}
        got = wv.most_similar(q, topn=10, index=index)
        assert q not in {w for w, _ in got} and len(got) == 10
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True)
        assert scores[0] == pytest.approx(wv.similarity(q, got[0][0]), abs=1e-5)
        hits += len(exact & {w for w, _ in got})
    assert hits / 1000 >= 0.95
    assert estimate_recall(wv, index, queries=100) == pytest.approx(hits / 1000, abs=0.04)
    assert estimate_recall(wv, wv.build_index("exact")) == 1.0


def test_server_reports_the_index_and_its_recall(tmp_path):
    rng = np.random.default_rng(2)  # no structure at all: an approximate index does badly
    wv = WordVectors([f"w{i}" for i in range(3000)],
                     rng.standard_normal((3000, 40)).astype(np.float32))
    wv.save(tmp_path / "noise.wv")
    models = load_models([tmp_path / "noise.wv"], index="ivf", nprobe=2)
    with TestClient(create_app(models)) as c:
        info = c.get("/api/info").json()["models"][0]["index"]
        assert info["kind"] == "ivf" and info["approximate"] and info["nprobe"] == 2
        assert 0 < info["recall_at_10"] < 0.9
        got = c.get("/api/neighbors", params={"word": "w5"}).json()["neighbors"]
    ivf = [n["word"] for n in got]
    served = models[0].wv
    assert ivf == [w for w, _ in served.most_similar("w5", topn=10, index=models[0].index)]
    assert ivf != [w for w, _ in served.most_similar("w5", topn=10)]  # really approximate


def test_index_refusals():
    wv = make_vectors(n_words=300)
    other = make_vectors(n_words=300, seed=5)
    with pytest.raises(ConfigError, match="unknown index kind"):
        wv.build_index("annoy")
    with pytest.raises(ConfigError, match="other vectors"):
        wv.most_similar("king", index=other.build_index("exact"))
    with pytest.raises(ConfigError, match="restrict_vocab"):
        wv.most_similar("king", index=wv.build_index("exact"), restrict_vocab=100)
    with pytest.raises(ConfigError, match="no parameters"):
        build_index(wv, "exact", nprobe=3)
    if faiss_available():
        with pytest.raises(ConfigError, match="nlist"):
            wv.build_index("ivf", nlist=10_000)
        with pytest.raises(ConfigError, match="bad parameter"):
            wv.build_index("hnsw", efsearch=3)


def test_auto_picks_by_size():
    assert choose_kind(AUTO_APPROX_WORDS - 1) == "exact"
    assert choose_kind(AUTO_APPROX_WORDS) == ("ivf" if faiss_available() else "exact")
    assert make_vectors(n_words=500).build_index().kind == "exact"


# ---------------------------------------------------------------------------- the command


def test_serve_command_prints_the_url_and_answers(files):
    a, b, questions, _ = files
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "serve", str(a), str(b), "--port", "0",
         "--eval-analogies", str(questions)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.match(r"wordvec serve: (http://127\.0\.0\.1:(\d+)/)", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        import httpx

        r = httpx.get(m.group(1) + "api/neighbors", params={"word": "queen", "topn": 3})
        assert r.status_code == 200 and len(r.json()["neighbors"]) == 3
        assert httpx.get(m.group(1) + "api/evaluation").json()["models"][0]["results"]
        # a second server on the same port is refused in one line, before loading anything
        rc, err = _run_cli("serve", str(a), "--port", m.group(2))
        assert rc == 2 and "already in use" in err and len(err.strip().splitlines()) == 1
        proc.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop, 130 like every command
        assert proc.wait(timeout=20) == 130
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait(timeout=20)


def test_ctrl_c_stops_serve_with_130_even_when_the_signal_is_not_passed_on(files):
    # uvicorn stops on SIGINT and then raises it again for the program, through whatever
    # handler was there before; when that one loses it (asyncio's, in a race seen once in
    # CI; or SIGINT ignored, as in a background job, reproduced here) serve exited 0
    a, _, _, _ = files
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "serve", str(a), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        m = re.match(r"wordvec serve: (http://127\.0\.0\.1:\d+/)", proc.stdout.readline())
        assert m
        import httpx

        # answering means uvicorn is running, its signal handlers installed
        assert httpx.get(m.group(1) + "api/info").status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait(timeout=20)


def _run_cli(*args):
    p = subprocess.run([sys.executable, "-m", "wordvec.cli", *args], capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stderr
