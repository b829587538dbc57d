/**
 * The live inspector page: plain HTML and a small script, no framework, nothing fetched from
 * elsewhere. Everything from the server goes into the DOM as text (stanzas are untrusted input).
 * Kept as strings so `tsc` builds carry it without a copy step.
 */

export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tjabberd inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  header { display: flex; gap: 24px; align-items: baseline; padding: 8px 16px; background: #1f2933; color: #f5f7fa; }
  header h1 { font-size: 16px; margin: 0; }
  #status.live { color: #8ee08e; } #status.down { color: #ff9b9b; }
  #pool { font-family: ui-monospace, monospace; }
  main { display: grid; grid-template-columns: minmax(320px, 1fr) 2fr; gap: 12px; padding: 12px 16px; }
  section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; min-width: 0; }
  h2 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; color: #52606d; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef2f6; vertical-align: top; }
  td.state, td.jid { font-family: ui-monospace, monospace; }
  tr.connection { cursor: pointer; } tr.connection:hover { background: #f0f4f8; }
  tr.selected { background: #fff3c4 !important; } tr.closed { color: #9aa5b1; }
  #chart { overflow: auto; max-height: 75vh; } #chart svg { width: 100%; height: auto; }
  #chart.actual svg { width: auto; max-width: none; }
  button { font: inherit; font-size: 12px; margin-left: 8px; }
  #stanzas-section { grid-column: 1 / -1; }
  #stanzas { list-style: none; margin: 0; padding: 0; max-height: 50vh; overflow: auto; }
  #stanzas li { border-bottom: 1px solid #eef2f6; padding: 4px 0; }
  #stanzas li.mine { background: #fffbea; }
  .meta { color: #52606d; font-family: ui-monospace, monospace; }
  .steps { font-family: ui-monospace, monospace; }
  .step { display: inline-block; padding: 0 4px; margin: 1px 2px; border-radius: 3px; background: #e4f0fb; }
  .step.error-handler { background: #ffe3e3; } .step.skipped { background: #eee; color: #888; text-decoration: line-through; }
  .step.failed { outline: 1px solid #d64545; }
  .error { color: #c92a2a; }
  pre { margin: 4px 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; background: #f5f7fa; padding: 4px; }
</style>
</head>
<body>
<header><h1>tjabberd inspector</h1><span id="status">connecting…</span><span id="pool"></span></header>
<main>
  <section><h2>Connections</h2>
    <table><thead><tr><th>JID</th><th>state</th><th>since</th></tr></thead><tbody id="connections"></tbody></table>
  </section>
  <section><h2>Connection chart <span id="chart-for" class="meta"></span><button id="zoom" type="button">actual size</button></h2><div id="chart"></div></section>
  <section id="stanzas-section"><h2>Recent stanzas (newest first)</h2><ul id="stanzas"></ul></section>
</main>
<script src="/app.js"></script>
</body>
</html>
`;

export const INSPECTOR_JS = String.raw`"use strict";
(function () {
  var connections = {};   // id -> view
  var selected = null;    // connection id
  var MAX_STANZAS = 200;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function stateText(value) {
    if (typeof value === "string") return value;
    if (!value || typeof value !== "object") return String(value);
    return Object.keys(value).map(function (k) { return k + "." + stateText(value[k]); }).join(", ");
  }

  function time(ms) { return new Date(ms).toLocaleTimeString(); }

  function renderConnection(view) {
    connections[view.id] = view;
    var row = document.querySelector('tr[data-id="' + view.id + '"]');
    if (!row) {
      row = el("tr", { "data-id": view.id, "class": "connection" });
      row.appendChild(el("td", { "class": "jid" }));
      row.appendChild(el("td", { "class": "state" }));
      row.appendChild(el("td", { "class": "since" }));
      row.addEventListener("click", function () { select(view.id); });
      $("connections").prepend(row);
    }
    row.querySelector(".jid").textContent = view.jid || "(not bound)";
    row.querySelector(".state").textContent = stateText(view.state);
    row.querySelector(".since").textContent = time(view.since) + " (" + view.event + ")";
    row.dataset.state = stateText(view.state);
    row.dataset.status = view.status;
    row.classList.toggle("closed", view.status !== "active");
    row.classList.toggle("selected", view.id === selected);
    if (selected === null && view.status === "active") select(view.id);
    else if (view.id === selected) highlight();
  }

  function select(id) {
    selected = id;
    document.querySelectorAll("tr.connection").forEach(function (r) { r.classList.toggle("selected", r.dataset.id === id); });
    document.querySelectorAll("#stanzas li").forEach(function (li) { li.classList.toggle("mine", li.dataset.connection === id); });
    highlight();
  }

  // Marks the selected connection's active states in the chart (data-state = the state's path).
  function highlight() {
    var view = connections[selected];
    var paths = view ? view.paths : [];
    $("chart-for").textContent = view ? (view.jid || view.id) + " — " + stateText(view.state) : "";
    document.querySelectorAll("#chart [data-state]").forEach(function (node) {
      node.classList.toggle("current", paths.indexOf(node.getAttribute("data-state")) >= 0);
    });
  }

  function renderStanza(rec) {
    var li = el("li", { "data-seq": String(rec.seq), "data-connection": rec.connection, "data-phase": rec.phase });
    if (rec.connection === selected) li.classList.add("mine");
    li.appendChild(el("div", { "class": "meta" }, time(rec.at) + "  " + rec.jid + "  phase " + rec.phase + "  " + rec.ms.toFixed(2) + " ms  outputs " + rec.outputs));
    var steps = el("div", { "class": "steps" });
    rec.trace.forEach(function (t, i) {
      if (i > 0) steps.appendChild(document.createTextNode(" → "));
      var label = t.handler + (t.kind === "error-handler" ? " (error handler)" : "") + (t.job ? " ⇢ job " + t.job : "") + " " + t.ms.toFixed(2) + " ms";
      var s = el("span", { "class": "step " + t.kind + (t.error ? " failed" : ""), "data-handler": t.handler }, label);
      if (t.error) s.title = t.error;
      steps.appendChild(s);
    });
    li.appendChild(steps);
    if (rec.error) li.appendChild(el("div", { "class": "error" }, "error: " + rec.error));
    var details = el("details");
    details.appendChild(el("summary", {}, "stanza"));
    details.appendChild(el("pre", {}, rec.xml));
    li.appendChild(details);
    var list = $("stanzas");
    list.prepend(li);
    while (list.children.length > MAX_STANZAS) list.removeChild(list.lastChild);
  }

  function renderPool(stats) {
    if (!stats) return;
    $("pool").textContent = "workers " + stats.busy + "/" + stats.size + " busy · queued " + stats.queued +
      " · completed " + stats.completed + " · failed " + stats.failed + " · restarts " + stats.restarts;
  }

  fetch("/charts/connection.svg").then(function (r) { return r.text(); }).then(function (svg) {
    $("chart").innerHTML = svg; // our own generated SVG, not user input
    highlight();
  });

  $("zoom").addEventListener("click", function () {
    var actual = $("chart").classList.toggle("actual");
    $("zoom").textContent = actual ? "fit" : "actual size";
    var current = document.querySelectorAll("#chart .current");
    if (actual && current.length) current[current.length - 1].scrollIntoView({ block: "center", inline: "center" });
  });

  var source = new EventSource("/events");
  source.addEventListener("open", function () { $("status").textContent = "live"; $("status").className = "live"; });
  source.addEventListener("error", function () { $("status").textContent = "disconnected (retrying)"; $("status").className = "down"; });
  source.addEventListener("hello", function (e) {
    var data = JSON.parse(e.data);
    $("connections").textContent = "";
    $("stanzas").textContent = "";
    data.connections.forEach(renderConnection);
    data.stanzas.forEach(renderStanza);
    renderPool(data.pool);
  });
  source.addEventListener("connection", function (e) { renderConnection(JSON.parse(e.data)); });
  source.addEventListener("stanza", function (e) { renderStanza(JSON.parse(e.data)); });
  source.addEventListener("pool", function (e) { renderPool(JSON.parse(e.data)); });
})();
`;
