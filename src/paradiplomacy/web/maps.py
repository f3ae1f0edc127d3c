"""The map view (`/map`: province-to-state engagements on a bundled basemap, coloured by mechanism or
by inferred central-local model, each line linking to its resource page) and the network view
(`/network`: actors and engagements of the claims, `?datasets=1` with the imported datasets too). Leaflet, Cytoscape.js, topojson-client and the Natural Earth
1:110m country outlines (world-atlas) are vendored under maps_static/vendor (scripts/vendor-map-js),
so both views work offline; the coordinates come from the offline Wikidata slice in the store."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from paradiplomacy.web.mapdata import MODELS, engagement_lines, network
from paradiplomacy.namespaces import PDR
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.terms import href

blueprint = Blueprint("maps", __name__, template_folder="maps_templates", static_folder="maps_static",
                      static_url_path="/maps-static")


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
    return data


@blueprint.route("/map")
def map_view():
    data = map_data()
    colour = "model" if request.args.get("colour") == "model" else "mechanism"
    return render_template("maps/map.html", data=data, colour=colour)


@blueprint.route("/map.json")
def map_json():
    return jsonify(map_data())


def _datasets() -> bool:
    return request.args.get("datasets", "").lower() in ("1", "yes", "true", "on")


@blueprint.route("/network")
def network_view():
    return render_template("maps/network.html", data=network_data(_datasets()), datasets=_datasets())


@blueprint.route("/network.json")
def network_json():
    return jsonify(network_data(_datasets()))
