"""The logic of every handler, as plain functions of the event.

Nothing here knows about Lambda, so it is tested as ordinary code (tests/test_core.py).
Each handler in lambda_function.py is a thin wrapper over one function here.
"""
from __future__ import annotations

from typing import Any


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Count the records and total their amounts: the sample logic every handler shares."""
    amounts = [float(r.get("amount", 0)) for r in records]
    return {"count": len(records), "total": round(sum(amounts), 2)}


# lambda-image:core (each handler's logic; new ones are added above this line)
