"""A group of people the brief counts over: "the founding team", "the leaders in post on
1 Jan 2024". A count of who left names its group, so "4 of 5" never hides its denominator."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import ShortText, Strict
from .case import Function, Level, Person
from .dates import PartialDate

PersonRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$")]


class Group(Strict):
    """Who is in the group: the people listed, or everyone who meets every condition given.
    With `in_post`, people who joined after that day (successors) are outside it."""

    name: ShortText = Field(description="the group as a plural noun phrase, as a count "
                                        "prints it: '4 of the 5 co-founders besides the "
                                        "founder'")
    members: list[PersonRef] = Field([], description="case:person ids, instead of conditions")
    cofounders: bool = False
    levels: list[Level] = []
    functions: list[Function] = []
    in_post: PartialDate | None = Field(
        None, description="only people in post on this day: joined by then, not yet left")

    def holds(self, case_id: str, person: Person) -> bool:
        """Whether `person` of case `case_id` is in the group."""
        if self.members:
            return f"{case_id}:{person.id}" in self.members
        if self.cofounders and not person.cofounder:
            return False
        if self.levels and person.level not in self.levels:
            return False
        if self.functions and person.function not in self.functions:
            return False
        if self.in_post is not None:
            day = self.in_post.mid()
            if person.joined is not None and person.joined.mid() > day:
                return False
            if person.left is not None and person.left.mid() <= day:
                return False
        return True
