/* The network of actors and engagements, drawn with Cytoscape.js in columns: provinces, their firms and
   other actors, central bodies, engagements, states. Labels stay legible (they hide when too small to
   read rather than overlap); a search box finds a node and focuses on it and its neighbours; a tap on a
   focused node opens its page. */
"use strict";
(function () {
  const status = document.getElementById("network-status");
  const legend = document.getElementById("network-legend");
  const fail = (message) => { status.textContent = message; status.classList.add("error"); status.dataset.error = message; };
  window.addEventListener("error", (e) => fail("error: " + e.message));
  if (typeof cytoscape === "undefined") { fail("error: Cytoscape.js did not load"); return; }

  const data = JSON.parse(document.getElementById("network-data").textContent);
  const KINDS = { province: ["province-level unit", "#c00000", 0], actor: ["firm or other actor", "#ff7f0e", 1],
                  group: ["group of actors", "#8c8c8c", 1], central: ["central state actor", "#6a3d9a", 2],
                  engagement: ["engagement", "#2ca02c", 3], state: ["state", "#1f77b4", 4] };
  const MODEL_COLOURS = { SubordinateEngagement: "#7570b3", CollaborativeEngagement: "#1b9e77",
                          InitiatorEngagement: "#d95f02", DivergentEngagement: "#e7298a" };
  const kindOf = (n) => KINDS[n.data.kind] || KINDS.actor;
  data.nodes.forEach((n) => {
    const model = (n.data.models || [])[0];
    n.data.ring = model ? MODEL_COLOURS[model] : "#ffffff";
    n.data.colour = kindOf(n)[1];
  });

  // columns by kind; within a column, nodes ordered by the first node they connect to, so edges run level
  const neighbours = {};
  data.edges.forEach((e) => {
    (neighbours[e.data.source] = neighbours[e.data.source] || []).push(e.data.target);
    (neighbours[e.data.target] = neighbours[e.data.target] || []).push(e.data.source);
  });
  const columns = {};
  data.nodes.forEach((n) => { (columns[kindOf(n)[2]] = columns[kindOf(n)[2]] || []).push(n); });
  const rank = {};
  Object.keys(columns).sort().forEach((c) => {
    columns[c].sort((a, b) => {
      const key = (n) => Math.min(...(neighbours[n.data.id] || []).map((m) => rank[m] ?? 1e6), 1e6);
      return key(a) - key(b) || a.data.label.localeCompare(b.data.label);
    });
    columns[c].forEach((n, i) => { rank[n.data.id] = i; });
  });
  const tallest = Math.max(...Object.values(columns).map((c) => c.length));
  // where each column stands: labels run right of their nodes (220 px at most), the states' left of theirs
  const COLUMN_X = [0, 260, 560, 820, 1320];
  const positions = {};
  Object.entries(columns).forEach(([c, nodes]) => {
    const gap = Math.max(34, (tallest * 34) / Math.max(nodes.length, 1));
    nodes.forEach((n, i) => { positions[n.data.id] = { x: COLUMN_X[Number(c)], y: i * gap }; });
  });

  const cy = cytoscape({
    container: document.getElementById("network"),
    elements: { nodes: data.nodes, edges: data.edges },
    minZoom: 0.05, maxZoom: 3, wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 12,
                                   "text-valign": "center", "text-halign": "right", "text-margin-x": 6,
                                   "text-wrap": "ellipsis", "text-max-width": 220, "min-zoomed-font-size": 9,
                                   "text-background-color": "#ffffff", "text-background-opacity": 0.85,
                                   "text-background-padding": 1, width: 16, height: 16,
                                   "border-width": 3, "border-color": "data(ring)" } },
      { selector: 'node[kind = "state"]', style: { "text-halign": "left", "text-margin-x": -6 } },
      { selector: 'node[kind = "engagement"]', style: { shape: "round-rectangle", width: 14, height: 14 } },
      { selector: "edge", style: { width: 1, "line-color": "#c3cacf", "target-arrow-color": "#c3cacf",
                                   "target-arrow-shape": "triangle", "curve-style": "bezier", opacity: 0.8 } },
      { selector: ".faded", style: { opacity: 0.12, "text-opacity": 0 } },
      { selector: "edge.near", style: { width: 2, "line-color": "#5b6770", "target-arrow-color": "#5b6770", opacity: 1,
                                        label: "data(label)", "font-size": 10, color: "#1d2327",
                                        "text-background-color": "#fff", "text-background-opacity": 0.9,
                                        "text-rotation": "autorotate" } },
      { selector: "node.focused", style: { "border-color": "#111", "border-width": 4, width: 24, height: 24,
                                           "font-weight": "bold", "min-zoomed-font-size": 0 } },
      { selector: "node.near", style: { "min-zoomed-font-size": 0 } },
    ],
    layout: { name: "preset", positions: (node) => positions[node.id()], fit: true, padding: 30 },
  });

  function focusOn(node) {
    cy.elements().removeClass("focused near faded");
    if (!node || node.empty()) return;
    const near = node.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
    near.addClass("near");
    node.addClass("focused");
    cy.animate({ fit: { eles: near, padding: 60 }, duration: 300 });
    status.dataset.focus = node.id();
    const link = document.getElementById("focus-page");
    link.hidden = !node.data("href");
    link.href = node.data("href") || "#";
    link.textContent = `Open the page of ${node.data("label")}`;
  }
  cy.on("tap", "node", (e) => {
    if (e.target.hasClass("focused")) { const h = e.target.data("href"); if (h) window.location.assign(h); }
    else focusOn(e.target);
  });
  cy.on("tap", (e) => { if (e.target === cy) { cy.elements().removeClass("focused near faded"); delete status.dataset.focus; } });

  const form = document.getElementById("network-search");
  const input = document.getElementById("network-query");
  const options = document.getElementById("network-names");
  data.nodes.slice().sort((a, b) => a.data.label.localeCompare(b.data.label)).forEach((n) => {
    const o = document.createElement("option");
    o.value = n.data.label;
    options.append(o);
  });
  function find(text) {
    const q = text.trim().toLowerCase();
    if (!q) return cy.collection();
    const exact = cy.nodes().filter((n) => n.data("label").toLowerCase() === q || n.id() === q);
    return exact.nonempty() ? exact.first() : cy.nodes().filter((n) => n.data("label").toLowerCase().includes(q)).first();
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const node = find(input.value);
    document.getElementById("network-search-status").textContent = node.nonempty() ? "" : `No node is called “${input.value}”.`;
    focusOn(node);
  });

  const list = document.createElement("ul");
  Object.values(KINDS).forEach(([name, c]) => {
    const li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "swatch round";
    sw.style.background = c;
    li.append(sw, name);
    list.append(li);
  });
  Object.entries(MODEL_COLOURS).forEach(([m, c]) => {
    const li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "swatch round";
    sw.style.border = `3px solid ${c}`;
    li.append(sw, "ring: " + (data.modelLabels[m] || m) + " (inferred)");
    list.append(li);
  });
  const note = document.createElement("p");
  note.textContent = "Columns, left to right: provinces; their firms and other actors; central bodies; engagements; states.";
  legend.replaceChildren(list, note);

  cy.ready(() => {
    status.textContent = `${cy.nodes().length} nodes (actors and engagements), ${cy.edges().length} edges`;
    status.dataset.rendered = "yes";
    status.dataset.nodes = String(cy.nodes().length);
    status.dataset.edges = String(cy.edges().length);
    window.paradiplomacyNetwork = cy;
    const wanted = new URL(window.location.href).searchParams.get("focus");
    if (wanted) focusOn(cy.getElementById(wanted));
  });
})();
