/* The main menu (core/web/nav.py). It works without this script (<details> opens and closes
   from the mouse and the keyboard); this only tidies: one group open at a time, Escape or a click
   elsewhere closes it, and at phone width the menu starts folded behind its 菜单 button. */
(function () {
  "use strict";
  var nav = document.querySelector(".mainnav");
  if (!nav) { return; }
  var fold = nav.querySelector(".nav-fold");
  var groups = Array.prototype.slice.call(nav.querySelectorAll(".nav-group > details"));
  var narrow = window.matchMedia("(max-width: 640px)");

  function closeGroups(except) {
    groups.forEach(function (d) { if (d !== except) { d.open = false; } });
  }
  function fit() {
    if (fold) { fold.open = !narrow.matches; }
    closeGroups(null);
  }
  groups.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open && !narrow.matches) { closeGroups(d); } });
  });
  document.addEventListener("click", function (e) {
    if (!narrow.matches && !nav.contains(e.target)) { closeGroups(null); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var open = groups.filter(function (d) { return d.open; })[0];
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); } else { narrow.addListener(fit); }
  fit();
}());
