"""`hiremix`: a recommendation from the command line, for founders who never want to run a server.

Without `--api` the profile is validated with the API's own schema and
rendered by the same function as `POST /v1/recommendations/preview`, so
`--json` prints the very document the API would answer. With `--api URL` a
running server is asked instead (`--store` keeps the answer there).
"""

from __future__ import annotations

import argparse
import codecs
import http.client
import json
import os
import re
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request
from importlib import metadata

from service.engine import narrative
from service.engine.catalogue import BUSINESS_MODELS, CUSTOMER_ACCESS, PRIORITIES, PRODUCT_COMPLEXITIES, STAGES

OK, FAILED, USAGE = 0, 1, 2
WIDTH = 100

# Profile field -> the option that sets it (the JSON pointer of an error names the field).
OPTION_OF = {
    "stage": "--stage",
    "team_size": "--team-size",
    "product_complexity": "--product-complexity",
    "business_model": "--business-model",
    "priorities": "--priority",
    "customer_access": "--customer-access",
    "planned_hires": "--planned-hires",
    "company_name": "--company-name",
    "external_id": "--external-id",
    "weight_profile_id": "--weight-profile-id",
    "weight_profile_version": "--weight-profile-version",
}
SERVER_ONLY = ("weight_profile_id", "weight_profile_version")
ROLE_NAMES = {
    "product_engineers": "product engineers",
    "software_engineers": "software engineers",
    "both": "both product and software engineers",
    "neutral": "neutral",
}


_EXAMPLES = """examples:
  hiremix recommend --stage seed --team-size 6 --product-complexity low \\
      --business-model b2b_saas --priority ship_fast --planned-hires 4
  hiremix recommend --stage growth --team-size 300 --product-complexity high \\
      --business-model data_platform --priority scale --json
  hiremix recommend --stage seed --team-size 6 --product-complexity low \\
      --business-model b2b_saas --api http://127.0.0.1:8000 --store   # key from $HIREMIX_KEY

--key puts the key where other users of the machine can see it (ps); prefer HIREMIX_KEY.
With HIREMIX_URL set, every run asks that server, as if --api were given.
"""


class Stop(Exception):
    """A failure told to the user (a headline, then detail lines, on stderr), ending with exit `status`."""

    def __init__(self, status: int, headline: str, *details: str):
        super().__init__(headline)
        self.status = status
        self.lines = (f"hiremix: {headline}", *details)


def main(argv: list[str] | None = None) -> int:
    """Run `hiremix` with `argv` (default: the command line); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_combinations(args)
    except SystemExit as stop:  # argparse: --help, --version or a usage error
        return stop.code if isinstance(stop.code, int) else USAGE
    try:
        document = _ask_server(args) if args.api else _evaluate_locally(_profile(args))
        _write(sys.stdout, _as_json(document, sys.stdout) if args.json else render(document))
    except Stop as stop:
        for line in stop.lines:
            _write(sys.stderr, line)
        return stop.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hiremix ... | head`: the reader left; keep the exit's flush from failing again
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return FAILED
    except Exception as error:  # a bug of ours: one line for the user, not a traceback
        _write(sys.stderr, f"hiremix: unexpected error ({type(error).__name__}: {error}); please report it")
        return FAILED
    return OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hiremix",
        description="Should your next engineers be product engineers, software engineers, or both?",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    recommend = commands.add_parser(
        "recommend",
        help="recommend who to hire next for a company profile",
        description="Evaluate a company profile with the local engine (built-in weights),\n"
                    "or with --api on a running hiremix server.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profile = recommend.add_argument_group("company profile")
    profile.add_argument("--stage", required=True, choices=STAGES, metavar="STAGE", help="funding stage: %(choices)s")
    profile.add_argument("--team-size", required=True, type=int, metavar="N",
                         help="engineers employed today (0: the first hire)")
    profile.add_argument("--product-complexity", required=True, choices=PRODUCT_COMPLEXITIES, metavar="LEVEL",
                         help="how technically demanding the product is: %(choices)s")
    profile.add_argument("--business-model", required=True, choices=BUSINESS_MODELS, metavar="MODEL",
                         help="how the company makes money: %(choices)s")
    profile.add_argument("--priority", dest="priorities", action="append", choices=PRIORITIES, metavar="PRIORITY",
                         help="what the next hires should most help with, repeat for several: %(choices)s")
    profile.add_argument("--customer-access", choices=CUSTOMER_ACCESS, metavar="ACCESS",
                         help="can engineers talk to customers: %(choices)s")
    profile.add_argument("--planned-hires", type=int, metavar="N",
                         help="engineers to hire now: gives a headcount split")
    profile.add_argument("--company-name", metavar="NAME", help="used in the summary")
    profile.add_argument("--external-id", metavar="ID", help="your requisition or company id")
    profile.add_argument("--weight-profile-id", metavar="ID", help="a weight profile on the server (needs --api)")
    profile.add_argument("--weight-profile-version", type=int, metavar="N",
                         help="pin a version of that profile (needs --api)")
    server = recommend.add_argument_group("server (optional)")
    server.add_argument("--api", metavar="URL", default=os.environ.get("HIREMIX_URL") or None,
                        help="ask the hiremix server at URL instead of the local engine (default: $HIREMIX_URL)")
    server.add_argument("--key", metavar="KEY", help="API key for --api (default: $HIREMIX_KEY)")
    server.add_argument("--store", action="store_true",
                        help="store the recommendation on the server (POST /v1/recommendations) and print its id")
    server.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="give up on the server after this long (default: 30)")
    recommend.add_argument("--json", action="store_true", help="print the API's JSON document instead of a table")
    recommend.set_defaults(usage_error=recommend.error)
    return parser


def _check_combinations(args: argparse.Namespace) -> None:
    """What argparse cannot check alone; exits 2 with the usage of `recommend`."""
    if args.timeout <= 0 or args.timeout != args.timeout:
        args.usage_error("--timeout must be a number of seconds above 0")
    if args.api:
        parts = urllib.parse.urlsplit(args.api)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            args.usage_error(f"--api: expected a URL such as http://127.0.0.1:8000, not {_redacted(args.api)!r}")
        if parts.username is not None or parts.password is not None:
            args.usage_error("--api: leave user and password out of the URL; the key goes in HIREMIX_KEY or --key")
        args.key = (args.key or os.environ.get("HIREMIX_KEY") or "").strip() or None
        if not args.key:
            args.usage_error("--api needs an API key: set HIREMIX_KEY or pass --key KEY")
        if not all("!" <= char <= "~" for char in args.key):
            args.usage_error("the API key holds spaces, line breaks or other characters no key has; check it")
        return
    for field in SERVER_ONLY:
        if getattr(args, field) is not None:
            args.usage_error(f"{OPTION_OF[field]} only makes sense with --api: weight profiles live on a server, "
                             f"and without --api the built-in weights are used")
    if args.store:
        args.usage_error("--store only makes sense with --api: without a server there is nowhere to store")


def _profile(args: argparse.Namespace) -> dict:
    """The request body: only the fields given on the command line."""
    return {field: getattr(args, field) for field in OPTION_OF if getattr(args, field) is not None}


def _evaluate_locally(profile: dict) -> dict:
    """What POST /v1/recommendations/preview answers for `profile` with the built-in weights."""
    # Imported here: --help and --api need neither marshmallow nor SQLAlchemy, so they start faster.
    from marshmallow import ValidationError

    from schemas.profile import CompanyProfileSchema
    from service.http.apidoc import invalid
    from service.recommendations import describe

    try:
        loaded = CompanyProfileSchema().load(profile)
    except ValidationError as error:  # the API's own reading of the messages: one per field, with its pointer
        lines = [f"{_option(e['pointer'])}: {e['message']}" for e in invalid("body", error.messages).errors]
        raise Stop(USAGE, "the profile did not validate:", *lines,
                   "Run `hiremix recommend --help` for the options.") from None
    return describe(loaded)


def _option(pointer_or_field: str) -> str:
    """--team-size for '/team_size' (or 'team_size'); '/priorities/1' is --priority."""
    field = pointer_or_field.lstrip("/").split("/")[0]
    return OPTION_OF.get(field, field or "the profile")


def _redacted(url: str) -> str:
    return re.sub(r"//[^/@]*@", "//***@", url)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would send the key to wherever it points, and POST as GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise Stop(FAILED, f"{req.full_url} redirected ({code}) to {newurl}; pass the right address to --api "
                           f"(the key was not sent there)")


_OPENER = urllib.request.build_opener(_NoRedirects)


def _ask_server(args: argparse.Namespace) -> dict:
    base = args.api.rstrip("/")
    url = base + ("/v1/recommendations" if args.store else "/v1/recommendations/preview")
    request = urllib.request.Request(
        url, data=json.dumps(_profile(args)).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": f"Bearer {args.key}", "User-Agent": f"hiremix-cli/{_version()}"},
    )
    try:
        with _OPENER.open(request, timeout=args.timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise Stop(FAILED, *_problem(error.code, error.reason, _read(error), base)) from None
    except urllib.error.URLError as error:
        raise Stop(FAILED, f"cannot reach {base}: {_why(error.reason)}") from None
    except (OSError, http.client.HTTPException) as error:  # a timeout or a dropped connection while reading
        raise Stop(FAILED, f"cannot reach {base}: {_why(error)}") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise Stop(FAILED, f"{url} did not answer with JSON; is {base} a hiremix server?") from None


def _read(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read()
    except (OSError, http.client.HTTPException):
        return b""


def _why(reason) -> str:
    if isinstance(reason, TimeoutError) or str(reason) == "timed out":
        return "timed out"
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__


def _problem(status: int, reason: str, raw: bytes, base: str) -> list[str]:
    """The headline and lines that explain a refused request, from its problem+json body when it has one."""
    try:
        problem = json.loads(raw)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        problem = {}
    errors = [f"{_option(str(error.get('pointer', '')))}: {error.get('message', '')}"
              for error in problem.get("errors") or [] if isinstance(error, dict)]
    answer = f"{status} {problem.get('title') or reason or 'Error'}"
    if problem.get("detail") and not errors:  # with errors, the detail only lists their pointers again
        answer += f": {problem['detail']}"
    if not problem:
        answer += f" (not a hiremix problem document: is {base} a hiremix server?)"
    if status == 401:
        return ["the server refused the API key: check --key or HIREMIX_KEY", f"The server answered {answer}"]
    return [f"the server answered {answer}", *errors]


# The readable table.


def render(document: dict) -> str:
    """A recommendation document as plain text, at most WIDTH columns wide."""
    terms = (document.get("factors") or []) + [
        {**term, "factor": term["interaction"], "value": f"strength {term['strength']:.2f}"}
        for term in document.get("interactions") or []]
    parts = [_verdict(document), _factor_table(terms)]
    parts.append(_section("Summary", [document.get("summary") or ""]))
    why = sorted(terms, key=lambda factor: -abs(factor["contribution"]))
    parts.append(_section("Why, strongest first", [factor["reason"] for factor in why], bullet="- "))
    if document.get("growth_engineering"):
        parts.append(_section("Growth engineering", [document["growth_engineering"]]))
    parts.append(_changes(document))
    roles = [role["title"] for role in document.get("role_profiles") or []]
    if roles:
        parts.append(_section("Roles to open", roles, bullet="- "))
    return "\n\n".join(part for part in parts if part)


def _verdict(document: dict) -> str:
    share = document["scores"]["product_engineers"]
    lines = []
    if document.get("id"):
        lines.append(f"Stored as {document['id']} ({document.get('created_at', '')})")
    lines.append(f"Recommendation: {ROLE_NAMES[document['recommendation']]}")
    filled = round(share * 20)
    lines.append(f"Product engineer share {share:.0%}  product [{'#' * filled}{'.' * (20 - filled)}] software"
                 f"  (confidence {document['confidence']:.2f})")
    lines.append(f"Confidence: {narrative.confidence_meaning(document)}")
    headcount = document.get("headcount")
    if headcount:
        total = headcount["product_engineers"] + headcount["software_engineers"]
        lines.append(f"Planned hires {total}: {_engineers(headcount['product_engineers'], 'product')}, "
                     f"{_engineers(headcount['software_engineers'], 'software')}")
    model = document.get("model") or {}
    if model:
        lines.append(f"Weights: {model.get('weight_profile_id')} v{model.get('version')} "
                     f"({str(model.get('hash', ''))[:19]})")
    return "\n".join(lines)


def _engineers(count: int, kind: str) -> str:
    return f"{count} {kind} engineer{'' if count == 1 else 's'}"


def _factor_table(factors: list[dict]) -> str:
    half = 10
    scale = max([1.0] + [abs(factor["contribution"]) for factor in factors])
    rows = [f"{'Factor':<19}{'Value':<24}{'Leans toward':<20}{'Contribution':>12}  {'software':>{half}}|product",
            "-" * (19 + 24 + 20 + 12 + 2 + 2 * half + 1)]
    for factor in factors:
        contribution = factor["contribution"]
        length = round(abs(contribution) / scale * half)
        bar = (" " * half + "|" + "#" * length) if contribution >= 0 else (" " * (half - length) + "#" * length + "|")
        rows.append(f"{_cut(factor['factor'], 18):<19}{_cut(_value(factor['value']), 23):<24}"
                    f"{ROLE_NAMES.get(factor['favors'], factor['favors']):<20}{contribution:>+12.2f}  {bar}".rstrip())
    return "\n".join(rows)


def _changes(document: dict) -> str:
    """The same section as the result page: its note, then the single changes or the pair."""
    changes, pair = document.get("what_would_change"), document.get("what_would_change_pair")
    if changes is None:
        return ""
    note = narrative.change_note(document)
    lines = [f"{change['factor']}: {_value(change['from'])} -> {_value(change['to'])} gives "
             f"{ROLE_NAMES.get(change['recommendation'], change['recommendation'])}" for change in changes]
    if not changes and pair:
        together = " together with ".join(f"{c['factor']}: {_value(c['from'])} -> {_value(c['to'])}"
                                          for c in pair["changes"])
        lines = [f"{together} gives {ROLE_NAMES.get(pair['recommendation'], pair['recommendation'])}"]
    return "\n".join(part for part in (_section("What would change it", [note]),
                                        _section("", lines, bullet="- ")[1:].lstrip("\n")) if part)


def _section(title: str, paragraphs: list[str], bullet: str = "") -> str:
    indent = "  " + " " * len(bullet)
    wrapped = [textwrap.fill(text, WIDTH, initial_indent="  " + bullet, subsequent_indent=indent)
               for text in paragraphs if text]
    return "\n".join([title + ":", *wrapped])


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return "(none)" if value is None else str(value)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# Output.


def _as_json(document: dict, stream) -> str:
    return json.dumps(document, indent=2, ensure_ascii=not _speaks_utf8(stream))


def _write(stream, text: str) -> None:
    """Print `text`; characters the terminal cannot show become '?' rather than an error."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, "replace").decode(encoding) + "\n")
    stream.flush()


def _speaks_utf8(stream) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8"
    except LookupError:
        return False


def _version() -> str:
    try:
        return metadata.version("hiremix")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
