"""The fact pack's tables: registers → rows of cells, every word from the label catalogue.

One module per thing a table is about (glance, funding, strategy, team, pricing, releases,
timeline, appendix); `Tables` is all of them, with the phrases every table writes values in.
"""

from __future__ import annotations

from .appendix import Appendix
from .base import GRADE_MARK, MARKED, Cell, Table, cell
from .funding import Funding
from .glance import Glance
from .pricing import Pricing
from .releases import Releases
from .strategy import Strategy
from .team import Team
from .timeline import Timeline

__all__ = ["GRADE_MARK", "MARKED", "Cell", "Table", "Tables", "cell"]


class Tables(Glance, Funding, Strategy, Team, Pricing, Releases, Timeline, Appendix):
    """Builds every table of the fact pack in one house style."""
