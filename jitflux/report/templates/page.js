// The report page's script: draws the fluxion graph with the embedded Graphviz, fills the side
// panel on click, searches by fluxion or variable. It reads the facts from #report-data and
// loads nothing. `window.jitfluxReport` tells whether the graph is drawn (used by the tests).
(function () {
  "use strict";
  var data = null;  // the report's facts, once inflated
  var fluxions = [];
  var state = { ready: false, error: null, nodes: 0, edges: 0, selected: null, scale: 1 };
  window.jitfluxReport = state;

  var graph = document.getElementById("graph");
  var statusLine = document.getElementById("status");
  var panel = document.getElementById("panel");
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var Panel = JitfluxPanel;
  var el = Panel.el, append = Panel.append;
  var nodes = [];  // the SVG group of each fluxion, by index
  var svg = null;
  var size = { width: 1, height: 1 };

  // ------------------------------------------------------------------------------ the graph

  // Graphviz lays the graph out in a worker, so that the page stays responsive however big
  // the graph; where a worker cannot start, on the page itself. Either way, an SVG element.
  var WORKER = "\n;self.onmessage = function (event) {\n" +
    "  Viz.instance().then(function (viz) {\n" +
    "    self.postMessage({ svg: viz.renderString(event.data, { format: 'svg' }) });\n" +
    "  }).catch(function (error) {\n" +
    "    self.postMessage({ error: String(error && error.message ? error.message : error) });\n" +
    "  });\n" +
    "};\n";

  function layout(dot) {
    var renderer = document.getElementById("renderer");
    if (!renderer) return Promise.reject(new Error("the graph renderer is missing from the page"));
    var source = renderer.textContent;
    return new Promise(function (resolve, reject) {
      var worker = null;
      try {
        var code = new Blob([source, WORKER], { type: "text/javascript" });
        worker = new Worker(URL.createObjectURL(code));
      } catch (error) {
        resolve(layoutHere(source, dot));
        return;
      }
      worker.onmessage = function (event) {
        worker.terminate();
        if (event.data.error) {
          reject(new Error(event.data.error));
          return;
        }
        state.worker = true;
        var parsed = new DOMParser().parseFromString(event.data.svg, "image/svg+xml");
        resolve(document.importNode(parsed.documentElement, true));
      };
      worker.onerror = function (event) {
        event.preventDefault();
        worker.terminate();
        resolve(layoutHere(source, dot));
      };
      worker.postMessage(dot);
    });
  }

  function layoutHere(source, dot) {
    state.worker = false;
    if (typeof Viz === "undefined") {
      var script = document.createElement("script");
      script.textContent = source;
      document.head.appendChild(script);
    }
    return Viz.instance().then(function (viz) { return viz.renderSVGElement(dot); });
  }

  function draw() {
    var started = performance.now();
    layout(data.dot).then(function (drawn) {
      state.layoutMs = Math.round(performance.now() - started);
      svg = drawn;
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
      var fit = fitScale();
      state.fitted = fit >= 0.6;
      zoom(state.fitted ? Math.min(fit, 1.4) : 0.6);
      statusLine.textContent = state.nodes + " fluxions, " + state.edges + " streams";
      selectFromAddress();
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
    Panel.show(index);
    refit();
    // The address names the fluxion shown, so that report.html#reply opens on it.
    try {
      history.replaceState(null, "", "#" + encodeURIComponent(fluxion.name));
    } catch (error) {
      // Some browsers refuse to change the address of a local file: the page works without.
    }
  }

  function closePanel() {
    panel.hidden = true;
    refit();
  }

  document.getElementById("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target !== search) closePanel();
  });

  // The fluxion named in the address (report.html#reply), once the graph is drawn.
  function selectFromAddress() {
    var name;
    try {
      name = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return;  // not a name this page wrote
    }
    var index = fluxions.findIndex(function (f) { return f.name === name; });
    if (index >= 0) select(index, true);
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
      if (!why && group === null) {
        var held = Panel.variablesOf(index).filter(function (v) {
          return v.name.toLowerCase().indexOf(q) >= 0;
        })[0];
        if (held) why = "variable " + held.name + " (" + held.rule + ")";
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

  // The facts are deflated JSON in base64 (page.py's `pack`): the browser inflates them.
  function readFacts() {
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser has no DecompressionStream"));
    }
    var binary = atob(document.getElementById("report-data").textContent.trim());
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  readFacts().then(function (facts) {
    data = facts;
    fluxions = facts.fluxions;
    Panel.create(facts);
    draw();
  }, function (error) {
    fail("cannot read the report's facts: " + (error && error.message ? error.message : error));
  });
})();
