"""The osc-cli command that does what a console action did: the console teaches the API."""

from __future__ import annotations

import json
import shlex


def osc_cli(action: str, **params: object) -> str:
    """``osc-cli okms <Action> --Param value ...``, quoted for a POSIX shell. Lists and
    dicts are written as JSON, as osc-cli reads them."""
    parts = ["osc-cli", "okms", action]
    for name, value in params.items():
        if value is None or value == {} or value == []:
            continue
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(
            value)
        parts += [f"--{name}", shlex.quote(text)]
    return " ".join(parts)
