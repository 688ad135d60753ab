// The side panel of the report page: what one fluxion is, does and is tied by. Defines the
// global JitfluxPanel, used by page.js; builds every element with textContent (no markup from
// the facts ever reaches innerHTML).
var JitfluxPanel = (function () {
  "use strict";
  var DISPATCHERS = ["express_dispatcher", "koa_dispatcher", "fastify_dispatcher"];
  var data = null;
  var panel = null;
  var panelBody = null;
  var variablesOf = [];  // the variables of the fluxions document, by fluxion index

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

  // Fill the panel with the facts of fluxion `index` and open it.
  function show(index) {
    var f = data.fluxions[index];
    panelBody.textContent = "";
    append(panelBody, el("h1", null, f.name));
    var chips = el("div", "chips");
    if (DISPATCHERS.indexOf(f.name) >= 0) append(chips, el("span", "chip kind-merge", "merge"));
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

    var held = variablesOf[index];
    if (held.length) {
      var vars = el("section");
      vars.setAttribute("data-section", "variables");
      append(vars, el("h3", null, "Variables"));
      vars.appendChild(table(["name", "rule", "declared"], held.map(function (v) {
        var placement = v.placement || {};
        var rule = placement.rule || v.rule;
        if (placement["case"]) rule += " (" + placement["case"] + ")";
        if (v.via && v.via !== placement["case"]) rule += " via " + v.via;
        return [v.name, rule, where(v.declared)];
      })));
      append(panelBody, vars);
    }
    if (f.notes.length) {
      append(panelBody, el("h3", null, "Notes"));
      var notes = el("ul", "notes");
      f.notes.forEach(function (note) { append(notes, el("li", null, note)); });
      append(panelBody, notes);
    }
    append(panelBody, observed(f));
    panel.hidden = false;
    panel.scrollTop = 0;
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
        // The caret underlines the name at the column, as explain's does.
        var width = (code.slice(label.column).match(/^[\w$]+/) || ["x"])[0].length;
        // Shown without its indentation, the caret moved left as much.
        var indent = Math.min(code.match(/^\s*/)[0].length, label.column);
        var at = 7 + label.column - indent;
        var marks = " ".repeat(at) + (label.primary ? "^" : "-").repeat(width);
        // A label that would run past the panel goes on its own line, under the line number.
        var text = marks.length + 1 + label.text.length > 64
          ? marks + "\n" + " ".repeat(7) + label.text : marks + " " + label.text;
        append(pre, document.createTextNode(String(label.line).padStart(4) + " | " +
          code.slice(indent) + "\n"));
        append(pre, el("span", label.primary ? "caret" : "secondary", text));
        append(part, pre);
      } else {
        append(part, el("div", null, label.text));
      }
      append(box, part);
    });
    if (tie.more && tie.more.labels) {
      append(box, el("div", "where", "... and " + tie.more.labels + " more locations"));
    }
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

  // Ready the panel for the report's facts: index the variables by fluxion.
  function create(facts) {
    data = facts;
    panel = document.getElementById("panel");
    panelBody = document.getElementById("panel-body");
    var byName = {};
    data.fluxions.forEach(function (f, index) { if (!(f.name in byName)) byName[f.name] = index; });
    variablesOf = data.fluxions.map(function () { return []; });
    (data.variables || []).forEach(function (v) {
      (v.fluxions || []).forEach(function (name) {
        if (name in byName) variablesOf[byName[name]].push(v);
      });
    });
  }

  return {
    create: create,
    show: show,
    variablesOf: function (index) { return variablesOf[index]; },
    el: el,
    append: append
  };
})();
