/* The network of actors and engagements, drawn with Cytoscape.js; every node links to its page. */
"use strict";
(function () {
  const status = document.getElementById("network-status");
  const legend = document.getElementById("network-legend");
  const fail = (message) => { status.textContent = message; status.classList.add("error"); status.dataset.error = message; };
  window.addEventListener("error", (e) => fail("error: " + e.message));
  if (typeof cytoscape === "undefined") { fail("error: Cytoscape.js did not load"); return; }

  const data = JSON.parse(document.getElementById("network-data").textContent);
  const KINDS = { province: ["province-level unit", "#c00000"], state: ["state", "#1f77b4"],
                  central: ["central state actor", "#6a3d9a"], actor: ["other actor or event", "#ff7f0e"],
                  group: ["group of actors", "#b3b3b3"], engagement: ["engagement", "#2ca02c"] };
  const MODEL_COLOURS = { SubordinateEngagement: "#7570b3", CollaborativeEngagement: "#1b9e77",
                          InitiatorEngagement: "#d95f02", DivergentEngagement: "#e7298a" };
  data.nodes.forEach((n) => {
    const model = (n.data.models || [])[0];
    n.data.ring = model ? MODEL_COLOURS[model] : "#ffffff";
    n.data.colour = (KINDS[n.data.kind] || KINDS.actor)[1];
  });
  const cy = cytoscape({
    container: document.getElementById("network"),
    elements: { nodes: data.nodes, edges: data.edges },
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 9,
                                   "text-wrap": "ellipsis", "text-max-width": 110, width: 16, height: 16,
                                   "border-width": 3, "border-color": "data(ring)" } },
      { selector: 'node[kind = "engagement"]', style: { shape: "round-rectangle", width: 14, height: 14 } },
      { selector: "edge", style: { width: 1, "line-color": "#b8c0c6", "target-arrow-color": "#b8c0c6",
                                   "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)",
                                   "font-size": 7, color: "#7b868d", "text-rotation": "autorotate",
                                   "min-zoomed-font-size": 6 } },
    ],
    layout: { name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 70, randomize: true },
  });
  cy.on("tap", "node", (e) => { const h = e.target.data("href"); if (h) window.location.assign(h); });

  const list = document.createElement("ul");
  Object.values(KINDS).forEach(([name, c]) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch round";
    sw.style.background = c;
    li.append(sw, name);
    list.append(li);
  });
  Object.entries(MODEL_COLOURS).forEach(([m, c]) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch round";
    sw.style.border = `3px solid ${c}`;
    li.append(sw, "ring: " + m.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
    list.append(li);
  });
  legend.replaceChildren(list);

  cy.ready(() => {
    status.textContent = `${cy.nodes().length} nodes (actors and engagements), ${cy.edges().length} edges`;
    status.dataset.rendered = "yes";
    status.dataset.nodes = String(cy.nodes().length);
    status.dataset.edges = String(cy.edges().length);
    window.paradiplomacyNetwork = cy;
  });
})();
