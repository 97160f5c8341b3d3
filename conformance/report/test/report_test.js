#!/usr/bin/env node
// Tests of the HTML report template (conformance/report/report.html).
//
//   node report_test.js logic           the page's rules (script "report-logic") with no DOM
//   node report_test.js dom OUT_HTML    the rendered samples in jsdom (Debian's node-jsdom; run with
//                                       NODE_PATH holding its folder, as report_test.sh does);
//                                       writes the rendered sample to OUT_HTML and the live one
//                                       beside it (OUT-live.html); exits 77 (skipped) when jsdom
//                                       is missing
//   node report_test.js page HTML       any report page (one `sioconf vectors --html` or `sioconf
//                                       live --html` wrote): it loads, has one row per case, and
//                                       every case's detail opens (a live one with its steps and
//                                       wire tables)
//
// Expected values come from the raw sample JSONs (sample-report.json: vectors; sample-live-report.json:
// live), computed here independently of the page's code.
"use strict";
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const here = __dirname;
const templatePath = path.join(here, "..", "report.html");
const samplePath = path.join(here, "..", "sample-report.json");
const { renderReport, embeddableJson, MARKER } = require(path.join(here, "..", "render.js"));
const template = fs.readFileSync(templatePath, "utf8");
const sample = JSON.parse(fs.readFileSync(samplePath, "utf8"));
// A `sioconf live` report (corpus/live/README.md): 2 servers, a few scenarios, one failing on purpose
// with markup echoed by the servers (HOSTILE_CASE).
const liveSamplePath = path.join(here, "..", "sample-live-report.json");
const liveSample = JSON.parse(fs.readFileSync(liveSamplePath, "utf8"));
const HOSTILE_CASE = "sio.echo.markup@websocket";

// ---- a tiny harness: every check runs, failures are listed at the end ----

const failures = [];
let checks = 0;
async function check(name, body) {
  checks++;
  try {
    await body();
    console.log("ok   " + name);
  } catch (e) {
    failures.push(name);
    console.log("FAIL " + name + "\n     " + String(e && e.stack || e).split("\n").slice(0, 6).join("\n     "));
  }
}
function finish() {
  console.log("\n" + (checks - failures.length) + " of " + checks + " checks passed");
  if (failures.length) {
    console.log("failed: " + failures.join("; "));
    process.exit(1);
  }
}

// Deep equality by value: the logic runs in its own realm, whose arrays fail deepStrictEqual's
// prototype check against ours.
const plain = (x) => (x === undefined ? x : JSON.parse(JSON.stringify(x)));
function same(actual, expected, message) {
  assert.deepStrictEqual(plain(actual), plain(expected), message);
}

// The matrix shows cases grouped by layer and topic, not in report order: compare as sets.
function sameSet(actual, expected, message) {
  same([...actual].sort(), [...expected].sort(), message);
}

// ---- independent expectations from the raw sample ----

const sampleIds = sample.cases.map((c) => c.id);
const idsWhere = (pred) => sample.cases.filter(pred).map((c) => c.id);
const liveSampleIdsWhere = (pred) => liveSample.cases.filter(pred).map((c) => c.id);
// The documented disagreement rule, written again from its description: results that are present
// and not UNSUPPORTED; their verdicts differ, or two INFO results differ in accept/reject.
function sampleDiffers(c) {
  const kinds = new Set();
  for (const r of Object.values(c.results || {})) {
    if (!r || r.verdict === "UNSUPPORTED") continue;
    let kind = r.verdict;
    if (kind === "INFO") {
      const a = r.answer;
      kind += !a || typeof a !== "object" ? ":none"
            : (a.ok === false && a.error === "truncated") || (a.ok !== false && a.pending === true) ? ":pending"
            : a.ok === false ? ":reject:" + a.condition : ":accept";
    }
    kinds.add(kind);
  }
  return kinds.size > 1;
}
const HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "<!--<script>", "<b>adapter</b>", "<svg onload=alert(3)>"];

function scriptText(id) {
  const m = new RegExp('<script id="' + id + '">([\\s\\S]*?)</script>').exec(template);
  if (!m) throw new Error("no script " + id + " in the template");
  return m[1];
}
function loadLogic() {
  // The logic script alone, in a fresh context with only what a browser also has.
  const context = vm.createContext({ URLSearchParams });
  return vm.runInContext(scriptText("report-logic") + "\nReportLogic;", context, { filename: "report-logic" });
}

// A large synthetic report: `n` cases over 5 layers x 10 topics, three implementations.
function syntheticReport(n) {
  const layers = ["sio", "eio", "eio-payload", "ws", "ndjson"];
  const verdicts = ["PASS", "PASS", "PASS", "FAIL", "NON-STRICT", "INFO", "UNSUPPORTED", "ERROR"];
  const cases = [];
  for (let i = 0; i < n; i++) {
    const layer = layers[i % 5];
    const topic = "topic" + (Math.floor(i / 5) % 10);
    const results = {};
    ["a", "b", "c"].forEach((k, j) => {
      if ((i + j) % 97 === 0) return;  // some not run
      results[k] = { verdict: verdicts[(i * (j + 1)) % verdicts.length], known: (i + j) % 53 === 0, answer: { ok: true, items: [] }, why: "" };
    });
    cases.push({ id: layer + "." + topic + ".case-" + i, layer, topic, title: "synthetic case " + i, level: ["must", "should", "may"][i % 3],
      basis: "sioconf:test", flags: i % 11 ? [] : ["cve-2020-36049"], input: [{ text: "2[\"x\"," + i + "]" }], expect: { items: [] }, results });
  }
  return { schema: "sioconf-report-v1", generated: "2026-11-30T00:00:00Z", sioconf_version: "0.1.0", options: {},
    implementations: ["a", "b", "c"].map((k) => ({ key: k, name: k, command: k + " adapter" })), cases, baseline_now_passing: [] };
}

// ---- the template itself and the pure logic ----

async function logicTests() {
  await check("template: the data marker occurs exactly once", () => {
    assert.strictEqual(template.split(MARKER).length, 2);
  });
  await check("template: no NUL byte (the build embeds it as a NUL-terminated char array, cmake/embed_file.cmake)", () => {
    assert.ok(!template.includes("\0"), "a NUL byte would end the embedded page early");
  });
  await check("template: no HTML parsing of data (innerHTML, outerHTML, insertAdjacentHTML, document.write, eval, Function)", () => {
    for (const bad of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc", "DOMParser"])
      assert.ok(!template.includes(bad), "the template uses " + bad);
  });
  await check("template: no external resources (src/href attributes, @import, url(), <link>) and a CSP that forbids them", () => {
    const markup = template.replace(/<script[\s\S]*?<\/script>/g, "");
    assert.ok(!/\s(src|href)\s*=/.test(markup), "an src/href attribute in the markup");
    assert.ok(!/@import|url\(|<link\b/i.test(template), "@import, url() or <link>");
    assert.ok(template.includes("default-src 'none'"), "the Content-Security-Policy meta is gone");
  });
  await check("render: the embedded JSON holds no '<' and reads back equal", () => {
    const json = embeddableJson(sample);
    assert.ok(!json.includes("<"));
    same(JSON.parse(json), sample);
    assert.throws(() => renderReport(template + MARKER, sample), /exactly once/);
  });

  const L = loadLogic();
  const report = L.normalizeReport(sample);
  const ids = (indices) => indices.map((i) => report.cases[i].id);
  const shown = (filter) => ids(L.filterCases(report, Object.assign(L.defaultFilter(), filter)));

  await check("logic: one case per sample case, one cell per implementation", () => {
    same(report.cases.map((c) => c.id), sampleIds);
    same(report.implementations.map((i) => i.key), ["sioconf", "node", "python"]);
    for (const c of report.cases) assert.strictEqual(c.cells.length, 3);
    assert.strictEqual(shown({}).length, sampleIds.length);
  });
  await check("logic: cells, labels and classes (known, missing, unknown verdict)", () => {
    assert.strictEqual(L.cellLabel(L.cellOf({ verdict: "FAIL", known: true })), "FAIL (known)");
    assert.strictEqual(L.cellClass(L.cellOf({ verdict: "FAIL", known: true })), "v-known");
    assert.strictEqual(L.cellLabel(L.cellOf(undefined)), "—");
    assert.strictEqual(L.cellClass(null), "v-missing");
    assert.strictEqual(L.cellClass(L.cellOf({ verdict: "NON-STRICT" })), "v-non-strict");
    assert.strictEqual(L.cellClass(L.cellOf({ verdict: "TIMEOUT" })), "v-other");
    const missing = report.cases.find((c) => c.id === "eio.limits.binary-over-limit");
    assert.strictEqual(missing.cells[2], null);
  });
  await check("logic: verdict filter per implementation (node is FAIL, known ones included unless hidden)", () => {
    const nodeFail = idsWhere((c) => c.results.node && c.results.node.verdict === "FAIL");
    assert.ok(nodeFail.length >= 3, "the sample should have node FAILs, known and not");
    same(shown({ verdicts: { node: "FAIL" } }), nodeFail);
    same(shown({ verdicts: { node: "FAIL" }, hideKnown: true }),
      idsWhere((c) => c.results.node && c.results.node.verdict === "FAIL" && !c.results.node.known));
    same(shown({ verdicts: { node: "KNOWN" } }), idsWhere((c) => c.results.node && c.results.node.known));
    same(shown({ verdicts: { python: "MISSING" } }), idsWhere((c) => !c.results.python));
    same(shown({ verdicts: { python: "!PASS" } }),
      idsWhere((c) => c.results.python && c.results.python.verdict !== "PASS"));
    same(shown({ verdicts: { python: "ERROR", node: "PASS" } }),
      idsWhere((c) => c.results.python && c.results.python.verdict === "ERROR" && c.results.node.verdict === "PASS"));
  });
  await check("logic: only disagreements", () => {
    const expected = idsWhere(sampleDiffers);
    same(shown({ differ: true }), expected);
    assert.ok(expected.includes("sio.event.object-name"));
    assert.ok(!expected.includes("sio.binary.spec-one"), "all PASS is no disagreement");
    assert.ok(!expected.includes("ws.frames.rfc-single-frame-masked"), "UNSUPPORTED is left out");
    assert.ok(!expected.includes("eio.limits.binary-over-limit"), "a missing result is left out");
    // may-level: every behaviour is INFO; accept vs reject is still a disagreement.
    const info = (ok) => ({ verdict: "INFO", answer: ok ? { ok: true, items: [] } : { ok: false, condition: "protocol" } });
    const twoInfo = (x, y) => L.normalizeReport({ implementations: [{ key: "x" }, { key: "y" }],
      cases: [{ id: "a.b.c", results: { x: info(x), y: info(y) } }] }).cases[0].differs;
    assert.strictEqual(twoInfo(true, false), true);
    assert.strictEqual(twoInfo(true, true), false);
    // Waiting for more is a behaviour of its own, said as "pending" or as the error "truncated".
    const answers = (x, y) => L.normalizeReport({ implementations: [{ key: "x" }, { key: "y" }],
      cases: [{ id: "a.b.c", results: { x: { verdict: "INFO", answer: x }, y: { verdict: "INFO", answer: y } } }] }).cases[0].differs;
    const pending = { ok: true, items: [], pending: true };
    const truncated = { ok: false, error: "truncated", condition: "protocol", items: [] };
    assert.strictEqual(answers(pending, { ok: true, items: [] }), true);
    assert.strictEqual(answers(pending, truncated), false);
    assert.strictEqual(answers(truncated, { ok: false, error: "x", condition: "protocol" }), true);
  });
  await check("logic: hide known failures keeps cases that also have a new failure", () => {
    const r = L.normalizeReport({ implementations: [{ key: "x" }, { key: "y" }], cases: [
      { id: "a.b.only-known", results: { x: { verdict: "FAIL", known: true }, y: { verdict: "PASS" } } },
      { id: "a.b.known-and-new", results: { x: { verdict: "FAIL", known: true }, y: { verdict: "ERROR" } } },
      { id: "a.b.clean", results: { x: { verdict: "PASS" }, y: { verdict: "PASS" } } }] });
    const out = L.filterCases(r, Object.assign(L.defaultFilter(), { hideKnown: true })).map((i) => r.cases[i].id);
    same(out, ["a.b.known-and-new", "a.b.clean"]);
    // ... and x's known FAIL there no longer matches "x is FAIL"
    const xFails = (hideKnown) => L.filterCases(r, Object.assign(L.defaultFilter(), { hideKnown, verdicts: { x: "FAIL" } })).map((i) => r.cases[i].id);
    same(xFails(false), ["a.b.only-known", "a.b.known-and-new"]);
    same(xFails(true), []);
  });
  await check("logic: text filter over id, title, basis and flags (all words, any case)", () => {
    const has = (c, word) => [c.id, c.title, c.basis, (c.flags || []).join(" ")].join("\n").toLowerCase().includes(word);
    same(shown({ text: "CVE-2022" }), idsWhere((c) => has(c, "cve-2022")));
    same(shown({ text: "rfc:6455" }), idsWhere((c) => has(c, "rfc:6455")));
    same(shown({ text: "  sio   limits " }), idsWhere((c) => has(c, "sio") && has(c, "limits")));
    same(shown({ text: "attachment" }), idsWhere((c) => has(c, "attachment")));
    same(shown({ text: "no-such-thing-anywhere" }), []);
  });
  await check("logic: level and layer filters combine with the others", () => {
    same(shown({ levels: ["must"] }), idsWhere((c) => c.level === "must"));
    same(shown({ levels: [] }), []);
    same(shown({ layers: ["ws", "ndjson"], levels: ["should", "may"] }),
      idsWhere((c) => ["ws", "ndjson"].includes(c.layer) && c.level !== "must"));
    same(shown({ layers: ["sio"], verdicts: { node: "!PASS" }, text: "event" }),
      idsWhere((c) => c.layer === "sio" && c.results.node.verdict !== "PASS" &&
        [c.id, c.title, c.basis, c.flags.join(" ")].join(" ").toLowerCase().includes("event")));
  });
  await check("logic: the URL hash round-trips every filter", () => {
    assert.strictEqual(L.formatHash(L.defaultFilter()), "");
    same(L.parseHash(""), L.defaultFilter());
    const states = [
      { text: "a&b=c #x %20 ü+", levels: ["must", "may"], layers: null, verdicts: { node: "FAIL", "py sio&x=#1": "!PASS" },
        differ: true, hideKnown: false, selected: "sio.event.object-name" },
      { text: "", levels: [], layers: ["eio-payload"], verdicts: {}, differ: false, hideKnown: true, selected: "" },
      { text: "</script>", levels: null, layers: ["ws", "sio"], verdicts: { python: "MISSING", sioconf: "KNOWN" },
        differ: false, hideKnown: false, selected: "" },
    ];
    for (const s of states) {
      const hash = L.formatHash(s);
      assert.ok(!/[ #<>"]/.test(hash), "unescaped character in " + hash);
      same(L.parseHash("#" + hash), s);
    }
    same(L.parseHash("#v.node=<img>&level=must").verdicts, {}, "an unknown verdict value is dropped");
  });
  await check("logic: grouped lines: layer then topic, counts over shown cases, collapsed groups", () => {
    const all = L.filterCases(report, L.defaultFilter());
    const lines = L.buildLines(report, all, new Set());
    same(lines.filter((l) => l.kind === "case").map((l) => report.cases[l.index].id).sort(), [...sampleIds].sort());
    const layers = lines.filter((l) => l.kind === "group" && l.level === 1).map((l) => l.key);
    same(layers, [...new Set(sample.cases.map((c) => c.layer))]);
    for (const g of lines.filter((l) => l.kind === "group" && l.level === 1))
      assert.strictEqual(g.count, sample.cases.filter((c) => c.layer === g.key).length);
    const sio = lines.find((l) => l.key === "sio");
    const nodeIndex = 1;
    assert.strictEqual(sio.tallies[nodeIndex].KNOWN, idsWhere((c) => c.layer === "sio" && c.results.node.known).length);
    assert.strictEqual(sio.differ, idsWhere((c) => c.layer === "sio" && sampleDiffers(c)).length);
    const folded = L.buildLines(report, all, new Set(["sio", "ws/frames"]));
    assert.ok(folded.some((l) => l.key === "sio" && l.collapsed));
    assert.ok(!folded.some((l) => l.kind === "case" && report.cases[l.index].layer === "sio"));
    assert.ok(!folded.some((l) => l.kind === "case" && report.cases[l.index].topic === "frames" && report.cases[l.index].layer === "ws"));
    const fewer = L.buildLines(report, L.filterCases(report, Object.assign(L.defaultFilter(), { layers: ["ndjson"] })), new Set());
    assert.strictEqual(fewer[0].key, "ndjson", "groups with no shown case are left out");
  });
  await check("logic: summary line", () => {
    const line = L.summaryLine(report);
    const c = (k, v) => sample.implementations.find((i) => i.key === k).counts[v];
    assert.ok(line.startsWith(sampleIds.length + " cases · implementations: sioconf " + c("sioconf", "PASS") + " passed 0 failed"), line);
    assert.ok(line.includes(" · node " + c("node", "PASS") + " passed " + c("node", "FAIL") + " failed ("), line);
    assert.ok(line.includes(c("node", "KNOWN") + " known"), line);
    // without runner counts the page counts as the runner does: known results under their verdict too
    const counted = L.normalizeReport({ implementations: [{ key: "x" }], cases: [
      { id: "a", results: { x: { verdict: "PASS" } } }, { id: "b", results: { x: { verdict: "FAIL", known: true } } },
      { id: "c", results: { x: { verdict: "INFO" } } }] });
    assert.strictEqual(L.summaryLine(counted), "3 cases · implementations: x 1 passed 1 failed (1 info; 1 known)");
  });
  await check("logic: text escaping shows controls, backslashes, invisible and lone surrogates", () => {
    assert.strictEqual(L.escapeText("a\u0000b\u001b[31m\\n\u007f"), "a\\x00b\\x1b[31m\\\\n\\x7f");
    assert.strictEqual(L.escapeText("x\ny"), "x\\x0a\ny");
    assert.strictEqual(L.escapeText("x\ny", true), "x\ny");
    assert.strictEqual(L.escapeText("\ud800!\u202e\ufeff\u0085é😀\ufffd"), "\\u{D800}!\\u{202E}\\u{FEFF}\\u{0085}é😀\\u{FFFD}");
    assert.strictEqual(L.escapeText(HOSTILE[0]), HOSTILE[0], "markup is text, left as it is");
  });
  await check("logic: bytes shown as UTF-8 with every invalid byte as \\xNN", () => {
    const bytes = Uint8Array.from([0x48, 0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82, 0xac, 0xf4, 0x90, 0x80, 0x80, 0x0a, 0x00, 0xe2, 0x82]);
    assert.strictEqual(L.escapeBytes(bytes), "H\\xff\\xc0\\xaf\\xed\\xa0\\x80€\\xf4\\x90\\x80\\x80\\x0a\n\\x00\\xe2\\x82");
    assert.strictEqual(L.escapeBytes(Uint8Array.from([0xf0, 0x9f, 0x98, 0x80, 0xc2, 0x85])), "😀\\u{0085}");
  });
  await check("logic: base64 and hex decoding, hex dump", () => {
    same(Array.from(L.decodeBase64("AQIDBA==")), [1, 2, 3, 4]);
    same(Array.from(L.decodeBase64("AQI")), [1, 2]);
    same(Array.from(L.decodeBase64("")), []);
    assert.strictEqual(L.decodeBase64("A@=="), null);
    same(Array.from(L.decodeHex("81 05 4865")), [0x81, 5, 0x48, 0x65]);
    assert.strictEqual(L.decodeHex("8"), null);
    assert.strictEqual(L.hexDump(Uint8Array.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])),
      "00000000  " + "81 05 48 65 6c 6c 6f".padEnd(16 * 3 - 1) + "  |..Hello|");
    const v = L.elementView({ base64: "gQVIZWxsbw==" }, 4);
    same([v.length, v.truncated, v.shown], [7, true, "\\x81\\x05He"]);
    assert.strictEqual(L.elementView({ text: "x".repeat(10) }, 0).truncated, false);
    assert.strictEqual(L.elementView({ base64: "%%" }, 10).kind, "invalid base64");
    // A generated element is shown as its recipe, with the length it expands to.
    const g = L.elementView({ concat: [{ text: "5" }, { text: "1", times: 1000000 }, { text: "[]" }] }, 4096);
    same([g.kind, g.length, g.shown], ["generated text", 1000003, '"5" + "1" × 1000000 + "[]"']);
    const b = L.elementView({ concat: [{ hex: "01 00" }, { hex: "00 00", times: 3 }] }, 4096);
    same([b.kind, b.length, b.shown], ["generated bytes", 8, "\\x01\\x00 + \\x00\\x00 × 3"]);
  });
  await check("logic: JSON of any depth: compact JSON equals JSON.stringify, and takes 100,000 levels", () => {
    for (const c of sample.cases) same(L.compactJson(c), JSON.stringify(c));
    assert.strictEqual(L.compactJson({ a: [1, undefined, "x\u2028"], b: undefined, c: {} }), JSON.stringify({ a: [1, undefined, "x\u2028"], b: undefined, c: {} }));
    const deep = JSON.parse("[".repeat(100000) + "]".repeat(100000));
    const shown = L.prettyJson(deep);
    assert.ok(shown.startsWith("(too deeply nested to indent; compact:)\n[[[["), shown.slice(0, 60));
    assert.strictEqual(shown.length, "(too deeply nested to indent; compact:)\n".length + 200000);
  });
  await check("logic: pretty JSON escapes invisible code points; CVE links only from CVE ids", () => {
    assert.strictEqual(L.prettyJson({ a: "\u202e\ufffd" }), '{\n  "a": "\\u202e\\ufffd"\n}');
    assert.strictEqual(L.prettyJson(undefined), "(absent)");
    assert.strictEqual(L.cveLink("cve-2023-32695"), "https://www.cve.org/CVERecord?id=CVE-2023-32695");
    assert.strictEqual(L.cveLink("cve-2023-1\"><x"), null);
    assert.strictEqual(L.cveLink("deep-nesting"), null);
  });
  await check("logic: defensive about missing and odd fields", () => {
    assert.throws(() => L.normalizeReport(null));
    const r = L.normalizeReport({ cases: [{}, { id: 5, results: { a: "x" }, flags: "no" }, null], implementations: [{}, { key: "k" }, { key: "k" }] });
    same(r.implementations.map((i) => i.key), ["impl1", "k", "k'"]);
    assert.strictEqual(r.cases.length, 2);
    same(r.cases[1].flags, []);
    assert.ok(r.warnings.length === 1, "a schema warning");
    assert.ok(L.normalizeReport({ schema: "sioconf-report-v1", corpus_errors: ["sio/x.json: duplicate id"] })
      .warnings[0].includes("duplicate id"), "corpus errors are shown");
    L.buildLines(r, L.filterCases(r, L.defaultFilter()), new Set());
  });
  await check("logic: 5,000 cases x 3 implementations (timings printed)", () => {
    const big = syntheticReport(5000);
    const t0 = Date.now();
    const r = L.normalizeReport(big);
    const t1 = Date.now();
    const shownBig = L.filterCases(r, Object.assign(L.defaultFilter(), { text: "case-1", verdicts: { a: "!PASS" }, differ: true }));
    const lines = L.buildLines(r, L.filterCases(r, L.defaultFilter()), new Set());
    const t2 = Date.now();
    console.log("     normalize " + (t1 - t0) + " ms, filter + group " + (t2 - t1) + " ms");
    assert.strictEqual(lines.filter((l) => l.kind === "case").length, 5000);
    assert.ok(shownBig.length > 0);
  });
  await liveLogicTests(L);
}

// ---- live reports (`sioconf live`), from the live sample ----

async function liveLogicTests(L) {
  const live = L.normalizeReport(liveSample);
  await check("live logic: \"command\" chooses the kind (absent: vectors) and the page's title", () => {
    assert.strictEqual(liveSample.command, "live");
    assert.strictEqual(sample.command, undefined, "the vector sample is an older report, without command");
    same([live.command, live.live], ["live", true]);
    const vectors = L.normalizeReport(sample);
    same([vectors.command, vectors.live], ["vectors", false]);
    assert.strictEqual(L.normalizeReport({ command: "vectors" }).live, false);
    assert.strictEqual(L.normalizeReport({ command: "LIVE" }).live, false, "only the runner's exact word");
    assert.strictEqual(L.pageTitle(live), "sioconf live report");
    assert.strictEqual(L.pageTitle(vectors), "sioconf conformance report");
  });
  await check("live logic: the live sample: one case per scenario x transport, layers are areas, op the transport", () => {
    same(live.cases.map((c) => c.id), liveSample.cases.map((c) => c.id));
    same(live.implementations.map((i) => i.key), ["ref", "node"]);
    same(live.layers, [...new Set(liveSample.cases.map((c) => c.layer))]);
    for (const c of live.cases) assert.strictEqual(c.op, c.id.split("@")[1]);
    same(L.filterCases(live, Object.assign(L.defaultFilter(), { differ: true })).map((i) => live.cases[i].id),
      liveSampleIdsWhere(sampleDiffers));
    const failing = liveSampleIdsWhere((c) => Object.values(c.results).some((r) => r.verdict === "FAIL"));
    assert.ok(failing.includes(HOSTILE_CASE), "the sample's failing case");
  });
  await check("live logic: steps read one per line: client, verb, each packet apart, modifiers", () => {
    const v = (step) => plain(L.stepView(step, 4));
    same(v({ open: {} }), { number: 5, on: "main", verb: "open", args: [], modifiers: [] });
    same(v({ send: ["40", { hex: "01 02" }], on: "ws" }), { number: 5, on: "ws", verb: "send", modifiers: [],
      args: [{ text: "40", kind: "text", length: 2, truncated: false }, { text: '{"hex":"01 02"}', kind: "json", length: 15, truncated: false }] });
    const e = v({ expect: [{ text: "40", json: { sid: "$string" } }, "42[\"auth\",{}]"], within: "1 pi", any_order: true });
    same(e.args.map((a) => a.text), ['{"text":"40","json":{"sid":"$string"}}', '42["auth",{}]']);
    same(e.modifiers, ["within 1 pi", "in any order"]);
    same(v({ wait: "1.5 pi" }).args.map((a) => a.text), ["1.5 pi"]);
    same(v({ send: ["4x"], repeat: 3, status: 413 }).modifiers, ["repeat 3", "status 413"]);
    // the scenario's strings are shown as the vectors' inputs are: controls as \xNN, backslashes doubled
    same(v({ write: "GET / HTTP/1.1\r\n\\" }).args[0].text, "GET / HTTP/1.1\\x0d\\x0a\\\\");
    same(v({ on: "b\u202e", expect_end: {} }).on, "b\\u{202E}");
    const long = v({ send: ["x".repeat(5000)] }).args[0];
    same([long.length, long.truncated, long.text.length], [5000, true, 601]);
    same(v("not a step"), { number: 5, on: "", verb: "?", args: [{ text: "not a step", kind: "text", length: 10, truncated: false }], modifiers: [] });
    same(v(null).args, [{ text: "null", kind: "json", length: 4, truncated: false }]);
    for (const c of liveSample.cases) c.steps.forEach((s, i) => assert.ok(L.stepView(s, i).verb !== "?", c.id + " step " + (i + 1)));
  });
  await check("live logic: the step a reason names", () => {
    assert.strictEqual(L.failedStep("step 5 (expect): expected 42, received 43"), 5);
    assert.strictEqual(L.failedStep("a fresh client was not served"), 0);
    assert.strictEqual(L.failedStep(undefined), 0);
  });
  await check("live logic: wire rows: directions, the last line, text as the runner wrote it", () => {
    const rows = L.wireView([
      { t: 0, on: "main", dir: ">", what: "GET EIO=4&transport=polling" },
      { t: 1, on: "main", dir: "<", what: "200 OK || 40{\"sid\":\"x\"}\\x1e42[\"auth\",{}]" },
      { t: 2, on: "main.ws", dir: "*", what: "connected" },
      { t: 3, on: "", dir: "?", what: "odd\u0000\u202e" },
      "not an entry",
      { t: "7", on: HOSTILE[0], dir: "<", what: HOSTILE[1] }]);
    same(rows.map((r) => [r.kind, r.arrow, r.last]), [["out", "→", false], ["in", "←", false], ["event", "•", false],
      ["other", "?", false], ["other", "?", false], ["in", "←", true]]);
    same(rows[1].text, "200 OK || 40{\"sid\":\"x\"}\\x1e42[\"auth\",{}]", "the runner's \\xNN escapes are not escaped again");
    same(rows[3].text, "odd\\x00\\u{202E}", "controls and invisible code points left in a hand-made report are escaped");
    same(rows[4].text, '"not an entry"');
    same([rows[5].t, rows[5].on, rows[5].text], ["7", HOSTILE[0], HOSTILE[1]], "markup is text, left as it is");
    assert.strictEqual(L.wireView({ $truncated: "[{\"t\":0" }), null, "a log the runner cut is not a list");
    same(L.wireView([]), []);
    for (const c of liveSample.cases)
      for (const r of Object.values(c.results)) same(L.wireView(r.wire).map((w) => w.text), r.wire.map((w) => w.what), c.id);
    assert.strictEqual(L.visibleText("a\\b\nc", true), "a\\b\nc");
    assert.strictEqual(L.visibleText("a\nc"), "a\\x0a\nc");
  });
}

// ---- the rendered page in jsdom ----

function findJsdom() {
  try {
    return require("jsdom");
  } catch (e) {
    return null;
  }
}

async function domTests(outPath) {
  const jsdom = findJsdom();
  if (!jsdom) {
    console.log("SKIP: jsdom is not installed (Debian package node-jsdom; ci/setup installs it; run through report_test.sh)");
    process.exit(77);
  }
  const { JSDOM, VirtualConsole } = jsdom;
  const html = renderReport(template, sample);
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, html);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Opens a page; script errors are collected and fail the check that looks at them. jsdom has no
  // layout, so the matrix's viewport is given: `viewport` pixels high (by default tall enough to
  // draw the whole sample at once).
  function open(text, hash, viewport = 20000) {
    const errors = [];
    const virtualConsole = new VirtualConsole();
    virtualConsole.on("jsdomError", (e) => errors.push(String(e && (e.detail || e.message) || e)));
    const beforeParse = (window) => {
      Object.defineProperty(window.HTMLElement.prototype, "clientHeight", {
        configurable: true, get() { return this.id === "matrix-scroll" ? viewport : 0; } });
    };
    const dom = new JSDOM(text, { runScripts: "dangerously", pretendToBeVisual: true,
      url: "file:///report/report-sample.html" + (hash || ""), virtualConsole, beforeParse });
    const w = dom.window;
    const d = w.document;
    return {
      dom, w, d, errors,
      rows: () => [...d.querySelectorAll("#matrix-window [data-case-id]")].map((r) => r.dataset.caseId),
      select: (implKey, value) => {
        const s = d.querySelector('select[data-impl="' + implKey + '"]');
        s.value = value;
        s.dispatchEvent(new w.Event("change", { bubbles: true }));
      },
      tick: (id) => {
        const box = d.getElementById(id);
        box.checked = !box.checked;
        box.dispatchEvent(new w.Event("change", { bubbles: true }));
      },
      key: (target, key) => target.dispatchEvent(new w.KeyboardEvent("keydown", { key, bubbles: true })),
      hash: () => w.location.hash,
    };
  }

  await check("dom: the sample page loads without script errors and says what it holds", () => {
    const p = open(html);
    same(p.errors, []);
    assert.strictEqual(p.d.scripts.length, 3);
    const summary = p.d.getElementById("summary").textContent;
    assert.ok(summary.startsWith(sampleIds.length + " cases · implementations: sioconf "), summary);
    assert.strictEqual(p.d.getElementById("shown").textContent, "Showing all " + sampleIds.length +
      " cases · the implementations disagree on " + idsWhere(sampleDiffers).length + " of them (marked ≠).");
    assert.strictEqual(p.d.querySelectorAll("#impls tbody tr").length, sample.implementations.length);
    assert.ok(p.d.getElementById("impls").textContent.includes("known 2"), "counts per verdict with labels");
  });
  await check("dom: the matrix has one row per case (scrolling the virtual window over all of it)", async () => {
    const p = open(html, "", 240);
    const scroller = p.d.getElementById("matrix-scroll");
    const seen = new Map();
    const lineCount = Number(scroller.getAttribute("aria-rowcount")) - 1;
    let maxRows = 0;
    for (let top = 0; top <= lineCount * 30; top += 200) {
      scroller.scrollTop = top;
      scroller.dispatchEvent(new p.w.Event("scroll"));
      await sleep(40);  // the redraw waits for an animation frame
      const rows = p.d.querySelectorAll("#matrix-window [role=row]");
      maxRows = Math.max(maxRows, rows.length);
      for (const id of p.rows()) seen.set(id, (seen.get(id) || 0) + 1);
      assert.strictEqual(new Set(p.rows()).size, p.rows().length, "a case drawn twice in one window");
    }
    same([...seen.keys()].sort(), [...sampleIds].sort());
    assert.ok(maxRows < lineCount, "the window should draw fewer rows than the list has (" + maxRows + " of " + lineCount + ")");
    same(p.errors, []);
  });
  await check("dom: rows stay drawn when the list shrinks while scrolled down (filter, collapse all)", async () => {
    const p = open(renderReport(template, syntheticReport(2000)), "", 600);
    const scroller = p.d.getElementById("matrix-scroll");
    const scrollFar = async () => {
      scroller.scrollTop = 40000;  // jsdom, unlike a browser, never clamps it: the page must cope
      scroller.dispatchEvent(new p.w.Event("scroll"));
      await sleep(40);
    };
    await scrollFar();
    assert.ok(p.rows().length > 0);
    p.select("a", "ERROR");
    assert.ok(p.rows().length > 0, "no rows after a filter");
    await scrollFar();
    p.d.getElementById("f-collapse").click();
    assert.strictEqual(p.d.querySelectorAll("#matrix-window [role=row]").length, 5, "the five layer rows after collapse all");
    assert.deepStrictEqual(p.errors, []);
  });
  await check("dom: a verdict filter shows the right rows and goes into the hash", () => {
    const p = open(html);
    p.select("node", "FAIL");
    sameSet(p.rows(), idsWhere((c) => c.results.node && c.results.node.verdict === "FAIL"));
    assert.ok(p.hash().includes("v.node=FAIL"), p.hash());
    const cells = [...p.d.querySelectorAll("#matrix-window [data-case-id] .verdict")].map((c) => c.textContent);
    assert.ok(cells.includes("FAIL (known)") && cells.includes("FAIL"), "known failures shown apart: " + cells);
    p.tick("f-hide-known");
    sameSet(p.rows(), idsWhere((c) => c.results.node && c.results.node.verdict === "FAIL" && !c.results.node.known));
  });
  await check("dom: only disagreements", () => {
    const p = open(html);
    p.tick("f-differ");
    sameSet(p.rows(), idsWhere(sampleDiffers));
    assert.ok(p.hash().includes("differ=1"));
    for (const row of p.d.querySelectorAll("#matrix-window [data-case-id]"))
      assert.strictEqual(row.querySelector(".differ").textContent, "≠", "a disagreement is marked with text, not colour only");
  });
  await check("dom: text filter (typed, applied after a short pause)", async () => {
    const p = open(html);
    const box = p.d.getElementById("f-text");
    box.value = "cve-2023";
    box.dispatchEvent(new p.w.Event("input", { bubbles: true }));
    await sleep(300);
    sameSet(p.rows(), idsWhere((c) => (c.flags || []).some((f) => f.includes("cve-2023")) || c.title.toLowerCase().includes("cve-2023")));
    assert.ok(p.hash().includes("q=cve-2023"), p.hash());
  });
  await check("dom: the hash round-trips: a shared link opens the same view", async () => {
    const p = open(html);
    p.d.querySelector('input[data-kind="levels"][value="must"]').click();  // uncheck must
    p.select("python", "!PASS");
    p.tick("f-differ");
    p.d.querySelector('#matrix-window [data-case-id="sio.json.deep-10000"]').click();
    const hash = p.hash();
    assert.ok(hash.includes("case=sio.json.deep-10000") && hash.includes("level=should%2Cmay"), hash);
    const q = open(html, hash);
    same(q.rows(), p.rows());
    assert.ok(q.rows().length > 0 && q.rows().length < sampleIds.length);
    assert.strictEqual(q.d.querySelector('select[data-impl="python"]').value, "!PASS");
    assert.strictEqual(q.d.getElementById("f-differ").checked, true);
    assert.strictEqual(q.d.querySelector('input[data-kind="levels"][value="must"]').checked, false);
    assert.ok(q.d.getElementById("detail").textContent.includes("RecursionError"), "the shared case is open");
    assert.strictEqual(q.d.querySelector('[data-case-id="sio.json.deep-10000"]').getAttribute("aria-selected"), "true");
    // and a hash change later (back button, pasted link) is followed
    q.w.location.hash = "#v.node=KNOWN";
    await sleep(50);
    sameSet(q.rows(), idsWhere((c) => c.results.node && c.results.node.known));
    same(q.errors, []);
  });
  await check("dom: hostile strings from adapters are shown as text, never as markup", () => {
    const p = open(html);
    p.d.querySelector('#matrix-window [data-case-id="sio.namespace.control"]').click();
    p.d.getElementById("run-details").open = true;
    const text = p.d.body.textContent;
    for (const h of HOSTILE) assert.ok(text.includes(h), "not shown as text: " + h);
    assert.strictEqual(p.d.querySelectorAll("img, svg, b, iframe, object, embed").length, 0);
    assert.strictEqual(p.d.scripts.length, 3, "the data added or swallowed a script element");
    const withHandlers = [...p.d.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on")));
    same(withHandlers.map((e) => e.tagName), []);
    same(p.errors, []);
  });
  await check("dom: the detail panel: basis, flags with notes and CVE link, escaped input, hex, expected, answers, stderr", () => {
    const p = open(html, "#case=sio.event.object-name");
    const detail = p.d.getElementById("detail");
    const t = detail.textContent;
    for (const s of ["ref:socket.io-parser@4.2.7", "cve-2023-32695", "socket.io-parser 4.2.3", "https://www.cve.org/CVERecord?id=CVE-2023-32695",
      "2[{}]", "sio_bad_event_name", "FAIL (known)", "sioconf", "node", "python"]) assert.ok(t.includes(s), "missing " + s);
    const q = open(html, "#case=ws.utf8.overlong-slash");
    const qt = q.d.getElementById("detail").textContent;
    assert.ok(qt.includes("\\xc0\\xaf"), "invalid UTF-8 shown as \\xNN: " + qt.slice(0, 400));
    assert.ok(/00000000 {2}81 /.test(qt), "base64 input also shown as hex");
    const r = open(html, "#case=sio.event.utf8");
    assert.ok(r.d.getElementById("detail").textContent.includes("\\x1b[31mANSI"), "stderr control characters escaped");
  });
  await check("dom: keyboard: arrows move between rows, Enter opens a case, Left folds a group", () => {
    const p = open(html);
    const first = p.d.querySelector('#matrix-window [data-line="0"]');
    assert.strictEqual(first.getAttribute("tabindex"), "0", "the grid is reachable with Tab");
    first.focus();
    p.key(first, "ArrowDown");
    p.key(p.d.activeElement, "ArrowDown");
    const caseRow = p.d.activeElement;
    assert.strictEqual(caseRow.dataset.line, "2");
    assert.ok(caseRow.dataset.caseId, "line 2 is a case row");
    p.key(caseRow, "Enter");
    assert.ok(p.d.getElementById("detail").textContent.includes(caseRow.dataset.caseId));
    assert.ok(p.hash().includes("case="), p.hash());
    p.key(p.d.activeElement, "ArrowLeft");  // to its topic
    p.key(p.d.activeElement, "ArrowLeft");  // fold the topic
    assert.strictEqual(p.d.activeElement.getAttribute("aria-expanded"), "false");
    p.key(p.d.activeElement, "End");
    assert.strictEqual(Number(p.d.activeElement.dataset.line), Number(p.d.getElementById("matrix-scroll").getAttribute("aria-rowcount")) - 2);
    p.key(p.d.activeElement, "Escape");
    assert.ok(!p.hash().includes("case="));
    same(p.errors, []);
  });
  await check("dom: 5,000 cases x 3 implementations draw O(visible rows)", () => {
    const t0 = Date.now();
    const p = open(renderReport(template, syntheticReport(5000)), "", 900);
    const t1 = Date.now();
    const drawn = p.d.querySelectorAll("#matrix-window [role=row]").length;
    p.tick("f-differ");
    p.select("a", "FAIL");
    const t2 = Date.now();
    console.log("     load " + (t1 - t0) + " ms, two filters " + (t2 - t1) + " ms, " + drawn + " rows drawn");
    assert.ok(drawn > 0 && drawn <= 100, drawn + " rows in the DOM");
    assert.strictEqual(p.d.querySelectorAll("#matrix-window [role=row]").length <= 100, true);
    assert.strictEqual(p.d.getElementById("matrix-scroll").getAttribute("aria-rowcount") > 100, true);
    same(p.errors, []);
  });
  await check("dom: an empty report and one with odd fields load without script errors", () => {
    const empty = open(renderReport(template, { schema: "sioconf-report-v1" }));
    assert.deepStrictEqual(empty.errors, []);
    assert.ok(empty.d.getElementById("summary").textContent.startsWith("0 cases · implementations: none"));
    assert.ok(!empty.d.getElementById("matrix-scroll").style.getPropertyValue("--cols").includes("repeat(0"));
    const odd = open(renderReport(template, { implementations: [{ key: 7 }, null], cases: [{ id: "a", results: { 7: { verdict: "pass", answer: "x" } }, input: [{ hex: "zz" }, 5] }] }), "#case=a");
    assert.deepStrictEqual(odd.errors, []);
    assert.ok(odd.d.getElementById("detail").textContent.includes("invalid hex"));
  });
  await check("dom: answers nested 100,000 deep load and show (JSON.parse, not a JS literal)", () => {
    // Built as text: JSON.stringify itself cannot go that deep.
    const deep = "[".repeat(100000) + "]".repeat(100000);
    const text = '{"implementations":[{"key":"x"}],"cases":[{"id":"sio.json.deep","expect":{"items":[{"type":2,"data":' + deep +
      '}]},"results":{"x":{"verdict":"PASS","answer":{"ok":true,"items":[{"type":2,"data":' + deep + '}]}}}}]}';
    const p = open(renderReport(template, text), "#case=sio.json.deep");
    assert.deepStrictEqual(p.errors, []);
    assert.ok(p.d.getElementById("detail").textContent.includes("too deeply nested to indent"));
  });
  await check("dom: the bare template offers to open a report file; damaged data says so", () => {
    const bare = open(template);
    assert.ok(bare.d.getElementById("summary").textContent.startsWith("No report data"));
    assert.ok(bare.d.querySelector('input[type="file"]'));
    const damaged = open(template.split(MARKER).join('{"schema": "sioconf-report-v1", "cases": ['));
    assert.ok(damaged.d.getElementById("summary").textContent.includes("could not be read"));
  });
  await check("dom: why every '<' is escaped: with only '</' escaped, '<!--<script>' in the data breaks the page", () => {
    const data = { implementations: [{ key: "a" }], cases: [{ id: "x.y.z", results: { a: { verdict: "PASS", answer: { s: "<!--<script>" } } } }] };
    const onlySlash = open(template.split(MARKER).join(JSON.stringify(data).replace(/<\//g, "<\\/")));
    assert.notStrictEqual(onlySlash.d.scripts.length, 3, "the hazard is gone: parse5 changed?");
    const escaped = open(renderReport(template, data));
    assert.strictEqual(escaped.d.scripts.length, 3);
    assert.ok(escaped.d.getElementById("summary").textContent.startsWith("1 case"));
  });

  // ---- live reports ----

  const liveHtml = renderReport(template, liveSample);
  fs.writeFileSync(outPath.replace(/(\.html)?$/, "-live.html"), liveHtml);
  const liveIds = liveSample.cases.map((c) => c.id);
  const liveCase = (id) => liveSample.cases.find((c) => c.id === id);
  const resultSection = (p, key) => p.d.querySelector('#detail section.result[aria-label="' + key + ' result"]');
  const wireRows = (section) => [...section.querySelectorAll("table.wire tbody tr")];

  await check("dom live: the live sample loads; its title and heading say sioconf live", () => {
    const p = open(liveHtml);
    same(p.errors, []);
    assert.strictEqual(p.d.title, "sioconf live report");
    assert.strictEqual(p.d.querySelector("#page-header h1").textContent, "sioconf live report");
    assert.ok(p.d.getElementById("summary").textContent.startsWith(liveIds.length + " cases · implementations: ref "));
    assert.strictEqual(p.d.querySelector("#impls thead th").textContent, "Server");
    assert.ok(p.d.getElementById("detail").textContent.includes("wire log"), "the empty panel says what it shows");
    sameSet(p.rows(), liveIds);
  });
  await check("dom live: a failing case: steps with their client, transports, and per server verdict, why and wire table", () => {
    const raw = liveCase(HOSTILE_CASE);
    const p = open(liveHtml, "#case=" + encodeURIComponent(HOSTILE_CASE));
    same(p.errors, []);
    const detail = p.d.getElementById("detail");
    const facts = Object.fromEntries([...detail.querySelectorAll(":scope > dl > dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
    assert.strictEqual(facts.transport, "websocket");
    assert.strictEqual(facts.transports, "polling, websocket (this case)");
    assert.ok(!("operation" in facts));
    const steps = [...detail.querySelectorAll("table.steps tbody tr")];
    assert.strictEqual(steps.length, raw.steps.length, "one line per step");
    steps.forEach((tr, i) => {
      assert.strictEqual(tr.querySelector("td.n").textContent, String(i + 1));
      assert.strictEqual(tr.querySelector("td.on").textContent, raw.steps[i].on || "main");
      assert.strictEqual(tr.querySelector("td.step strong").textContent, Object.keys(raw.steps[i]).find((k) => k !== "on" && k !== "within"));
    });
    same([...steps[3].querySelectorAll(".arg")].map((a) => a.textContent), raw.steps[3].send, "each packet as it is sent");
    assert.ok(steps[4].textContent.includes("within 1 pi"));
    assert.ok(steps[4].classList.contains("step-failed"));
    same([...steps[4].querySelectorAll(".step-marks .chip")].map((c) => c.textContent), ["ref FAIL", "node FAIL"]);
    assert.ok(!detail.textContent.includes("Expected") && !detail.textContent.includes("Limits and options"), "no vector sections");
    for (const key of ["ref", "node"]) {
      const result = raw.results[key];
      const section = resultSection(p, key);
      assert.strictEqual(section.querySelector("h3 .chip").textContent, "FAIL");
      const why = [...section.querySelectorAll("dt")].find((dt) => dt.textContent === "why");
      assert.strictEqual(why.nextElementSibling.textContent, result.why, "why as the runner wrote it");
      assert.ok(!section.textContent.includes("answer"), "no answer block for a live result");
      const rows = wireRows(section);
      assert.strictEqual(rows.length, result.wire.length, "one row per wire line");
      rows.forEach((tr, i) => {
        const w = result.wire[i];
        const kind = { ">": "wire-out", "<": "wire-in", "*": "wire-event" }[w.dir];
        assert.ok(tr.classList.contains(kind), key + " row " + i + " " + tr.className);
        assert.strictEqual(tr.querySelector("td.t").textContent, String(w.t));
        assert.strictEqual(tr.querySelector("td.on").textContent, w.on);
        assert.ok(tr.querySelector("td.dir").textContent.startsWith({ ">": "→", "<": "←", "*": "•" }[w.dir]));
        const last = i === rows.length - 1;
        assert.strictEqual(tr.classList.contains("wire-fail"), last, "only the last line is highlighted");
        assert.strictEqual(tr.querySelector("td.what").textContent, (last ? "FAIL " : "") + w.what);
      });
      assert.ok(rows.some((tr) => tr.classList.contains("wire-in")) && rows.some((tr) => tr.classList.contains("wire-out")));
    }
  });
  await check("dom live: hostile wire text (<img onerror>, </script>, <!--<script>) is shown as text, never markup", () => {
    const p = open(liveHtml, "#case=" + encodeURIComponent(HOSTILE_CASE));
    const echoed = liveCase(HOSTILE_CASE).results.ref.wire.filter((w) => w.dir === "<" && w.what.includes("message-back"));
    assert.strictEqual(echoed.length, 1, "the sample has the server's echo");
    const cells = [...resultSection(p, "ref").querySelectorAll("table.wire td.what")].map((td) => td.textContent);
    assert.ok(cells.includes(echoed[0].what), "the echoed line, exactly");
    for (const h of HOSTILE.slice(0, 3)) {
      assert.ok(echoed[0].what.includes(h), "the sample's echo should hold " + h);
      assert.ok(p.d.getElementById("detail").textContent.includes(h), "not shown as text: " + h);
    }
    assert.strictEqual(p.d.querySelectorAll("img, svg, b, iframe, object, embed").length, 0);
    assert.strictEqual(p.d.scripts.length, 3, "the data added or swallowed a script element");
    const withHandlers = [...p.d.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on")));
    same(withHandlers.map((e) => e.tagName), []);
    same(p.errors, []);
  });
  await check("dom live: a PASS highlights no line, an INFO does; other clients' steps and lines say theirs", () => {
    const id = "eio.upgrade.polling-refused-after@polling";
    const p = open(liveHtml, "#case=" + encodeURIComponent(id));
    const clients = [...p.d.querySelectorAll("#detail table.steps td.on")].map((td) => td.textContent);
    same([...new Set(clients)], ["main", "ws", "late"]);
    assert.strictEqual(p.d.querySelectorAll("#detail .wire-fail, #detail .step-failed").length, 0);
    assert.ok(wireRows(resultSection(p, "ref")).some((tr) => tr.querySelector("td.on").textContent === "late"));
    const q = open(liveHtml, "#case=" + encodeURIComponent("sio.connect.twice@websocket"));
    const info = wireRows(resultSection(q, "ref"));
    assert.ok(info[info.length - 1].classList.contains("wire-fail"));
    assert.ok(info[info.length - 1].querySelector("td.what").textContent.startsWith("INFO step 5 (expect_closed)"));
    assert.strictEqual(resultSection(q, "node").querySelectorAll(".wire-fail").length, 0);
    same([...q.d.querySelectorAll("#detail .step-marks .chip")].map((c) => c.textContent), ["ref INFO"]);
    same(p.errors.concat(q.errors), []);
  });
  await check("dom live: a long wire log shows its start and end; a log the runner cut and odd fields still show", () => {
    const wire = Array.from({ length: 601 }, (_, i) => ({ t: i, on: "main", dir: i % 2 ? "<" : ">", what: "line " + i }));
    const data = { schema: "sioconf-report-v1", command: "live", implementations: [{ key: "a" }, { key: "b" }, { key: "c" }],
      cases: [{ id: "sio.x.long@polling", layer: "sio", topic: "x", op: "polling", steps: { $truncated: "[{\"open\"" }, transports: "polling",
        results: { a: { verdict: "FAIL", why: "step 1 (open): no", wire }, b: { verdict: "PASS", wire: { $truncated: "[{\"t\":0" } },
          c: { verdict: "ERROR", why: "x", wire: [] } } }] };
    const p = open(renderReport(template, data), "#case=sio.x.long%40polling");
    same(p.errors, []);
    const a = resultSection(p, "a");
    let rows = wireRows(a);
    assert.strictEqual(rows.length, 401, "the first 350 lines, the gap, the last 50");
    assert.ok(rows[350].textContent.includes("201 lines not shown"), rows[350].textContent);
    assert.strictEqual(rows[349].querySelector("td.what").textContent, "line 349");
    assert.strictEqual(rows[351].querySelector("td.what").textContent, "line 551");
    assert.strictEqual(rows[400].querySelector("td.what").textContent, "FAIL line 600");
    rows[350].querySelector("button").click();
    rows = wireRows(a);
    assert.strictEqual(rows.length, 601);
    assert.ok(rows[600].classList.contains("wire-fail"));
    const b = resultSection(p, "b");
    assert.strictEqual(b.querySelectorAll("table.wire").length, 0);
    assert.ok(b.querySelector("pre").textContent.includes("$truncated"), "a cut log as JSON");
    assert.ok(resultSection(p, "c").textContent.includes("nothing was written or read"));
    assert.ok(p.d.querySelector("#detail pre").textContent.includes("open"), "steps that are not a list as JSON");
  });
  await check("dom: a vector report renders as before (no command, or \"vectors\"): title, input, expectation, answers, no wire", () => {
    const p = open(html, "#case=sio.event.object-name");
    assert.strictEqual(p.d.title, "sioconf conformance report");
    assert.strictEqual(p.d.querySelector("#page-header h1").textContent, "sioconf conformance report");
    assert.strictEqual(p.d.querySelector("#impls thead th").textContent, "Implementation");
    const detail = p.d.getElementById("detail");
    const heads = [...detail.querySelectorAll("h2, h3, .element-head")].map((h) => h.textContent);
    for (const h of ["Flags", "Limits and options", "Expected", "Results", "answer"]) assert.ok(heads.includes(h), "missing " + h + " in " + heads);
    assert.ok(heads.some((h) => h.startsWith("Input (")));
    assert.ok([...detail.querySelectorAll("dt")].some((dt) => dt.textContent === "operation"));
    assert.strictEqual(detail.querySelectorAll("table.steps, table.wire, .wire-fail").length, 0);
    const q = open(renderReport(template, Object.assign({ command: "vectors" }, sample)), "#case=sio.event.object-name");
    assert.strictEqual(q.d.getElementById("detail").innerHTML, detail.innerHTML);
    const empty = open(html).d.getElementById("detail").textContent;
    assert.ok(empty.includes("input, expectation and every implementation's answer"), empty);
    same(p.errors.concat(q.errors), []);
  });
}

// Checks that hold for any report, such as the one the runner writes.
async function pageTests(file) {
  const jsdom = findJsdom();
  if (!jsdom) {
    console.log("SKIP: jsdom is not installed (Debian package node-jsdom; ci/setup installs it; run through report_test.sh)");
    process.exit(77);
  }
  const { JSDOM, VirtualConsole } = jsdom;
  const errors = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("jsdomError", (e) => errors.push(String(e && (e.detail || e.message) || e)));
  const dom = new JSDOM(fs.readFileSync(file, "utf8"), { runScripts: "dangerously", pretendToBeVisual: true,
    url: "file:///report/report.html", virtualConsole, beforeParse: (window) => {
      Object.defineProperty(window.HTMLElement.prototype, "clientHeight", {
        configurable: true, get() { return this.id === "matrix-scroll" ? 600 : 0; } });
    } });
  const d = dom.window.document;
  let ids = [];
  let data = {};
  try {
    data = JSON.parse(d.getElementById("report-data").textContent);
    ids = data.cases.map((c) => c.id);
  } catch (e) {
    errors.push("the page's report data is not JSON: " + String(e.message).slice(0, 200));
  }
  await check("page: " + path.basename(file) + " loads without script errors and counts its cases", () => {
    same(errors, []);
    assert.strictEqual(d.title, data.command === "live" ? "sioconf live report" : "sioconf conformance report");
    const summary = d.getElementById("summary").textContent;
    assert.ok(summary.startsWith(ids.length + (ids.length === 1 ? " case" : " cases") + " · implementations: "), summary);
    assert.ok(ids.length > 0, "no cases");
  });
  await check("page: one row per case, and every case's detail opens", async () => {
    const scroller = d.getElementById("matrix-scroll");
    const seen = new Set();
    const lines = Number(scroller.getAttribute("aria-rowcount")) - 1;
    for (let top = 0; top <= lines * 30; top += 450) {
      scroller.scrollTop = top;
      scroller.dispatchEvent(new dom.window.Event("scroll"));
      await new Promise((resolve) => setTimeout(resolve, 25));
      const drawn = [...d.querySelectorAll("#matrix-window [data-case-id]")].map((row) => row.dataset.caseId);
      for (const id of drawn) {
        if (seen.has(id)) continue;
        seen.add(id);
        // a click redraws the window: look the row up again each time
        d.querySelector('#matrix-window [data-case-id="' + id.replace(/["\\]/g, "\\$&") + '"]').click();
        assert.ok(d.querySelector("#detail h2") && d.getElementById("detail").textContent.includes(id), "no detail for " + id);
        if (data.command === "live") {
          // a live case shows its steps and, per result with a wire log, the log as a table
          const c = data.cases[ids.indexOf(id)];
          if (Array.isArray(c.steps)) assert.strictEqual(d.querySelectorAll("#detail table.steps tbody tr").length, c.steps.length, "steps of " + id);
          const logs = Object.values(c.results || {}).filter((r) => Array.isArray(r.wire) && r.wire.length).length;
          assert.strictEqual(d.querySelectorAll("#detail table.wire").length, logs, "wire tables of " + id);
        }
      }
    }
    sameSet([...seen], ids);
    same(errors, []);
  });
}

(async () => {
  const [part, out] = process.argv.slice(2);
  if (part === "logic") await logicTests();
  else if (part === "dom" && out) await domTests(out);
  else if (part === "page" && out) await pageTests(out);
  else {
    console.error("usage: report_test.js logic | dom OUT_HTML | page HTML");
    process.exit(2);
  }
  finish();
})();
