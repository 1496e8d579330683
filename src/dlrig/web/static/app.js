// dlrig's own small script: everything works without it; it only saves clicks.
(function () {
  "use strict";
  // Sortable tables: clicking a heading sorts in place instead of reloading.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th[data-key]");
    heads.forEach(function (th, col) {
      var link = th.querySelector("a");
      if (!link) return;
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var desc = th.getAttribute("aria-sort") !== "descending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
          if (x === "" || y === "") return (x === "") - (y === "");
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
          return desc ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        history.replaceState(null, "", link.href);
      });
    });
  });
  // Forms marked data-autosubmit submit when a choice changes (the swap list).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
