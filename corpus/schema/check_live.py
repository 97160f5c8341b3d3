#!/usr/bin/env python3
"""Checks live scenario files: the JSON Schema (live.schema.json) and what a schema cannot see.

    check_live.py [--quiet] [--coverage COVERAGE.md] FOLDER_OR_FILE...

A folder is a corpus root laid out as <root>/<area>/<topic>.json (corpus/live). Beyond the schema
(which already holds the verbs, the modifiers and where they go, durations, transports, levels):
  - the folder of a file is its area and the file name is its topic,
  - every id starts with "<area>.<topic>." and no id appears twice in everything checked,
  - every flag of a scenario is a key of the file's notes, and every note is used by some scenario,
  - hex elements hold whole bytes; base64 elements are strict (whole quads, canonical padding),
  - a generated element ({"concat": [...]}) has parts all text or all bytes, at most 16 MiB in all,
  - a value-pattern string that begins with a single "$" is a known matcher ($any, $string,
    $number, $integer, $boolean, $object, $array, $null, optionally followed by " as NAME"),
    and "$more" is true or false,
  - every ${name} in a step is a built-in (path, host, transport, i) or was captured by an earlier
    step of the same scenario: open captures sid, ping_interval, ping_timeout, max_payload
    ("<client>.sid" ... for a step "on" another client than main), and a value-pattern string
    "$<matcher> as NAME" captures NAME,
  - with --coverage COVERAGE.md: every scenario id in backticks there (`area.topic.name`, possibly
    `...@transport`) exists, and runs on that transport; scenarios it never names are warnings only.
Prints one line per problem ("<file>: <id>: <problem>") and exits 1 if there is any.
Needs python3-jsonschema (4.10 or later, for draft 2020-12).
"""
import argparse
import base64
import binascii
import json
import re
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent

MAX_GENERATED = 16 << 20  # bytes a concat element may expand to (as for vectors)
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


def short(value, limit=80):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def schema_message(error):
    """The validator's message, or the errorMessage the failing subschema gives for it."""
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if isinstance(custom, dict):
        custom = custom.get(error.validator)
    if custom:
        return f"{custom}; got {short(error.instance)}"
    return error.message


# --- elements -------------------------------------------------------------------------------

def bytes_problem(element):
    """Why a {"hex"} or {"base64"} element's bytes are malformed, or None."""
    if "hex" in element and len(element["hex"].replace(" ", "")) % 2:
        return f"hex {element['hex']!r} has an odd number of digits"
    if "base64" in element:
        b64 = element["base64"]
        try:
            canonical = base64.b64encode(base64.b64decode(b64, validate=True)).decode() == b64
        except binascii.Error:
            canonical = False
        if not canonical:
            return f"base64 {b64!r} is not strict base64 (whole quads, padding only at the end, no stray bits)"
    return None


def element_problem(element):
    """Why an element (text, hex, base64 or concat) is malformed, or None."""
    if "concat" not in element:
        return bytes_problem(element)
    kinds, size = set(), 0
    for part in element["concat"]:
        why = bytes_problem(part)
        if why:
            return "concat: " + why
        kinds.add("text" in part)
        if "text" in part:
            length = len(part["text"].encode("utf-8"))
        elif "hex" in part:
            length = len(part["hex"].replace(" ", "")) // 2
        else:
            length = len(base64.b64decode(part["base64"]))
        size += length * part.get("times", 1)
    if len(kinds) > 1:
        return "concat: parts must be all text or all bytes"
    if size > MAX_GENERATED:
        return f"concat: expands to {size} bytes, more than {MAX_GENERATED}"
    return None


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


# --- the checker ----------------------------------------------------------------------------

class Checker:
    def __init__(self, schema_path):
        schema = json.loads(schema_path.read_text())
        Draft202012Validator.check_schema(schema)
        self.validator = Draft202012Validator(schema)
        self.problems = []
        self.warnings = []
        self.ids = {}  # id -> (file that first had it, its transports)
        self.files = 0
        self.scenarios = 0

    def problem(self, path, where, text):
        self.problems.append(f"{path}: {where}: {text}")

    def check_file(self, path):
        self.files += 1
        try:
            doc = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as e:
            self.problem(path, "file", f"not JSON: {e}")
            return
        if isinstance(doc, dict) and isinstance(doc.get("scenarios"), list):
            self.scenarios += len(doc["scenarios"])
        schema_errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
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
        for scenario in doc["scenarios"]:
            sid = scenario["id"]
            if not sid.startswith(prefix):
                self.problem(path, sid, f"id does not start with {prefix!r}")
            if sid in self.ids:
                self.problem(path, sid, f"duplicate id (first in {self.ids[sid][0]})")
            else:
                self.ids[sid] = (path, scenario["transports"])
            for flag in scenario.get("flags", []):
                used.add(flag)
                if flag not in notes:
                    self.problem(path, sid, f"flag {flag!r} is not a key of the file's notes")
            self.check_steps(path, scenario)
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

    def check_steps(self, path, scenario):
        """Elements, matchers, and the ${variables} each step uses against what earlier steps captured."""
        sid = scenario["id"]
        steps = scenario["steps"]
        every_capture = []  # all that the scenario captures, to tell "later" from "never"
        for step in steps:
            captures_of(step, every_capture)
        every_capture = [INDEX.sub("#", name) for name in every_capture]
        known = set(BUILTINS)
        for number, step in enumerate(steps, 1):
            verb = next(k for k in step if k in VERBS)
            where = f"step {number} ({verb})"
            for element in elements_of(step):
                why = element_problem(element)
                if why:
                    self.problem(path, sid, f"{where}: {why}")
            for text in strings_in(step):
                text = INDEX.sub("#", text)
                for name in VARIABLE.findall(text):
                    if name in known:
                        continue
                    if name in every_capture:
                        self.problem(path, sid, f"{where}: ${{{name}}} is used before a step captures it")
                    else:
                        self.problem(path, sid, f"{where}: unknown variable ${{{name}}} (built-ins: "
                                                f"{', '.join(sorted(BUILTINS))}; else captured by an earlier step)")
                if "${" in VARIABLE.sub("", text):
                    self.problem(path, sid, f"{where}: unterminated \"${{\" in {short(text)}")
            captured = []
            for why in captures_of(step, captured):
                self.problem(path, sid, f"{where}: {why}")
            captured = [INDEX.sub("#", name) for name in captured]
            for name in captured:
                if name in BUILTINS:
                    self.problem(path, sid, f"{where}: the capture {name!r} would hide the built-in ${{{name}}}")
            known.update(captured)

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
    parser.add_argument("--schema", type=Path, default=HERE / "live.schema.json")
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    parser.add_argument("--coverage", type=Path, help="a COVERAGE.md to check against the scenarios")
    args = parser.parse_args()

    checker = Checker(args.schema)
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
