"""The ceiling reference: a minimal Starlette app that answers every GET with one fixed ~3 KB invoice
(orjson bytes), served the way ``arrears serve`` serves arrears (same server, worker count and
options), so arrears ÷ ceiling is what arrears' own work costs.

Run: ``python -m bench.harness.ceiling_app --port P --workers 2``."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _payload() -> bytes:
    from arrears.domain import views
    from arrears.domain.objects import customer
    from arrears.ids import IdGen
    from bench.harness.fixtures import invoice_docs

    ids = IdGen()
    cust = customer(ids.new("cus"), 1_700_000_000, False, "BENCH0001", {"email": "c@example.com", "name": "C"})
    inv, _ = invoice_docs(ids, cust, "open", 1_700_000_000, 1)
    return orjson.dumps(views.invoice(inv))


PAYLOAD = _payload()


async def invoice(request: Request) -> Response:
    return Response(PAYLOAD, media_type="application/json")


app = Starlette(routes=[Route("/v1/invoices/{invoice}", invoice), Route("/v1/customers", invoice)])


def arrears_server() -> str:
    """Which HTTP server ``arrears serve`` runs by default, read from the text of arrears/cli.py (not
    imported, so a half-edited module elsewhere cannot stop the benchmark): "granian" or "uvicorn"."""
    spec = importlib.util.find_spec("arrears.cli")
    source = Path(spec.origin).read_text() if spec and spec.origin else ""
    default = re.search(r'"--server".*?default="(\w+)"', source, re.S)
    if default:
        return default.group(1)
    return "granian" if "Granian(" in source else "uvicorn"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--port", type=int, required=True)
    args.add_argument("--workers", type=int, default=2)
    opts = args.parse_args()
    if arrears_server() == "granian":  # the options of arrears.cli._run_server
        from granian import Granian
        from granian.constants import Interfaces, Loops
        from granian.log import LogLevels

        Granian("bench.harness.ceiling_app:app", address="127.0.0.1", port=opts.port, interface=Interfaces.ASGI,
                workers=opts.workers, loop=Loops.uvloop, websockets=False, log_level=LogLevels.warning,
                log_access=False, backlog=2048).serve()
    else:
        import uvicorn

        uvicorn.run("bench.harness.ceiling_app:app", host="127.0.0.1", port=opts.port, workers=opts.workers,
                    log_level="warning", access_log=False)

if __name__ == "__main__":
    main()
