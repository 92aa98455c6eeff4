"""Which PostgreSQL text-search configuration stems a tenant's content.

A tenant has no language field: the country it serves decides. Countries whose language
PostgreSQL ships a Snowball stemmer for get that configuration; the others (Thai, for
one) get ``simple`` (lower-cased words, no stemming), which still matches whole words.
English is the default. Documents and queries of one tenant always use the same
configuration, so a change of country needs ``rebuild_search_index --tenant <slug>``.
"""

from __future__ import annotations

COUNTRY_CONFIGS: dict[str, str] = {
    "GB": "english",
    "IE": "english",
    "US": "english",
    "CA": "english",
    "AU": "english",
    "NZ": "english",
    "ZA": "english",
    "MT": "english",
    "PT": "portuguese",
    "BR": "portuguese",
    "ES": "spanish",
    "MX": "spanish",
    "AR": "spanish",
    "CO": "spanish",
    "DE": "german",
    "AT": "german",
    "CH": "german",
    "FR": "french",
    "BE": "french",
    "LU": "french",
    "IT": "italian",
    "NL": "dutch",
    "DK": "danish",
    "SE": "swedish",
    "NO": "norwegian",
    "FI": "finnish",
    "CZ": "simple",
    "PL": "simple",
    "GR": "greek",
    "TR": "turkish",
    "HU": "hungarian",
    "RO": "romanian",
    "TH": "simple",
    "IL": "simple",
}
DEFAULT_CONFIG = "english"


def regconfig_for(tenant) -> str:
    """The text-search configuration for ``tenant``'s documents and queries."""
    return COUNTRY_CONFIGS.get((getattr(tenant, "country_code", "") or "").upper(), DEFAULT_CONFIG)
