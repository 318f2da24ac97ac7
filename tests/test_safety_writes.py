"""Writing never damages what is at the path, failed writes leave nothing behind,
a failed checkpoint does not end training, and two runs cannot write one output.

Everything here is real: real symlinks, FIFOs, sockets and device nodes, real
write failures (a file-size limit, ``RLIMIT_FSIZE``, gives EFBIG even to root,
where permission bits stop nothing), real signals and real second processes.
"""

import json
import logging
import os
import re
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from wordvec import cli, synthetic
from wordvec.outputs import (
    OutputBusyError,
    OutputLock,
    resolve_output,
    sweep_work_folders,
)
from wordvec.vectors.formats import load_vectors, save_vectors
from wordvec.vectors.keyed import WordVectors

FORMATS = ["v.wv", "v.bin", "v.txt", "v.txt.gz"]
TRAIN = ["--size", "16", "--workers", "1", "--epochs", "1", "--min-count", "2"]


@pytest.fixture(autouse=True)
def _library_logging():
    """cli.main points the "wordvec" logger at its own stderr handler; undo that so that
    caplog sees the library's records in the next test."""
    yield
    log = logging.getLogger("wordvec")
    log.handlers.clear()
    log.propagate = True
    log.setLevel(logging.NOTSET)


@pytest.fixture(scope="module")
def wv():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    return WordVectors(words, rng.normal(size=(300, 24)).astype(np.float32),
                       np.arange(300, 0, -1))


@pytest.fixture(scope="module")
def vec_bin(tmp_path_factory, wv):
    return save_vectors(wv, tmp_path_factory.mktemp("src") / "v.bin")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    return synthetic.write_corpus(d / "corpus.txt", n_words=20_000, seed=3)


def run(capsys, *args):
    rc = cli.main(["-q", *map(str, args)])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def one_error_line(rc, err, *needles):
    assert rc == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("wordvec: error:"), err
    for needle in needles:
        assert str(needle).lower() in err.lower(), (needle, err)


def leftovers(folder):
    """Temporary, probe and lock files left in a folder."""
    return sorted(p.name for p in Path(folder).iterdir()
                  if re.search(r"\.(tmp|probe|lock)$", p.name))


def cli_process(*args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "wordvec.cli", *map(str, args)],
                            env={**os.environ, **(env or {})}, **kw)


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


def limited_run(limit, *args, cwd=None, timeout=120):
    """The CLI in a process that cannot write files beyond ``limit`` bytes (EFBIG)."""
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *map(str, args)],
                          preexec_fn=_limit_file_size(limit), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


@pytest.fixture(scope="module")
def warm_size64(corpus, tmp_path_factory):
    """Compile (and cache on disk) the size-64 kernel without a file-size limit: Numba's
    cache files are bigger than the limits below, and a fresh checkout has none yet."""
    out = tmp_path_factory.mktemp("warm") / "v.bin"
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "train", str(corpus),
                           "-o", str(out), "--size", "64", "--epochs", "1", "--workers", "1",
                           "--min-count", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def read_fifo_in_thread(path):
    got = []
    t = threading.Thread(target=lambda: got.append(Path(path).read_bytes()), daemon=True)
    t.start()
    return t, got


def wait_for_line(stream, pattern, timeout=60):
    """Read ``stream`` in a thread until a line matches; return (match, lines so far)."""
    lines, found = [], []
    done = threading.Event()

    def reader():
        for line in stream:
            lines.append(line)
            m = re.search(pattern, line)
            if m:
                found.append(m)
                done.set()
                return
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    assert found, "".join(lines)
    return found[0], lines


def dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# ================================================================== 1. what is at the path
@pytest.mark.parametrize("name", FORMATS)
def test_a_symlinked_output_keeps_its_link_and_its_target_gets_the_data(
    tmp_path, capsys, wv, vec_bin, name
):
    real = tmp_path / "real"
    real.mkdir()
    (real / name).write_bytes(b"stale")
    link = tmp_path / name
    link.symlink_to(Path("real") / name)  # relative, as people make them
    rc, _, err = run(capsys, "convert", vec_bin, link)
    assert rc == 0, err
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / name)
    back = load_vectors(real / name)
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
    assert leftovers(tmp_path) == [] and leftovers(real) == []


def test_links_to_links_and_dangling_links_write_the_final_target(tmp_path, capsys, vec_bin):
    (tmp_path / "b").mkdir()
    chain = tmp_path / "first.bin"
    (tmp_path / "second.bin").symlink_to(tmp_path / "b" / "final.bin")  # dangling for now
    chain.symlink_to("second.bin")
    rc, _, err = run(capsys, "convert", vec_bin, chain)
    assert rc == 0, err
    assert chain.is_symlink() and (tmp_path / "second.bin").is_symlink()
    assert (tmp_path / "b" / "final.bin").read_bytes() == vec_bin.read_bytes()


def test_the_probe_happens_in_the_links_target_folder(tmp_path, capsys, vec_bin, corpus):
    link = tmp_path / "v.wv"
    link.symlink_to(tmp_path / "gone" / "v.wv")
    rc, _, err = run(capsys, "convert", vec_bin, link)
    one_error_line(rc, err, "does not exist", "gone", "target of the link")
    rc, _, err = run(capsys, "train", corpus, "-o", link, *TRAIN)
    one_error_line(rc, err, "does not exist", "gone")


def test_training_through_a_symlink_keeps_it(tmp_path, capsys, corpus):
    (tmp_path / "store").mkdir()
    link = tmp_path / "v.wv"
    link.symlink_to(tmp_path / "store" / "v.wv")
    rc, _, err = run(capsys, "train", corpus, "-o", link, *TRAIN, "--checkpoint-every", "1")
    assert rc == 0, err
    assert link.is_symlink() and load_vectors(link).meta["epochs_done"] == 1
    assert (tmp_path / "v.wv.ckpt").is_file()
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "store") == []


def _char_device(tmp_path):
    """A character device node of our own (the null device), so that a broken
    writer replaces a node in tmp_path rather than the system's /dev/null."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(node, "wb") as f:
            f.write(b"x")
    except OSError:
        return None
    return node


@pytest.mark.parametrize("name", FORMATS)
def test_a_character_device_is_written_through_not_replaced(tmp_path, capsys, vec_bin, name):
    node = _char_device(tmp_path)
    if node is None:
        pytest.skip("cannot make device nodes here")
    fmt = {"v.wv": "native", "v.bin": "word2vec-binary", "v.txt": "word2vec-text",
           "v.txt.gz": "word2vec-text"}[name]
    rc, _, err = run(capsys, "convert", vec_bin, node, "--format", fmt)
    assert rc == 0, err
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert leftovers(tmp_path) == []


def test_dev_null_stays_a_device(capsys, vec_bin, corpus):
    # classified first, so that a regression fails here instead of replacing /dev/null
    assert resolve_output("/dev/null").kind == "stream"
    before = os.stat("/dev/null")
    for args in (["convert", vec_bin, "/dev/null"],
                 ["convert", vec_bin, "/dev/null", "--format", "word2vec-text"],
                 ["train", corpus, "-o", "/dev/null", *TRAIN]):
        rc, _, err = run(capsys, *args)
        assert rc == 0, err
        after = os.stat("/dev/null")
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
        assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    assert not [n for n in os.listdir("/dev") if n.startswith(("null.", ".null"))]


@pytest.mark.parametrize("name", FORMATS)
def test_a_fifo_is_written_through(tmp_path, capsys, wv, vec_bin, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    t, got = read_fifo_in_thread(fifo)
    rc, _, err = run(capsys, "convert", vec_bin, fifo)
    t.join(30)
    assert rc == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    copy = tmp_path / f"copy-{name}"
    copy.write_bytes(got[0])
    back = load_vectors(copy, mmap=True)  # native: the arrays are still aligned for mmap
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
    if name != "v.wv":  # the native zip uses data descriptors when streamed
        reference = save_vectors(wv, tmp_path / f"ref-{name}")
        assert got[0] == reference.read_bytes()


def test_train_into_a_fifo(tmp_path, capsys, corpus):
    fifo = tmp_path / "v.txt"
    os.mkfifo(fifo)
    t, got = read_fifo_in_thread(fifo)
    rc, _, err = run(capsys, "train", corpus, "-o", fifo, *TRAIN)
    t.join(30)
    assert rc == 0, err
    header = got[0].split(b"\n", 1)[0].split()
    assert int(header[1]) == 16 and int(header[0]) > 100
    assert not (tmp_path / "v.txt.ckpt").exists()  # no default checkpoint beside a FIFO


def test_dash_is_standard_output(tmp_path, vec_bin, wv, corpus):
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "convert", vec_bin, "-"],
                          capture_output=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "out.txt").write_bytes(proc.stdout)
    back = load_vectors(tmp_path / "out.txt", format="word2vec-text")
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "convert", vec_bin, "-",
                           "--format", "native"], capture_output=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "out.wv").write_bytes(proc.stdout)
    np.testing.assert_array_equal(load_vectors(tmp_path / "out.wv").vectors, wv.vectors)
    proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "train", corpus, "-o", "-",
                           *TRAIN, "--format", "glove"], capture_output=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.split(b"\n", 1)[0].split()
    assert len(first) == 17  # a word and 16 numbers, no header: GloVe
    assert sorted(os.listdir(tmp_path)) == ["out.txt", "out.wv"]  # no file named "-"


def test_dev_stdout_appends_where_the_shell_says(tmp_path, vec_bin, wv):
    log = tmp_path / "log.txt"
    log.write_text("HEAD\n")
    with open(log, "ab") as out:
        proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "convert", vec_bin,
                               "/dev/stdout", "--format", "word2vec-text"],
                              stdout=out, stderr=subprocess.PIPE, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = log.read_text()
    assert text.startswith("HEAD\n300 24\n")
    assert log.is_file() and not log.is_symlink()


def test_binary_data_is_not_sent_to_a_terminal(tmp_path, vec_bin):
    master, slave = os.openpty()
    try:
        for extra in ([], ["--format", "word2vec-binary"]):
            fmt = ["--format", "native"] if not extra else extra
            proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "convert", vec_bin,
                                   "-", *fmt], stdout=slave, stderr=subprocess.PIPE, text=True,
                                  timeout=20, cwd=tmp_path)
            one_error_line(proc.returncode, proc.stderr, "terminal", "word2vec-text")
        # text to a terminal is fine
        proc = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "convert", vec_bin,
                               "-", "--limit", "2"], stdout=slave, stderr=subprocess.PIPE,
                              text=True, timeout=20, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert os.read(master, 1 << 16).startswith(b"2 24\r\n")
        assert os.listdir(tmp_path) == []  # no file named "-"
    finally:
        os.close(master)
        os.close(slave)


def test_other_non_regular_files_are_refused(tmp_path, capsys, vec_bin):
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        rc, _, err = run(capsys, "convert", vec_bin, sock_path)
        one_error_line(rc, err, "socket")
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        sock.close()
    rc, _, err = run(capsys, "convert", vec_bin, tmp_path)
    one_error_line(rc, err, "folder")
    loop = tmp_path / "loop.bin"
    loop.symlink_to("loop.bin")
    rc, _, err = run(capsys, "convert", vec_bin, loop)
    one_error_line(rc, err, "symbolic link")
    block = tmp_path / "blk"
    try:
        os.mknod(block, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except OSError:
        return
    rc, _, err = run(capsys, "convert", vec_bin, block)
    one_error_line(rc, err, "block device")
    assert stat.S_ISBLK(os.stat(block).st_mode)


def test_replacing_a_file_keeps_its_permission_bits(tmp_path, wv):
    path = tmp_path / "v.txt"
    save_vectors(wv, path)
    path.chmod(0o640)
    save_vectors(wv, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# ================================================================== 2. failed checkpoints
def test_a_checkpoint_that_cannot_be_written_is_a_warning(tmp_path, corpus, warm_size64):
    # 770 words x 64 floats: the vectors (~200 kB) fit under the limit, a checkpoint
    # (~410 kB: input and output weights) does not, in every epoch
    proc = limited_run(300_000, "train", corpus, "-o", tmp_path / "v.bin", "--size", "64",
                       "--epochs", "3", "--workers", "1", "--min-count", "2",
                       "--checkpoint-every", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "cannot write" in line]
    assert len(warnings) == 1, proc.stderr  # once per kind of failure, not once per epoch
    assert "the checkpoint" in warnings[0] and "v.bin.ckpt:" in warnings[0]
    assert "File too large" in warnings[0]
    assert "Traceback" not in proc.stderr
    assert load_vectors(tmp_path / "v.bin").vectors.shape == (770, 64)
    assert not (tmp_path / "v.bin.ckpt").exists()
    assert sorted(os.listdir(tmp_path)) == ["v.bin"]


def test_the_api_goes_on_training_when_checkpoints_fail(tmp_path, corpus, caplog):
    from wordvec import Word2Vec

    model = Word2Vec(vector_size=16, workers=1, epochs=3, min_count=2, seed=1)
    model.build_vocab(corpus)
    target = tmp_path / "gone" / "run.ckpt"  # its folder does not exist
    with caplog.at_level("WARNING", logger="wordvec"):
        model.train(checkpoint=target, checkpoint_every=1)
    assert model.epochs_done == 3
    assert model.checkpoint_error is not None and "run.ckpt" in model.checkpoint_error
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "No such file or directory" in warnings[0].getMessage()
    (tmp_path / "gone").mkdir()
    model.train(epochs=1, checkpoint=target, checkpoint_every=1)  # writable again
    assert target.is_file() and model.checkpoint_error is None


def test_a_stop_with_an_unwritable_checkpoint_says_so(tmp_path, corpus, warm_size64):
    # the working files (80 kB) fit under the limit, a checkpoint (~410 kB) does not
    out = tmp_path / "v.wv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "train", corpus, "-o", out, "--size", "64",
         "--epochs", "2000", "--workers", "1", "--min-count", "2"],
        preexec_fn=_limit_file_size(300_000), stderr=subprocess.PIPE, text=True)
    try:
        _, head = wait_for_line(proc.stderr, r"epoch 1: loss")
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        proc.wait(60)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    err = "".join(head) + rest
    assert proc.returncode == 143, err
    assert "could NOT be saved" in err and "File too large" in err
    assert "to continue" not in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


# ================================================================== 3. temporary files
@pytest.mark.parametrize("name", ["v.txt", "v.bin", "v.wv", "v.txt.gz"])
def test_a_failed_write_leaves_no_temporary_file(tmp_path, name):
    rng = np.random.default_rng(1)
    wv = WordVectors([f"w{i}" for i in range(3000)],
                     rng.normal(size=(3000, 50)).astype(np.float32))
    src = save_vectors(wv, tmp_path / "src.npy.wv")
    (tmp_path / "out").mkdir()
    proc = limited_run(200_000, "-q", "convert", src, tmp_path / "out" / name)
    one_error_line(proc.returncode, proc.stderr, "File too large", name)
    assert os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize("name", ["map.png", "map.svg"])
def test_a_plot_that_cannot_be_written_keeps_the_old_one(tmp_path, capsys, vec_bin, name):
    """Redrawing a plot over an existing one on a full disk (here a file-size limit)
    leaves the old plot whole, and no temporary file."""
    out = tmp_path / name
    rc, _, err = run(capsys, "plot", "words", vec_bin, "-o", out, "--topn", "40")
    assert rc == 0, err
    before = out.read_bytes()
    assert len(before) > 8_000
    proc = limited_run(len(before) // 4, "-q", "plot", "words", vec_bin, "-o", out,
                       "--topn", "300", "--title", "a bigger map")
    assert proc.returncode != 0
    assert "File too large" in proc.stderr, proc.stderr
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [name]


def test_a_temporary_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path, wv):
    pid = dead_pid()
    stale = tmp_path / f".v.bin.{pid}-0123abcd.tmp"
    stale.write_bytes(b"half a file")
    alive = tmp_path / f".v.bin.{os.getppid()}-0123abcd.tmp"
    alive.write_bytes(b"someone is writing")
    save_vectors(wv, tmp_path / "v.bin")
    assert not stale.exists() and alive.exists()


def test_sigterm_while_encoding_leaves_nothing(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    proc = cli_process("train", "/dev/stdin", "-o", out / "v.wv", "--size", "8",
                       env={"TMPDIR": str(work)}, stdin=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    try:
        m, _ = wait_for_line(proc.stderr, r"working files in (\S+)")
        folder = Path(m.group(1))
        assert folder.parent == work and folder.name.startswith(f"wordvec-work-{proc.pid}-")
        proc.stdin.write("the cat sat on the mat\n" * 200_000)  # ~4.6 MB
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while not (folder / "raw.int32").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (out / "v.wv.lock").exists()  # the output is locked while we work
        proc.send_signal(signal.SIGTERM)
        err = proc.stderr.read()
        proc.wait(60)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    assert proc.returncode == 143, err
    assert "terminated by SIGTERM" in err and "Traceback" not in err
    assert os.listdir(work) == [] and os.listdir(out) == []


def test_a_killed_runs_working_folder_is_swept_by_the_next_run(tmp_path, capsys, corpus):
    work = tmp_path / "work"
    work.mkdir()
    proc = cli_process("train", "/dev/stdin", "-o", tmp_path / "v.wv", "--tmp-dir", work,
                       stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        m, _ = wait_for_line(proc.stderr, r"working files in (\S+)")
        proc.kill()  # SIGKILL: no code runs, the folder stays
        proc.wait(30)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    killed = Path(m.group(1))
    assert killed.is_dir()
    (killed / "raw.int32").write_bytes(b"\0" * 1_000_000)
    # a live process's folder (this test's parent) and one whose owner still holds the
    # flock (alive in another PID namespace, say) must survive the sweep
    live = work / f"wordvec-work-{os.getppid()}-live"
    live.mkdir()
    locked = work / f"wordvec-work-{dead_pid()}-locked"
    locked.mkdir()
    import fcntl
    fd = os.open(locked / ".owner", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        rc = cli.main(["train", str(corpus), "-o", str(tmp_path / "v.wv"), *TRAIN,
                       "--tmp-dir", str(work)])
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert rc == 0, err
    assert not killed.exists() and live.is_dir() and locked.is_dir()
    assert sorted(os.listdir(work)) == sorted([live.name, locked.name])  # ours is gone too
    swept = [line for line in err.splitlines() if "stale working folder" in line]
    assert len(swept) == 1 and str(killed) in swept[0] and "1.0 MB" in swept[0]
    assert f"process {proc.pid}" in swept[0]
    assert sweep_work_folders(work) == [locked]  # once its owner is gone


def test_working_files_go_where_the_user_says(tmp_path, capsys, corpus):
    from wordvec import PPMISVD, Word2Vec

    model = Word2Vec(vector_size=8, workers=1, min_count=2).build_vocab(corpus, tmp_dir=tmp_path)
    folder = model.corpus.directory
    assert folder.parent == tmp_path and folder.name.startswith(f"wordvec-work-{os.getpid()}-")
    del model
    import gc

    gc.collect()
    assert not folder.exists()
    PPMISVD(vector_size=4, min_count=2).fit(corpus, tmp_dir=tmp_path)
    gc.collect()
    assert os.listdir(tmp_path) == []
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", "--tmp-dir",
                     tmp_path / "nope")
    one_error_line(rc, err, "working files", "nope", "does not exist")


# ================================================================== 4. one output, one run
def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys, corpus):
    out = tmp_path / "v.wv"
    first = cli_process("train", "/dev/stdin", "-o", out, *TRAIN,
                        stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(first.stderr, r"working files in")
        rc, _, err = run(capsys, "train", corpus, "-o", out, *TRAIN)
        one_error_line(rc, err, "v.wv", f"process {first.pid}", "another wordvec run")
        # its checkpoint too, whatever the output is called
        rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "other.wv", *TRAIN,
                         "--checkpoint", f"{out}.ckpt")
        one_error_line(rc, err, "v.wv.ckpt", f"process {first.pid}")
        # and through a symlink to it
        (tmp_path / "alias.wv").symlink_to(out)
        rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "alias.wv", *TRAIN)
        one_error_line(rc, err, f"process {first.pid}")
        assert json.loads((tmp_path / "v.wv.lock").read_text()) == first.pid
        first.stdin.write("a b c a b c\n" * 100)
        first.stdin.close()
        rest = first.stderr.read()
        assert first.wait(120) == 0, rest
    finally:
        if first.poll() is None:  # pragma: no cover
            first.kill()
    assert leftovers(tmp_path) == []  # the lock files went with the first run
    rc, _, err = run(capsys, "train", corpus, "-o", out, *TRAIN)
    assert rc == 0, err


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path, capsys, corpus):
    out = tmp_path / "v.wv"
    pid = dead_pid()
    (tmp_path / "v.wv.lock").write_text(f"{pid}\n")
    rc = cli.main(["train", str(corpus), "-o", str(out), *TRAIN])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert f"left by process {pid}" in err
    assert leftovers(tmp_path) == []


def test_output_lock_api(tmp_path):
    target = tmp_path / "x.wv"
    with OutputLock(target) as lock:
        assert lock.held and (tmp_path / "x.wv.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(OutputBusyError, match=str(os.getpid())):
            OutputLock(target).acquire()
    assert not (tmp_path / "x.wv.lock").exists()
    assert not OutputLock("/dev/null").acquire().held  # devices are not locked


def test_the_api_refuses_a_checkpoint_another_process_is_writing(tmp_path, corpus):
    """train(checkpoint=P) locks P as the CLI does: while another process holds the
    lock the run is refused before any training (nothing pending, nothing written);
    the lock goes when training ends; a lock this process holds (the CLI's) is used."""
    from wordvec import Word2Vec

    ckpt = tmp_path / "run.ckpt"
    lock_file = tmp_path / "run.ckpt.lock"
    code = ("import sys, time; from wordvec.outputs import OutputLock; "
            "OutputLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(ckpt)], stdout=subprocess.PIPE,
                              text=True)
    model = Word2Vec(vector_size=16, workers=1, epochs=1, min_count=2, seed=1)
    model.build_vocab(corpus)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputBusyError, match=f"process {holder.pid}"):
            model.train(checkpoint=ckpt, checkpoint_every=1)
        assert model.epochs_done == 0 and model.run_state is None and not ckpt.exists()
    finally:
        holder.kill()
        holder.wait()
    model.train(checkpoint=ckpt, checkpoint_every=1)  # the holder died: taken over
    assert model.epochs_done == 1 and ckpt.is_file() and not lock_file.exists()
    with OutputLock(ckpt, "checkpoint"):  # as the CLI holds it around the API
        model.train(epochs=1, checkpoint=ckpt, checkpoint_every=1)
        assert lock_file.read_text() == f"{os.getpid()}\n"
    assert model.epochs_done == 2 and not lock_file.exists()


# ================================================================== 5. the README's long run
def test_a_short_run_with_timed_checkpoints_still_saves_when_stopped(tmp_path):
    corpus = synthetic.write_corpus(tmp_path / "big.txt", n_words=100_000, seed=4)
    out = tmp_path / "vec.wv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "train", corpus, "-o", out, "--size", "16",
         "--epochs", "40", "--workers", "1", "--min-count", "3", "--checkpoint-every", "30m"],
        stderr=subprocess.PIPE, text=True)
    try:
        _, head = wait_for_line(proc.stderr, r"epoch 1: loss")
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        proc.wait(60)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    err = "".join(head) + rest
    assert proc.returncode == 130, err
    assert f"wordvec train --resume {out}.ckpt" in err
    assert cli.main(["-q", "train", "--resume", f"{out}.ckpt"]) == 0
    assert load_vectors(out).meta["epochs_done"] == 40


def test_resuming_a_checkpoint_that_was_never_written_explains_why(tmp_path, capsys):
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "vec.wv.ckpt")
    one_error_line(rc, err, "vec.wv.ckpt", "no such file", "ctrl-c", "--checkpoint-every")
