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
  // The part picker (Build and Swap pages): filters apply as they change and pages,
  // sorts and the "show all" toggle load in place; the address follows, so the list
  // stays shareable. Without this script the form's Apply button and plain links do it.
  var picker = document.getElementById("picker");
  if (picker && window.fetch && window.DOMParser) {
    var load = function (url, whole) {
      picker.setAttribute("aria-busy", "true");
      return fetch(url, { headers: { "Accept": "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(whole ? "picker" : "pick-results");
          var old = document.getElementById(whole ? "picker" : "pick-results");
          if (!fresh || !old) { window.location.href = url; return; }
          old.replaceWith(fresh);
          if (whole) { picker = fresh; wire(); }
          history.replaceState(null, "", url);
        })
        .catch(function () { window.location.href = url; })
        .finally(function () { picker.removeAttribute("aria-busy"); });
    };
    var wire = function () {
      var form = picker.querySelector("form[data-picker]");
      if (!form) return;
      var url = function () {
        var q = new URLSearchParams(new FormData(form)).toString();
        return form.getAttribute("action").split("#")[0] + "?" + q + "#picker";
      };
      var timer = null;
      form.addEventListener("change", function (ev) {
        if (ev.target.name === "q") return;
        load(url(), false);
      });
      form.addEventListener("input", function (ev) {
        if (ev.target.name !== "q") return;
        clearTimeout(timer);
        timer = setTimeout(function () { load(url(), false); }, 250);
      });
      form.addEventListener("submit", function (ev) { ev.preventDefault(); load(url(), true); });
    };
    wire();
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[data-pk]") : null;
      if (!a || !picker.contains(a)) return;
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
      ev.preventDefault();
      load(a.href, true);
    });
  }
})();
