"""The map view (`/map`: one line per province-state pair on a bundled basemap, as wide as its engagements,
filtered by source, mechanism, model, sector and years, its popup listing the engagements) and the network view
(`/network`: actors and engagements of the claims, `?datasets=1` with the imported datasets too). Leaflet, Cytoscape.js, topojson-client and the Natural Earth
1:110m country outlines (world-atlas) are vendored under maps_static/vendor (scripts/vendor-map-js),
so both views work offline; the coordinates come from the offline Wikidata slice in the store."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from paradiplomacy.namespaces import PDR
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.mapdata import MODELS, engagement_lines, model_labels, network
from paradiplomacy.web.terms import href

blueprint = Blueprint(
    "maps", __name__, template_folder="maps_templates", static_folder="maps_static", static_url_path="/maps-static"
)


def _select(query: str) -> list[dict[str, str]]:
    return [{k: t.value for k, t in row.items()} for row in endpoint().rows(query)]


def _link(slug: str) -> str | None:
    return href(slug if "://" in slug else str(PDR) + slug, request.script_root)


def map_data() -> dict:
    data = engagement_lines(_select)
    for line in data["lines"] + data["unplaced"]:
        line["href"] = _link(line["engagement"])
        line["provinceHref"], line["stateHref"] = _link(line["province"]), _link(line["state"])
    data["mechanisms"] = sorted({line["mechanism"] for line in data["lines"]})
    data["models"] = MODELS
    return data


def network_data(datasets: bool) -> dict:
    data = network(_select, datasets)
    for node in data["nodes"]:
        node["data"]["href"] = _link(node["data"]["id"])
    data["modelLabels"] = model_labels(_select)
    return data


def _focus(data: dict, slug: str | None) -> dict | None:
    """The place a link asked the map or the network to show (`?focus=jiangxi`), if the data has it."""
    for line in data.get("lines", []) + data.get("unplaced", []):
        for end in ("province", "state"):
            if slug and line[end] == slug:
                return {"slug": slug, "label": line[end + "Label"], "href": line[end + "Href"]}
    return None


@blueprint.route("/map")
def map_view():
    data = map_data()
    colour = "model" if request.args.get("colour") == "model" else "mechanism"
    return render_template(
        "maps/map.html",
        data=data,
        colour=colour,
        focus=_focus(data, request.args.get("focus")),
        sources=request.args.getlist("source"),
    )


@blueprint.route("/map.json")
def map_json():
    return jsonify(map_data())


def _datasets() -> bool:
    return request.args.get("datasets", "").lower() in ("1", "yes", "true", "on")


@blueprint.route("/network")
def network_view():
    data = network_data(_datasets())
    wanted = request.args.get("focus")
    if wanted and not _datasets() and all(n["data"]["id"] != wanted for n in data["nodes"]):
        return redirect(url_for("maps.network_view", datasets=1, focus=wanted))  # a node of the datasets only
    focus_label = next((n["data"]["label"] for n in data["nodes"] if n["data"]["id"] == wanted), None)
    return render_template("maps/network.html", data=data, datasets=_datasets(), focus_label=focus_label)


@blueprint.route("/network.json")
def network_json():
    return jsonify(network_data(_datasets()))
