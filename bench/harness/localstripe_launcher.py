"""Runs localstripe (inside its own venv, bench/.work/localstripe) bound to 127.0.0.1, after seeding its
store in-process: a customer with a card, a product, a monthly plan, a subscription, and ``--seed``
draft invoices. Seeding calls localstripe's own resource classes (what its HTTP handlers call) with its
store's pickling switched off, then pickles the store once, as any later write will.

localstripe only creates invoices for customers that have a subscription, and each create costs time
in proportion to the invoices already there, so the GET fixture is a few thousand invoices, not 10k
(a GET is a dict lookup in localstripe: its cost does not depend on the store's size).

Usage: python localstripe_launcher.py --port P --seed N --ids-out FILE --info-out FILE [--access-log]
"""

from __future__ import annotations

import argparse
import json
import logging
import os

from aiohttp import web
from localstripe import resources
from localstripe.server import app

PICKLE = "/tmp/localstripe.pickle"  # hard-coded in localstripe.resources.Store


def seed(count: int) -> tuple[dict[str, str], list[str]]:
    dump = resources.Store.dump_to_disk
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    try:
        cus = resources.Customer._api_create(
            email="bench@example.com",
            source={"object": "card", "number": "4242424242424242", "exp_month": "12", "exp_year": "2040",
                    "cvc": "123"})
        product = resources.Product._api_create(name="Bench")
        plan = resources.Plan._api_create(product=product.id, amount=1099, currency="usd", interval="month")
        sub = resources.Subscription._api_create(customer=cus.id, items=[{"plan": plan.id}])
        ids = [resources.Invoice._api_create(customer=cus.id, subscription=sub.id).id for _ in range(count)]
    finally:
        resources.Store.dump_to_disk = dump  # type: ignore[method-assign]
    resources.store.dump_to_disk()
    return {"customer": cus.id, "subscription": sub.id}, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ids-out", required=True)
    parser.add_argument("--info-out", required=True)
    parser.add_argument("--access-log", action="store_true", help="log every request, as upstream's entry point")
    args = parser.parse_args()
    if os.path.exists(PICKLE):
        os.unlink(PICKLE)
    info, ids = seed(args.seed)
    with open(args.ids_out, "w") as f:
        f.write("\n".join(ids) + "\n")
    info["pickle_bytes"] = str(os.path.getsize(PICKLE))
    with open(args.info_out + ".tmp", "w") as f:
        json.dump(info, f)
    os.replace(args.info_out + ".tmp", args.info_out)
    access_log = None
    if args.access_log:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.DEBUG)
        access_log.addHandler(logging.StreamHandler())
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
