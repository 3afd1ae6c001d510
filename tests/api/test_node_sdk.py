"""The official stripe-node SDK works against arrears as against Stripe (the docs scenario)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import KEY, Server

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


@pytest.fixture(scope="module")
def node_sdk() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the stripe-node check: apt-get install nodejs npm")
    if not (NODE_DIR / "node_modules" / "stripe").is_dir():
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR, check=True,
                       timeout=300)
    return NODE_DIR


def test_the_docs_scenario_through_stripe_node(node_sdk: Path, server: Server) -> None:
    run = subprocess.run(["node", "scenario.mjs"], cwd=node_sdk, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "ARREARS_URL": server.url, "ARREARS_KEY": KEY})
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert (seen["status"], seen["amount_due"], seen["amount_remaining"]) == ("uncollectible", 599, 599)
    assert seen["reason"] == "user_forgiven"
    assert seen["refused"] == {"type": "StripeInvalidRequestError", "status": 400,
                               "message": "This invoice has already been marked uncollectible."}
    assert seen["expanded_customer"] == seen["customer"]
    assert len(seen["listed"]) == 1
    assert seen["paid"] == "paid"
