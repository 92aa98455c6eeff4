/* Search autocomplete: the ARIA 1.2 combobox pattern over /search/suggest/.
 * Debounced (200 ms), keyboard driven (ArrowDown/ArrowUp move, Enter opens, Escape
 * closes then clears), and it only ever writes text nodes, so a title cannot inject markup. */
(function () {
  "use strict";
  var DELAY = 200;

  function setup(input) {
    if (input.dataset.suggestReady) return;
    input.dataset.suggestReady = "1";
    var url = input.getAttribute("data-suggest-url");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!url || !list) return;
    var timer = null;
    var items = [];
    var active = -1;
    var asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function select(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions;
      suggestions.forEach(function (suggestion, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var title = document.createElement("span");
        title.className = "suggestion-title";
        title.textContent = suggestion.title;
        var type = document.createElement("span");
        type.className = "suggestion-type";
        type.textContent = suggestion.type;
        option.appendChild(title);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(type);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input until we navigate
          window.location.assign(suggestion.url);
        });
        list.appendChild(option);
      });
      active = -1;
      if (suggestions.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < 2) {
        render([]);
        return;
      }
      asked = query;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (asked === query && input.value.trim() === query) render(data.suggestions || []);
        })
        .catch(function () {
          render([]);
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          ask();
          return;
        }
        select((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        select(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          window.location.assign(items[active].url);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function init() {
    document.querySelectorAll("input[data-suggest-url]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
