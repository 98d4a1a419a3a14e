"""CSV in and out: profiles for a batch, recommendations for an export.

A batch CSV has a header row of profile field names; `priorities` holds its
values separated by `;`, a column `metadata.<key>` gives that metadata key,
empty cells mean "not given". Rows become the same dicts a JSON batch would
carry, so one schema validates both.

The export writes one row per recommendation. Text a caller supplied
(company_name, external_id) that a spreadsheet would run as a formula is
prefixed with an apostrophe (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable, Iterator

from schemas.fields import METADATA_MAX_KEYS, metadata_key
from service.errors import HiremixError, InvalidInput, field_error

PROFILE_COLUMNS = (
    "stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access",
    "planned_hires", "company_name", "external_id", "weight_profile_id", "weight_profile_version",
)
REQUIRED_COLUMNS = ("stage", "team_size", "product_complexity", "business_model")
_INTEGER_COLUMNS = ("team_size", "planned_hires", "weight_profile_version")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
LIST_SEPARATOR = ";"
METADATA_PREFIX = "metadata."  # a column `metadata.team` gives the metadata key `team`

EXPORT_COLUMNS = (
    "id", "created_at", "recommendation", "product_engineers_score", "software_engineers_score", "confidence",
    "headcount_product_engineers", "headcount_software_engineers",
    "stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access",
    "planned_hires", "company_name", "external_id", "weight_profile_id", "model_version", "model_hash", "summary",
    "metadata",
)
# A spreadsheet runs a cell as a formula when its first visible character is one of these (or their
# fullwidth forms, which some spreadsheets fold to them), after spaces, zero-width characters or a BOM.
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_INVISIBLE_LEAD = " \u00a0\u200b\u200c\u200d\u2060\ufeff"


class MalformedCsv(HiremixError):
    status = 400
    code = "malformed_csv"


def read_profiles(text: str, most: int) -> list[dict | InvalidInput]:
    """The rows of a batch CSV as profile dicts (or a row's own error); 422 for a header that cannot work.

    Parsed strictly: a quote left open or text after a closing quote is a 400 naming the line where
    the record starts, never a row that quietly swallows the rest. Reading stops after `most` + 1
    profile rows: one more than a batch may hold is enough for the length check to refuse it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, started = [], 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):  # blank lines are skipped
                rows.append(row)
            if len(rows) > most + 1:
                break
            started = reader.line_num + 1
    except csv.Error as error:  # an unclosed quote, text after a closing quote, a field over the csv module's limit
        hint = " (a quote left open?)" if "end of data" in str(error) else ""
        raise MalformedCsv(f"The CSV cannot be read: {error} in the record that starts on line {started}{hint}.") \
            from None
    if not rows:
        raise InvalidInput("The CSV is empty; send a header row and one row per profile.",
                           errors=[field_error("", "required", "Send a header row of profile field names.")])
    header = [name.strip() for name in rows[0]]
    if len(header) > 2 * len(PROFILE_COLUMNS) + METADATA_MAX_KEYS:
        raise InvalidInput("The CSV header row does not name the profile fields.",
                           errors=[field_error("/header", "invalid_length",
                                               f"The header has {len(header)} columns; the profile has "
                                               f"{len(PROFILE_COLUMNS)}: {', '.join(PROFILE_COLUMNS)}, and up to "
                                               f"{METADATA_MAX_KEYS} metadata.<key> columns.")])
    errors = []
    for index, name in enumerate(header):
        if name.startswith(METADATA_PREFIX) and not metadata_key(name[len(METADATA_PREFIX):]):
            errors.append(field_error(f"/header/{index}", "invalid_format",
                                      "A metadata column is metadata.<key>, the key 1 to 40 letters, digits, '_', "
                                      "'.', ':' or '-'."))
        elif name not in PROFILE_COLUMNS and not name.startswith(METADATA_PREFIX):
            errors.append(field_error(f"/header/{index}", "unknown_field",
                                      f"Unknown column '{name[:64]}'; the columns are: {', '.join(PROFILE_COLUMNS)}, "
                                      "and metadata.<key> for each metadata key."))
        elif header.index(name) != index:
            errors.append(field_error(f"/header/{index}", "duplicate_item", f"The column '{name}' appears twice."))
    if sum(name.startswith(METADATA_PREFIX) for name in header) > METADATA_MAX_KEYS:
        errors.append(field_error("/header", "invalid_length",
                                  f"Give at most {METADATA_MAX_KEYS} metadata.<key> columns."))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.append(field_error("/header", "required", f"The column '{name}' is required."))
    if errors:
        raise InvalidInput("The CSV header row does not name the profile fields.", errors=errors)
    return [_profile(header, row) for row in rows[1:]]


def _profile(header: list[str], row: list[str]) -> dict | InvalidInput:
    if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
        refused = InvalidInput(
            f"The row has {len(row)} cells but the header names {len(header)} columns.",
            errors=[field_error("", "invalid_length", f"Give at most {len(header)} cells, one per column.")],
        )
        refused.raw = row  # what an idempotent retry is compared by
        return refused
    profile: dict = {}
    for name, cell in zip(header, row):
        cell = cell.strip()
        if not cell:
            continue
        if name.startswith(METADATA_PREFIX):
            profile.setdefault("metadata", {})[name[len(METADATA_PREFIX):]] = cell
        elif name == "priorities":
            profile[name] = [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
        elif name in _INTEGER_COLUMNS and _INTEGER.match(cell):
            profile[name] = int(cell)
        else:
            profile[name] = cell
    return profile


def write_recommendations(documents: Iterable[dict]) -> Iterator[str]:
    """The export, a header line and then one line per recommendation, as text chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for document in documents:
        writer.writerow(_export_row(document))
        if buffer.tell() > 16 * 1024:
            yield _drain(buffer)
    yield _drain(buffer)


def _export_row(document: dict) -> list:
    profile = document["profile"]
    headcount = document.get("headcount") or {}
    model = document["model"]
    return [
        document["id"], document["created_at"], document["recommendation"],
        document["scores"]["product_engineers"], document["scores"]["software_engineers"], document["confidence"],
        headcount.get("product_engineers", ""), headcount.get("software_engineers", ""),
        profile["stage"], profile["team_size"], profile["product_complexity"], profile["business_model"],
        LIST_SEPARATOR.join(profile.get("priorities") or ()), profile.get("customer_access") or "",
        _blank(profile.get("planned_hires")), _safe(profile.get("company_name")), _safe(profile.get("external_id")),
        model["weight_profile_id"], model["version"], model["hash"], document["summary"],
        # Compact JSON, starting with `{`: never read as a formula. Answers stored before metadata have none.
        json.dumps(profile.get("metadata") or {}, ensure_ascii=False, separators=(",", ":")),
    ]


def _blank(value) -> object:
    return "" if value is None else value


def _safe(text: str | None) -> str:
    if not text:
        return ""
    visible = text.lstrip(_INVISIBLE_LEAD)
    return "'" + text if visible and visible[0] in _FORMULA_START else text


def _drain(buffer: io.StringIO) -> str:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk
