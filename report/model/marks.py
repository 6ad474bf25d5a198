"""What a live fact in the brief says: `[[case:record.field]]` and the arithmetic on it.

```
mark     := expr ("in" CUR | "as of" DATE | "dated")*
expr     := operand | operand "/" operand | operand "-" operand
          | ("change" | "between" | "max" | "min") "(" operand ("," operand)+ ")"
operand  := case ":" record ("." field)? | case ":@" derived ("(" group ")")?
```

Pure parsing, no I/O: the loading stage checks what a mark names, the comparing stage works
out its value, and composing writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import PartialDate

OPERAND = re.compile(r"(?P<case>[a-z0-9][a-z0-9-]*):(?P<record>@?[a-z0-9][a-z0-9_-]*)"
                     r"(?:\((?P<group>[a-z0-9][a-z0-9-]*)\))?(?:\.(?P<field>[a-z_]+))?")
FUNCTIONS = {"change": 2, "between": 2, "max": 0, "min": 0}  # 0: two or more
BINARY = {"/": "ratio", "-": "difference"}
CURRENCY = re.compile(r"[A-Z]{3}")


class MarkError(ValueError):
    """A mark that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Operand:
    case: str
    record: str  # a record id, a profile field (founded, status …) or @derived
    field: str | None = None
    group: str | None = None  # @left(founding-team): the group a count is over

    @property
    def derived(self) -> bool:
        return self.record.startswith("@")

    def __str__(self) -> str:
        group = f"({self.group})" if self.group else ""
        return f"{self.case}:{self.record}{group}" + (f".{self.field}" if self.field else "")


@dataclass(frozen=True)
class Expr:
    """`op` is None for one operand, else ratio, difference, change, between, max or min."""

    op: str | None
    operands: tuple[Operand, ...]
    currency: str | None = None  # `in USD`
    as_of: PartialDate | None = None  # `as of 2024-12-31`
    dated: bool = False  # `dated`: print the value's own date after it

    @property
    def left(self) -> Operand:
        return self.operands[0]

    @property
    def right(self) -> Operand | None:
        return self.operands[1] if self.op in BINARY.values() else None


def parse_mark(text: str) -> Expr:
    """Parse the inside of `[[…]]`; raise MarkError saying what is wrong."""
    body, currency, as_of, dated = _modifiers(text.strip())
    function = re.fullmatch(r"(?P<name>[a-z]+)\((?P<args>.*)\)", body)
    if function and function.group("name") in FUNCTIONS:
        name = function.group("name")
        operands = tuple(_operand(a) for a in function.group("args").split(","))
        want = FUNCTIONS[name]
        if (want and len(operands) != want) or (not want and len(operands) < 2):
            count = f"{want}" if want else "two or more"
            raise MarkError(f"{name}() takes {count} values, separated by commas")
        return Expr(name, operands, currency, as_of, dated)
    if function:
        raise MarkError(f"no function '{function.group('name')}'; there are "
                        + ", ".join(f"{f}()" for f in FUNCTIONS))
    for sign, op in BINARY.items():
        left, found, right = body.partition(f" {sign} ")
        if found:
            return Expr(op, (_operand(left), _operand(right)), currency, as_of, dated)
    return Expr(None, (_operand(body),), currency, as_of, dated)


def _modifiers(text: str) -> tuple[str, str | None, PartialDate | None, bool]:
    """Split `expr in USD as of 2024-12 dated` into the expression and its modifiers, in any
    order, each at most once."""
    currency = as_of = None
    dated = False
    while True:
        if text.endswith(" dated"):
            if dated:
                raise MarkError("'dated' is given twice")
            text, dated = text[: -len(" dated")].rstrip(), True
            continue
        as_of_match = re.search(r" as of (\S+)$", text)
        if as_of_match:
            if as_of is not None:
                raise MarkError("'as of' is given twice")
            try:
                as_of = PartialDate.parse(as_of_match.group(1))
            except (ValueError, TypeError):
                raise MarkError(f"'as of {as_of_match.group(1)}': write a date such as "
                                "2024-12-31, 2024-12 or 2024") from None
            text = text[: as_of_match.start()].rstrip()
            continue
        in_match = re.search(r" in (\S+)$", text)
        if in_match:
            if currency is not None:
                raise MarkError("'in' is given twice")
            if not CURRENCY.fullmatch(in_match.group(1)):
                raise MarkError(f"'in {in_match.group(1)}': convert into an ISO 4217 "
                                "currency code such as USD")
            currency = in_match.group(1)
            text = text[: in_match.start()].rstrip()
            continue
        return text, currency, as_of, dated


def _operand(text: str) -> Operand:
    match = OPERAND.fullmatch(text.strip())
    if not match:
        raise MarkError(f"'{text.strip()}' is not a fact: write case:record.field, "
                        "case:@derived or case:@derived(group)")
    if match.group("group") and not match.group("record").startswith("@"):
        raise MarkError(f"'{text.strip()}': only a derived figure (@…) takes a group")
    return Operand(match.group("case"), match.group("record"), match.group("field"),
                   match.group("group"))
