// The search page: start Pagefind's UI and run the query that the header's search box sent (?q=...).
(function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element) {
    return;
  }
  if (typeof window.PagefindUI === "undefined") {
    // Built with --no-search, or the index did not load.
    element.innerHTML = '<div class="usa-alert usa-alert--info usa-alert--slim"><div class="usa-alert__body">' +
      '<p class="usa-alert__text">Search is not available on this copy of the site.</p></div></div>';
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: element.getAttribute("data-bundle-path"),
    baseUrl: element.getAttribute("data-base-url"),
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    autofocus: false,
    translations: { placeholder: "Search submissions" }
  });
  // Pagefind names its input only by a title attribute; give it a proper label too.
  var input = element.querySelector("input");
  if (input && !input.hasAttribute("aria-label")) {
    input.setAttribute("aria-label", "Search submissions");
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
