// Dari review page. Article text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var PAGE_SIZE = 100;
  var data = JSON.parse(document.getElementById("dari-data").textContent);
  var pairs = data.pairs;
  var table = { key: "id", dir: 1, page: 0, filter: "", view: pairs.slice() };
  var filters = { min: data.minScore || 0, unaligned: true, flags: {}, search: "" };
  var current = null;  // { pair, rows: [{tr, row, text}] }

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(value, digits) {
    return value === null || value === undefined ? "–" : value.toFixed(digits || 3);
  }

  function scoreColour(score) {
    return "hsl(" + Math.round(score * 120) + ", 70%, 82%)";
  }

  function badge(name) {
    return el("span", "badge " + (name === "unaligned" ? "unaligned" : ""), name);
  }

  // -- pairs table -------------------------------------------------------------------

  function compare(a, b) {
    var x = a[table.key], y = b[table.key];
    if (x === y) return a.id - b.id;
    if (x === null || x === undefined) return 1;   // missing values always last
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * table.dir;
  }

  function matchesPairFilter(pair, needle) {
    return !needle || [String(pair.id), pair.en, pair.ko, pair.enTitle, pair.koTitle]
      .some(function (s) { return s.toLowerCase().indexOf(needle) >= 0; });
  }

  function updateTableView() {
    var needle = table.filter.toLowerCase();
    table.view = pairs.filter(function (p) { return matchesPairFilter(p, needle); });
    table.view.sort(compare);
  }

  function pairCell(pair, side) {
    var td = el("td");
    var link = el("a", null, side === "en" ? pair.enTitle : pair.koTitle);
    link.href = "#pair-" + pair.id;
    if (side === "ko") link.lang = "ko";
    td.appendChild(el("span", "ident", side === "en" ? pair.en : pair.ko));
    td.appendChild(link);
    return td;
  }

  function renderTable() {
    var pages = Math.max(1, Math.ceil(table.view.length / PAGE_SIZE));
    table.page = Math.min(table.page, pages - 1);
    var body = document.querySelector("#pairs-table tbody");
    body.textContent = "";
    table.view.slice(table.page * PAGE_SIZE, (table.page + 1) * PAGE_SIZE).forEach(function (p) {
      var tr = el("tr");
      var idCell = el("td", "num");
      var link = el("a", null, p.id);
      link.href = "#pair-" + p.id;
      idCell.appendChild(link);
      tr.appendChild(idCell);
      tr.appendChild(pairCell(p, "en"));
      tr.appendChild(pairCell(p, "ko"));
      tr.appendChild(el("td", null, p.method));
      [p.conf, p.covEn, p.covKo].forEach(function (v) { tr.appendChild(el("td", "num", fmt(v, 2))); });
      tr.appendChild(el("td", "num", p.beads));
      var mean = el("td", "num");
      if (p.mean !== null) {
        var chip = el("span", "score", fmt(p.mean, 2));
        chip.style.background = scoreColour(p.mean);
        mean.appendChild(chip);
      } else {
        mean.textContent = "–";
      }
      tr.appendChild(mean);
      var flagCell = el("td");
      p.flags.forEach(function (f) { flagCell.appendChild(badge(f)); });
      tr.appendChild(flagCell);
      body.appendChild(tr);
    });
    $("page-info").textContent = "page " + (table.page + 1) + " of " + pages;
    $("prev-page").disabled = table.page === 0;
    $("next-page").disabled = table.page >= pages - 1;
    $("pairs-count").textContent = table.view.length + " of " + pairs.length + " pairs";
    document.querySelectorAll("#pairs-table th[data-key]").forEach(function (th) {
      th.classList.toggle("sorted-asc", th.dataset.key === table.key && table.dir === 1);
      th.classList.toggle("sorted-desc", th.dataset.key === table.key && table.dir === -1);
    });
  }

  document.querySelectorAll("#pairs-table th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.key;
      table.dir = table.key === key ? -table.dir : (key === "id" || key === "en" || key === "ko" || key === "method" ? 1 : -1);
      table.key = key;
      table.page = 0;
      updateTableView();
      renderTable();
    });
  });
  $("pairs-filter").addEventListener("input", function (event) {
    table.filter = event.target.value;
    table.page = 0;
    updateTableView();
    renderTable();
  });
  $("prev-page").addEventListener("click", function () { table.page -= 1; renderTable(); });
  $("next-page").addEventListener("click", function () { table.page += 1; renderTable(); });

  // -- one pair's alignment ----------------------------------------------------------

  function sentencesCell(ids, texts, lang) {
    var td = el("td", lang);
    if (!ids.length) {
      td.classList.add("gap");
      td.textContent = "no counterpart";
      return td;
    }
    td.lang = lang;
    ids.forEach(function (i) {
      var span = el("span", "sentence", texts[i] === undefined ? "" : texts[i]);
      span.title = lang + " sentence " + (i + 1);
      td.appendChild(span);
    });
    return td;
  }

  function beadRow(number, row, block) {
    var en = row[0], ko = row[1], score = row[2];
    var names = row[3].map(function (k) { return data.flags[k]; });
    var unaligned = !en.length || !ko.length;
    var tr = el("tr", unaligned ? "unaligned" : "link");
    tr.appendChild(el("td", "type num", number + " · " + en.length + "-" + ko.length));
    tr.appendChild(sentencesCell(en, block.en, "en"));
    tr.appendChild(sentencesCell(ko, block.ko, "ko"));
    var scoreCell = el("td", "num");
    if (score !== null) {
      var chip = el("span", "score", fmt(score, 2));
      chip.style.background = scoreColour(score);
      chip.title = "score " + score;
      scoreCell.appendChild(chip);
    } else {
      scoreCell.textContent = "–";
    }
    tr.appendChild(scoreCell);
    var flagCell = el("td", "flags");
    if (unaligned) flagCell.appendChild(badge("unaligned"));
    names.forEach(function (f) { flagCell.appendChild(badge(f)); });
    tr.appendChild(flagCell);
    var text = en.map(function (i) { return block.en[i] || ""; })
      .concat(ko.map(function (i) { return block.ko[i] || ""; })).join("\n").toLowerCase();
    return { tr: tr, unaligned: unaligned, score: score, flags: names, text: text };
  }

  function rowVisible(r) {
    if (r.unaligned && !filters.unaligned) return false;
    if (!r.unaligned && filters.min > 0 && (r.score === null || r.score < filters.min)) return false;
    var wanted = Object.keys(filters.flags).filter(function (f) { return filters.flags[f]; });
    if (wanted.length && !wanted.some(function (f) { return r.flags.indexOf(f) >= 0; })) return false;
    return !filters.search || r.text.indexOf(filters.search) >= 0;
  }

  function applyFilters() {
    if (!current) return;
    var shown = 0;
    current.rows.forEach(function (r) {
      var visible = rowVisible(r);
      r.tr.hidden = !visible;
      if (visible) shown += 1;
    });
    $("rows-count").textContent = shown + " of " + current.rows.length + " rows shown";
  }

  function renderFlagFilter(rows) {
    var box = $("flag-filter");
    box.textContent = "";
    var names = {};
    rows.forEach(function (r) { r.flags.forEach(function (f) { names[f] = true; }); });
    var list = Object.keys(names).sort();
    if (!list.length) return;
    box.appendChild(el("span", "muted", "only flagged:"));
    list.forEach(function (name) {
      var label = el("label");
      var box2 = el("input");
      box2.type = "checkbox";
      box2.value = name;
      box2.checked = !!filters.flags[name];
      box2.addEventListener("change", function () { filters.flags[name] = box2.checked; applyFilters(); });
      label.appendChild(box2);
      label.appendChild(badge(name));
      box.appendChild(label);
    });
  }

  function metaItem(list, term, value) {
    var item = el("div", "item");
    item.appendChild(el("dt", null, term));
    item.appendChild(el("dd", null, value));
    list.appendChild(item);
  }

  function renderPairHead(pair) {
    var head = $("pair-head");
    head.textContent = "";
    head.appendChild(el("h2", "en", pair.enTitle));
    var ko = el("h2", "ko", pair.koTitle);
    ko.lang = "ko";
    head.appendChild(ko);
    var meta = el("dl");
    metaItem(meta, "pair", "#" + pair.id);
    metaItem(meta, "English", pair.en);
    metaItem(meta, "Korean", pair.ko);
    metaItem(meta, "method", pair.method + " (confidence " + fmt(pair.conf, 2) + ")");
    metaItem(meta, "coverage en / ko", fmt(pair.covEn, 2) + " / " + fmt(pair.covKo, 2));
    metaItem(meta, "mean score", fmt(pair.mean, 3));
    if (pair.aligner) metaItem(meta, "aligner", pair.aligner);
    if (pair.note) metaItem(meta, "note", pair.note);
    head.appendChild(meta);
    pair.flags.forEach(function (f) { head.appendChild(badge(f)); });
  }

  function neighbour(pair, step) {
    var order = table.view.length ? table.view : pairs;
    var at = order.indexOf(pair);
    return at < 0 ? null : order[at + step] || null;
  }

  function setNavLink(link, pair) {
    link.hidden = !pair;
    if (pair) link.href = "#pair-" + pair.id;
  }

  function showPair(pair) {
    var block = JSON.parse($("pair-data-" + pair.id).textContent);
    renderPairHead(pair);
    var body = document.querySelector("#beads tbody");
    body.textContent = "";
    var rows = block.rows.map(function (row, k) { return beadRow(k + 1, row, block); });
    rows.forEach(function (r) { body.appendChild(r.tr); });
    current = { pair: pair, rows: rows };
    $("pair-empty").hidden = block.aligned;
    $("beads").hidden = !block.aligned;
    renderFlagFilter(rows);
    setNavLink($("prev-pair"), neighbour(pair, -1));
    setNavLink($("next-pair"), neighbour(pair, 1));
    applyFilters();
  }

  // -- filters of the pair view --------------------------------------------------------

  // The field being typed in is never written back: "0." must be allowed to become "0.5".
  function setMinScore(value, source) {
    var v = Math.min(1, Math.max(0, parseFloat(value) || 0));
    filters.min = v;
    if (source !== "number") $("min-score").value = v;
    if (source !== "range") $("min-score-range").value = v;
    applyFilters();
  }
  $("min-score").addEventListener("input", function (e) { setMinScore(e.target.value, "number"); });
  $("min-score-range").addEventListener("input", function (e) { setMinScore(e.target.value, "range"); });
  $("show-unaligned").addEventListener("change", function (e) {
    filters.unaligned = e.target.checked;
    applyFilters();
  });
  $("search").addEventListener("input", function (e) {
    filters.search = e.target.value.trim().toLowerCase();
    applyFilters();
  });

  // -- routing: #pair-12 opens a pair, anything else the overview ----------------------

  var byId = {};
  pairs.forEach(function (p) { byId[p.id] = p; });

  function route() {
    var match = /^#pair-(\d+)$/.exec(location.hash);
    var pair = match ? byId[match[1]] : null;
    $("overview").hidden = !!pair;
    $("pair-view").hidden = !pair;
    if (pair) {
      if (!current || current.pair !== pair) showPair(pair);
      window.scrollTo(0, 0);
    }
  }

  setMinScore(filters.min);
  updateTableView();
  renderTable();
  window.addEventListener("hashchange", route);
  // A report of one pair (--doc) opens on it; "All pairs" still leads to the summary.
  if (data.only !== null && !location.hash) location.replace("#pair-" + data.only);
  route();
  document.body.dataset.ready = "true";
})();
