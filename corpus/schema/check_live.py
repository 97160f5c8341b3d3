#!/usr/bin/env python3
"""Checks live scenario files, of servers and of clients: the JSON Schema and what a schema cannot see.

    check_live.py [--quiet] [--coverage COVERAGE.md] FOLDER_OR_FILE...

A folder is a corpus root laid out as <root>/<area>/<topic>.json: corpus/live (server scenarios,
"schema": "sioconf-live-v1", live.schema.json) or corpus/live-client (client scenarios,
"schema": "sioconf-live-client-v1", live-client.schema.json, which "$ref"s live.schema.json). A
file's "schema" field picks its kind; a file with neither name is checked as a client scenario
file when a folder above it is named live-client or test-bad-live-client, else as a server one.
Beyond the schema (which already holds the verbs, the modifiers and where they go, durations,
transports, levels, connect options, report kinds):
  - the folder of a file is its area and the file name is its topic,
  - every id starts with "<area>.<topic>." and no id appears twice in everything checked (of a
    kind: server and client scenarios are run by different commands),
  - every flag of a scenario is a key of the file's notes, and every note is used by some scenario,
  - hex elements hold whole bytes; base64 elements are strict (whole quads, canonical padding),
  - a generated element ({"concat": [...]}) has parts all text or all bytes, at most 16 MiB in all,
  - a value-pattern string that begins with a single "$" is a known matcher ($any, $string,
    $number, $integer, $boolean, $object, $array, $null, optionally followed by " as NAME"),
    and "$more" is true or false,
  - every ${name} in a step is a built-in or was captured by an earlier step of the same scenario:
    server scenarios: built-ins path, host, transport, i; open captures sid, ping_interval,
    ping_timeout, max_payload ("<client>.sid" ... for a step "on" another client than main);
    client scenarios: built-ins transport, url, and sid once an accept step came before;
    in both a value-pattern string "$<matcher> as NAME" captures NAME,
  - client scenarios: an object report pattern names a known report kind (or a matcher), a
    {"$binary": ...} in emit args or report patterns is strict base64, and expect_attempts has
    no more min_gaps or max_gaps than its count,
  - with --coverage COVERAGE.md: every scenario id in backticks there (`area.topic.name`, possibly
    `...@transport`) exists, and runs on that transport; scenarios it never names are warnings only.
Prints one line per problem ("<file>: <id>: <problem>") and exits 1 if there is any.
Needs python3-jsonschema (4.10 or later, for draft 2020-12).
"""
import argparse
import json
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus for the shared module
from corpus_check import bytes_problem, element_problem, load_validator, schema_message, short

HERE = Path(__file__).resolve().parent

BUILTINS = {"path", "host", "transport", "i", "ri"}
# ${i} and ${ri} (a repeat's index) inside a name make a family of names: q${i} captures q0, q1, ...
# and ${q${ri}} uses one of them. Both sides are compared with the index written as "#".
INDEX = re.compile(r"\$\{r?i\}")
OPEN_CAPTURES = ("sid", "ping_interval", "ping_timeout", "max_payload")
MATCHERS = ("any", "string", "number", "integer", "boolean", "object", "array", "null")
MATCHER = re.compile(r"\$(?P<type>[a-z]+)(?: as (?P<name>[A-Za-z_][A-Za-z0-9_.${}]*))?")
VARIABLE = re.compile(r"\$\{([^{}]*)\}")
VERBS = ("open", "send", "expect", "expect_silence", "expect_closed", "stop_reading", "resume_reading",
         "close", "http", "expect_response", "ws_open", "frame", "write", "expect_end", "connect", "wait",
         "reset")


# --- steps (both kinds) ----------------------------------------------------------------------

def patterns_of(step):
    """The packet patterns of a step (expect, and the packets of an expected polling body)."""
    if "expect" in step:
        yield from step["expect"]
    body = step.get("expect_response", {}).get("body")
    if isinstance(body, dict):
        yield from body.get("packets", [])


def elements_of(step):
    """Every element (dict) a step writes or expects."""
    for packet in step.get("send", []):
        if isinstance(packet, dict):
            yield packet
    for pattern in patterns_of(step):
        if isinstance(pattern, dict) and "binary" in pattern:
            yield pattern["binary"]
    for value in (step.get("http", {}).get("body"), step.get("frame", {}).get("payload"), step.get("write")):
        if isinstance(value, dict):
            yield value


def value_patterns_of(step):
    """Every value pattern of a step: the json of packet patterns and bodies, the fields of sio
    patterns, header values."""
    for pattern in patterns_of(step):
        if isinstance(pattern, dict) and "json" in pattern:
            yield pattern["json"]
        if isinstance(pattern, dict) and isinstance(pattern.get("sio"), dict):
            yield from (v for k, v in pattern["sio"].items() if k in ("id", "attachments", "data"))
    response = step.get("expect_response", {})
    body = response.get("body")
    if isinstance(body, dict) and "json" in body:
        yield body["json"]
    yield from response.get("headers", {}).values()


def matcher_problems(value, captures):
    """Problems of the matchers inside a value pattern; adds the names it captures to captures."""
    if isinstance(value, str):
        if value.startswith("$") and not value.startswith("$$"):
            m = MATCHER.fullmatch(value)
            if not m or m.group("type") not in MATCHERS:
                yield (f"{value!r} is no matcher: a value string beginning with one \"$\" is "
                       f"{', '.join('$' + t for t in MATCHERS)}, optionally followed by \" as NAME\" "
                       f"(write \"$$\" for a literal \"$\")")
            elif m.group("name"):
                captures.append(m.group("name"))
    elif isinstance(value, list):
        for v in value:
            yield from matcher_problems(v, captures)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k == "$more":
                if not isinstance(v, bool):
                    yield f"\"$more\" is true or false, not {short(v)}"
            else:
                yield from matcher_problems(v, captures)


def strings_in(value):
    """Every string inside a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings_in(v)


def captures_of(step, captures):
    """Problems of a step's matchers; adds the variables the step captures to captures."""
    problems = []
    if "open" in step:
        actor = step.get("on", "main")
        prefix = "" if actor == "main" else actor + "."
        captures.extend(prefix + name for name in OPEN_CAPTURES)
    for value in value_patterns_of(step):
        problems.extend(matcher_problems(value, captures))
    return problems


# --- what differs between the two kinds ------------------------------------------------------

class ServerRules:
    """Server scenarios (corpus/live, live.schema.json)."""
    schema_name = "sioconf-live-v1"
    verbs = VERBS
    builtins = BUILTINS  # what a capture must not hide
    known_at_start = BUILTINS
    unknown_hint = f"built-ins: {', '.join(sorted(BUILTINS))}; else captured by an earlier step"

    def __init__(self, schema):
        self.schema = schema

    @staticmethod
    def normal(text):
        return INDEX.sub("#", text)

    @staticmethod
    def captures(step, captures):
        return captures_of(step, captures)

    @staticmethod
    def grants(step):
        """Built-ins a step makes known (none: open's captures are captures)."""
        return []

    @staticmethod
    def before_capture(name):
        return f"${{{name}}} is used before a step captures it"

    @staticmethod
    def step_problems(step):
        return []


CLIENT_VERBS = ("connect", "emit", "disconnect", "report", "accept", "expect", "send", "expect_silence",
                "expect_closed", "expect_transport", "drop", "close", "stall", "refuse_handshakes",
                "refuse_upgrades", "expect_attempts", "wait")
CLIENT_BUILTINS = {"transport", "url"}
SESSION_BUILTINS = {"sid"}  # known once an accept step came before


def binary_values(value):
    """Every {"$binary": string} inside a JSON value, however deep."""
    if isinstance(value, dict):
        if set(value) == {"$binary"} and isinstance(value["$binary"], str):
            yield value["$binary"]
        else:
            for v in value.values():
                yield from binary_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from binary_values(v)


class ClientRules:
    """Client scenarios (corpus/live-client, live-client.schema.json)."""
    schema_name = "sioconf-live-client-v1"
    verbs = CLIENT_VERBS
    builtins = CLIENT_BUILTINS | SESSION_BUILTINS  # what a capture must not hide
    known_at_start = CLIENT_BUILTINS  # sid: granted by accept
    unknown_hint = ("built-ins: transport, url, and sid after an accept step; else captured by an "
                    "earlier step")

    def __init__(self, schema):
        self.schema = schema
        self.report_kinds = schema["$defs"]["report_kind"]["enum"]

    @staticmethod
    def normal(text):
        return text

    @staticmethod
    def value_patterns(step):
        """The value patterns of a step: those of its packet patterns, and its object report patterns."""
        yield from value_patterns_of(step)
        yield from (p for p in step.get("report", []) if isinstance(p, dict))

    def captures(self, step, captures):
        problems = []
        for value in self.value_patterns(step):
            problems.extend(matcher_problems(value, captures))
        return problems

    @staticmethod
    def grants(step):
        return sorted(SESSION_BUILTINS) if "accept" in step else []

    @staticmethod
    def before_capture(name):
        if name in SESSION_BUILTINS:
            return f"${{{name}}} is used before an accept step (it is the current session's)"
        return f"${{{name}}} is used before a step captures it"

    def step_problems(self, step):
        for pattern in step.get("report", []):
            kind = pattern.get("report") if isinstance(pattern, dict) else None
            literal = isinstance(kind, str) and not (kind.startswith("$") and not kind.startswith("$$"))
            if literal and kind.replace("$$", "$", 1) not in self.report_kinds:
                yield (f"report pattern {short(pattern)}: {kind!r} is no report kind (one of "
                       f"{', '.join(self.report_kinds)}, or a matcher)")
        given = list(binary_values(step.get("emit", {}).get("args")))  # written to the driver as they are
        expected = [b64.replace("$$", "$", 1) for b64 in binary_values(step.get("report"))
                    if not (b64.startswith("$") and not b64.startswith("$$"))]  # but matchers
        for b64 in given + expected:
            why = bytes_problem({"base64": b64})
            if why:
                yield "$binary: " + why
        attempts = step.get("expect_attempts", {})
        for gaps in ("min_gaps", "max_gaps"):
            if len(attempts.get(gaps, [])) > attempts.get("count", 0):
                yield (f"expect_attempts: {gaps} has {len(attempts[gaps])} gaps for {attempts['count']} "
                       f"attempts")


# --- the checker ----------------------------------------------------------------------------

def in_client_corpus(path):
    """A file below a folder named live-client or test-bad-live-client."""
    return any(part in ("live-client", "test-bad-live-client") for part in path.resolve().parts[:-1])


class Checker:
    def __init__(self, schema_path=HERE / "live.schema.json", client_schema_path=HERE / "live-client.schema.json"):
        self.kinds = {}  # schema name -> (rules, validator)
        validator, schema = load_validator(schema_path)
        self.kinds[ServerRules.schema_name] = (ServerRules(schema), validator)
        validator, schema = load_validator(client_schema_path, [schema_path])
        self.kinds[ClientRules.schema_name] = (ClientRules(schema), validator)
        self.problems = []
        self.warnings = []
        self.ids = {}  # id -> (file that first had it, its transports), for --coverage: every kind
        self.kind_ids = {name: {} for name in self.kinds}  # the same, of each kind
        self.files = 0
        self.scenarios = 0

    def problem(self, path, where, text):
        self.problems.append(f"{path}: {where}: {text}")

    def kind_of(self, path, doc):
        """(rules, validator) for a file: by its "schema", else by the corpus it is in."""
        name = doc.get("schema") if isinstance(doc, dict) else None
        if name not in self.kinds:
            name = ClientRules.schema_name if in_client_corpus(path) else ServerRules.schema_name
        return self.kinds[name]

    def check_file(self, path):
        self.files += 1
        try:
            doc = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as e:
            self.problem(path, "file", f"not JSON: {e}")
            return
        rules, validator = self.kind_of(path, doc)
        if isinstance(doc, dict) and isinstance(doc.get("scenarios"), list):
            self.scenarios += len(doc["scenarios"])
        schema_errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for e in schema_errors:
            self.problem(path, self.where(doc, list(e.absolute_path)), f"schema: {schema_message(e)}")
        if schema_errors:
            return  # the cross-checks below assume the shape the schema promises

        area, topic = doc["area"], doc["topic"]
        if path.stem != topic:
            self.problem(path, "file", f"file name {path.name!r} is not the topic {topic!r} + .json")
        if path.parent.name != area:
            self.problem(path, "file", f"folder {path.parent.name!r} is not the area {area!r}")

        notes = doc.get("notes", {})
        used = set()
        prefix = f"{area}.{topic}."
        ids = self.kind_ids[rules.schema_name]
        for scenario in doc["scenarios"]:
            sid = scenario["id"]
            if not sid.startswith(prefix):
                self.problem(path, sid, f"id does not start with {prefix!r}")
            if sid in ids:
                self.problem(path, sid, f"duplicate id (first in {ids[sid][0]})")
            else:
                ids[sid] = (path, scenario["transports"])
                self.ids.setdefault(sid, ids[sid])
            for flag in scenario.get("flags", []):
                used.add(flag)
                if flag not in notes:
                    self.problem(path, sid, f"flag {flag!r} is not a key of the file's notes")
            self.check_steps(path, scenario, rules)
        for flag in sorted(set(notes) - used):
            self.problem(path, "notes", f"note {flag!r} is used by no scenario")

    @staticmethod
    def where(doc, at):
        """A schema error's place: the scenario's id (when it has one) and the path below it."""
        if len(at) >= 2 and at[0] == "scenarios":
            try:
                sid = doc["scenarios"][at[1]]["id"]
            except (KeyError, IndexError, TypeError):
                sid = None
            if isinstance(sid, str):
                below = at[2:]
                if len(below) >= 2 and below[0] == "steps" and isinstance(below[1], int):
                    below = [f"step {below[1] + 1}"] + below[2:]  # numbered from 1, as in the other problems
                return sid + ": " + ("/".join(map(str, below)) or "scenario")
        return "/".join(map(str, at)) or "file"

    def check_steps(self, path, scenario, rules):
        """Elements, matchers, the kind's own step checks, and the ${variables} each step uses
        against the built-ins and what earlier steps captured."""
        sid = scenario["id"]
        steps = scenario["steps"]
        every_capture = []  # all that the scenario captures, to tell "later" from "never"
        for step in steps:
            rules.captures(step, every_capture)
            every_capture.extend(rules.grants(step))
        every_capture = [rules.normal(name) for name in every_capture]
        known = set(rules.known_at_start)
        for number, step in enumerate(steps, 1):
            verb = next(k for k in step if k in rules.verbs)
            where = f"step {number} ({verb})"
            for element in elements_of(step):
                why = element_problem(element)
                if why:
                    self.problem(path, sid, f"{where}: {why}")
            for why in rules.step_problems(step):
                self.problem(path, sid, f"{where}: {why}")
            for text in strings_in(step):
                text = rules.normal(text)
                for name in VARIABLE.findall(text):
                    if name in known:
                        continue
                    if name in every_capture:
                        self.problem(path, sid, f"{where}: {rules.before_capture(name)}")
                    else:
                        self.problem(path, sid, f"{where}: unknown variable ${{{name}}} ({rules.unknown_hint})")
                if "${" in VARIABLE.sub("", text):
                    self.problem(path, sid, f"{where}: unterminated \"${{\" in {short(text)}")
            captured = []
            for why in rules.captures(step, captured):
                self.problem(path, sid, f"{where}: {why}")
            captured = [rules.normal(name) for name in captured]
            for name in captured:
                if name in rules.builtins:
                    self.problem(path, sid, f"{where}: the capture {name!r} would hide the built-in ${{{name}}}")
            known.update(captured)
            known.update(rules.grants(step))

    def check_path(self, path):
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if not files:
            self.problem(path, "folder", "holds no scenario file")
        for f in files:
            self.check_file(f)


ID_TOKEN = re.compile(r"`([a-z0-9-]+\.[a-z0-9_-]+\.[a-z0-9][a-zA-Z0-9-]*)(?:@([a-z]+))?`")


def check_coverage(checker, path):
    """Scenario ids named in backticks must exist (and run on the transport they name)."""
    named = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for sid, transport in ID_TOKEN.findall(line):
            named.add(sid)
            if sid not in checker.ids:
                checker.problem(path, f"line {number}", f"{sid!r} is no scenario id")
            elif transport and transport not in checker.ids[sid][1]:
                checker.problem(path, f"line {number}", f"{sid}@{transport}: the scenario runs on "
                                                        f"{', '.join(checker.ids[sid][1])} only")
    for sid, (file, _) in sorted(checker.ids.items()):
        if sid not in named:
            checker.warnings.append(f"{file}: {sid}: warning: {path.name} does not name this scenario")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--schema", type=Path, default=HERE / "live.schema.json",
                        help="the schema of server scenario files")
    parser.add_argument("--client-schema", type=Path, default=HERE / "live-client.schema.json",
                        help="the schema of client scenario files (it $refs --schema)")
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    parser.add_argument("--coverage", type=Path, help="a COVERAGE.md to check against the scenarios")
    args = parser.parse_args()

    checker = Checker(args.schema, args.client_schema)
    for path in args.paths:
        checker.check_path(path)
    if args.coverage:
        check_coverage(checker, args.coverage)
    for line in checker.problems:
        print(line)
    if not args.quiet:
        for line in checker.warnings:
            print(line)
    if not args.quiet or checker.problems:
        print(f"check_live: {checker.files} files, {checker.scenarios} scenarios, "
              f"{len(checker.problems)} problems, {len(checker.warnings)} warnings")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
