"""``make bench``: arrears, localstripe, stripe-mock and the ceiling app side by side in one run, plus
PostgreSQL and growth (1k vs 1M invoices). Writes bench/results/<timestamp>.json and latest.json, the tables in
bench/README.md and bench/chart.png.

    python -m bench.run [--quick | --smoke] [--loadgen wrk|python] [--no-localstripe] [--no-stripe-mock]
                        [--no-postgres] [--no-growth] [--results DIR] [--readme FILE|-] [--chart FILE|-]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import report, servers
from bench.harness.fixtures import Fixture, postgres_fixture, sqlite_fixture
from bench.harness.measure import Knobs, measure
from bench.harness.wrk import Load

BENCH = Path(__file__).resolve().parent
OLD_VERSION = "2024-06-20"  # what stripe-python 10 pins: the basil change and every later one apply
INV = "/v1/invoices/"
LINE = "lines[0][amount]=1099&lines[0][description]=Bench"


@dataclass(frozen=True)
class Plan:
    mode: str
    knobs: Knobs
    workers: int
    main_invoices: int
    growth_sizes: tuple[int, int]
    mark_budget: int  # req/s the mark target lists are sized for (times warm-up + duration)
    pg_budget: int
    ls_get_seed: int
    ls_pay_seed: int

    @property
    def seconds(self) -> float:
        return self.knobs.warmup + self.knobs.duration


def plan_for(mode: str, loadgen: str) -> Plan:
    if mode == "full":
        return Plan(mode, Knobs(2, 10, 64, loadgen, True), 2, 10_000, (1_000, 1_000_000), 10_000, 4_000, 2_000, 800)
    if mode == "quick":
        return Plan(mode, Knobs(1, 3, 64, loadgen, False), 2, 10_000, (1_000, 10_000), 10_000, 4_000, 300, 200)
    return Plan(mode, Knobs(0.3, 1, 8, loadgen, False), 2, 300, (100, 300), 4_000, 2_000, 50, 150)


def _copy(fixture: Fixture, folder: Path, name: str) -> Path:
    """A working copy of a cached SQLite fixture (the servers write to it)."""
    dest = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    shutil.copyfile(fixture.database, dest)
    _flush(dest)
    return dest


def _flush(path: Path) -> None:
    """Write a big file's dirty pages out now: gigabytes still being written back while a server
    fsyncs its WAL on the same disk would slow the measured run (seen at 1M invoices)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mark(ids: Path) -> Load:
    return Load("walk", "POST", prefix=INV, suffix="/mark_uncollectible", ids=ids)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, plan: Plan, work: Path, *, localstripe: bool, postgres: bool, growth: bool,
                 stripe_mock: bool = True) -> None:
        self.plan, self.work = plan, work
        self.want_localstripe, self.want_postgres, self.want_growth = localstripe, postgres, growth
        self.want_stripe_mock = stripe_mock
        self.main_fixture: Fixture | None = None  # main()'s, for the peers that take the same requests
        self.logs = work / "logs"
        self.fixtures = work / "fixtures"
        self.scratch = work / "scratch"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.results: list[dict[str, Any]] = []
        self.skipped: list[dict[str, str]] = []
        self.fixture_counts: dict[str, Any] = {}

    def _run(self, name: str, server: servers.Server, load: Load, **labels: Any) -> None:
        _say(f"bench: {name} ...")
        result = measure(name, server.url, server.pid, load, self.plan.knobs, **labels)
        _say(f"  {result['rps']:,.0f} req/s  p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
             f"{result['cpu_ms_per_req']:.3f} CPU ms/req  {result['peak_rss_mb']:.0f} MB"
             + (f"  ({result['non2xx']} non-2xx!)" if result["non2xx"] else ""))
        self.results.append(result)
        self.save_partial()

    def save_partial(self) -> None:
        """Every figure so far, so that a failure later in the run loses nothing."""
        (self.work / "partial-results.json").write_text(json.dumps({"scenarios": self.results,
                                                                    "skipped": self.skipped}, indent=1))

    def targets_needed(self, budget: int) -> int:
        return int(budget * self.plan.seconds * 1.2) + 4 * self.plan.knobs.connections

    # --- the side-by-side run --------------------------------------------------------------------
    def main(self) -> None:
        p = self.plan
        fx = sqlite_fixture(self.fixtures, invoices=p.main_invoices, targets=self.targets_needed(p.mark_budget))
        self.fixture_counts["main"] = fx.counts
        self.main_fixture = fx
        get = Load("random", "GET", prefix=INV, ids=fx.get_ids)
        with servers.ceiling(self.logs, workers=p.workers) as srv:
            self._run("ceiling.get", srv, get, system="ceiling", op="get", db_invoices=0)
        db = _copy(fx, self.scratch, "main")
        n = fx.counts["invoices"]
        with servers.arrears(f"sqlite:///{db}", self.logs, workers=p.workers) as srv:
            self._run("arrears.get", srv, get, system="arrears", op="get", db_invoices=n)
            create = Load("fixed", "POST", path="/v1/invoices", body=f"customer={fx.customer}")
            self._run("arrears.create", srv, create, system="arrears", op="create", db_invoices=n)
            self._run("arrears.mark_uncollectible", srv, _mark(fx.targets), system="arrears", op="mark",
                      db_invoices=n)
            sequence = Load("sequence", path="/v1/invoices", body=f"customer={fx.customer}", prefix=INV,
                            steps={"draft0": f"add_lines|{LINE}", "draft": "finalize", "open": "mark_uncollectible"})
            self._run("arrears.sequence", srv, sequence, system="arrears", op="sequence", db_invoices=n,
                      note="create → add_lines → finalize → mark_uncollectible (an empty draft finalizes to paid)")
        # The same GETs from an account whose default is an old version: every answer passes through the
        # version changes since (domain/versions.py). The latest version passes through none.
        with servers.arrears(f"sqlite:///{db}", self.logs, workers=p.workers, name="arrears-old",
                             extra=("--api-version", OLD_VERSION)) as srv:
            self._run(f"arrears.get@{OLD_VERSION}", srv, get, system="arrears", op="get", db_invoices=n,
                      note=f"GET /v1/invoices/{{id}} answered in API version {OLD_VERSION}")
        self._cleanup(db)

    def localstripe(self) -> None:
        if not self.want_localstripe:
            self.skipped.append({"name": "localstripe.*", "reason": "not requested (--no-localstripe)"})
            return
        if not servers.localstripe_available():
            self.skipped.append({"name": "localstripe.*",
                                 "reason": "bench/.work/localstripe missing: run `make bench`"})
            return
        p = self.plan
        runs = [
            ("get", p.ls_get_seed, lambda ls: Load("random", "GET", prefix=INV, ids=ls.ids), "GET /v1/invoices/{id}"),
            ("create", 0, lambda ls: Load("fixed", "POST", path="/v1/invoices", body=self._ls_body(ls)),
             "POST /v1/invoices (customer + subscription: localstripe invoices only subscribed customers)"),
            ("pay", p.ls_pay_seed, lambda ls: Load("walk", "POST", prefix=INV, suffix="/pay", ids=ls.ids),
             "nearest to mark_uncollectible (which it lacks): POST /v1/invoices/{id}/pay on drafts, each once"),
            ("sequence", 0, lambda ls: Load("sequence", path="/v1/invoices", body=self._ls_body(ls), prefix=INV,
                                            steps={"draft": "pay"}),
             "create → pay (it has no finalize or mark_uncollectible)"),
        ]
        for op, seed, make_load, note in runs:
            ls = servers.localstripe(self.logs, seed=seed, tag=op)
            with ls.server:
                self._run(f"localstripe.{op}", ls.server, make_load(ls), system="localstripe", op=op,
                          db_invoices=seed, note=note, pickle_bytes_at_start=int(ls.info()["pickle_bytes"]))

    def stripe_mock(self) -> None:
        """stripe-mock takes the very requests of arrears' get, create and mark_uncollectible (same ids,
        same bodies); it keeps no state, so every one is a canned 200."""
        if not self.want_stripe_mock:
            self.skipped.append({"name": "stripe-mock.*", "reason": "not requested (--no-stripe-mock)"})
            return
        if not servers.stripe_mock_available():
            self.skipped.append({"name": "stripe-mock.*",
                                 "reason": "bench/.work/stripe-mock missing: run `make bench` (needs Go)"})
            return
        fx = self.main_fixture
        assert fx is not None, "main() runs first: stripe-mock takes its requests"
        canned = "stateless: a canned 200 from its OpenAPI fixtures, nothing stored or checked against state"
        runs = [
            ("get", Load("random", "GET", prefix=INV, ids=fx.get_ids), f"GET /v1/invoices/{{id}}; {canned}"),
            ("create", Load("fixed", "POST", path="/v1/invoices", body=f"customer={fx.customer}"),
             f"POST /v1/invoices customer=…; {canned}"),
            ("mark_uncollectible", _mark(fx.targets), f"the same walk as arrears'; {canned}"),
        ]
        with servers.stripe_mock(self.logs) as srv:
            for op, load, note in runs:
                self._run(f"stripe-mock.{op}", srv, load, system="stripe-mock", op=op, db_invoices=0, note=note)

    @staticmethod
    def _ls_body(ls: servers.Localstripe) -> str:
        info = ls.info()
        return f"customer={info['customer']}&subscription={info['subscription']}"

    def postgres(self) -> None:
        if not self.want_postgres:
            self.skipped.append({"name": "postgres.mark_uncollectible", "reason": "not requested (--no-postgres)"})
            return
        binaries = servers.pg_bin()
        if binaries is None:
            self.skipped.append({"name": "postgres.mark_uncollectible",
                                 "reason": "no PostgreSQL server binaries (apt-get install postgresql)"})
            return
        cluster = servers.PgCluster(binaries)
        try:
            cluster.start()
            url = cluster.create_database("bench")
            fx = postgres_fixture(url, self.scratch, targets=self.targets_needed(self.plan.pg_budget))
            self.fixture_counts["postgres"] = fx.counts
            with servers.arrears(url, self.logs, workers=self.plan.workers, name="arrears-pg") as srv:
                _say("bench: postgres.mark_uncollectible ...")
                result = measure("postgres.mark_uncollectible", srv.url, srv.pid, _mark(fx.targets), self.plan.knobs,
                                 extra_pid=cluster.pid, system="arrears-postgres", op="mark",
                                 db_invoices=fx.counts["invoices"], postgres=cluster.version())
                _say(f"  {result['rps']:,.0f} req/s  p99 {result['p99_ms']:.1f} ms")
                self.results.append(result)
                self.save_partial()
        except Exception as exc:  # noqa: BLE001 - the backend may not be there yet: report, go on
            self.skipped.append({"name": "postgres.mark_uncollectible",
                                 "reason": f"arrears serve --database postgresql://… failed: {exc}"[:600]})
            _say(f"bench: PostgreSQL scenario skipped: {exc}")
        finally:
            cluster.stop()

    def growth(self) -> None:
        if not self.want_growth:
            self.skipped.append({"name": "growth.*", "reason": "not requested (--no-growth)"})
            return
        targets = self.targets_needed(self.plan.mark_budget)
        for size in self.plan.growth_sizes:
            fx = sqlite_fixture(self.fixtures, invoices=size, targets=targets)
            self.fixture_counts[f"growth_{size}"] = fx.counts
            _say(f"bench: growth at {size:,} background invoices (+{targets:,} open targets): copying the database")
            db = _copy(fx, self.scratch, f"growth-{size}")
            labels = {"system": "arrears", "size": size, "db_invoices": fx.counts["invoices"]}
            with servers.arrears(f"sqlite:///{db}", self.logs, workers=self.plan.workers) as srv:
                self._run(f"growth.get@{size}", srv, Load("random", "GET", prefix=INV, ids=fx.get_ids), op="get",
                          **labels)
                self._run(f"growth.list@{size}", srv, Load("fixed", "GET", path="/v1/invoices?limit=10&status=open"),
                          op="list", **labels)
                self._run(f"growth.search@{size}", srv,
                          Load("fixed", "GET", path="/v1/invoices/search?query=status%3A%22open%22"), op="search",
                          **labels)
                self._run(f"growth.mark@{size}", srv, _mark(fx.targets), op="mark", **labels)
            self._cleanup(db)

    @staticmethod
    def _cleanup(db: Path) -> None:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(db) + suffix).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 s per scenario, growth at 1k vs 10k")
    ap.add_argument("--smoke", action="store_true", help="1 s per scenario, tiny fixtures (the smoke test)")
    ap.add_argument("--loadgen", choices=["wrk", "python"], default=None,
                    help="load generator (default: wrk; python for --smoke)")
    ap.add_argument("--no-localstripe", action="store_true")
    ap.add_argument("--no-stripe-mock", action="store_true")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-growth", action="store_true")
    ap.add_argument("--growth-from", type=Path, help="take the growth scenarios from an earlier results JSON "
                    "(the 1M part is the slow one) instead of measuring them")
    ap.add_argument("--work", type=Path, default=BENCH / ".work", help="fixtures, logs, scratch databases")
    ap.add_argument("--results", type=Path, default=BENCH / "results")
    ap.add_argument("--readme", default=str(BENCH / "README.md"), help="README to fill in, or - for none")
    ap.add_argument("--chart", default=str(BENCH / "chart.png"), help="PNG chart to draw, or - for none")
    args = ap.parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    plan = plan_for(mode, args.loadgen or ("python" if mode == "smoke" else "wrk"))
    bench = Bench(plan, args.work, localstripe=not args.no_localstripe, postgres=not args.no_postgres,
                  growth=not (args.no_growth or args.growth_from), stripe_mock=not args.no_stripe_mock)
    started = time.time()
    bench.main()
    bench.localstripe()
    bench.stripe_mock()
    bench.postgres()
    if args.growth_from:
        earlier = json.loads(args.growth_from.read_text())
        bench.results += [{**r, "from_run": earlier["started"]} for r in earlier["scenarios"]
                          if r["name"].startswith("growth.")]
        bench.fixture_counts.update({k: v for k, v in earlier["fixtures"].items() if k.startswith("growth")})
    else:
        bench.growth()
    doc = report.assemble(mode, plan, bench.results, bench.skipped, bench.fixture_counts, started)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    text = json.dumps(doc, indent=1)
    (args.results / f"{stamp}.json").write_text(text)
    (args.results / "latest.json").write_text(text)
    if args.chart != "-":
        _chart(args.results / "latest.json", Path(args.chart))
    if args.readme != "-":
        report.write_readme(Path(args.readme), doc, chart=None if args.chart == "-" else Path(args.chart))
    print(report.summary_markdown(doc))
    return 0


def _chart(results: Path, out: Path) -> None:
    python = BENCH / ".work" / "venv" / "bin" / "python"
    if not python.exists():
        _say("bench: no chart (bench/.work/venv missing: `make bench` installs matplotlib)")
        return
    subprocess.run([str(python), str(BENCH / "chart.py"), str(results), str(out)], check=True)


if __name__ == "__main__":
    sys.exit(main())
