/*
 * The navigation's menus are <details> elements, so they open and close without JavaScript.
 * This adds what a disclosure menu should do on top: aria-expanded on the summary, one menu open
 * at a time, Escape closes the open menu and returns focus to its button, and a click or focus
 * outside closes it. No inline script (the CSP forbids it).
 */
(function () {
  "use strict";

  function menus() {
    return Array.prototype.slice.call(document.querySelectorAll("details[data-nav-menu]"));
  }

  function sync(details) {
    var summary = details.querySelector("summary");
    if (summary) {
      summary.setAttribute("aria-expanded", details.open ? "true" : "false");
    }
  }

  function closeAll(except) {
    menus().forEach(function (details) {
      // The phone menu holds the others' entries; opening it does not close itself.
      if (details !== except && details.open && !details.contains(except)) {
        details.open = false;
      }
    });
  }

  function init() {
    menus().forEach(function (details) {
      sync(details);
      details.addEventListener("toggle", function () {
        sync(details);
        if (details.open) {
          closeAll(details);
        }
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      var open = menus().filter(function (details) {
        return details.open && details.contains(document.activeElement);
      });
      var innermost = open[open.length - 1];
      if (innermost) {
        innermost.open = false;
        innermost.querySelector("summary").focus();
        event.preventDefault();
      }
    });

    document.addEventListener("click", function (event) {
      menus().forEach(function (details) {
        if (details.open && !details.contains(event.target)) {
          details.open = false;
        }
      });
    });

    document.addEventListener("focusin", function (event) {
      menus().forEach(function (details) {
        if (details.open && !details.contains(event.target)) {
          details.open = false;
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
