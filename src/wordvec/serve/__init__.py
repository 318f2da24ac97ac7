"""``wordvec serve``: explore word vectors in the browser.

Needs the ``serve`` extra (``pip install wordvec[serve]``: FastAPI and
uvicorn). From Python::

    from wordvec.serve import serve
    serve(["vectors.wv"], port=8000)            # blocks; Ctrl-C stops it

or build the app and run it under any ASGI server::

    from wordvec.serve.app import create_app, load_models
    app = create_app(load_models(["vectors.wv"]))
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from typing import Any

from wordvec.errors import ConfigError

logger = logging.getLogger("wordvec")

__all__ = ["serve", "open_socket"]


def _check_installed() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise ConfigError(
            "wordvec serve needs FastAPI and uvicorn, which are not installed: run "
            "`pip install 'wordvec[serve]'`"
        ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one), or a ConfigError."""
    if not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on host {host!r}: {exc.strerror}") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror} "
                          "(is another server using it? try --port 0 for a free port)") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _one_thread_per_query() -> None:
    """Many requests run at once, each on one thread: BLAS and faiss must not add theirs.

    On a 2-core machine under load, a 2-thread OpenBLAS made one exact query
    at 20,000 words 6x slower (9.8 ms against 1.7 ms with one thread).
    """
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")
    except ImportError:
        logger.info("threadpoolctl is not installed: BLAS keeps its own threads")
    try:
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:
        pass


def serve(
    paths: Sequence[str | os.PathLike],
    host: str = "127.0.0.1",
    port: int = 8000,
    eval_analogies: Sequence[str | os.PathLike] = (),
    pairs: Sequence[str | os.PathLike] = (),
    index: str = "auto",
    log_level: str = "warning",
    announce: Any = None,
) -> None:
    """Load ``paths``, print the URL and serve until Ctrl-C (or SIGTERM).

    The port is opened first, so a busy port is reported before any loading.
    Only loopback addresses are accepted as the ``Host`` of a request when
    bound to one (this blocks DNS-rebinding pages from reading the API).
    """
    _check_installed()
    import uvicorn

    class _Server(uvicorn.Server):
        """uvicorn's server, remembering the first signal that stopped it."""

        stopped_by: int | None = None

        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.stopped_by is None:
                self.stopped_by = sig
            super().handle_exit(sig, frame)

    from wordvec.serve.app import create_app, evaluate_models, load_models

    for f in list(eval_analogies) + list(pairs):
        if not os.path.isfile(f):
            raise ConfigError(f"evaluation file {str(f)!r} does not exist")
    sock = open_socket(host, port)
    try:
        models = load_models(list(paths), index=index)
        evaluation = evaluate_models(models, list(eval_analogies), list(pairs))
        allowed = None
        if _is_loopback(host) and ":" not in host:
            allowed = ["127.0.0.1", "localhost", "[::1]", "::1"]
        app = create_app(models, evaluation, allowed_hosts=allowed)
        _one_thread_per_query()
        real_port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{real_port}/"
        (announce or print)(f"wordvec serve: {url}  (Ctrl-C to stop)")
        sys.stdout.flush()
        config = uvicorn.Config(app, log_level=log_level, access_log=False,
                                timeout_graceful_shutdown=2)
        server = _Server(config)
        server.run(sockets=[sock])
        if server.stopped_by == signal.SIGINT:
            # uvicorn re-raises the signal once stopped, but through asyncio's own
            # SIGINT handler, which can lose it (the CLI then exited 0, not 130)
            raise KeyboardInterrupt
    finally:
        sock.close()
