// The contact form: show the focus themes for a stage that has them and the next-call field
// for a series. Without JavaScript every part stays visible and the form works the same.
(function () {
  "use strict";
  var form = document.querySelector(".contact-form");
  if (!form) return;
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var focus = read("focus-topic-ids") || {};
  var series = read("series-stage-ids") || [];
  var stage = form.querySelector("select[name=stage]");
  var themes = form.querySelector("[data-focus-themes]");
  var next = form.querySelector("[data-series-only]");
  function update() {
    var chosen = stage ? stage.value : "";
    if (themes) {
      var ids = focus[chosen] || [];
      var ticked = themes.querySelector("input:checked");
      // Keep themes visible when one is ticked, so nothing chosen is ever hidden.
      themes.hidden = ids.length === 0 && !ticked;
    }
    if (next) {
      var input = next.querySelector("input");
      next.hidden = series.indexOf(Number(chosen)) === -1 && !(input && input.value);
    }
  }
  if (stage) stage.addEventListener("change", update);
  update();
})();
