// The USWDS behaviour topicsite's pages use, bundled by scripts/build_uswds.py (`make assets`) into
// generator/static/uswds/js/uswds.js: the banner's "Here's how you know" disclosure and the accordion
// (the search page's topic filter). Every other component on the pages works without JavaScript.
const accordion = require("@uswds/uswds/js/usa-accordion");
const banner = require("@uswds/uswds/js/usa-banner");

// As uswds.js does: behaviours listen on the body (the script is deferred, so the body is parsed).
[accordion, banner].forEach((behavior) => behavior.on(document.body));
