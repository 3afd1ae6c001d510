"""``/docs``: the API reference, browsable, for each face's OpenAPI document.

Redoc's standalone bundle (vendored by ``scripts/vendor-redoc`` into ``api/reference/``, MIT) renders
the document the face already serves (``/openapi.json``, ``/flex/openapi.json``,
``/yorlet/openapi.json``): its descriptions come from Stripe's own words (``api/reference``) and its
examples are real answers, checked against a fresh server by the test suite. Everything is served by
arrears itself, so the page works offline and on a loopback-only machine. ``/redoc`` leads here too.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

PREFIX = "/docs"
ASSET = PREFIX + "/redoc.standalone.js"
REDOC_VERSION = "2.5.4"  # scripts/vendor-redoc
# face -> (title, the document's path)
FACES: dict[str, tuple[str, str]] = {
    "stripe": ("Stripe face", "/openapi.json"),
    "flex": ("Flex face", "/flex/openapi.json"),
    "yorlet": ("Yorlet face", "/yorlet/openapi.json"),
}
HEADERS = {
    # Redoc styles itself with inline <style> (styled-components) and runs its search in a blob: worker
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                               "worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · arrears API reference</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; }}
.faces {{ display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; padding: .5rem 1rem;
  border-bottom: 1px solid #d0d4da; background: #f6f7f9; font-size: 15px; }}
.faces a {{ color: #1a4fa0; }}
.faces a[aria-current] {{ color: #111; font-weight: 600; text-decoration: none; }}
</style>
</head>
<body>
<nav class="faces" aria-label="Faces">
<strong>arrears API reference</strong>
{links}
</nav>
<main>
<redoc spec-url="{spec}" required-props-first="true" expand-responses="200" path-in-middle-panel="true"
  json-sample-expand-level="2" hide-hostname="false"></redoc>
</main>
<script src="{asset}?v={version}"></script>
</body>
</html>
"""


def page(face: str) -> str:
    title, spec = FACES[face]
    current = ' aria-current="page"'
    links = "\n".join(f'<a href="{PREFIX}/{name}"{current if name == face else ""}>{escape(label)}</a>'
                      for name, (label, _) in FACES.items())
    return PAGE.format(title=escape(title), links=links, spec=spec, asset=ASSET, version=REDOC_VERSION)


@cache
def _bundle() -> bytes:
    return resources.files("arrears.api.reference").joinpath("redoc.standalone.js").read_bytes()


async def reference(request: Request) -> Response:
    face = request.path_params.get("face", "stripe")
    if face not in FACES:
        raise HTTPException(404)  # the app's not-found answer, in the Stripe face's shape
    return Response(page(face), media_type="text/html; charset=utf-8", headers=HEADERS)


async def bundle(request: Request) -> Response:
    return Response(_bundle(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


async def to_docs(request: Request) -> Response:
    return RedirectResponse(PREFIX, status_code=307)


def routes() -> list[Route]:
    return [
        Route(PREFIX, reference, methods=["GET"]),
        Route(ASSET, bundle, methods=["GET"]),
        Route(PREFIX + "/{face}", reference, methods=["GET"]),
        Route("/redoc", to_docs, methods=["GET"]),
    ]
