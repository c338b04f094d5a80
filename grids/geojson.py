"""Validation of GeoJSON geometry kept in ordinary JSON columns (WGS-84 longitude, latitude)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_position(*, latitude, longitude) -> dict[str, str]:
    """Field messages for a bad WGS-84 position; empty when it is good."""
    errors = {}
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if not _is_number(value):
            errors[name] = _("Must be a number.")
        elif not -limit <= value <= limit:
            errors[name] = _("Must be between %(low)s and %(high)s.") % {"low": -limit, "high": limit}
    return errors


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("Each ring needs at least four positions."))
    for position in ring:
        if not isinstance(position, list) or len(position) < 2:
            raise ValidationError(_("Each position must be [longitude, latitude]."))
        if not (_is_number(position[0]) and _is_number(position[1])):
            raise ValidationError(_("Position %(position)s must be two numbers: [longitude, latitude].") % {"position": position})
        if validate_position(longitude=position[0], latitude=position[1]):
            raise ValidationError(_("Position %(position)s is outside WGS-84 ranges.") % {"position": position})
    if ring[0] != ring[-1]:
        raise ValidationError(_("Each ring must be closed: its first and last positions must be equal."))


def validate_boundary(value) -> None:
    """A Polygon or MultiPolygon with closed rings, WGS-84 positions and valid geometry."""
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The boundary has no coordinates."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("Each polygon needs an outer ring."))
        for ring in polygon:
            _check_ring(ring)
    geometry = shape(value)
    if not geometry.is_valid:
        raise ValidationError(_("The boundary is not a valid polygon: %(reason)s") % {"reason": explain_validity(geometry)})


def grid_feature(grid, **properties) -> dict:
    """A grid as a GeoJSON Feature: its boundary, with its code and name in the properties."""
    return {
        "type": "Feature",
        "id": grid.code,
        "geometry": grid.boundary,
        "properties": {"code": grid.code, "name": grid.name, **properties},
    }


def place(*, latitude: float, longitude: float, grid) -> dict:
    """A position in its grid (None outside every grid), as map-common.js's showPlace draws it."""
    return {"point": [longitude, latitude], "grid": grid_feature(grid) if grid else None}
