/*
 * The motor assessment's sessions pages.
 *
 * The grid (form[data-grid]): every tap on an answer, and every present/absent toggle, is posted
 * at once as JSON to the session's cells endpoint, one request at a time in the order of the
 * taps. Each cell shows saving/saved/error; on an error the cell goes back to its last saved
 * value and the server's message is shown. Without this script the grid is a plain form with a
 * Save button.
 *
 * The new-session form (form[data-session-form]): the group becomes a select of the chosen
 * daycare's groups (the text input stays for any other name), and only the observers of the
 * chosen daycare are offered.
 *
 * No inline script or style anywhere (CSP): state is shown with attributes and classes.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  /* ---------- the grid ---------- */

  function initGrid(form) {
    var url = form.getAttribute("data-cells-url");
    var status = document.querySelector("[data-grid-status]");
    var msg = {
      saving: form.getAttribute("data-msg-saving") || "Saving…",
      saved: form.getAttribute("data-msg-saved") || "All changes saved.",
      ready: form.getAttribute("data-msg-ready") || "",
      error: form.getAttribute("data-msg-error") || "Not saved:",
      offline: form.getAttribute("data-msg-offline") || "Could not reach the server.",
      absent: form.getAttribute("data-msg-absent") || "Mark {name} absent?",
    };
    var queue = Promise.resolve();
    var pending = 0;
    var failed = false;

    form.classList.add("is-autosaving");
    setStatus("ready", msg.ready);

    function setStatus(state, text) {
      if (!status) {
        return;
      }
      status.setAttribute("data-state", state);
      status.textContent = text;
    }

    function started() {
      pending += 1;
      setStatus("saving", msg.saving);
    }

    function finished(error) {
      pending -= 1;
      if (error) {
        failed = true;
        setStatus("error", msg.error + " " + error);
      } else if (pending === 0 && !failed) {
        setStatus("saved", msg.saved);
      } else if (pending === 0) {
        failed = false;
      }
    }

    function post(payload) {
      var run = function () {
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrfToken(form),
          },
          body: JSON.stringify(payload),
        }).then(
          function (response) {
            return response
              .json()
              .catch(function () {
                return { ok: false, errors: [response.status + " " + response.statusText] };
              })
              .then(function (data) {
                if (!response.ok || !data.ok) {
                  throw new Error((data.errors || []).join(" ") || String(response.status));
                }
                return data;
              });
          },
          function () {
            throw new Error(msg.offline);
          }
        );
      };
      // One request at a time: a later tap never overtakes an earlier one.
      var result = queue.then(run, run);
      queue = result.catch(function () {});
      return result;
    }

    function showProgress(progress) {
      if (!progress) {
        return;
      }
      // The toolbar and the close card both show the counts.
      var counts = {
        "[data-progress-scored]": progress.scored,
        "[data-progress-present]": progress.present,
        "[data-progress-summarised]": progress.summarised,
      };
      Object.keys(counts).forEach(function (selector) {
        if (counts[selector] === undefined) {
          return;
        }
        document.querySelectorAll(selector).forEach(function (element) {
          element.textContent = String(counts[selector]);
        });
      });
    }

    function showSummary(child) {
      var row = form.querySelector('tr[data-child="' + child.child + '"]');
      if (!row) {
        return;
      }
      var levels = row.querySelectorAll("[data-level]");
      for (var i = 0; i < levels.length; i += 1) {
        var node = levels[i];
        var short = node.hasAttribute("data-level-short");
        var keep = Array.prototype.filter.call(node.classList, function (name) {
          return name.indexOf("level--") !== 0;
        });
        node.className = keep.concat(["level--" + (child.level || "none")]).join(" ");
        node.textContent = short ? child.level_short : child.level_label;
        if (short) {
          node.title = child.level_label + (child.detail ? ": " + child.detail : "");
        }
      }
      var detail = row.querySelector("[data-detail]");
      if (detail) {
        detail.textContent = child.detail || "";
      }
    }

    function showCellError(cell, text) {
      var note = cell.querySelector(".motor-cell__error");
      if (!text) {
        if (note) {
          note.remove();
        }
        return;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "motor-cell__error";
        note.setAttribute("role", "alert");
        cell.appendChild(note);
      }
      note.textContent = text;
    }

    function check(cell, value) {
      var inputs = cell.querySelectorAll("input.seg__input");
      for (var i = 0; i < inputs.length; i += 1) {
        inputs[i].checked = inputs[i].value === value;
      }
    }

    function saveCell(input) {
      var cell = input.closest(".motor-cell");
      var row = input.closest(".motor-row");
      if (!cell || !row) {
        return;
      }
      var value = input.value;
      var seq = (Number(cell.getAttribute("data-seq")) || 0) + 1;
      cell.setAttribute("data-seq", String(seq));
      cell.setAttribute("data-state", "saving");
      started();
      post({ child: row.getAttribute("data-child"), item: cell.getAttribute("data-item"), value: value }).then(
        function (data) {
          cell.setAttribute("data-saved", value);
          if (Number(cell.getAttribute("data-seq")) === seq) {
            cell.setAttribute("data-state", "saved");
            showCellError(cell, "");
          }
          (data.children || []).forEach(showSummary);
          showProgress(data.progress);
          finished(null);
        },
        function (error) {
          if (Number(cell.getAttribute("data-seq")) === seq) {
            check(cell, cell.getAttribute("data-saved") || "");
            cell.setAttribute("data-state", "error");
            showCellError(cell, error.message);
          }
          finished(error.message);
        }
      );
    }

    function setRowEnabled(row, enabled) {
      var inputs = row.querySelectorAll("input.seg__input");
      for (var i = 0; i < inputs.length; i += 1) {
        inputs[i].disabled = !enabled;
      }
    }

    function savePresence(box) {
      var row = box.closest(".motor-row");
      if (!row) {
        return;
      }
      var present = box.checked;
      if (!present) {
        var filled = row.querySelectorAll('input.seg__input:checked:not([value=""])').length;
        var name = row.getAttribute("data-name") || "";
        if (filled && !window.confirm(fill(msg.absent, { name: name }))) {
          box.checked = true;
          return;
        }
      }
      setRowEnabled(row, false);
      row.setAttribute("data-state", "saving");
      started();
      post({ child: row.getAttribute("data-child"), present: present }).then(
        function (data) {
          row.classList.toggle("is-absent", !present);
          row.removeAttribute("data-state");
          if (!present) {
            var cells = row.querySelectorAll(".motor-cell");
            for (var i = 0; i < cells.length; i += 1) {
              check(cells[i], "");
              cells[i].setAttribute("data-saved", "");
              cells[i].removeAttribute("data-state");
              showCellError(cells[i], "");
            }
          }
          setRowEnabled(row, present);
          (data.children || []).forEach(showSummary);
          showProgress(data.progress);
          finished(null);
        },
        function (error) {
          box.checked = !present;
          setRowEnabled(row, !present);
          row.removeAttribute("data-state");
          finished(error.message);
        }
      );
    }

    form.addEventListener("change", function (event) {
      var target = event.target;
      if (!(target instanceof HTMLInputElement)) {
        return;
      }
      if (target.classList.contains("seg__input") && target.checked) {
        saveCell(target);
      } else if (target.hasAttribute("data-present")) {
        savePresence(target);
      }
    });

    // Enter in the grid would submit the whole form; the taps are already saved.
    form.addEventListener("submit", function (event) {
      if (form.classList.contains("is-autosaving")) {
        event.preventDefault();
      }
    });
  }

  /* ---------- confirmations (close the session) ---------- */

  function initConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  }

  /* ---------- the new-session form ---------- */

  function initSessionForm(form) {
    var daycare = form.querySelector("select[name=institution]");
    var field = form.querySelector("[data-group-field]");
    var text = form.querySelector("[data-group-input]");
    if (!daycare || !field || !text) {
      return;
    }
    var groups = {};
    try {
      groups = JSON.parse(daycare.getAttribute("data-groups") || "{}");
    } catch (e) {
      groups = {};
    }
    var label = field.querySelector("label");
    var OTHER = "__other__";
    var select = document.createElement("select");
    select.id = text.id + "_choice";
    select.hidden = true;
    text.parentNode.insertBefore(select, text);

    function option(value, caption) {
      var node = document.createElement("option");
      node.value = value;
      node.textContent = caption;
      return node;
    }

    function showText(show) {
      text.hidden = !show;
      if (label) {
        label.htmlFor = !select.hidden && !show ? select.id : text.id;
      }
    }

    function refreshGroups() {
      var names = groups[daycare.value] || [];
      select.textContent = "";
      if (!names.length) {
        select.hidden = true;
        showText(true);
        return;
      }
      select.appendChild(option("", field.getAttribute("data-label-choose") || "—"));
      names.forEach(function (name) {
        select.appendChild(option(name, name));
      });
      select.appendChild(option(OTHER, field.getAttribute("data-label-other") || "…"));
      select.hidden = false;
      var current = text.value.trim();
      if (!current) {
        select.value = "";
        showText(false);
      } else if (names.indexOf(current) >= 0) {
        select.value = current;
        showText(false);
      } else {
        select.value = OTHER;
        showText(true);
      }
    }

    select.addEventListener("change", function () {
      if (select.value === OTHER) {
        text.value = "";
        showText(true);
        text.focus();
      } else {
        text.value = select.value;
        showText(false);
      }
    });

    function refreshObservers() {
      var boxes = form.querySelectorAll("input[name=observers][data-daycares]");
      for (var i = 0; i < boxes.length; i += 1) {
        var box = boxes[i];
        var allowed = box.getAttribute("data-daycares").split(" ");
        var show = !daycare.value || allowed.indexOf(daycare.value) >= 0;
        var item = box.closest("li");
        if (item) {
          item.hidden = !show;
        }
        if (!show) {
          box.checked = false;
        }
      }
    }

    daycare.addEventListener("change", function () {
      if (select.value !== OTHER) {
        text.value = "";
      }
      refreshGroups();
      refreshObservers();
    });
    refreshGroups();
    refreshObservers();
  }

  function init() {
    var grid = document.querySelector("form[data-grid]");
    if (grid && window.fetch) {
      initGrid(grid);
    }
    var confirms = document.querySelectorAll("form[data-confirm]");
    for (var i = 0; i < confirms.length; i += 1) {
      initConfirm(confirms[i]);
    }
    var sessionForm = document.querySelector("form[data-session-form]");
    if (sessionForm) {
      initSessionForm(sessionForm);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
