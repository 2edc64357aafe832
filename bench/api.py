"""Load figure for the HTTP API: requests per second and latency (p50, p99) of the single-person
tax endpoint (POST /api/tax, a resident's year with a bonus) against a local uvicorn server on
127.0.0.1, started in a second process; the client sends a bounded number of requests from
threads (keep-alive connections).

    python bench/api.py [--requests 2000] [--threads 8]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

BODY = {"name": "bench", "year": 2026, "person": {"foreigner": True, "allowance_exemption": True},
        "every_month": {"wages": 60000, "employee_contributions": 3500, "allowances": {"housing": 12000}},
        "months": {"12": {"bonus": 120000}}}
SERVER = """
import sys, uvicorn
from expatcn.server import create_app
uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    from expatcn.services import keys, payroll

    folder = Path(tempfile.mkdtemp(prefix="expatcn-bench-"))
    db = str(folder / "bench.sqlite")
    engine = payroll.open_store(db)
    payroll.upgrade(engine)
    key = keys.create(engine, "viewer", "bench").key
    engine.dispose()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, db, str(port)], env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    headers = {"X-API-Key": key}
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        with httpx.Client(base_url=base, headers=headers) as warm:
            first = warm.post("/api/tax", json=BODY)
            assert first.status_code == 200, first.text
            for _ in range(50):
                warm.post("/api/tax", json=BODY)

        def sequential(n: int) -> list[float]:
            out = []
            with httpx.Client(base_url=base, headers=headers) as client:
                for _ in range(n):
                    t = time.perf_counter()
                    r = client.post("/api/tax", json=BODY)
                    out.append(time.perf_counter() - t)
                    assert r.status_code == 200
            return out

        seq = sequential(min(500, args.requests))
        latencies: list[float] = []
        lock = threading.Lock()
        per_thread = args.requests // args.threads

        def worker() -> None:
            mine = sequential(per_thread)
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(10)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    print(f"POST /api/tax (one person-year, resident, allowances, bonus), uvicorn on 127.0.0.1, 1 worker process")
    print(f"  sequential, 1 connection : {len(seq)} requests, {len(seq) / sum(seq):7.1f} req/s, "
          f"p50 {pct(seq, .5):.2f} ms, p99 {pct(seq, .99):.2f} ms")
    print(f"  {args.threads} client threads        : {len(latencies)} requests in {wall:.2f} s, {len(latencies) / wall:7.1f} req/s, "
          f"p50 {pct(latencies, .5):.2f} ms, p99 {pct(latencies, .99):.2f} ms, mean {statistics.mean(latencies) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
