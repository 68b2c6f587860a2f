from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def sort_next(current: str, key: str) -> str:
    """The sort a column's header link asks for: largest first, then (clicked again) smallest first."""
    return key if current == f"-{key}" else f"-{key}"


@register.filter
def field(row: Any, name: str) -> Any:
    """``row[name]`` for dicts and ``getattr(row, name)`` for objects (a bucket's column by its key)."""
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)
