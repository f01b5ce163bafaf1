/* 同心 Tongxin — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Parse yuan as integer fen, never float arithmetic on money ("12.3" -> 1230).
  function toFen(text) {
    var s = String(text || "").replace(/[,，\s]/g, "");
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) { return null; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }

  function formatFen(fen) {
    var yuan = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return yuan + "." + ("0" + (fen % 100)).slice(-2);
  }

  function setupBudget(table) {
    var body = table.querySelector("tbody");
    var live = document.querySelector("[data-budget-live]");
    var addButton = document.querySelector("[data-budget-add]");

    function renumber() {
      Array.prototype.forEach.call(body.querySelectorAll("tr"), function (row, i) {
        var no = row.querySelector(".col-no");
        if (no) { no.textContent = String(i + 1); }
      });
    }

    function update() {
      if (!live) { return; }
      var total = 0, bad = false;
      Array.prototype.forEach.call(body.querySelectorAll("input[name=amount]"), function (input) {
        if (!input.value.trim()) { return; }
        var fen = toFen(input.value);
        if (fen === null) { bad = true; } else { total += fen; }
      });
      live.textContent = bad ? live.getAttribute("data-bad") : live.getAttribute("data-label") + formatFen(total);
    }

    if (addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var rows = body.querySelectorAll("tr");
        var copy = rows[rows.length - 1].cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("input, select"), function (input) { input.value = ""; });
        Array.prototype.forEach.call(copy.querySelectorAll(".error-text"), function (e) { e.remove(); });
        body.appendChild(copy);
        renumber();
        copy.querySelector("input").focus();
      });
    }
    body.addEventListener("input", update);
    update();
  }

  function setupDecision(form) {
    var amount = form.querySelector("[data-when-approved]");
    function sync() {
      var chosen = form.querySelector("input[name=outcome]:checked");
      if (amount) { amount.hidden = !!chosen && chosen.value !== "approved"; }
    }
    form.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var budget = document.querySelector("table[data-budget]");
    if (budget) { setupBudget(budget); }
    var decision = document.querySelector("form[data-decision]");
    if (decision) { setupDecision(decision); }
    // Confirm before irreversible actions; the text lives in the page (data-confirm).
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
