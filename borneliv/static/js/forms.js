/*
 * After a failed submit the page starts with an error summary (includes/form_errors.html). This
 * moves focus to it, so that a screen reader reads it and a phone shows it whatever was scrolled
 * before, and makes its links move focus to their field, with the field's label in view (a plain
 * fragment link only scrolls). Without JavaScript the summary is still the first thing in <main>.
 * No inline script (the CSP forbids it).
 */
(function () {
  "use strict";

  var CONTROLS = "input:not([type=hidden]), select, textarea, button";

  function fieldOf(link) {
    var id = decodeURIComponent(link.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || target.matches(CONTROLS)) {
      return target;
    }
    // A group of radio buttons or checkboxes: its container has the id; focus its first control.
    return target.querySelector(CONTROLS);
  }

  function showAndFocus(input) {
    // Open a closed <details> around the field (the child's record keeps forms in them).
    for (var node = input.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
      }
    }
    var field = input.closest(".field, fieldset") || input;
    field.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link || !summary.contains(link)) {
        return;
      }
      var input = fieldOf(link);
      if (!input) {
        return;
      }
      event.preventDefault();
      showAndFocus(input);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
