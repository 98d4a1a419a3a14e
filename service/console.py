"""`hiremix`: a recommendation from the command line, for founders who never want to run a server.

Without `--api` the profile is validated with the API's own schema and
rendered by the same function as `POST /v1/recommendations/preview`, so
`--json` prints the very document the API would answer. With `--api URL` a
running server is asked instead (`--store` keeps the answer there). Run in a
terminal without profile options, it asks for each field in turn. The table
fits the terminal's width.
"""

from __future__ import annotations

import argparse
import codecs
import http.client
import json
import os
import re
import shutil
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from importlib import metadata

from service.engine import narrative
from service.engine.wording import FIELDS, VALUES, help_line, label, value_words

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH = 100, 60, 120  # columns; the default when the output is no terminal

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
REQUIRED = ("stage", "team_size", "product_complexity", "business_model")
ASKED = tuple(field for field in OPTION_OF if field in FIELDS)  # the questions of the interactive mode, in order
SERVER_ONLY = ("weight_profile_id", "weight_profile_version")
ROLE_NAMES = {
    "product_engineers": "product engineers",
    "software_engineers": "software engineers",
    "both": "both product and software engineers",
    "neutral": "neutral",
}
SIDES = {"product_engineers": "product", "software_engineers": "software"}


_EXAMPLES = """examples:
  hiremix recommend     # in a terminal: asks for each field
  hiremix recommend --stage seed --team-size 6 --product-complexity low \\
      --business-model "B2B SaaS" --priority ship-fast --planned-hires 4
  hiremix recommend --stage growth --team-size 300 --product-complexity high \\
      --business-model data_platform --priority scale --json
  hiremix recommend --stage seed --team-size 6 --product-complexity low \\
      --business-model b2b_saas --api http://127.0.0.1:8000 --store

Choices take any case, and spaces or hyphens for _: Series-A, "series a" and
SERIES_A are all series_a; the words the web console shows work too.
--api takes its key from $HIREMIX_KEY; --key puts the key where other users of
the machine can see it (ps). With HIREMIX_URL set, every run asks that server,
as if --api were given.
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
        asking = _asks_questions(args)
        if not asking:
            _check_required(args)
        _check_combinations(args)
    except SystemExit as stop:  # argparse: --help, --version or a usage error
        return stop.code if isinstance(stop.code, int) else USAGE
    width = terminal_width(sys.stdout)
    try:
        if asking:
            vars(args).update(ask_profile(width=width))
        document = _ask_server(args) if args.api else _evaluate_locally(_profile(args))
        _write(sys.stdout, _as_json(document, sys.stdout) if args.json else render(document, width))
    except Stop as stop:
        for line in stop.lines:
            _write(sys.stderr, line)
        return stop.status
    except KeyboardInterrupt:
        if asking:  # end the line of the question Ctrl-C interrupted
            _write(sys.stderr, "")
        return INTERRUPTED
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


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error says the error first, then one line of hint instead of the usage block."""

    def error(self, message: str):
        self.exit(USAGE, f"{self.prog}: error: {message.removeprefix('argument ')}\n"
                         f"Run '{self.prog} --help' for every option.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hiremix",
        description="Should your next engineers be product engineers, software engineers, or both?",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    recommend = commands.add_parser(
        "recommend",
        help="recommend who to hire next for a company profile",
        description="Evaluate a company profile with the local engine (built-in weights),\n"
                    "or with --api on a running hiremix server. Run in a terminal without\n"
                    "profile options, it asks for each field in turn.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profile = recommend.add_argument_group("company profile (the first four are required)")
    profile.add_argument("--stage", type=_choice_of("stage"), metavar="STAGE",
                         help=f"funding stage: {_codes('stage')}")
    profile.add_argument("--team-size", type=_whole_number, metavar="N",
                         help="engineers employed today (0: the first hire)")
    profile.add_argument("--product-complexity", type=_choice_of("product_complexity"), metavar="LEVEL",
                         help=f"how technically demanding the product is: {_codes('product_complexity')}")
    profile.add_argument("--business-model", type=_choice_of("business_model"), metavar="MODEL",
                         help=f"how the company makes money: {_codes('business_model')}")
    profile.add_argument("--priority", dest="priorities", action="append", type=_choice_of("priorities"),
                         metavar="PRIORITY",
                         help=f"what the next hires should most help with, repeat for several: {_codes('priorities')}")
    profile.add_argument("--customer-access", type=_choice_of("customer_access"), metavar="ACCESS",
                         help=f"can engineers talk to customers: {_codes('customer_access')}")
    profile.add_argument("--planned-hires", type=_whole_number, metavar="N",
                         help="engineers to hire now: gives a headcount split")
    profile.add_argument("--company-name", metavar="NAME", help="used in the summary")
    profile.add_argument("--external-id", metavar="ID", help="your requisition or company id")
    profile.add_argument("--weight-profile-id", metavar="ID", help="a weight profile on the server (needs --api)")
    profile.add_argument("--weight-profile-version", type=_whole_number, metavar="N",
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


# Choices: a code (`series_a`) or its words ("Series A"), in any case, words joined by spaces, hyphens or _.


def _spelling(text: str) -> str:
    """How an answer is compared: lower case, runs of anything but letters and digits as one `_`."""
    return "_".join(re.findall(r"[a-z0-9]+", text.casefold()))


SPELLINGS = {field: {_spelling(form): code for code, words in values.items() for form in (words, code)}
             for field, values in VALUES.items()}


def choice(field: str, text: str) -> str:
    """The code of a choice of `field` written in any accepted form; ValueError naming the codes otherwise."""
    code = SPELLINGS[field].get(_spelling(text))
    if code is None:
        raise ValueError(f"{text!r} is not one of: {_codes(field)}")
    return code


def _codes(field: str) -> str:
    return ", ".join(VALUES[field])


def _choice_of(field: str) -> Callable[[str], str]:
    """An argparse type for the choices of `field`."""
    def read(text: str) -> str:
        try:
            return choice(field, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return read


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _asks_questions(args: argparse.Namespace) -> bool:
    """No profile option given, and a person at a terminal to answer."""
    return (all(getattr(args, field) is None for field in ASKED)
            and _is_terminal(sys.stdin) and _is_terminal(sys.stdout))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no stream, or a closed one
        return False


def _check_required(args: argparse.Namespace) -> None:
    missing = [OPTION_OF[field] for field in REQUIRED if getattr(args, field) is None]
    if missing:
        args.usage_error(f"the following arguments are required: {', '.join(missing)}")


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
    from service.recommendations import describe

    try:
        loaded = CompanyProfileSchema().load(profile)
    except ValidationError as error:
        lines = [f"{option}: {message}" for option, message in _refusals(error)]
        raise Stop(USAGE, "the profile did not validate:", *lines,
                   "Run 'hiremix recommend --help' for every option.") from None
    return describe(loaded)


def _refusal(field: str, value) -> str:
    """What the API's own schema says against `value` as the answer for `field`; empty when it takes it."""
    from marshmallow import ValidationError

    from schemas.profile import CompanyProfileSchema

    try:
        CompanyProfileSchema().load({field: value}, partial=True)
    except ValidationError as error:
        return " ".join(message for _option, message in _refusals(error))
    return ""


def _refusals(error) -> list[tuple[str, str]]:
    """The API's own reading of the schema's ValidationError: (option, message), one per refused value."""
    from service.http.apidoc import invalid

    return [(_option(e["pointer"]), e["message"]) for e in invalid("body", error.messages).errors]


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


# Questions: the interactive mode, for a person at a terminal.

INTRODUCTION = "Answer each question; Enter skips an optional one, Ctrl-C stops."


def ask_profile(ask: Callable[[str], str] | None = None, say: Callable[[str], None] | None = None,
                width: int = DEFAULT_WIDTH) -> dict:
    """Ask for each profile field in turn; the answers the API's schema takes, by field (skipped ones left out).

    `ask(question)` returns the line typed (default: `input`); `say(line)` shows a line (default: stdout).
    Ctrl-C raises KeyboardInterrupt; the end of the input (Ctrl-D) stops with exit 1.
    """
    ask = ask or input
    say = say or (lambda line: _write(sys.stdout, line))
    for line in _paragraph(INTRODUCTION, width, "", ""):
        say(line)
    answers = {}
    for field in ASKED:
        say("")
        for line in _paragraph(f"{label(field)}: {help_line(field)}", width):
            say(line)
        for number, code in enumerate(VALUES.get(field, ()), 1):
            say(f"  {number:>2}. {value_words(field, code)}")
        answer = _asked_until_valid(field, ask, say)
        if answer is not None:
            answers[field] = answer
    say("")
    return answers


def _asked_until_valid(field: str, ask: Callable[[str], str], say: Callable[[str], None]):
    while True:
        try:
            typed = ask(_question(field))
        except EOFError:
            say("")
            raise Stop(FAILED, "the input ended before the last question; nothing was evaluated") from None
        try:
            return _answer(field, typed.strip())
        except ValueError as problem:  # one line, then the same question again
            say(f"  {problem}")


def _question(field: str) -> str:
    count = len(VALUES.get(field, ()))
    if field == "priorities":
        hint = f"1-{count}, several with commas; Enter for none"
    elif count:
        hint = f"1-{count}" if field in REQUIRED else f"1-{count}, Enter to skip"
    elif field in ("team_size", "planned_hires"):
        hint = "a number" if field in REQUIRED else "a number, Enter to skip"
    else:
        hint = "Enter to skip"
    return f"{label(field)} [{hint}]: "


def _answer(field: str, typed: str):
    """The value of a typed answer, None for none; ValueError saying in one line what is wrong with it, the
    API's schema having the last word."""
    if not typed:
        if field in REQUIRED:
            raise ValueError("This one needs an answer.")
        return None
    value = _value_of(field, typed)
    refusal = _refusal(field, value) if value is not None else ""
    if refusal:
        raise ValueError(refusal)
    return value


def _value_of(field: str, typed: str):
    if field == "priorities":
        return [_picked(field, item.strip()) for item in typed.split(",") if item.strip()] or None
    if field in VALUES:
        return _picked(field, typed)
    if field in ("team_size", "planned_hires"):
        try:
            return int(typed)
        except ValueError:
            raise ValueError(f"{typed!r} is not a whole number.") from None
    return typed


def _picked(field: str, typed: str) -> str:
    """A choice given by its number in the list or written out."""
    count = len(VALUES[field])
    if typed.isdecimal():
        if not 1 <= int(typed) <= count:
            raise ValueError(f"{typed} is not on the list: pick a number from 1 to {count}.")
        return list(VALUES[field])[int(typed) - 1]
    try:
        return choice(field, typed)
    except ValueError:
        raise ValueError(f"{typed!r} is not on the list: pick a number from 1 to {count}.") from None


# The readable table.

GAP = "  "
NAME_MAX, LEAN_WIDTH, PULL_WIDTH, VALUE_MIN, HALF_MIN, HALF_MAX = 18, len("Leans toward"), 6, 18, 8, 10


def terminal_width(stream=None) -> int:
    """The columns to fill: the terminal's (or $COLUMNS), kept within MIN_WIDTH..MAX_WIDTH; DEFAULT_WIDTH when
    writing to a file or a pipe without $COLUMNS."""
    if os.environ.get("COLUMNS") or _is_terminal(stream or sys.stdout):
        columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        columns = DEFAULT_WIDTH
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


def render(document: dict, width: int = DEFAULT_WIDTH) -> str:
    """A recommendation document as plain text, no line wider than `width` (at least MIN_WIDTH), no word cut.

    The verdict comes first, and again last: a long answer in a small terminal still shows it at the bottom.
    """
    width = max(width, MIN_WIDTH)
    terms = (document.get("factors") or []) + [
        {**term, "factor": term["interaction"], "value": f"strength {term['strength']:.2f}"}
        for term in document.get("interactions") or []]
    parts = [_verdict(document, width), _factor_table(terms, width)]
    parts.append(_section("Summary", [document.get("summary") or ""], width))
    why = sorted(terms, key=lambda factor: -abs(factor["contribution"]))
    parts.append(_section("Why, strongest first", [factor["reason"] for factor in why], width, bullet="- "))
    if document.get("growth_engineering"):
        parts.append(_section("Growth engineering", [document["growth_engineering"]], width))
    parts.append(_changes(document, width))
    roles = [role["title"] for role in document.get("role_profiles") or []]
    if roles:
        parts.append(_section("Roles to open", roles, width, bullet="- "))
    parts.append(_headline(document))
    return "\n\n".join(part for part in parts if part)


def _headline(document: dict) -> str:
    return f"Recommendation: {ROLE_NAMES[document['recommendation']]}"


def _verdict(document: dict, width: int) -> str:
    share = document["scores"]["product_engineers"]
    lines = []
    if document.get("id"):
        lines += _paragraph(f"Stored as {document['id']} ({document.get('created_at', '')})", width)
    lines.append(_headline(document))
    start, end = f"Product engineer share {share:.0%}  product [", "] software"
    room = min(20, width - len(start) - len(end))
    filled = round(share * room)
    lines.append(f"{start}{'#' * filled}{'.' * (room - filled)}{end}")
    lines += _paragraph(f"Confidence {document['confidence']:.2f}: {narrative.confidence_meaning(document)}", width)
    headcount = document.get("headcount")
    if headcount:
        total = headcount["product_engineers"] + headcount["software_engineers"]
        lines += _paragraph(f"Planned hires {total}: {_engineers(headcount['product_engineers'], 'product')}, "
                            f"{_engineers(headcount['software_engineers'], 'software')}", width)
    model = document.get("model") or {}
    if model:
        lines += _paragraph(f"Weights: {model.get('weight_profile_id')} v{model.get('version')} "
                            f"({str(model.get('hash', ''))[:19]})", width)
    return "\n".join(lines)


def _engineers(count: int, kind: str) -> str:
    return f"{count} {kind} engineer{'' if count == 1 else 's'}"


def _factor_table(terms: list[dict], width: int) -> str:
    """One row per factor; names and values wrap inside their column; the bar goes when there is no room."""
    names = [label(term["factor"]) for term in terms]
    values = [value_words(term["factor"], term["value"]) for term in terms]
    name_width = max([len("Factor")] + [min(NAME_MAX, len(name)) for name in names])
    room = width - len(GAP) * 3 - name_width - LEAN_WIDTH - PULL_WIDTH  # for the value, and the bar if it fits
    half = min(HALF_MAX, (room - VALUE_MIN - len(GAP) - 1) // 2)
    half = half if half >= HALF_MIN else 0
    value_width = room - (len(GAP) + 2 * half + 1 if half else 0)
    value_width = min(value_width, max([len("Value")] + [len(value) for value in values]))
    spare = room - value_width - (len(GAP) + 2 * half + 1 if half else 0)  # when values are short, names wrap less
    name_width = min(max([name_width] + [len(name) for name in names]), name_width + spare)
    scale = max([1.0] + [abs(term["contribution"]) for term in terms])

    def row(name: list[str], value: list[str], lean: str = "", pull: str = "", bar: str = "") -> list[str]:
        lines = []
        for line in range(max(len(name), len(value), 1)):
            cells = [f"{(name[line:line + 1] or [''])[0]:<{name_width}}",
                     f"{(value[line:line + 1] or [''])[0]:<{value_width}}",
                     f"{lean if line == 0 else '':<{LEAN_WIDTH}}",
                     f"{pull if line == 0 else '':>{PULL_WIDTH}}"]
            lines.append(GAP.join(cells + ([bar if line == 0 else ""] if half else [])).rstrip())
        return lines

    heading = row(["Factor"], ["Value"], "Leans toward", "Pull", f"{'software':>{half}}|product")
    rows = [*heading, "-" * len(heading[0])]
    for name, value, term in zip(names, values, terms):
        contribution = term["contribution"]
        length = round(abs(contribution) / scale * half)
        bar = (" " * half + "|" + "#" * length) if contribution >= 0 else (" " * (half - length) + "#" * length + "|")
        rows += row(_wrapped(name, name_width), _wrapped(value, value_width),
                    SIDES.get(term["favors"], "neither"), f"{contribution:+.2f}", bar)
    return "\n".join(rows)


def _changes(document: dict, width: int) -> str:
    """The same section as the result page: its note, then the single changes or the pair."""
    changes, pair = document.get("what_would_change"), document.get("what_would_change_pair")
    if changes is None:
        return ""
    items = [f"{_change(change)} gives {ROLE_NAMES.get(change['recommendation'], change['recommendation'])}"
             for change in changes]
    if not changes and pair:
        together = " together with ".join(_change(change) for change in pair["changes"])
        items = [f"{together} gives {ROLE_NAMES.get(pair['recommendation'], pair['recommendation'])}"]
    note = _section("What would change it", [narrative.change_note(document)], width)
    return "\n".join([note, *(line for item in items for line in _paragraph(item, width, "  - ", "    "))])


def _change(change: dict) -> str:
    field = change["factor"]
    return f"{label(field)}: {value_words(field, change['from'])} -> {value_words(field, change['to'])}"


def _section(title: str, paragraphs: list[str], width: int, bullet: str = "") -> str:
    indent = "  " + " " * len(bullet)
    lines = [line for text in paragraphs if text for line in _paragraph(text, width, "  " + bullet, indent)]
    return "\n".join([title + ":", *lines])


def _paragraph(text: str, width: int, first: str = "", rest: str = "  ") -> list[str]:
    """`text` in lines of at most `width` columns, broken between words only (a word wider stays whole)."""
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def _wrapped(text: str, width: int) -> list[str]:
    return _paragraph(text, width, "", "")


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
