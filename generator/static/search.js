// The search page (templates/search.html): a small UI on Pagefind's JavaScript API, in USWDS components.
// The query comes from ?q= (the header's search box sends it) or from the page's own form; the count of results
// is written into a role="status" region so that screen readers announce it; the topic filter is a USWDS accordion,
// open beside the results on wide screens and closed above them on small ones.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) {
    return;
  }
  var PAGE_SIZE = 10;
  var WIDE = "(min-width: 64em)"; // USWDS's desktop breakpoint, where the filter column sits beside the results
  var form = root.querySelector(".site-search__form");
  var input = document.getElementById("search-query");
  var headerInput = document.getElementById("header-search");
  var filterColumn = root.querySelector(".site-search__filters");
  var filterButton = filterColumn.querySelector(".usa-accordion__button");
  var filterPanel = document.getElementById(filterButton.getAttribute("aria-controls"));
  var topicBox = root.querySelector(".site-search__topics");
  var status = root.querySelector(".site-search__status");
  var list = root.querySelector(".site-search__list");
  var more = root.querySelector(".site-search__more");
  var pagefind = null;
  var results = [];
  var shown = 0;
  var latest = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // Pagefind's excerpt is HTML with the matched words in <mark>. Only text and <mark> are kept, rebuilt as new
  // nodes from a parse in an inert document (DOMParser runs no script and loads nothing).
  function markedExcerpt(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    var fragment = document.createDocumentFragment();
    (function copy(from) {
      from.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE) {
          fragment.appendChild(document.createTextNode(node.textContent));
        } else if (node.nodeName === "MARK") {
          fragment.appendChild(element("mark", "", node.textContent));
        } else {
          copy(node);
        }
      });
    })(parsed);
    return fragment;
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var item = element("li", "usa-collection__item");
    var body = element("div", "usa-collection__body");
    var heading = element("h2", "usa-collection__heading");
    var link = element("a", "usa-link", meta.title || data.url);
    // Result addresses come from the site's own pages; anything else is not made a link.
    if (typeof data.url === "string" && data.url.charAt(0) === "/" && data.url.charAt(1) !== "/") {
      link.href = data.url;
    }
    heading.appendChild(link);
    body.appendChild(heading);
    if (meta.submitted_by && meta.date) {
      body.appendChild(element("p", "usa-collection__meta site-submitted", "Submitted by " + meta.submitted_by + " on " + meta.date));
    }
    var excerpt = element("p", "usa-collection__description site-search__excerpt");
    excerpt.appendChild(markedExcerpt(data.excerpt || ""));
    body.appendChild(excerpt);
    item.appendChild(body);
    return item;
  }

  function chosenTopics() {
    return Array.prototype.map.call(topicBox.querySelectorAll("input:checked"), function (box) {
      return box.value;
    });
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function summary(count, query, topics) {
    var within = topics ? " in " + plural(topics, "topic", "topics") : "";
    if (!query) {
      return plural(count, "submission", "submissions") + within;
    }
    var text = (count === 0 ? "No results" : plural(count, "result", "results")) + " for “" + query + "”" + within;
    return count === 0 ? text + ". Try other or fewer words" + (topics ? ", or another topic." : ".") : text;
  }

  // A live region speaks when its text changes: the same text twice (the same search again) is cleared first.
  function announce(text) {
    if (status.textContent !== text) {
      status.textContent = text;
      return;
    }
    var run = latest;
    status.textContent = "";
    window.setTimeout(function () {
      if (run === latest) {
        status.textContent = text;
      }
    }, 150);
  }

  function showMore(moveFocus) {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    var run = latest;
    return Promise.all(batch.map(function (result) {
      return result.data();
    })).then(function (pages) {
      if (run !== latest) {
        return;
      }
      var items = pages.map(resultItem);
      items.forEach(function (item) {
        list.appendChild(item);
      });
      shown += items.length;
      more.hidden = shown >= results.length;
      if (moveFocus && items.length) {
        items[0].querySelector("a").focus();
      }
    });
  }

  function updateCounts(counts) {
    topicBox.querySelectorAll("input").forEach(function (box) {
      var count = counts && counts.topic ? counts.topic[box.value] || 0 : null;
      box.parentNode.querySelector(".site-count").textContent = count === null ? "" : " (" + count + ")";
    });
  }

  function search() {
    var run = ++latest;
    var query = input.value.trim();
    var topics = chosenTopics();
    if (!query && !topics.length) {
      results = [];
      shown = 0;
      list.replaceChildren();
      more.hidden = true;
      updateCounts(null);
      status.textContent = "";
      return Promise.resolve();
    }
    root.setAttribute("aria-busy", "true");
    var options = topics.length ? { filters: { topic: { any: topics } } } : {};
    return pagefind.search(query || null, options).then(function (found) {
      if (run !== latest) {
        return null;
      }
      if (!found) {
        root.removeAttribute("aria-busy");
        return null;
      }
      results = found.results;
      shown = 0;
      list.replaceChildren();
      updateCounts(found.totalFilters || found.filters);
      return showMore(false).then(function () {
        if (run === latest) {
          root.removeAttribute("aria-busy");
          announce(summary(results.length, query, topics.length));
        }
      });
    });
  }

  function buildTopicFilter(filters) {
    var counts = filters.topic || {};
    var names = Object.keys(counts).sort(function (a, b) {
      return a.localeCompare(b);
    });
    if (!names.length) {
      return;
    }
    names.forEach(function (name, index) {
      var box = element("div", "usa-checkbox");
      var checkbox = element("input", "usa-checkbox__input");
      checkbox.type = "checkbox";
      checkbox.id = "search-topic-" + index;
      checkbox.name = "topic";
      checkbox.value = name;
      var label = element("label", "usa-checkbox__label", name);
      label.htmlFor = checkbox.id;
      label.appendChild(element("span", "site-count"));
      box.appendChild(checkbox);
      box.appendChild(label);
      topicBox.appendChild(box);
    });
    var open = window.matchMedia(WIDE).matches;
    filterButton.setAttribute("aria-expanded", String(open));
    filterPanel.hidden = !open;
    filterColumn.hidden = false;
  }

  function unavailable() {
    form.hidden = true;
    status.textContent = "Search is not available on this copy of the site.";
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  if (headerInput) {
    headerInput.value = query; // the header's box keeps the query it sent
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pagefind) {
      return;
    }
    var words = input.value.trim();
    var address = new URL(window.location.href);
    if (words) {
      address.searchParams.set("q", words);
    } else {
      address.searchParams.delete("q");
    }
    window.history.replaceState(null, "", address.href);
    if (headerInput) {
      headerInput.value = words;
    }
    search();
  });
  topicBox.addEventListener("change", function () {
    search();
  });
  more.addEventListener("click", function () {
    showMore(true);
  });

  // The index comes in shards of about 1,000 submissions, each a Pagefind bundle: the first in pagefind/, the others
  // in the folders pagefind/topicsite-parts.json lists, merged into the first (Pagefind's mergeIndex), so one search
  // gives one list in order of relevance and the topic filter counts across all of them. Only an index that fails to
  // load (a build with --no-search) says search is unavailable; a later error is a bug to see.
  var bundlePath = root.getAttribute("data-bundle-path");
  var settings = { baseUrl: root.getAttribute("data-base-url"), excerptLength: 30 };
  var parts = fetch(bundlePath + "topicsite-parts.json").then(function (response) {
    if (!response.ok) {
      throw new Error("no list of the index's parts: " + response.status);
    }
    return response.json();
  });
  Promise.all([import(bundlePath + "pagefind.js"), parts]).then(function (loaded) {
    var module = loaded[0];
    return module.options(settings).then(function () {
      return Promise.all(loaded[1].parts.map(function (part) {
        return module.mergeIndex(bundlePath + part, settings);
      }));
    }).then(function () {
      return module;
    });
  }).then(function (module) {
    return module.filters().then(function (filters) {
      pagefind = module;
      buildTopicFilter(filters || {});
      return search();
    });
  }, unavailable);
})();
