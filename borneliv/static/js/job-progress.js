/*
 * A background job's page (jobs/job.html): polls the job's status JSON and moves the bar, the
 * stage and the log; when the job has finished, reloads the page, which then shows the summary,
 * the error or the link to the result. The work runs on the server, so a reload or a visit later
 * shows the same state. No inline script (the CSP forbids it).
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;

  function show(box, state) {
    var bar = box.querySelector("[data-job-bar]");
    if (bar) {
      if (state.percent === null) {
        bar.removeAttribute("value");
        bar.textContent = "";
      } else {
        bar.value = state.percent;
        bar.textContent = state.percent + " %";
      }
    }
    box.querySelector("[data-job-status-label]").textContent = state.status_label;
    box.querySelector("[data-job-stage]").textContent = state.finished ? "" : state.stage;
    var log = box.querySelector("[data-job-log]");
    for (var i = log.children.length; i < state.lines.length; i++) {
      var item = document.createElement("li");
      item.className = "job-log__line";
      item.textContent = state.lines[i];
      log.appendChild(item);
    }
  }

  function poll(box) {
    fetch(box.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(box, state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(box); }, INTERVAL_MS);
        }
      })
      .catch(function () {
        // The server is busy or restarting: try again a little later.
        window.setTimeout(function () { poll(box); }, 3 * INTERVAL_MS);
      });
  }

  function init() {
    var box = document.querySelector("[data-job]");
    if (box && box.dataset.jobStatus !== "done" && box.dataset.jobStatus !== "failed") {
      poll(box);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
