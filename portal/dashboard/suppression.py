"""Small-cell suppression for open statistics: primary and complementary, over a table with
its margins. Pure: numbers in, the set of entries to hide out.

A table is cells (row, column) with row totals, column totals and a grand total; every row,
every column, the row totals and the column totals are each one additive equation (the parts
sum to their total). Primary suppression hides every entry under k. Complementary suppression
then makes sure no equation has exactly one hidden entry, since that entry would be its
total minus the shown parts: while one has, the smallest other entry of that equation that
may still be hidden (cells before totals) is hidden too. Entries another table already
publishes or hides (the totals a parent table shows) are `fixed`: their state is given and
never changed here, but they take part in the equations.

If an equation with one hidden entry has no other entry that may be hidden, every changeable
entry of the table is hidden: rather nothing than a disclosure.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

Entry = tuple  # ("cell", row, col) | ("row", row) | ("col", col) | ("grand",)

GRAND: Entry = ("grand",)


@dataclass
class Grid:
    """A table to protect: `cells[(row, col)]`, its row and column keys, and optional margins.

    With `with_row_totals` False the table has no row totals (a one-column table of parts
    whose column total is the whole). `fixed` maps entries to True (hidden elsewhere) or
    False (published elsewhere)."""

    rows: list[Hashable]
    cols: list[Hashable]
    cells: Mapping[tuple[Hashable, Hashable], int]
    fixed: dict[Entry, bool] = field(default_factory=dict)
    with_row_totals: bool = True

    def row_total(self, row: Hashable) -> int:
        return sum(self.cells.get((row, c), 0) for c in self.cols)

    def col_total(self, col: Hashable) -> int:
        return sum(self.cells.get((r, col), 0) for r in self.rows)

    def grand_total(self) -> int:
        return sum(self.cells.get((r, c), 0) for r in self.rows for c in self.cols)

    def value(self, entry: Entry) -> int:
        if entry[0] == "cell":
            return self.cells.get((entry[1], entry[2]), 0)
        if entry[0] == "row":
            return self.row_total(entry[1])
        if entry[0] == "col":
            return self.col_total(entry[1])
        return self.grand_total()

    def entries(self) -> list[Entry]:
        found: list[Entry] = [("cell", r, c) for r in self.rows for c in self.cols]
        if self.with_row_totals:
            found += [("row", r) for r in self.rows]
        found += [("col", c) for c in self.cols]
        found.append(GRAND)
        return found

    def equations(self) -> list[list[Entry]]:
        """Each list sums: its last entry is the total of the others."""
        eqs: list[list[Entry]] = []
        if self.with_row_totals:
            eqs += [[*(("cell", r, c) for c in self.cols), ("row", r)] for r in self.rows]
            eqs.append([*(("row", r) for r in self.rows), GRAND])
        eqs += [[*(("cell", r, c) for r in self.rows), ("col", c)] for c in self.cols]
        eqs.append([*(("col", c) for c in self.cols), GRAND])
        return eqs


def suppress(grid: Grid, *, k: int) -> set[Entry]:
    """The entries to hide so that no entry under `k` is shown and none can be rebuilt by
    subtraction from one equation."""
    hidden = {entry for entry, is_hidden in grid.fixed.items() if is_hidden}
    changeable = [e for e in grid.entries() if e not in grid.fixed]
    hidden.update(e for e in changeable if grid.value(e) < k)
    equations = grid.equations()
    changed = True
    while changed:
        changed = False
        for equation in equations:
            if sum(1 for e in equation if e in hidden) != 1:
                continue
            candidates = [e for e in equation if e not in hidden and e not in grid.fixed]
            if not candidates:
                hidden.update(changeable)
                return hidden
            # Cells before totals, then the smallest value: hide as little as possible.
            best = min(candidates, key=lambda e: (e[0] != "cell", grid.value(e), str(e)))
            hidden.add(best)
            changed = True
    return hidden


def leaks(grid: Grid, hidden: set[Entry]) -> list[list[Entry]]:
    """The equations that would give a hidden entry away (exactly one hidden): for tests."""
    return [eq for eq in grid.equations() if sum(1 for e in eq if e in hidden) == 1]
