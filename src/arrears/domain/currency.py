"""Currencies: the ISO 4217 codes Stripe accepts, and the one rule that reads a code a client sent.

``SUPPORTED`` is the list Stripe prints when it refuses a currency ("Invalid currency: zzz. Stripe
currently supports these currencies: usd, aed, afn, ..."), in its order: ``usd`` first, the presentment
currencies of https://docs.stripe.com/currencies alphabetically, then the later additions (``usdc``,
``btn``, ``ghs``) and the retired codes Stripe still accepts on old objects (``eek``, ``lvl``, ``svc``,
``vef``, ``ltl``, ``sll``, ``mro``). Stripe adds a currency now and then: add it here.

Stripe stores and answers codes in lowercase and reads ``USD`` as ``usd``; so does ``parse``.
"""

from __future__ import annotations

from arrears.domain.errors import ParamError

SUPPORTED: tuple[str, ...] = (
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bhd",
    "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny", "cop", "crc",
    "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf",
    "gtq", "gyd", "hkd", "hnl", "hrk", "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs",
    "khr", "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk",
    "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr", "pab",
    "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd",
    "shp", "sle", "sos", "srd", "std", "szl", "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx",
    "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xcg", "xof", "xpf", "yer", "zar", "zmw",
    "usdc", "btn", "ghs",
    "eek", "lvl", "svc", "vef", "ltl", "sll", "mro",
)
_SUPPORTED = frozenset(SUPPORTED)


def parse(text: str, *, param: str = "currency", only: tuple[str, ...] | None = None) -> str:
    """The lowercase code ``text`` names, or a ParamError with Stripe's message listing the codes.

    ``only`` narrows the list for a face that accepts fewer currencies than Stripe does."""
    code = text.lower()
    if code in (_SUPPORTED if only is None else only):
        return code
    shown = code if len(code) <= 40 else code[:40] + "..."
    who = "Stripe currently supports" if only is None else "This API supports"
    listed = ", ".join(SUPPORTED if only is None else only)
    raise ParamError(f"Invalid currency: {shown}. {who} these currencies: {listed}", param=param)
