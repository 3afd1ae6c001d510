"""Tax id values and the tax_id object (domain/tax_ids.py): the format of each type Stripe validates, the
message it gives for a bad value, the country and verification of each."""

from __future__ import annotations

import pytest

from arrears.domain import tax_ids
from arrears.domain.errors import ParamError

# A valid VAT number of every EU member state (and Northern Ireland), each after its prefix.
EU_EXAMPLES = {
    "AT": "U12345678", "BE": "0123456789", "BG": "123456789", "CY": "12345678L", "CZ": "12345678", "DE": "123456789",
    "DK": "12345678", "EE": "123456789", "EL": "123456789", "ES": "A1234567B", "FI": "12345678",
    "FR": "AB123456789", "HR": "12345678901", "HU": "12345678", "IE": "1234567WA", "IT": "12345678901",
    "LT": "123456789", "LU": "12345678", "LV": "12345678901", "MT": "12345678", "NL": "123456789B01",
    "PL": "1234567890", "PT": "123456789", "RO": "1234567891", "SE": "123456789012", "SI": "12345678",
    "SK": "1234567891", "XI": "123456789",
}


def test_every_eu_prefix_has_a_format() -> None:
    assert set(EU_EXAMPLES) == set(tax_ids.EU_VAT)


@pytest.mark.parametrize("prefix", sorted(EU_EXAMPLES))
def test_each_member_states_vat_number_is_accepted_and_names_its_country(prefix: str) -> None:
    value = prefix + EU_EXAMPLES[prefix]
    assert tax_ids.check("eu_vat", value) == value
    assert tax_ids.country("eu_vat", value) == {"EL": "GR", "XI": "GB"}.get(prefix, prefix)


# The states whose numbers come in one length only (BG, CZ, IE, LT, RO and XI have several).
FIXED_LENGTH = sorted(set(EU_EXAMPLES) - {"BG", "CZ", "IE", "LT", "RO", "XI"})


@pytest.mark.parametrize("prefix", FIXED_LENGTH)
def test_each_member_states_number_with_a_character_missing_or_extra_is_refused(prefix: str) -> None:
    body = EU_EXAMPLES[prefix]
    for wrong in (prefix + body[:-1], prefix + body + "1"):
        with pytest.raises(ParamError):
            tax_ids.check("eu_vat", wrong)


def test_a_bad_value_is_refused_as_stripe_refuses_it() -> None:
    with pytest.raises(ParamError) as info:
        tax_ids.check("eu_vat", "DE12345", "tax_id_data[0][value]")
    assert (info.value.message, info.value.code, info.value.param) == (
        "Invalid value for eu_vat.", "tax_id_invalid", "tax_id_data[0][value]")


@pytest.mark.parametrize("kind, good, bad", [
    ("gb_vat", "GB123456789", "GB12345678"), ("gb_vat", "GB123456789012", "DE123456789"),
    ("us_ein", "12-3456789", "123456789"), ("au_abn", "12345678912", "1234567891"),
    ("ca_bn", "123456789", "1234567890"), ("in_gst", "12ABCDE3456FGZH", "12ABCDE3456FGH"),
    ("ch_vat", "CHE-123.456.789 MWST", "CHE-123.456.789"), ("ch_vat", "CHE-123.456.789 TVA", "CHE123456789 MWST"),
    ("no_vat", "123456789MVA", "123456789"), ("jp_cn", "1234567891234", "123456789123"),
    ("jp_trn", "T1234567891234", "1234567891234"), ("eu_oss_vat", "EU123456789", "EU12345678"),
    ("ca_gst_hst", "123456789RT0002", "123456789"), ("br_cnpj", "01.234.456/5432-10", "01234456543210"),
    ("za_vat", "4123456789", "5123456789"), ("kr_brn", "123-45-67890", "1234567890"),
])
def test_types_stripe_documents_have_its_format(kind: str, good: str, bad: str) -> None:
    assert tax_ids.check(kind, good) == good
    with pytest.raises(ParamError):
        tax_ids.check(kind, bad)


def test_a_type_without_a_known_format_takes_any_short_value_but_not_an_empty_or_long_one() -> None:
    assert tax_ids.check("ad_nrt", "A-123456-Z") == "A-123456-Z"
    for wrong in ("", "x" * (tax_ids.MAX_VALUE + 1)):
        with pytest.raises(ParamError):
            tax_ids.check("ad_nrt", wrong)


def test_every_format_names_a_type_stripe_knows() -> None:
    assert set(tax_ids.FORMATS) <= set(tax_ids.TYPES)


@pytest.mark.parametrize("kind, value, livemode, status", [
    ("eu_vat", "DE123456789", False, "pending"), ("eu_vat", "DE000000000", False, "verified"),
    ("gb_vat", "GB111111111", False, "unverified"), ("eu_vat", "DE000000000", True, "pending"),
    ("us_ein", "12-3456789", False, "unavailable"),
])
def test_the_verification_of_each_type(kind: str, value: str, livemode: bool, status: str) -> None:
    assert tax_ids.verification(kind, value, livemode)["status"] == status


def test_a_customer_tax_id_and_the_accounts_own_name_their_owner() -> None:
    mine = tax_ids.tax_id("txi_1", 1, False, kind="us_ein", value="12-3456789", customer="cus_1")
    own = tax_ids.tax_id("txi_2", 1, False, kind="eu_oss_vat", value="EU123456789", customer=None)
    assert (mine["owner"]["type"], mine["owner"]["customer"], mine["country"]) == ("customer", "cus_1", "US")
    assert (own["owner"]["type"], own["customer"], own["country"]) == ("self", None, None)
