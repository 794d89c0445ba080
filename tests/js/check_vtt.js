#!/usr/bin/env node
// Parse WebVTT files with W3C's parser (webvtt-parser, from w3c/webvtt.js) and print
// {"<path>": {"mode": ..., "cues": n, "errors": [{"message", "line", "col"}]}} as JSON.
// A file named *.chapters.vtt is parsed in "chapters" mode, any other in "subtitles" mode.
// Usage: node check_vtt.js FILE.vtt [FILE.vtt ...]; exit 1 when any file has errors.
"use strict";
const fs = require("fs");
const { WebVTTParser } = require("webvtt-parser");
const entities = require("webvtt-parser/html-entities.json");

const report = {};
let failed = false;
for (const path of process.argv.slice(2)) {
  const mode = path.endsWith(".chapters.vtt") ? "chapters" : "subtitles";
  const tree = new WebVTTParser(entities).parse(fs.readFileSync(path, "utf8"), mode);
  const errors = tree.errors.map(({ message, line, col }) => ({ message, line, col }));
  report[path] = { mode, cues: tree.cues.length, errors };
  failed = failed || errors.length > 0;
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
process.exit(failed ? 1 : 0);
