// Drop the rules of the compiled USWDS subset that no template or script of the theme can use (PurgeCSS).
// Arguments: a JSON file of {css, content, safelist}; prints the CSS. Run by scripts/build_uswds.py.
import { readFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const options = JSON.parse(readFileSync(process.argv[2], "utf8"));
const [result] = await new PurgeCSS().purge({
  css: [options.css],
  content: options.content,
  // USWDS names layout classes with a colon (tablet:grid-col-6): keep it inside a name.
  defaultExtractor: (text) => text.match(/[A-Za-z0-9_:-]+/g) || [],
  safelist: { standard: options.safelist },
  fontFace: true,
  keyframes: true,
  variables: true,
});
process.stdout.write(result.css);
