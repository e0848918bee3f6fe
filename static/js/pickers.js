// Type-ahead pickers: every <select data-picker-url> becomes a Tom Select combobox (ARIA
// combobox and listbox, keyboard operable) whose options come from the server as the user
// types. Chosen items of a multiple picker are chips with a remove button. Loaded from a static
// file: the strict CSP allows no inline script.
(function () {
  "use strict";

  function pickerUrl(select, query) {
    var url = new URL(select.dataset.pickerUrl, window.location.origin);
    url.searchParams.set("q", query);
    // A picker may be narrowed by another field, e.g. people of the chosen project's state.
    var scopeName = select.dataset.pickerScope;
    if (scopeName && select.form) {
      var scope = select.form.elements.namedItem(scopeName);
      if (scope && scope.value) url.searchParams.set(scopeName, scope.value);
    }
    return url;
  }

  function setUp(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    var multiple = select.multiple;
    var settings = {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      maxOptions: 50,
      loadThrottle: 250,
      preload: "focus",
      placeholder: select.dataset.placeholder || "Type to search",
      plugins: multiple ? { remove_button: { title: "Remove" } } : {},
      load: function (query, callback) {
        window
          .fetch(pickerUrl(select, query), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            callback(data.results);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">Nothing matches.</div>';
        },
      },
    };
    if (!multiple) settings.maxItems = 1;
    var picker = new window.TomSelect(select, settings);
    // Tom Select points the <label> at its own combobox; the <select> it keeps in sync stays
    // in the form but out of the accessibility tree, so assistive technology meets one control.
    select.setAttribute("aria-hidden", "true");
    // A scoped picker forgets the matches of the previous scope when it is opened again.
    picker.on("dropdown_open", function () {
      if (select.dataset.pickerScope) {
        picker.clearOptions();
        picker.load("");
      }
    });
    // Without JavaScript a "Find" box narrows the options; with the picker it is not needed.
    document.querySelectorAll('[data-picker-fallback="' + select.name + '"]').forEach(function (el) {
      el.hidden = true;
    });
  }

  function setUpAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-picker-url]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // Fragments swapped in by htmx get their pickers too.
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
})();
