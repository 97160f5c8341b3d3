#!/usr/bin/env node
// Embeds a report JSON in the template, the way `sioconf vectors --html` does:
//   node conformance/report/render.js TEMPLATE REPORT_JSON OUT_HTML
// Also a module: require("./render.js").renderReport(templateText, reportValue) -> html text.
"use strict";
const fs = require("fs");

const MARKER = "/*SIOCONF_REPORT_DATA*/null";

// The JSON goes inside a <script> element, so the HTML parser must never see a tag or a comment
// opener in it: every "<" becomes \u003c (valid in JSON and JS strings, and "<" only occurs
// inside strings). Escaping only "</" is not enough: "<!--<script>" in a string would switch the
// parser to the "script data double escaped" state and swallow the page's own </script>.
// `report` is JSON text (checked with JSON.parse, which takes any depth, and kept as it is) or a
// value (serialized here).
function embeddableJson(report) {
  let text = report;
  if (typeof report === "string") JSON.parse(report);
  else text = JSON.stringify(report);
  return text.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function renderReport(template, report) {
  const parts = template.split(MARKER);
  if (parts.length !== 2) throw new Error("the template must hold the marker " + MARKER + " exactly once, not " + (parts.length - 1) + " times");
  return parts[0] + embeddableJson(report) + parts[1];  // split/join: no "$&" surprises of String.replace
}

module.exports = { MARKER, embeddableJson, renderReport };

if (require.main === module) {
  const [template, reportPath, out] = process.argv.slice(2);
  if (!out) {
    console.error("usage: render.js TEMPLATE REPORT_JSON OUT_HTML");
    process.exit(2);
  }
  fs.writeFileSync(out, renderReport(fs.readFileSync(template, "utf8"), fs.readFileSync(reportPath, "utf8")));
}
