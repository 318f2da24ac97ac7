"""How does `wordvec serve` hold up under many clients at a million words?

Starts ``wordvec serve`` on 127.0.0.1 (a free port) over a native vector file
(by default a random 1,000,000 x 100 model written once to /tmp), then runs
``--clients`` concurrent clients for ``--seconds``, each sending its next
request as soon as the last one is answered. The mix: neighbours of a random
word (70%), prefix completion (15%), a 3CosAdd analogy (10%), and requests the
server must refuse (5%: topn over the limit, an unknown word). Reports
throughput, latency percentiles per kind and overall, and errors (a refusal
is expected; an error is any other status, a timeout or a dropped connection).

    .venv/bin/python bench/serve_load.py                       # 1M words, 50 clients, 20 s
    .venv/bin/python bench/serve_load.py --index exact --seconds 10
    .venv/bin/python bench/serve_load.py --vectors my.wv --clients 10

The clients run in this process (asyncio, plain HTTP/1.1 keep-alive) on the same machine as the
server, so on a small machine they take CPU from it: the figures are a floor.
The generated model is the clustered random one of bench/query_latency.py.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np


def make_model(path, vocab, dim, data):
    from wordvec.vectors import WordVectors

    rng = np.random.default_rng(0)
    if data == "gaussian":
        vectors = rng.standard_normal((vocab, dim), dtype=np.float32)
    else:
        centres = rng.standard_normal((5000, dim), dtype=np.float32)
        vectors = centres[rng.integers(0, 5000, vocab)]
        vectors += 0.7 * rng.standard_normal((vocab, dim), dtype=np.float32)
    WordVectors([f"w{i}" for i in range(vocab)], vectors).save(path)


def start_server(path, index, log):
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "serve", str(path), "--port", "0",
         "--index", index],
        stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    m = re.match(r"wordvec serve: (http://\S+)", line)
    if not m:
        proc.kill()
        log.seek(0)
        sys.exit(f"the server did not start: {line!r} {log.read()}")
    return proc, m.group(1), time.perf_counter() - t0


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    httpx spent twice the server's CPU time per request here, and client and
    server share the same cores; this costs a small fraction of that.
    """

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def get(self, path, params):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        query = urlencode(params)
        self.writer.write(f"GET /{path}?{query} HTTP/1.1\r\nHost: {self.host}\r\n"
                          "\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(x.split(":")[1]) for x in lines if x.lower().startswith("content-length"))
        body = await self.reader.readexactly(length)
        if any(x.lower() == "connection: close" for x in lines):
            await self.close()
        return status, body

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def drive(url, vocab, clients, seconds, timeout):
    parts = urlsplit(url)
    rng = np.random.default_rng(1)
    lat = {"neighbors": [], "complete": [], "analogy": [], "refused": []}
    errors = {}
    stop = time.perf_counter() + seconds

    def request():
        r = rng.random()
        w = lambda: f"w{rng.integers(0, vocab)}"  # noqa: E731
        if r < 0.70:
            return "neighbors", "api/neighbors", {"word": w(), "topn": 10}, 200
        if r < 0.85:
            return "complete", "api/complete", {"prefix": w()[:4], "limit": 10}, 200
        if r < 0.95:
            return "analogy", "api/analogy", {"a": w(), "b": w(), "c": w()}, 200
        if r < 0.975:
            return "refused", "api/neighbors", {"word": "w1", "topn": 100000}, 422
        return "refused", "api/neighbors", {"word": "nosuchword"}, 404

    async def client():
        conn = Connection(parts.hostname, parts.port)
        while time.perf_counter() < stop:
            kind, path, params, expect = request()
            t0 = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(conn.get(path, params), timeout)
                json.loads(body)
            except Exception as exc:  # a timeout or a dropped connection
                status = type(exc).__name__
                await conn.close()
            dt = (time.perf_counter() - t0) * 1e3
            if status == expect:
                lat[kind].append(dt)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
        await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return lat, errors, time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vectors", type=Path, help="native vector file (default: make one)")
    p.add_argument("--vocab", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--data", choices=["gaussian", "clustered"], default="clustered",
                   help="vectors around 5,000 topic centres (default), or independent Gaussian")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--timeout", type=float, default=30.0, help="per request, in seconds")
    p.add_argument("--index", default="auto", choices=["auto", "exact", "hnsw", "ivf"])
    p.add_argument("--json", type=Path, help="write the figures here too")
    args = p.parse_args(argv)

    path = args.vectors
    if path is None:
        path = Path(f"/tmp/wordvec-serve-load-{args.vocab}x{args.dim}-{args.data}.wv")
        if not path.exists():
            print(f"writing {path} ...", file=sys.stderr)
            make_model(path, args.vocab, args.dim, args.data)
    from wordvec.vectors.formats import load_vectors

    vocab = len(load_vectors(path, mmap=True))
    res = {"vectors": str(path), "vocab": vocab, "clients": args.clients,
           "seconds": args.seconds, "cpus": os.cpu_count(),
           "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    log = tempfile.TemporaryFile("w+")  # the server's stderr (a pipe could fill and block it)
    proc, url, startup = start_server(path, args.index, log)
    try:
        res["server_startup_s"] = startup
        import httpx

        res["index"] = httpx.get(url + "api/info").json()["models"][0]["index"]
        cpu0, client0 = cpu_seconds(proc.pid), time.process_time()
        lat, errors, elapsed = asyncio.run(drive(url, vocab, args.clients, args.seconds,
                                                 args.timeout))
        server_cpu, client_cpu = cpu_seconds(proc.pid) - cpu0, time.process_time() - client0
        res["server_rss_mb"] = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.seek(0)
        server_log = log.read().strip().splitlines()
    every = [x for v in lat.values() for x in v]
    res["requests"] = len(every) + sum(errors.values())
    res["throughput_per_s"] = res["requests"] / elapsed
    res["server_cpu_s"] = server_cpu
    res["client_cpu_s"] = client_cpu
    res["server_cpu_ms_per_request"] = 1e3 * server_cpu / max(1, res["requests"])
    res["p50_ms"] = statistics.median(every) if every else float("nan")
    res["p99_ms"] = float(np.percentile(every, 99)) if every else float("nan")
    res["max_ms"] = max(every, default=float("nan"))
    for kind, values in lat.items():
        if values:
            res[f"{kind}_count"] = len(values)
            res[f"{kind}_p50_ms"] = statistics.median(values)
            res[f"{kind}_p99_ms"] = float(np.percentile(values, 99))
    res["errors"] = sum(errors.values())
    res["errors_by_status"] = errors
    res["server_log_lines"] = len(server_log)
    res["load_average_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    width = max(len(k) for k in res)
    for key, value in res.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    if server_log:
        print("server log (last lines):\n  " + "\n  ".join(server_log[-5:]))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
