/* The map of engagements: one line for each province-state pair, as wide as the engagements it stands
   for under the filters (sources, mechanism, model, sector, years); a click lists them in a popup, each
   linking to its page. The table below shows the same engagements. */
"use strict";
(function () {
  const status = document.getElementById("map-status");
  const box = document.getElementById("engagement-map");
  const legend = document.getElementById("map-legend");
  const form = document.getElementById("map-filters");
  const select = document.getElementById("colour-by");
  const fail = (message) => { status.textContent = message; status.classList.add("error"); status.dataset.error = message; };
  window.addEventListener("error", (e) => fail("error: " + e.message));
  if (typeof L === "undefined") { fail("error: Leaflet did not load"); return; }

  const data = JSON.parse(document.getElementById("map-data").textContent);
  const labels = data.labels;
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#393b79", "#637939", "#7f7f7f"];
  const MODEL_COLOURS = { SubordinateEngagement: "#7570b3", CollaborativeEngagement: "#1b9e77",
                          InitiatorEngagement: "#d95f02", DivergentEngagement: "#e7298a" };
  const UNCLASSIFIED = "#9aa5ad";
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const mechanismColour = {};
  Object.keys(labels.mechanisms).forEach((m, i) => { mechanismColour[m] = PALETTE[i % PALETTE.length]; });
  const key = (line, mode) => mode === "model" ? (data.models.find((m) => line.models.includes(m)) || "none") : line.mechanism;
  const colourOf = (k, mode) => mode === "model" ? (MODEL_COLOURS[k] || UNCLASSIFIED) : mechanismColour[k];
  const focus = box.dataset.focus;

  const map = L.map(box, { worldCopyJump: false, minZoom: 1, maxZoom: 7 });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth 1:110m (world-atlas); places: Wikidata (offline slice)");
  const focused = data.lines.filter((l) => !focus || l.province === focus || l.state === focus);
  const bounds = focused.flatMap((l) => [l.from, l.to]);
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30] }); else map.setView([10, 60], 2);

  function arc(from, to) {  // a gentle bow, so that lines from one province fan out
    const [y1, x1] = from, [y2, x2] = to;
    const cx = (x1 + x2) / 2 - (y2 - y1) * 0.12, cy = (y1 + y2) / 2 + (x2 - x1) * 0.12;
    const points = [];
    for (let i = 0; i <= 32; i++) {
      const t = i / 32, a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
      points.push([a * y1 + b * cy + c * y2, a * x1 + b * cx + c * x2]);
    }
    return points;
  }
  function chosen() {
    const f = new FormData(form);
    return { sources: f.getAll("source"), mechanism: f.get("mechanism"), model: f.get("model"), sector: f.get("sector"),
             from: Number(f.get("from")) || null, to: Number(f.get("to")) || null };
  }
  function passes(line, c) {
    if (focus && line.province !== focus && line.state !== focus) return false;
    if (!line.sources.some((s) => c.sources.includes(s))) return false;
    if (c.mechanism && line.mechanism !== c.mechanism) return false;
    if (c.model && !line.models.includes(c.model)) return false;
    if (c.sector && !line.sectors.includes(c.sector)) return false;
    const full = data.years && c.from === data.years[0] && c.to === data.years[1];
    if (!full && (c.from || c.to)) {  // a narrowed range keeps only the engagements dated within it
      if (!line.years.some((y) => (!c.from || y >= c.from) && (!c.to || y <= c.to))) return false;
    }
    return true;
  }
  function popup(pair) {
    const head = `<strong>${escape(pair.provinceLabel)} – ${escape(pair.stateLabel)}</strong>: ` +
                 `${pair.lines.length} engagement${pair.lines.length === 1 ? "" : "s"}`;
    const shown = pair.lines.slice(0, 25).map((l) => `<li><a href="${escape(l.href || "#")}">${escape(l.label)}</a>` +
      `<br><span class="detail">${escape(l.mechanismLabel)}${l.years.length ? " · " + l.years.join(", ") : ""}` +
      ` · ${l.sources.map((s) => escape(labels.sources[s] || s)).join(", ")}` +
      `${l.modelLabels.length ? " · <em>inferred:</em> " + l.modelLabels.map(escape).join("; ") : ""}</span></li>`).join("");
    const more = pair.lines.length > 25 ? `<p>and ${pair.lines.length - 25} more, in the table below the map</p>` : "";
    return `<div class="pair-popup">${head}<ul>${shown}</ul>${more}</div>`;
  }

  const layer = L.layerGroup().addTo(map);
  const places = L.layerGroup().addTo(map);
  function draw() {
    const c = chosen(), mode = select.value;
    const pairs = {};
    const shownRows = new Set();
    data.lines.forEach((line) => {
      if (!passes(line, c)) return;
      shownRows.add(line.engagement);
      const id = line.province + "|" + line.state;
      (pairs[id] = pairs[id] || { id, province: line.province, state: line.state, provinceLabel: line.provinceLabel,
        stateLabel: line.stateLabel, provinceHref: line.provinceHref, stateHref: line.stateHref,
        from: line.from, to: line.to, lines: [] }).lines.push(line);
    });
    layer.clearLayers();
    places.clearLayers();
    const used = {};
    Object.values(pairs).forEach((pair) => {
      const counts = {};
      pair.lines.forEach((l) => { const k = key(l, mode); counts[k] = (counts[k] || 0) + 1; });
      const dominant = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
      const weight = Math.min(16, 1.5 + 2.2 * Math.sqrt(pair.lines.length));
      const path = L.polyline(arc(pair.from, pair.to), { color: colourOf(dominant, mode), weight, opacity: 0.8,
                                                         className: "pair-line" });
      path.bindPopup(popup(pair), { maxWidth: 360, maxHeight: 320 });
      path.bindTooltip(`${escape(pair.provinceLabel)} – ${escape(pair.stateLabel)}: ${pair.lines.length}`, { sticky: true });
      path.on("add", () => {
        const el = path.getElement();
        el.setAttribute("data-pair", pair.id);
        el.setAttribute("data-count", String(pair.lines.length));
        el.setAttribute("data-engagements", pair.lines.map((l) => l.engagement).join(" "));
        el.setAttribute("data-colour-key", dominant);
      });
      path.addTo(layer);
      used[pair.province] = { at: pair.from, label: pair.provinceLabel, href: pair.provinceHref, kind: "province" };
      used[pair.state] = { at: pair.to, label: pair.stateLabel, href: pair.stateHref, kind: "state" };
    });
    Object.entries(used).forEach(([slug, p]) => {
      const m = L.circleMarker(p.at, { radius: slug === focus ? 8 : 5, color: "#1d2327", weight: 1,
        fillColor: p.kind === "province" ? "#c00" : "#fff", fillOpacity: 1, className: "place " + p.kind });
      m.bindPopup(`<a href="${escape(p.href || "#")}">${escape(p.label)}</a> · <a href="?focus=${encodeURIComponent(slug)}">only its lines</a>`);
      m.bindTooltip(escape(p.label));
      m.on("add", () => m.getElement().setAttribute("data-place", slug));
      m.addTo(places);
    });
    document.querySelectorAll("table.engagements tbody tr").forEach((tr) => { tr.hidden = !shownRows.has(tr.dataset.engagement); });
    drawLegend(mode);
    const n = Object.keys(pairs).length;
    status.textContent = `${shownRows.size} engagements on ${n} lines between ${Object.keys(used).length} places` +
      (data.unplaced.length ? `; ${data.unplaced.length} engagements have no coordinates (listed below)` : "");
    status.dataset.lines = String(n);
    status.dataset.engagements = String(shownRows.size);
    box.dataset.colour = mode;
    const url = new URL(window.location.href);
    url.searchParams.set("colour", mode);
    window.history.replaceState(null, "", url);
  }
  function drawLegend(mode) {
    const entries = mode === "model"
      ? Object.entries(labels.models).map(([m, name]) => [name, MODEL_COLOURS[m]]).concat([["no model inferred", UNCLASSIFIED]])
      : Object.entries(labels.mechanisms).map(([m, name]) => [name, mechanismColour[m]]);
    const title = document.createElement("strong");
    title.textContent = mode === "model" ? "Inferred central-local model" : "Mechanism";
    const list = document.createElement("ul");
    entries.forEach(([name, c]) => {
      const li = document.createElement("li"), sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = c;
      li.append(sw, name);
      list.append(li);
    });
    const note = document.createElement("p");
    note.textContent = "Width: the number of engagements. A line of several takes the colour of most of them.";
    legend.replaceChildren(title, list, note);
  }
  function unwrapAntimeridian(feature) {  // Fiji and Chukotka drawn east of the antimeridian, not across the map
    const g = feature.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach((rings) => rings.forEach((ring) => {
      if (ring.some(([x]) => x > 170) && ring.some(([x]) => x < -170)) ring.forEach((pt) => { if (pt[0] < 0) pt[0] += 360; });
    }));
  }
  form.addEventListener("change", draw);
  form.addEventListener("submit", (e) => { e.preventDefault(); draw(); });
  draw();

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
      status.dataset.countries = String(countries.features.length);
      status.dataset.rendered = "yes";
    })
    .catch((e) => fail("error: " + e.message));
  window.paradiplomacyMap = { map, draw };
})();
