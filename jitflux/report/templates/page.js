// The report page's script: draws the fluxion graph with the embedded Graphviz, fills the side
// panel on click, searches by fluxion or variable. It reads the facts from #report-data and
// loads nothing. `window.jitfluxReport` tells whether the graph is drawn (used by the tests).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var fluxions = data.fluxions;
  var DISPATCHER = "express_dispatcher";
  var state = { ready: false, error: null, nodes: 0, edges: 0, selected: null, scale: 1 };
  window.jitfluxReport = state;

  var graph = document.getElementById("graph");
  var statusLine = document.getElementById("status");
  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var nodes = [];  // the SVG group of each fluxion, by index
  var svg = null;
  var size = { width: 1, height: 1 };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      if (arguments[i]) parent.appendChild(arguments[i]);
    }
    return parent;
  }

  function kind(tag) {
    if (tag === "network" || tag === "unknown" || tag === "isolated") return tag;
    return "share";
  }

  var lines = {};  // the lines of each source file, split when first needed
  function sourceLine(loc) {
    if (!loc || !data.sources || !(loc.file in data.sources)) return null;
    if (!lines[loc.file]) lines[loc.file] = data.sources[loc.file].split(/\r?\n/);
    var text = lines[loc.file][loc.line - 1];
    return text === undefined ? null : text;
  }

  function where(loc) {
    return loc ? loc.file + ":" + loc.line + ":" + loc.column : "";
  }

  function message(items) {
    return items && items.length ? " [" + items.join(", ") + "]" : "";
  }

  // ------------------------------------------------------------------------------ the graph

  function draw() {
    if (typeof Viz === "undefined") {
      fail("the graph renderer is missing from the page");
      return;
    }
    Viz.instance().then(function (viz) {
      var started = performance.now();
      svg = viz.renderSVGElement(data.dot);
      var box = svg.viewBox.baseVal;
      size = { width: box.width || 1, height: box.height || 1 };
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      graph.appendChild(svg);
      svg.querySelectorAll("g.node").forEach(function (node) {
        var index = Number(node.id.replace("fx-", ""));
        if (!isNaN(index)) nodes[index] = node;
        var title = node.querySelector("title");
        if (title) title.textContent = fluxions[index] ? fluxions[index].name : title.textContent;
      });
      state.nodes = svg.querySelectorAll("g.node").length;
      state.edges = svg.querySelectorAll("g.edge").length;
      state.layoutMs = Math.round(performance.now() - started);
      var fit = fitScale();
      state.fitted = fit >= 0.6;
      zoom(state.fitted ? Math.min(fit, 1.4) : 0.6);
      statusLine.textContent = state.nodes + " fluxions, " + state.edges + " streams";
      state.ready = true;
      document.body.setAttribute("data-ready", "true");
    }).catch(function (error) {
      fail("cannot draw the graph: " + (error && error.message ? error.message : error));
    });
  }

  function fail(text) {
    state.error = text;
    statusLine.textContent = text;
    statusLine.classList.add("error");
    document.body.setAttribute("data-ready", "error");
  }

  function fitScale() {
    var width = graph.clientWidth - 24, height = graph.clientHeight - 24;
    return Math.min(width / size.width, height / size.height);
  }

  function zoom(scale) {
    state.scale = Math.max(0.05, Math.min(scale, 4));
    if (!svg) return;
    svg.style.width = size.width * state.scale + "px";
    svg.style.height = size.height * state.scale + "px";
  }

  function refit() {
    if (state.fitted) zoom(Math.min(fitScale(), 1.4));
  }

  document.getElementById("zoom-in").addEventListener("click", function () {
    state.fitted = false;
    zoom(state.scale * 1.25);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    state.fitted = false;
    zoom(state.scale / 1.25);
  });
  document.getElementById("zoom-fit").addEventListener("click", function () {
    state.fitted = true;
    zoom(fitScale());
  });

  graph.addEventListener("click", function (event) {
    var node = event.target.closest && event.target.closest("g.node");
    if (node) select(Number(node.id.replace("fx-", "")), false);
  });

  function select(index, scroll) {
    var fluxion = fluxions[index];
    if (!fluxion) return;
    graph.querySelectorAll(".selected, .linked").forEach(function (node) {
      node.classList.remove("selected", "linked");
    });
    var node = nodes[index];
    if (node) {
      node.classList.add("selected");
      graph.querySelectorAll("g.edge.from-" + index + ", g.edge.to-" + index).forEach(function (edge) {
        edge.classList.add("linked");
      });
      if (scroll) node.scrollIntoView({ block: "center", inline: "center" });
    }
    state.selected = fluxion.name;
    show(fluxion);
  }

  // ------------------------------------------------------------------------------ the panel

  function show(f) {
    panelBody.textContent = "";
    append(panelBody, el("h1", null, f.name));
    var chips = el("div", "chips");
    if (f.name === DISPATCHER) append(chips, el("span", "chip kind-merge", "merge"));
    if (f.isolated) append(chips, el("span", "chip kind-isolated", "isolated"));
    f.tags.forEach(function (tag) { append(chips, el("span", "chip kind-" + kind(tag), "& " + tag)); });
    append(panelBody, chips);

    var facts = el("dl", "kv");
    function fact(name, value) {
      if (value === null || value === undefined || value === "") return;
      append(facts, el("dt", null, name), el("dd", null, value));
    }
    fact("context", "{" + f.context.join(", ") + "}");
    fact("origin", f.origin ? where(f.origin) : "added by jitflux");
    fact("ran", f.runs === null ? (f.name === "main" ? "once, at start" : "not seen as a callback")
      : f.runs + (f.runs === 1 ? " time" : " times"));
    fact("requests", f.requests.length ? f.requests.join(", ") : null);
    f.receives.forEach(function (r) {
      fact("receives", (r.type === "start" ? ">> " : "-> ") + "from " + r.from + message(r.message));
    });
    f.streams.forEach(function (s) {
      fact("sends", (s.type === "start" ? ">> " : "-> ") + s.to.join(", ") + message(s.message));
    });
    facts.setAttribute("data-section", "facts");
    append(panelBody, facts);

    append(panelBody, el("h3", null, "Code"));
    append(panelBody, highlight(f.flx));

    var ties = el("section");
    ties.setAttribute("data-section", "ties");
    append(ties, el("h3", null, f.ties.length ? "Ties (" + f.ties.length + ")" : "Ties"));
    if (!f.ties.length) append(ties, el("p", "muted", f.isolated
      ? "No tie: this fluxion is isolated, it can run apart, fed by its messages."
      : "No tie recorded."));
    f.ties.forEach(function (tie) { append(ties, tieBox(tie)); });
    append(panelBody, ties);

    if (f.notes.length) {
      append(panelBody, el("h3", null, "Notes"));
      var notes = el("ul", "notes");
      f.notes.forEach(function (note) { append(notes, el("li", null, note)); });
      append(panelBody, notes);
    }
    append(panelBody, observed(f));
    panel.hidden = false;
    panel.scrollTop = 0;
    refit();
  }

  function tieBox(tie) {
    var box = el("div", "tie rule-" + tie.rule);
    box.setAttribute("data-rule", tie.rule);
    var head = el("div");
    append(head, el("span", "chip kind-" + (tie.rule === "merge" ? "merge" : kind(tie.rule)), tie.rule));
    if (tie.variable) append(head, el("code", null, tie.variable));
    if (tie.with.length) append(head, el("span", "muted", " with " + tie.with.join(", ")));
    append(box, head, el("div", "reason", tie.reason));
    tie.labels.forEach(function (label) {
      var part = el("div", "label");
      append(part, el("div", "where", (label.primary ? "--> " : "::: ") + where(label)));
      var code = sourceLine(label);
      if (code !== null) {
        var pre = el("pre", "snippet");
        var width = (code.slice(label.column).match(/^[\w$.]+/) || ["x"])[0].length;
        // Shown without its indentation, the caret moved left as much.
        var indent = Math.min(code.match(/^\s*/)[0].length, label.column);
        append(pre, document.createTextNode(String(label.line).padStart(4) + " | " +
          code.slice(indent) + "\n"));
        append(pre, el("span", label.primary ? "caret" : "secondary",
          " ".repeat(7 + label.column - indent) + (label.primary ? "^" : "-").repeat(width) +
          " " + label.text));
        append(part, pre);
      } else {
        append(part, el("div", null, label.text));
      }
      append(box, part);
    });
    tie.notes.forEach(function (note) { append(box, el("div", "note", note)); });
    if (tie.help) append(box, el("div", "help", tie.help));
    return box;
  }

  function observed(f) {
    var section = el("section");
    section.setAttribute("data-section", "observed");
    if (!f.ruptures.length && !f.effects.length) return section;
    append(section, el("h3", null, "Observed"));
    if (f.ruptures.length) {
      section.appendChild(table(["type", "handed to", "by", "runs"], f.ruptures.map(function (p) {
        return [p.type, p.callee, p.caller, p.count];
      })));
    }
    if (f.effects.length) {
      append(section, el("h3", null, "Effects"));
      section.appendChild(table(["kind", "target", "count", "requests"], f.effects.map(function (e) {
        return [e.kind, e.target, e.count, e.requests.join(", ")];
      })));
      if (f.more_effects) append(section, el("p", "muted", "and " + f.more_effects + " more"));
    }
    return section;
  }

  function table(head, rows) {
    var t = el("table", "counts");
    var tr = el("tr");
    head.forEach(function (h) { append(tr, el("th", null, h)); });
    append(t, tr);
    rows.forEach(function (row) {
      var line = el("tr");
      row.forEach(function (cell) { append(line, el("td", typeof cell === "number" ? "n" : null, cell)); });
      append(t, line);
    });
    return t;
  }

  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true;
    refit();
  });

  // --------------------------------------------------------------------- flx highlighting

  var KEYWORDS = new Set(("var let const function return if else for while do break continue " +
    "new this typeof instanceof in of try catch finally throw switch case default async await " +
    "class extends null undefined true false require").split(" "));
  var TOKEN = /(\/\/.*$)|(\/\*.*?\*\/)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)|((?:>>|->) ?[\w$]+)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_$][\w$]*)/g;

  function highlight(text) {
    var pre = el("pre", "code");
    text.replace(/\n$/, "").split("\n").forEach(function (line, number) {
      if (number) pre.appendChild(document.createTextNode("\n"));
      if (/^flx /.test(line)) { append(pre, el("span", "flx", line)); return; }
      if (/^(>>|->) /.test(line)) { append(pre, el("span", "arrow", line)); return; }
      var last = 0, found;
      TOKEN.lastIndex = 0;
      while ((found = TOKEN.exec(line)) !== null) {
        if (found.index > last) pre.appendChild(document.createTextNode(line.slice(last, found.index)));
        var cls = found[1] || found[2] ? "com" : found[3] ? "str" : found[4] ? "ph" : found[5] ? "num"
          : KEYWORDS.has(found[6]) ? "kw" : null;
        if (cls) append(pre, el("span", cls, found[0]));
        else pre.appendChild(document.createTextNode(found[0]));
        last = TOKEN.lastIndex;
      }
      if (last < line.length) pre.appendChild(document.createTextNode(line.slice(last)));
    });
    return pre;
  }

  // ------------------------------------------------------------------------------- search

  function matches(query) {
    var q = query.trim().toLowerCase();
    var found = [];
    if (!q) return found;
    var group = q.charAt(0) === "&" ? q.slice(1).trim() : null;
    fluxions.forEach(function (f, index) {
      var why = null;
      if (group !== null) {
        if (f.tags.some(function (t) { return t.toLowerCase() === group; }) ||
          (group === "isolated" && f.isolated)) why = "& " + group;
      } else if (f.name.toLowerCase().indexOf(q) >= 0) {
        why = "fluxion";
      } else {
        var name = f.context.filter(function (v) { return v.toLowerCase().indexOf(q) >= 0; })[0];
        if (name) why = "context {" + name + "}";
        f.streams.forEach(function (s) {
          s.message.forEach(function (m) {
            if (!why && m.toLowerCase().indexOf(q) >= 0) why = "message [" + m + "]";
          });
        });
        f.ties.forEach(function (t) {
          if (!why && t.variable && String(t.variable).toLowerCase().indexOf(q) >= 0) {
            why = "tie " + t.rule + " on " + t.variable;
          }
        });
      }
      if (why) found.push({ index: index, why: why });
    });
    return found;
  }

  var shown = [];
  function runSearch() {
    var found = matches(search.value);
    shown = found;
    results.textContent = "";
    nodes.forEach(function (node) { if (node) node.classList.remove("match"); });
    graph.classList.toggle("searching", search.value.trim() !== "");
    if (!search.value.trim()) return;
    found.forEach(function (item) { if (nodes[item.index]) nodes[item.index].classList.add("match"); });
    if (!found.length) { append(results, el("li", "none", "no fluxion or variable matches")); return; }
    found.slice(0, 200).forEach(function (item) {
      var li = el("li");
      li.setAttribute("data-index", item.index);
      append(li, document.createTextNode(fluxions[item.index].name + " "), el("span", "why", item.why));
      results.appendChild(li);
    });
    if (found.length > 200) append(results, el("li", "none", "and " + (found.length - 200) + " more"));
  }

  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 80);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      clearTimeout(timer);
      runSearch();
      if (shown.length) select(shown[0].index, true);
    } else if (event.key === "Escape") {
      search.value = "";
      runSearch();
    }
  });
  results.addEventListener("click", function (event) {
    var li = event.target.closest("li[data-index]");
    if (li) select(Number(li.getAttribute("data-index")), true);
  });
  document.querySelectorAll(".groups tbody tr").forEach(function (row) {
    row.addEventListener("click", function () {
      search.value = "& " + row.getAttribute("data-group");
      runSearch();
    });
  });

  draw();
})();
