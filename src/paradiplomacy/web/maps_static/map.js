/* The map of engagements: a line from each province to each state it engages with, coloured by
   mechanism or by inferred central-local model; every line links to the engagement's page. */
"use strict";
(function () {
  const status = document.getElementById("map-status");
  const box = document.getElementById("engagement-map");
  const legend = document.getElementById("map-legend");
  const select = document.getElementById("colour-by");
  const fail = (message) => { status.textContent = message; status.classList.add("error"); status.dataset.error = message; };
  window.addEventListener("error", (e) => fail("error: " + e.message));
  if (typeof L === "undefined") { fail("error: Leaflet did not load"); return; }

  const data = JSON.parse(document.getElementById("map-data").textContent);
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#393b79", "#637939", "#7f7f7f"];
  const MODEL_COLOURS = { SubordinateEngagement: "#7570b3", CollaborativeEngagement: "#1b9e77",
                          InitiatorEngagement: "#d95f02", DivergentEngagement: "#e7298a" };
  const UNCLASSIFIED = "#9aa5ad";
  const escape = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const words = (name) => name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const mechanismColour = {};
  data.mechanisms.forEach((m, i) => { mechanismColour[m] = PALETTE[i % PALETTE.length]; });

  const key = (line, mode) => mode === "model"
    ? (data.models.find((m) => line.models.includes(m)) || "none") : line.mechanism;
  const colour = (line, mode) => mode === "model"
    ? (MODEL_COLOURS[key(line, mode)] || UNCLASSIFIED) : mechanismColour[line.mechanism];

  const map = L.map(box, { worldCopyJump: false, minZoom: 1, maxZoom: 7 });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth 1:110m (world-atlas); places: Wikidata (offline slice)");

  // each pair of places gets its lines bowed apart, so that several engagements stay visible
  const pairs = {};
  data.lines.forEach((l) => { (pairs[l.province + " " + l.state] = pairs[l.province + " " + l.state] || []).push(l); });
  function curve(from, to, offset) {
    const [y1, x1] = from, [y2, x2] = to;
    const mx = (x1 + x2) / 2, my = (y1 + y2) / 2, dx = x2 - x1, dy = y2 - y1;
    const cx = mx - dy * offset, cy = my + dx * offset;
    const points = [];
    for (let i = 0; i <= 32; i++) {
      const t = i / 32, a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
      points.push([a * y1 + b * cy + c * y2, a * x1 + b * cx + c * x2]);
    }
    return points;
  }

  // the element of a line (made anew each time the line is added to the map) says what it is
  function decorate(line, path) {
    const el = path.getElement();
    if (!el) return;
    el.setAttribute("data-href", line.href || "");
    el.setAttribute("data-engagement", line.engagement);
    el.setAttribute("data-evidence", line.evidence.join(" "));
    el.setAttribute("data-colour-key", key(line, select.value));
    el.setAttribute("role", "link");
    el.setAttribute("aria-label", line.label);
  }
  const layers = [];
  const bounds = data.lines.flatMap((l) => [l.from, l.to]);
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30] }); else map.setView([10, 60], 2);
  Object.values(pairs).forEach((group) => {
    group.forEach((line, k) => {
      const step = Math.min(0.06, 0.6 / group.length);
      const offset = group.length > 1 ? (k - (group.length - 1) / 2) * step : 0.04;
      const path = L.polyline(curve(line.from, line.to, offset), {
        color: colour(line, select.value), weight: 3, opacity: 0.85, className: "engagement-line",
      }).addTo(map);
      path.bindTooltip(`${escape(line.label)}<br>${words(line.mechanism)}; model: ${line.models.map(words).join(", ") || "none inferred"}` +
                       `<br>${line.evidence.join(", ")}`, { sticky: true });
      path.on("click", () => { if (line.href) window.location.assign(line.href); });
      path.on("add", () => decorate(line, path));
      decorate(line, path);
      layers.push({ line, path });
    });
  });
  const places = {};
  data.lines.forEach((l) => {
    places[l.province] = { at: l.from, label: l.provinceLabel, href: l.provinceHref, kind: "province" };
    places[l.state] = { at: l.to, label: l.stateLabel, href: l.stateHref, kind: "state" };
  });
  Object.entries(places).forEach(([slug, p]) => {
    const m = L.circleMarker(p.at, { radius: 5, color: "#1d2327", weight: 1, fillColor: p.kind === "province" ? "#c00" : "#fff",
                                     fillOpacity: 1, className: "place " + p.kind }).addTo(map);
    m.bindTooltip(escape(p.label));
    m.on("click", () => { if (p.href) window.location.assign(p.href); });
    m.getElement().setAttribute("data-place", slug);
  });
  function drawLegend(mode) {
    const entries = mode === "model"
      ? data.models.map((m) => [words(m), MODEL_COLOURS[m]]).concat([["no model inferred", UNCLASSIFIED]])
      : data.mechanisms.map((m) => [words(m), mechanismColour[m]]);
    legend.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = mode === "model" ? "Inferred central-local model" : "Mechanism";
    const list = document.createElement("ul");
    entries.forEach(([name, c]) => {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = c;
      li.append(sw, name);
      li.dataset.colour = c;
      list.append(li);
    });
    legend.append(title, list);
  }
  function recolour(mode) {
    layers.forEach(({ line, path }) => {
      path.setStyle({ color: colour(line, mode) });
      decorate(line, path);
    });
    drawLegend(mode);
    box.dataset.colour = mode;
    const url = new URL(window.location.href);
    url.searchParams.set("colour", mode);
    window.history.replaceState(null, "", url);
  }
  // a ring that crosses the antimeridian (Fiji, Chukotka) is drawn east of it, not across the whole map
  function unwrapAntimeridian(feature) {
    const g = feature.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach((rings) => rings.forEach((ring) => {
      if (ring.some(([x]) => x > 170) && ring.some(([x]) => x < -170)) ring.forEach((pt) => { if (pt[0] < 0) pt[0] += 360; });
    }));
  }
  select.addEventListener("change", () => recolour(select.value));
  // the engagements known only from an imported dataset can be hidden, to see the sources' own
  const datasets = document.getElementById("show-datasets");
  function filter() {
    let shown = 0;
    layers.forEach(({ line, path }) => {
      const visible = datasets.checked || line.evidence.includes("claim");
      if (visible && !map.hasLayer(path)) path.addTo(map);
      if (!visible && map.hasLayer(path)) path.remove();
      shown += visible;
    });
    status.dataset.shown = String(shown);
  }
  datasets.addEventListener("change", filter);
  recolour(select.value);

  fetch(box.dataset.basemap)
    .then((r) => { if (!r.ok) throw new Error("basemap: HTTP " + r.status); return r.json(); })
    .then((topo) => {
      // Antarctica (ISO 3166 numeric 010) is left out: its ring round the pole cannot be drawn in Web Mercator
      const countries = topojson.feature(topo, topo.objects.countries);
      countries.features = countries.features.filter((f) => f.id !== "010");
      countries.features.forEach(unwrapAntimeridian);
      const base = L.geoJSON(countries, { interactive: false,
        style: { className: "basemap-country", color: "#9aa5ad", weight: 0.6, fillColor: "#f4f4ef", fillOpacity: 1 } });
      base.addTo(map);
      base.bringToBack();
      status.textContent = `${layers.length} engagements drawn between ${Object.keys(places).length} places` +
        (data.unplaced.length ? `; ${data.unplaced.length} without coordinates, listed below` : "");
      status.dataset.rendered = "yes";
      filter();
      status.dataset.lines = String(layers.length);
      status.dataset.countries = String(countries.features.length);
    })
    .catch((e) => fail("error: " + e.message));
})();
