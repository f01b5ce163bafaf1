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


  // -- nothing typed is lost ------------------------------------------------------------------
  // Each section of a page is its own form and saves alone: its POST re-renders the page, so
  // what is typed in another section and not yet saved would be thrown away. The page says so
  // before it happens: pressing another form's button while a form has unsaved changes asks
  // first (and, if you keep them, takes you to them), and leaving the page warns. A form the
  // server re-rendered with refused input carries data-unsaved: that input is not saved either.
  var LANG_ZH = !/^en/i.test(document.documentElement.lang || "zh");
  var WORDS = LANG_ZH ? {
    ask: "「{name}」有尚未保存的修改。继续将丢失这些修改。\n\n确定继续吗？（选“取消”返回并先保存）",
    form: "表单"
  } : {
    ask: "\"{name}\" has changes that are not saved. Continuing will lose them.\n\nContinue? (Cancel to go back and save them first)",
    form: "a form"
  };

  function snapshot(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      var type = (el.type || "").toLowerCase();
      if (!el.name || el.disabled || type === "hidden" || type === "submit" || type === "button") { return; }
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { out.push(el.name + "=" + el.value); }
      } else if (type === "file") {
        if (el.files && el.files.length) { out.push(el.name + "=" + el.files.length); }
      } else if (String(el.value).trim()) {  // blank rows the editor adds are not changes
        out.push(el.name + "=" + String(el.value).trim());
      }
    });
    return out.join("\n");
  }

  function formName(form) {
    if (form.getAttribute("data-form-name")) { return form.getAttribute("data-form-name"); }
    var section = form.closest("section, article, details");
    var heading = section && section.querySelector("h2, h3, summary");
    if (!heading) { return WORDS.form; }
    var copy = heading.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".section-no, .badge"), function (e) { e.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim() || WORDS.form;
  }

  function setupUnsaved() {
    // Forms that hold typing worth keeping say so (data-keep): a page's sections, not its buttons.
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-keep]"));
    if (!forms.length) { return; }
    var initial = forms.map(snapshot);
    var submitting = null, leaving = false;

    function dirty(form) {
      var i = forms.indexOf(form);
      return form.hasAttribute("data-unsaved") || snapshot(form) !== initial[i];
    }
    function othersDirty(except) {
      return forms.filter(function (f) { return f !== except && dirty(f); });
    }
    function mark() {
      forms.forEach(function (f) { f.classList.toggle("is-unsaved", dirty(f)); });
    }
    document.addEventListener("input", mark);
    document.addEventListener("change", mark);
    mark();

    // Capture phase: asked before any other handler of the form (data-confirm) runs. Any form
    // of the page that posts (submit, withdraw, sign out) reloads it, so each asks.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var others = othersDirty(form);
      if (others.length && !window.confirm(WORDS.ask.replace("{name}", formName(others[0])))) {
        event.preventDefault();
        event.stopPropagation();
        var field = others[0].querySelector("[aria-invalid=true], input:not([type=hidden]), textarea, select");
        others[0].scrollIntoView({block: "start"});
        if (field) { field.focus({preventScroll: true}); }
        return;
      }
      submitting = form;
      leaving = others.length > 0;  // the person chose to let them go
    }, true);

    window.addEventListener("pageshow", function () { submitting = null; leaving = false; });
    window.addEventListener("beforeunload", function (event) {
      if (leaving) { return; }
      if (othersDirty(submitting).length) {
        event.preventDefault();
        event.returnValue = "";  // browsers show their own words; any value asks
        return "";
      }
    });
  }

  // How many characters a field with a length rule holds, beside its rule ("20–2000 字").
  function setupLimits() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-limit-for]"), function (hint) {
      var field = document.getElementById(hint.getAttribute("data-limit-for"));
      if (!field) { return; }
      var min = +hint.getAttribute("data-min") || 0, max = +hint.getAttribute("data-max") || 0;
      // A hand-written input does not always name its hint; the field then describes itself by it.
      var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (hint.id && described.indexOf(hint.id) < 0) {
        field.setAttribute("aria-describedby", [hint.id].concat(described).join(" "));
      }
      var count = document.createElement("span");
      count.className = "limit-count";
      hint.appendChild(count);
      function update() {
        var n = Array.from(String(field.value).trim()).length;  // characters, as the server counts them
        count.textContent = n ? (LANG_ZH ? "（已写 " + n + " 字）" : " (" + n + " so far)") : "";
        hint.classList.toggle("limit-off", n > 0 && ((min && n < min) || (max && n > max)));
      }
      field.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUnsaved();
    setupLimits();
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
