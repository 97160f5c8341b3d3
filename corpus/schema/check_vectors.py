#!/usr/bin/env python3
"""Checks vector files: the JSON Schema (vector.schema.json) and what a schema cannot see.

    check_vectors.py [--quiet] FOLDER_OR_FILE...

A folder is a corpus root laid out as <root>/<layer>/<topic>.json (corpus/spec). Beyond the schema:
  - the folder of a file is its layer and the file name is its topic,
  - every id starts with "<layer>.<topic>." and no id appears twice in everything checked,
  - every flag of a test is a key of the file's notes, and every note is used by some test,
  - hex elements hold whole bytes, base64 elements and $binary values are whole quads,
  - a generated element ({"concat": [...]}) has parts all text or all bytes, at most 16 MiB in all,
  - every errc is a name of impl/include/sioconf/errc.def with the condition the test expects,
  - chunking only on byte-stream layers (ws, ndjson),
  - input that ends inside an item is expected "pending", never rejected as "truncated",
  - a follow-up (next) never after pending input, on a byte stream never after a rejection, and
    never at a level above the vector's,
  - the schema's limit keys are exactly the fields of impl/include/sioconf/limits.h,
  - with --coverage COVERAGE.md: every row of a checklist table names at least one vector, and
    every vector id it names exists (the tables after "## Out of reach" are exempt from the first).
Prints one line per problem ("<file>: <id>: <problem>") and exits 1 if there is any.
Needs python3-jsonschema (4.10 or later, for draft 2020-12).
"""
import argparse
import json
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the corpus for the shared module
from corpus_check import QUADS, element_problem, load_validator, schema_message

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BYTE_STREAM_LAYERS = {"ws", "ndjson"}


def errc_conditions():
    """name -> condition, from the one error list."""
    text = (REPO / "impl/include/sioconf/errc.def").read_text()
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^SIOCONF_ERRC\(\s*\d+,\s*(\w+),\s*(\w+),", text, re.M)}


def limit_fields():
    """The field names of struct Limits, in order."""
    text = (REPO / "impl/include/sioconf/limits.h").read_text()
    body = text[text.index("struct Limits {"):text.index("};", text.index("struct Limits {"))]
    return re.findall(r"^\s*std::uint\d+_t\s+(\w+)\s*=", body, re.M)


def binary_values(value):
    """Every {"$binary": ...} inside an item, however deep."""
    if isinstance(value, dict):
        if set(value) == {"$binary"}:
            yield value["$binary"]
        else:
            for v in value.values():
                yield from binary_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from binary_values(v)


class Checker:
    def __init__(self, schema_path):
        self.validator, self.schema = load_validator(schema_path)
        self.errc = errc_conditions()
        self.problems = []
        self.ids = {}  # id -> file that first had it
        self.files = 0
        self.tests = 0

    def problem(self, path, where, text):
        self.problems.append(f"{path}: {where}: {text}")

    def check_limit_keys(self):
        in_schema = list(self.schema["$defs"]["limits"]["properties"])
        in_header = limit_fields()
        if in_schema != in_header:
            self.problem("vector.schema.json", "limits",
                         f"limit keys {in_schema} differ from limits.h fields {in_header}")

    def check_file(self, path):
        self.files += 1
        try:
            doc = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as e:
            self.problem(path, "file", f"not JSON: {e}")
            return
        if isinstance(doc, dict) and isinstance(doc.get("tests"), list):
            self.tests += len(doc["tests"])
        schema_errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in schema_errors:
            where = "/".join(str(p) for p in e.absolute_path) or "file"
            self.problem(path, where, f"schema: {schema_message(e)}")
        if schema_errors or not isinstance(doc, dict):
            return  # the cross-checks below assume the shape the schema promises

        layer, topic = doc["layer"], doc["topic"]
        if path.stem != topic:
            self.problem(path, "file", f"file name {path.name!r} is not the topic {topic!r} + .json")
        if path.parent.name != layer:
            self.problem(path, "file", f"folder {path.parent.name!r} is not the layer {layer!r}")

        notes = doc.get("notes", {})
        used = set()
        prefix = f"{layer}.{topic}."
        for test in doc["tests"]:
            tid = test["id"]
            if not tid.startswith(prefix):
                self.problem(path, tid, f"id does not start with {prefix!r}")
            if tid in self.ids:
                self.problem(path, tid, f"duplicate id (first in {self.ids[tid]})")
            else:
                self.ids[tid] = path
            for flag in test.get("flags", []):
                used.add(flag)
                if flag not in notes:
                    self.problem(path, tid, f"flag {flag!r} is not a key of the file's notes")
            elements = test.get("input", []) + test["expect"].get("output", [])
            for observed in test.get("observed", {}).values():
                elements += observed.get("output", [])
            for element in elements:
                why = element_problem(element, QUADS)
                if why:
                    self.problem(path, tid, why)
            for b64 in binary_values([test.get("items"), test["expect"], test.get("observed")]):
                if len(b64) % 4:
                    self.problem(path, tid, f"$binary {b64!r} is not a whole number of quads")
            expect = test["expect"]
            if "errc" in expect:
                condition = self.errc.get(expect["errc"])
                if condition is None:
                    self.problem(path, tid, f"errc {expect['errc']!r} is not in errc.def")
                elif condition != expect["reject"]:
                    self.problem(path, tid, f"errc {expect['errc']!r} has condition {condition!r} in "
                                            f"errc.def, the test expects {expect['reject']!r}")
            if expect.get("errc") == "truncated":
                self.problem(path, tid, 'input that ends inside an item is not a rejection: expect {"pending": true, '
                                        '"items": [...]}')
            if "next" in test:
                self.check_follow_up(path, tid, test, layer)
            if "chunking" in test and layer not in BYTE_STREAM_LAYERS:
                self.problem(path, tid, f"chunking applies to byte-stream layers only, not {layer!r}")
        for flag in sorted(set(notes) - used):
            self.problem(path, "notes", f"note {flag!r} is used by no test")

    def check_follow_up(self, path, tid, test, layer):
        """A follow-up goes on where the input left the decoder: never after input that ends inside
        an item, on a byte stream only after input the decoder accepts (a rejection ends a
        stream), and at no higher level than the vector's."""
        expect, next_ = test["expect"], test["next"]
        if expect.get("pending"):
            self.problem(path, tid, "a follow-up after input that ends inside an item cannot decode normally")
        if layer in BYTE_STREAM_LAYERS and "reject" in expect:
            self.problem(path, tid, "on a byte stream a rejection ends the stream: no follow-up after it")
        order = ["may", "should", "must"]
        if order.index(next_.get("level", test["level"])) > order.index(test["level"]):
            self.problem(path, tid, f"the follow-up's level {next_['level']!r} is above the vector's {test['level']!r}")
        for element in next_["input"]:
            why = element_problem(element, QUADS)
            if why:
                self.problem(path, tid, "next: " + why)

    def check_path(self, path):
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if not files:
            self.problem(path, "folder", "holds no vector file")
        for f in files:
            self.check_file(f)


ID_TOKEN = re.compile(r"`((?:sio|eio|eio-payload|ws|ndjson)\.[^`\s]+)`")


def check_coverage(checker, path):
    """Rows of the checklist tables must name vectors that exist."""
    checklist = True
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("## "):
            checklist = not line.startswith("## Out of reach")
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        ids = ID_TOKEN.findall(line)
        for tid in ids:
            if tid not in checker.ids:
                checker.problem(path, f"line {number}", f"{tid!r} is no vector id")
        header = cells[-1] in ("vectors", "why no vector")
        if checklist and not header and not ids:
            checker.problem(path, f"line {number}", f"checklist row names no vector: {cells[0]} / {cells[1]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--schema", type=Path, default=HERE / "vector.schema.json")
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    parser.add_argument("--coverage", type=Path, help="a COVERAGE.md to check against the vectors")
    args = parser.parse_args()

    checker = Checker(args.schema)
    checker.check_limit_keys()
    for path in args.paths:
        checker.check_path(path)
    if args.coverage:
        check_coverage(checker, args.coverage)
    for line in checker.problems:
        print(line)
    if not args.quiet or checker.problems:
        print(f"check_vectors: {checker.files} files, {checker.tests} vectors, "
              f"{len(checker.problems)} problems")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
