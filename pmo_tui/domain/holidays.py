"""Public holidays per region, from the python-holidays package (a well-kept rule library).

A region of the pool (``person.region``) maps to a country and a subdivision;
holidays come back as the ``public_holiday`` table's rows. Used to give the demo
organisation the real holidays of whatever year it is generated for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

#: The demo's regions: England (UK office) and Berlin (DE office), names in their language.
DEMO_REGIONS: dict[str, tuple[str, str, str]] = {
    "UK": ("GB", "ENG", "en_GB"),
    "DE": ("DE", "BE", "de"),
}


def public_holidays(
    regions: Mapping[str, tuple[str, str, str]], first: dt.date, last: dt.date
) -> pl.DataFrame:
    """The public holidays of each region between ``first`` and ``last`` inclusive.

    Args:
        regions: region code -> (ISO country code, subdivision, language), as
            python-holidays names them (e.g. ``("GB", "ENG", "en_GB")``).

    Returns:
        ``region (String), date (Date), name (String)``, sorted by region and date.
    """
    import holidays

    rows = []
    years = range(first.year, last.year + 1)
    for region, (country, subdivision, language) in regions.items():
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=years, language=language
        )
        rows += [(region, day, name) for day, name in calendar.items() if first <= day <= last]
    return pl.DataFrame(
        rows, schema={"region": pl.String, "date": pl.Date, "name": pl.String}, orient="row"
    ).sort("region", "date")
