from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govgrid.text import CleanCharField

from .geojson import validate_boundary, validate_position


def _digits(count: int, message) -> RegexValidator:
    return RegexValidator(rf"^\d{{{count}}}$", message)


class Town(models.Model):
    """A township; its 9-digit code is the county code (GB/T 2260) and a 3-digit township code."""

    code = models.CharField(_("code"), max_length=9, unique=True, validators=[_digits(9, _("Must be exactly 9 digits."))])
    name = CleanCharField(_("name"), max_length=100)
    county = CleanCharField(_("county"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("town")
        verbose_name_plural = _("towns")

    def __str__(self):
        return self.name


class Community(models.Model):
    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="communities")
    code = models.CharField(_("code"), max_length=12, unique=True, validators=[_digits(12, _("Must be exactly 12 digits."))])
    name = CleanCharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.name

    def clean(self):
        if self.town_id and self.code and not self.code.startswith(self.town.code):
            raise ValidationError({"code": _("A community code starts with its town's code (%(code)s).") % {"code": self.town.code}})


class Grid(models.Model):
    """A unit grid (CJ/T 213): 15-digit code = county 6 + township 3 + community 3 + grid 3."""

    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="grids")
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[_digits(15, _("Must be exactly 15 digits."))])
    name = CleanCharField(_("name"), max_length=100)
    boundary = models.JSONField(_("boundary"), validators=[validate_boundary], help_text=_("GeoJSON Polygon, WGS-84."))
    population = models.PositiveIntegerField(_("residents"), null=True, blank=True, help_text=_("Where known: for cases per 1,000 residents."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.community_id and self.code and not self.code.startswith(self.community.code):
            raise ValidationError({"code": _("A grid code starts with its community's code (%(code)s).") % {"code": self.community.code}})


class Compound(models.Model):
    """A residential compound (小区), a point in a grid."""

    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="compounds")
    name = CleanCharField(_("name"), max_length=100)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    is_old = models.BooleanField(_("old residential compound"), default=False)
    households = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        ordering = ["grid__code", "name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self):
        return self.name

    def clean(self):
        errors = validate_position(latitude=self.latitude, longitude=self.longitude)
        if errors:
            raise ValidationError(errors)


class GridWorker(models.Model):
    """A grid worker (网格员, "alley steward"), full- or part-time, serving one or more grids."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grid_worker")
    full_time = models.BooleanField(_("full-time"), default=True)
    grids = models.ManyToManyField(Grid, verbose_name=_("grids"), related_name="workers", blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")

    def __str__(self):
        return self.user.display_name
