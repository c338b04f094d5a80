"""Reads of grids that depend on who is asking."""

from django.db.models import QuerySet

from .models import Grid


def grids_of(user) -> QuerySet[Grid]:
    """The grids a grid worker serves; none for anyone else."""
    return Grid.objects.filter(workers__user=user).select_related("community").order_by("code")
