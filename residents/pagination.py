"""How staff walk a list of persons: pages by key, never by number.

A page-number list counts its whole scope on every page and reads past every earlier page; a
public-security reviewer's districts hold hundreds of thousands of persons. DRF's
CursorPagination asks for one page and one extra row after the last key instead: no count, and
a deep page costs what the first does.

The key is the registry id. DRF's cursor keeps the position of the first ordering field only
and steps over equal values with an offset it caps at 1,000 (`offset_cutoff`), so a common name
(thousands of 王伟 in a large city) could not key the walk; the id is unique, and the primary key
is the index that serves it.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination

PAGE_SIZE = 50


class PersonPages(CursorPagination):
    """Pages of at most 50 persons in id order; a caller may ask for fewer (page_size), never more."""

    ordering = "id"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE
