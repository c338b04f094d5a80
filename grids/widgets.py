"""Map widgets for the admin, on django-leaflet's bundled Leaflet and Leaflet.draw.

django-leaflet's own form widget and admin need GDAL, which govgrid does without; these widgets
keep the GeoJSON in an ordinary textarea and let a small script draw it on a map.
"""

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def map_settings_json() -> str:
    """What every map script needs from the settings, for a `data-map` attribute: the base map
    (its tile URL template is the only external address a page may carry), the starting view
    and the coordinate system of the tiles."""
    config = settings.LEAFLET_CONFIG
    tiles_name, tiles_url, *tiles_options = config["TILES"][0]
    return json.dumps(
        {
            "tiles_name": tiles_name,
            "offline_name": str(_("No tiles (offline)")),
            "labels": {"zoom_in": str(_("Zoom in")), "zoom_out": str(_("Zoom out")), "layers": str(_("Base map"))},
            "tiles_url": tiles_url,
            "tiles_options": tiles_options[0] if tiles_options else {},
            "center": list(config["DEFAULT_CENTER"]),
            "zoom": config["DEFAULT_ZOOM"],
            "min_zoom": config["MIN_ZOOM"],
            "max_zoom": config["MAX_ZOOM"],
            "coordinate_system": settings.MAP_COORDINATE_SYSTEM,
        }
    )


# Leaflet.draw's own words, by their place in its `L.drawLocal`, through Django's translations.
DRAW_TEXTS = {
    "draw.toolbar.buttons.polygon": _("Draw the grid as a polygon"),
    "draw.toolbar.buttons.rectangle": _("Draw the grid as a rectangle"),
    "draw.toolbar.actions.text": _("Cancel"),
    "draw.toolbar.actions.title": _("Cancel drawing"),
    "draw.toolbar.finish.text": _("Finish"),
    "draw.toolbar.finish.title": _("Finish drawing"),
    "draw.toolbar.undo.text": _("Delete last point"),
    "draw.toolbar.undo.title": _("Delete the last point drawn"),
    "draw.handlers.polygon.tooltip.start": _("Click to start drawing the grid."),
    "draw.handlers.polygon.tooltip.cont": _("Click to continue drawing the grid."),
    "draw.handlers.polygon.tooltip.end": _("Click the first point to close the grid."),
    "draw.handlers.polyline.error": _("The edges of a grid must not cross."),
    "draw.handlers.rectangle.tooltip.start": _("Click and drag to draw the grid."),
    "draw.handlers.simpleshape.tooltip.end": _("Release the mouse to finish."),
    "edit.toolbar.actions.save.text": _("Save"),
    "edit.toolbar.actions.save.title": _("Keep the changes"),
    "edit.toolbar.actions.cancel.text": _("Cancel"),
    "edit.toolbar.actions.cancel.title": _("Undo the changes"),
    "edit.toolbar.actions.clearAll.text": _("Clear all"),
    "edit.toolbar.actions.clearAll.title": _("Delete every shape"),
    "edit.toolbar.buttons.edit": _("Edit the boundary"),
    "edit.toolbar.buttons.editDisabled": _("Nothing to edit"),
    "edit.toolbar.buttons.remove": _("Delete shapes"),
    "edit.toolbar.buttons.removeDisabled": _("Nothing to delete"),
    "edit.handlers.edit.tooltip.text": _("Drag the corners to move them."),
    "edit.handlers.edit.tooltip.subtext": _("Cancel undoes the changes."),
    "edit.handlers.remove.tooltip.text": _("Click a shape to delete it."),
}


class BoundaryMapWidget(forms.Textarea):
    """The GeoJSON boundary as text, with a map above it to draw, edit or delete the polygon.

    Every change on the map is written back into the textarea, which stays visible so GeoJSON
    can also be pasted. `context_grids` (a list of GeoJSON features, set by the form) are shown
    read-only around the grid being edited.
    """

    template_name = "grids/widgets/boundary_map.html"

    class Media:
        css = {"all": ["leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css", "css/admin-maps.css"]}
        js = ["leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "js/map-common.js", "js/boundary-map.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 3, "class": "boundary-geojson", "spellcheck": "false", **(attrs or {})})
        self.context_grids: list[dict] = []

    def format_value(self, value):
        # The form field dumps a missing boundary as JSON `null`; a new grid starts empty.
        return None if value == "null" else super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].setdefault("id", f"id_{name}")
        context["widget"].update(
            map_json=map_settings_json(),
            draw_texts_json=json.dumps({place: str(text) for place, text in DRAW_TEXTS.items()}),
            map_id=f"{widget_id}_map",
            grids_id=f"{widget_id}_context_grids",
            context_grids={"type": "FeatureCollection", "features": self.context_grids},
            help=_("Draw the grid on the map (polygon or rectangle tool), drag its corners to edit, or paste GeoJSON below."),
        )
        return context
