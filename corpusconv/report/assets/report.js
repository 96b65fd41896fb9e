"use strict";
/* corpusconv report: sortable, filterable tables of pages (no library, no network).
   Rows come from window.CORPUSCONV.pages:
   [ordinal, id, title, date, kept, removed, removed%, comments, quotes, [flag codes], [reasons], url] */
(function () {
  var D = window.CORPUSCONV || {pages: [], files: "", labels: {}};
  var SHOW = 500;
  var COL = {n: 0, id: 1, title: 2, date: 3, kept: 4, removed: 5, share: 6, comments: 7, quotes: 8,
             codes: 9, reasons: 10, url: 11};

  function esc(s) {
    return String(s == null ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function pad(n) { var s = String(n); while (s.length < 6) { s = "0" + s; } return s; }
  function viewHref(n) { return D.files + "/page-" + pad(n) + ".html"; }
  function num(n) { return Number(n).toLocaleString("en-US"); }

  var cells = {
    n: function (r) { return '<td class="n">' + r[COL.n] + "</td>"; },
    id: function (r) {
      var url = r[COL.url] ? '<br><span class="muted">' + esc(r[COL.url]) + "</span>" : "";
      return '<td><a class="view" href="' + viewHref(r[COL.n]) + '">' + esc(r[COL.id]) + "</a>" + url + "</td>";
    },
    title: function (r) { return "<td>" + (r[COL.title] == null ? '<span class="muted">—</span>' : esc(r[COL.title])) + "</td>"; },
    date: function (r) { return "<td>" + esc(r[COL.date] || "") + "</td>"; },
    kept: function (r) { return '<td class="n">' + num(r[COL.kept]) + "</td>"; },
    removed: function (r) { return '<td class="n">' + num(r[COL.removed]) + "</td>"; },
    share: function (r) { return '<td class="n">' + r[COL.share] + "%</td>"; },
    comments: function (r) { return '<td class="n">' + num(r[COL.comments]) + "</td>"; },
    codes: function (r) { return "<td>" + esc(r[COL.codes].join(", ")) + "</td>"; },
    reasons: function (r) { return '<td class="reasons">' + esc(r[COL.reasons].join("; ")) + "</td>"; }
  };

  function sortValue(r, key) {
    if (key === "codes" || key === "reasons") { return r[COL[key]].length; }
    var v = r[COL[key]];
    return v == null ? "" : (typeof v === "string" ? v.toLowerCase() : v);
  }

  function Table(root, rows) {
    this.root = root;
    this.rows = rows;
    this.cols = root.getAttribute("data-cols").split(" ");
    this.query = root.querySelector("input.filter");
    this.flag = root.querySelector("select.flag");
    this.body = root.querySelector("tbody");
    this.more = root.querySelector("button.more");
    this.counter = root.querySelector(".count");
    this.key = "n";
    this.dir = 1;
    this.limit = SHOW;
    var self = this;
    root.querySelectorAll("th[data-key]").forEach(function (th) {
      th.addEventListener("click", function () { self.sortBy(th.getAttribute("data-key")); });
    });
    if (this.query) { this.query.addEventListener("input", function () { self.limit = SHOW; self.draw(); }); }
    if (this.flag) { this.flag.addEventListener("change", function () { self.limit = SHOW; self.draw(); }); }
    this.more.addEventListener("click", function () { self.limit += SHOW * 4; self.draw(); });
    this.draw();
  }
  Table.prototype.sortBy = function (key) {
    this.dir = this.key === key ? -this.dir : (key === "n" || key === "id" || key === "title" ? 1 : -1);
    this.key = key;
    this.draw();
  };
  Table.prototype.selected = function () {
    var q = this.query ? this.query.value.trim().toLowerCase() : "";
    var f = this.flag ? this.flag.value : "";
    return this.rows.filter(function (r) {
      if (f && r[COL.codes].indexOf(f) < 0) { return false; }
      if (!q) { return true; }
      var hay = (r[COL.id] + " " + (r[COL.title] || "") + " " + (r[COL.date] || "") + " " +
                 (r[COL.url] || "") + " " + r[COL.codes].join(" ")).toLowerCase();
      return hay.indexOf(q) >= 0;
    });
  };
  Table.prototype.draw = function () {
    var key = this.key, dir = this.dir;
    var rows = this.selected().sort(function (a, b) {
      var x = sortValue(a, key), y = sortValue(b, key);
      if (x < y) { return -dir; }
      if (x > y) { return dir; }
      return a[COL.n] - b[COL.n];
    });
    var cols = this.cols, html = [];
    rows.slice(0, this.limit).forEach(function (r) {
      html.push('<tr data-n="' + r[COL.n] + '">' + cols.map(function (c) { return cells[c](r); }).join("") + "</tr>");
    });
    this.body.innerHTML = html.join("");
    this.counter.textContent = rows.length === this.rows.length ? num(rows.length) + " pages"
      : num(rows.length) + " of " + num(this.rows.length) + " pages";
    this.more.hidden = rows.length <= this.limit;
    this.more.textContent = "show more (" + num(rows.length - this.limit) + " not shown)";
    this.root.querySelectorAll("th[data-key]").forEach(function (th) {
      th.className = (th.classList.contains("n") ? "n " : "") +
        (th.getAttribute("data-key") === key ? (dir > 0 ? "asc" : "desc") : "");
    });
  };

  function start() {
    var all = D.pages;
    var flagged = all.filter(function (r) { return r[COL.codes].length > 0; });
    var tables = {};
    document.querySelectorAll("div.tbl").forEach(function (root) {
      var kind = root.getAttribute("data-rows");
      tables[kind] = new Table(root, kind === "flagged" ? flagged : all);
    });
    document.querySelectorAll("a[data-flag]").forEach(function (a) {
      a.addEventListener("click", function () {
        var t = tables.flagged;
        if (t && t.flag) { t.flag.value = a.getAttribute("data-flag"); t.limit = SHOW; t.draw(); }
      });
    });
  }
  // A rule's bar links to its samples: open them when it is followed.
  function openTarget() {
    var el = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
