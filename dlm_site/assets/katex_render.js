// Render formulas with KaTeX for dlm_site.maths (build time, no browser involved).
// Usage: node katex_render.js <path to the katex package>  < [[tex, displayMode], ...]
// Prints [{"html": ...} or {"error": ...}, ...] in the same order.
"use strict";
const katex = require(process.argv[2]);
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = items.map(([tex, displayMode]) => {
  try {
    const html = katex.renderToString(tex, {
      displayMode,
      throwOnError: true,
      output: "htmlAndMathml",
      strict: "ignore",
      trust: false,
    });
    return { html };
  } catch (error) {
    return { error: String(error.message) };
  }
});
process.stdout.write(JSON.stringify(results));
