"""Tax ids: the types Stripe knows, the format of each value, and the ``tax_id`` object. Pure, no I/O.

A value of the wrong format is refused as Stripe refuses it: ``Invalid value for eu_vat.``, code
``tax_id_invalid``, on the parameter that carried the value. ``FORMATS`` holds the shape of each type
arrears checks (Stripe's "supported tax ID" table gives an example of each: DE123456789, GB123456789,
12-3456789, 12345678912, 123456789, 12ABCDE3456FGZH, CHE-123.456.789 MWST, 123456789MVA,
1234567891234 …); a type without a row is accepted with any value of up to ``MAX_VALUE`` characters.

An ``eu_vat`` value starts with its member state's prefix (``EU_VAT``: Greece is EL, Northern Ireland XI)
and its ``country`` is that state's ISO code. The ``verification`` Stripe runs against government
registers (EU VIES, UK HMRC, Australian ABR) is never run by arrears: those types start ``pending``, and
the test-mode magic values Stripe documents settle at once, ``000000000`` as verified and ``111111111`` as
unverified; every other type is ``unavailable``.
"""

from __future__ import annotations

import re
from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import ParamError

MAX_VALUE = 64

TYPES: tuple[str, ...] = (
    "ad_nrt", "ae_trn", "al_tin", "am_tin", "ao_tin", "ar_cuit", "au_abn", "au_acn", "au_arn", "au_wpn", "aw_tin",
    "az_tin", "ba_tin", "bb_tin", "bd_bin", "bf_ifu", "bg_uic", "bh_vat", "bj_ifu", "bo_tin", "br_cnpj", "br_cpf",
    "bs_tin", "bw_vat", "by_tin", "ca_bn", "ca_gst_hst", "ca_pst_bc", "ca_pst_mb", "ca_pst_sk", "ca_qst",
    "cd_nif", "ch_uid", "ch_vat", "ci_vat", "cl_tin", "cm_niu", "cn_tin", "co_nit", "cr_tin", "cv_nif", "cz_dic",
    "de_stn", "do_rcn", "ec_ruc", "eg_tin", "es_cif", "et_tin", "eu_oss_vat", "eu_vat", "fo_vat", "fr_siren",
    "fr_siret", "fr_spi", "gb_vat", "ge_vat", "gh_tin", "gi_tin", "gn_nif", "hk_br", "hr_oib", "hu_tin", "ic_nif",
    "id_npwp", "il_vat", "in_gst", "is_kt", "is_vat", "it_cf", "jp_cn", "jp_rn", "jp_trn", "ke_pin", "kg_tin",
    "kh_tin", "kr_brn", "kz_bin", "la_tin", "li_uid", "li_vat", "lk_vat", "ma_vat", "md_cf", "md_vat", "me_pib",
    "mk_vat", "mr_nif", "mu_vat", "mx_rfc", "my_frp", "my_itn", "my_sst", "mz_nuit", "ng_tin", "no_vat",
    "no_voec", "np_pan", "nz_bn", "nz_gst", "om_vat", "pe_ruc", "ph_tin", "pl_nip", "pt_nif", "py_ruc", "ro_tin",
    "rs_pib", "ru_inn", "ru_kpp", "sa_vat", "sg_gst", "sg_uen", "si_tin", "sm_coe", "sn_ninea", "sr_fin",
    "sv_nit", "th_vat", "tj_tin", "tr_tin", "tt_bir", "tt_vat", "tw_vat", "tz_vat", "ua_vat", "ug_tin", "us_ein",
    "uy_ruc", "uz_tin", "uz_vat", "ve_rif", "vn_tin", "za_vat", "zm_tin", "zw_tin",
)

# The VAT number of each EU member state (and Northern Ireland), after its prefix.
EU_VAT: dict[str, str] = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]", "CZ": r"\d{8,10}",
    "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}", "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}", "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}", "HR": r"\d{11}", "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]", "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}",
    "LV": r"\d{11}", "MT": r"\d{8}", "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "RO": r"\d{2,10}",
    "SE": r"\d{12}", "SI": r"\d{8}", "SK": r"\d{10}", "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}
# The prefixes that are not the state's ISO 3166 code.
EU_COUNTRY = {"EL": "GR", "XI": "GB"}

_UK_VAT = r"GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})"
FORMATS: dict[str, str] = {
    "eu_vat": "(" + "|".join(f"{prefix}({body})" for prefix, body in EU_VAT.items()) + ")",
    "eu_oss_vat": r"EU\d{9}",
    "gb_vat": _UK_VAT,
    "us_ein": r"\d{2}-\d{7}",
    "au_abn": r"\d{11}",
    "au_arn": r"\d{12}",
    "ca_bn": r"\d{9}",
    "ca_gst_hst": r"\d{9}RT\d{4}",
    "ca_pst_bc": r"PST-\d{4}-\d{4}",
    "ca_pst_mb": r"\d{6}-\d",
    "ca_pst_sk": r"\d{7}",
    "ca_qst": r"\d{10}TQ\d{4}",
    "in_gst": r"\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]",
    "ch_vat": r"CHE-\d{3}\.\d{3}\.\d{3} (MWST|TVA|IVA)",
    "ch_uid": r"CHE-\d{3}\.\d{3}\.\d{3}",
    "li_uid": r"CHE\d{9}",
    "no_vat": r"\d{9}MVA",
    "no_voec": r"\d{7}",
    "jp_cn": r"\d{13}",
    "jp_rn": r"\d{5}",
    "jp_trn": r"T\d{13}",
    "nz_gst": r"\d{8,9}",
    "sg_gst": r"M\d{8}[0-9A-Z]",
    "sg_uen": r"\d{9}[A-Z]|\d{8}[A-Z]|[TSR]\d{2}[A-Z]{2}\d{4}[A-Z]",
    "hk_br": r"\d{8}",
    "kr_brn": r"\d{3}-\d{2}-\d{5}",
    "za_vat": r"4\d{9}",
    "br_cnpj": r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}",
    "br_cpf": r"\d{3}\.\d{3}\.\d{3}-\d{2}",
    "mx_rfc": r"[A-Z&Ñ]{3,4}\d{6}[A-Z0-9]{3}",
    "es_cif": r"[A-Z]\d{8}",
    "is_vat": r"\d{5,6}",
    "th_vat": r"\d{13}",
    "tw_vat": r"\d{8}",
    "ru_inn": r"\d{10}|\d{12}",
    "ru_kpp": r"\d{9}",
    "ae_trn": r"\d{15}",
    "sa_vat": r"\d{15}",
    "il_vat": r"\d{9}",
    "ua_vat": r"\d{9}",
    "tr_tin": r"\d{10}",
}
_COMPILED = {kind: re.compile(pattern) for kind, pattern in FORMATS.items()}

VERIFIED_BY_REGISTER = frozenset({"eu_vat", "gb_vat", "au_abn"})
TEST_VERIFIED, TEST_UNVERIFIED = "000000000", "111111111"


def invalid(kind: str, param: str) -> ParamError:
    return ParamError(f"Invalid value for {kind}.", param=param, code="tax_id_invalid")


def check(kind: str, value: str, param: str = "value") -> str:
    """``value`` when it has the format of ``kind``; else Stripe's ``tax_id_invalid``."""
    pattern = _COMPILED.get(kind)
    if not value or len(value) > MAX_VALUE or (pattern is not None and not pattern.fullmatch(value)):
        raise invalid(kind, param)
    return value


def country(kind: str, value: str) -> str | None:
    """The ISO country of a tax id: from the member-state prefix for ``eu_vat``, else from its type."""
    if kind == "eu_vat":
        prefix = value[:2]
        return EU_COUNTRY.get(prefix, prefix)
    if kind == "eu_oss_vat":
        return None
    return kind.partition("_")[0].upper()


def verification(kind: str, value: str, livemode: bool) -> Doc:
    status = "unavailable"
    if kind in VERIFIED_BY_REGISTER:
        status = "pending"
        if not livemode and value.endswith(TEST_VERIFIED):
            status = "verified"
        elif not livemode and value.endswith(TEST_UNVERIFIED):
            status = "unverified"
    return {"status": status, "verified_address": None, "verified_name": None}


def owner(customer: str | None) -> Doc:
    """Whose tax id it is: a customer's, or the account's own (``self``)."""
    return {"account": None, "application": None, "customer": customer, "customer_account": None,
            "type": "customer" if customer is not None else "self"}


def tax_id(obj_id: str, now: int, livemode: bool, *, kind: str, value: str, customer: str | None) -> Doc:
    """A new ``tax_id`` in Stripe's shape (API 2026-10-28.endive); ``kind`` and ``value`` already checked."""
    return {
        "id": obj_id,
        "object": "tax_id",
        "country": country(kind, value),
        "created": now,
        "customer": customer,
        "customer_account": None,
        "livemode": livemode,
        "owner": owner(customer),
        "type": kind,
        "value": value,
        "verification": verification(kind, value, livemode),
    }


def from_data(items: list[dict[str, Any]], param: str) -> list[tuple[str, str]]:
    """``tax_id_data[i][type|value]`` checked, as (type, value) pairs."""
    return [(item["type"], check(item["type"], item["value"], f"{param}[{i}][value]")) for i, item in enumerate(items)]
