"""The ``arrears`` subcommands of the Stripe CLI's loop: their arguments and what each runs. ``cli.py``
mounts them with ``add_parsers``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from arrears.domain.events import EMITTED
from arrears.workflow import fixtures, listen, logs, trigger
from arrears.workflow.client import Api, WorkflowError, api_base_from, api_key_from


def connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-base", help="the arrears server (default http://127.0.0.1:12111; env ARREARS_API_BASE)")
    parser.add_argument("--api-key", help="API key (env ARREARS_API_KEY; any sk_test_ key on an open server)")
    parser.add_argument("--stripe-account", help="act for this connected account (the Stripe-Account header)")


def api_of(args: argparse.Namespace) -> Api:
    return Api(base=api_base_from(args.api_base), key=api_key_from(args.api_key), account=args.stripe_account)


def edit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--override", action="append", default=[], metavar="NAME:PATH=VALUE",
                        help="change a param a fixture sets, e.g. customer:email=jenny@example.com")
    parser.add_argument("--add", action="append", default=[], metavar="NAME:PATH=VALUE",
                        help="set a param the fixture does not, e.g. invoice:metadata.order=42")
    parser.add_argument("--remove", action="append", default=[], metavar="NAME:PATH",
                        help="drop a param from a fixture, e.g. customer:description")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME", help="leave out a whole fixture step")


def _trigger(args: argparse.Namespace) -> int:
    api = api_of(args)
    event = trigger.trigger(args.event, api, overrides=args.override, adds=args.add, removes=args.remove,
                            skips=args.skip)
    if event is None:
        print(f"Trigger ran, but no {args.event} event came of it (was the step that emits it skipped?)")
        return 1
    print(f"Trigger succeeded! {args.event} is {event['id']}: `arrears events retrieve {event['id']}` shows it.")
    return 0


def _fixtures(args: argparse.Namespace) -> int:
    fixture = fixtures.apply_changes(fixtures.load(Path(args.file)), overrides=args.override, adds=args.add,
                                     removes=args.remove, skips=args.skip)
    progress = (lambda line: print(line, file=sys.stderr)) if args.format == "json" else print
    results = fixtures.run(fixture, api_of(args), out=progress)
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        print(f"Fixtures succeeded: {len(results)} request(s) from {args.file}.")
    return 0


def _events_option(texts: list[str] | None) -> frozenset[str]:
    """``--events a,b`` or ``--events a b``: each a type arrears emits, else a one-line error listing them."""
    wanted = frozenset(t.strip() for text in texts or () for t in text.split(",") if t.strip())
    unknown = sorted(wanted - EMITTED)
    if unknown:
        raise WorkflowError(f"--events: arrears emits no {', '.join(unknown)} events; it emits "
                            + ", ".join(sorted(EMITTED)))
    return wanted


def _listen(args: argparse.Namespace) -> int:
    events = _events_option(args.events)
    api = api_of(args)
    secret = listen.stable_secret(listen.account_of(api))
    if args.print_secret:
        print(secret)
        return 0
    listener = listen.Listener(api, secret, forward_to=args.forward_to, forward_connect_to=args.forward_connect_to,
                               events=events, headers=listen.parse_headers(args.headers or []),
                               skip_verify=args.skip_verify, as_json=args.format == "JSON", latest=args.latest,
                               out=lambda line: print(line, flush=True))
    try:
        listener.start()
        print(f"Ready! Your webhook signing secret is {secret} (^C to quit)", flush=True)
        listener.run(seconds=args.seconds, max_events=args.max_events)
    finally:
        listener.close()
    return 0


def _logs_tail(args: argparse.Namespace) -> int:
    filters = logs.Filters.of(args.filter_status_code, args.filter_http_method, args.filter_request_path,
                              args.filter_account)
    tail = logs.Tail(api_of(args), filters, as_json=args.format == "JSON", out=lambda text: print(text, flush=True))
    tail.start()
    print(f"Getting ready... Ready! Tailing the request log of {tail.api.base} (^C to quit)", flush=True)
    tail.run(seconds=args.seconds, max_lines=args.max_lines)
    return 0


def _event_line(event: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(event["created"]))
    obj = (event.get("data") or {}).get("object") or {}
    return f"{when}  {event['id']:32} {event['type']:30} {obj.get('id', '')}"


def _events(args: argparse.Namespace) -> int:
    api = api_of(args)
    if args.events_command == "list":
        page = api.call("GET", "/v1/events", {"type": args.type, "limit": args.limit})
        if args.format == "json":
            print(json.dumps(page, indent=2))
        else:
            for event in page["data"]:
                print(_event_line(event))
            if not page["data"]:
                print("(no events yet)")
        return 0
    if args.events_command == "retrieve":
        print(json.dumps(api.call("GET", f"/v1/events/{args.event}"), indent=2))
        return 0
    event = api.call("POST", f"/_arrears/v1/events/{args.event}/resend", {"webhook_endpoint": args.webhook_endpoint})
    where = args.webhook_endpoint or "every enabled endpoint that receives it"
    print(f"Resent {event['type']} {event['id']} to {where}: `arrears webhooks attempts --api-base {api.base} "
          f"--event {event['id']}` shows the delivery.")
    return 0


def add_parsers(sub: Any) -> None:
    known = trigger.events()
    trig = sub.add_parser(
        "trigger", help="make the server emit an event, as `stripe trigger` does",
        description="Run the built-in fixture for EVENT against a running server. Events: " + ", ".join(known),
        epilog="The fixtures are JSON files in the Stripe CLI's format; `arrears fixtures FILE` runs your own.")
    trig.add_argument("event", metavar="EVENT", choices=known, help="one of: " + ", ".join(known))
    connection_arguments(trig)
    edit_arguments(trig)
    trig.set_defaults(run=_trigger)
    fix = sub.add_parser("fixtures", help="run a fixture file in the Stripe CLI's JSON format")
    fix.add_argument("file", metavar="FILE", help="the fixture file (the format of `stripe fixtures`)")
    connection_arguments(fix)
    edit_arguments(fix)
    fix.add_argument("--format", choices=["text", "json"], default="text",
                     help="json: print every fixture's answer by name")
    fix.set_defaults(run=_fixtures)
    lis = sub.add_parser("listen", help="print events as they happen and forward them, signed, to a URL")
    lis.add_argument("--forward-to", help="URL to POST each event to, e.g. http://localhost:4242/webhook")
    lis.add_argument("--forward-connect-to", help="URL for the events of connected accounts (default --forward-to)")
    lis.add_argument("--events", nargs="+", metavar="TYPE", help="only these event types (a,b or a b)")
    lis.add_argument("--print-secret", action="store_true", help="print this machine's signing secret and exit")
    lis.add_argument("--skip-verify", action="store_true", help="do not verify the TLS certificate of --forward-to")
    lis.add_argument("--headers", action="append", metavar="NAME:VALUE,...",
                     help="extra headers for each forwarded request")
    lis.add_argument("--format", choices=["JSON"], help="JSON: print each event as one line of JSON")
    lis.add_argument("--latest", action="store_true",
                     help="events in the latest API version (default: the version each event was made in)")
    connection_arguments(lis)
    lis.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: never)")
    lis.add_argument("--max-events", type=int, default=0, help="stop after this many events (0: never)")
    lis.add_argument("--interval", type=float, help=argparse.SUPPRESS)  # polled before the long poll; ignored
    lis.set_defaults(run=_listen)
    logs_parser = sub.add_parser("logs", help="the server's request log")
    logs_sub = logs_parser.add_subparsers(dest="logs_command", required=True)
    tail = logs_sub.add_parser("tail", help="stream the running server's request log, as `stripe logs tail`")
    tail.add_argument("--filter-status-code", action="append", metavar="CODES", help="e.g. 200,4XX")
    tail.add_argument("--filter-http-method", action="append", metavar="METHODS", help="e.g. POST,DELETE")
    tail.add_argument("--filter-request-path", action="append", metavar="PATHS",
                      help="e.g. /v1/customers, or a prefix: /v1/invoices/*")
    tail.add_argument("--filter-account", action="append", metavar="ACCOUNTS", help="only these account ids")
    tail.add_argument("--format", choices=["JSON"], help="JSON: one line of JSON per request")
    connection_arguments(tail)
    tail.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: never)")
    tail.add_argument("--max-lines", type=int, default=0, help="stop after this many requests (0: never)")
    tail.set_defaults(run=_logs_tail)
    events_parser = sub.add_parser("events", help="list, retrieve and resend events")
    events_sub = events_parser.add_subparsers(dest="events_command", required=True)
    listing = events_sub.add_parser("list", help="the newest events")
    listing.add_argument("--type", help="only this type (or a group: invoice.*)")
    listing.add_argument("--limit", type=int, default=10)
    listing.add_argument("--format", choices=["table", "json"], default="table")
    retrieve = events_sub.add_parser("retrieve", help="one event, as JSON")
    retrieve.add_argument("event", metavar="EVT")
    resend = events_sub.add_parser("resend", help="deliver an event again, as `stripe events resend`")
    resend.add_argument("event", metavar="EVT")
    resend.add_argument("--webhook-endpoint", metavar="WE", help="only to this endpoint (default: every enabled "
                                                                 "endpoint that receives the event's type)")
    for each in (listing, retrieve, resend):
        connection_arguments(each)
        each.set_defaults(run=_events)
