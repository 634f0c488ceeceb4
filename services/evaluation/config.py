"""Evaluation's own settings (beyond shared Settings): where the credit rules and KPI targets are
read from, how often ratings are refreshed, and the CJK font of the status report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.evaluation.domain import rules, targets
from shared.settings import SettingsError

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
TARGETS_FILE = HERE / "data" / "targets.json"
# The CJK font deploy/system-packages.txt brings (fonts-droid-fallback).
DEFAULT_FONT = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

RULES_VARIABLE = "ECO_EVALUATION_RULES_DIR"
TARGETS_VARIABLE = "ECO_EVALUATION_TARGETS"
RERATE_VARIABLE = "ECO_EVALUATION_RERATE_SECONDS"
FONT_VARIABLE = "ECO_EVALUATION_FONT"


@dataclass(frozen=True)
class EvaluationConfig:
    rules: rules.RuleBook
    targets: targets.Targets
    rerate_seconds: float
    font_path: str | None


def load(env: Mapping[str, str]) -> EvaluationConfig:
    """The settings, checked: a broken rules file or target stops the process with its field named."""
    extra = env.get(RULES_VARIABLE, "").strip()
    directories = [RULES_DIR] + ([Path(extra)] if extra else [])
    if extra and not Path(extra).is_dir():
        raise SettingsError(RULES_VARIABLE, f"no directory at {extra}")
    try:
        book = rules.load_dir(*directories)
        kpi_targets = targets.load(Path(env.get(TARGETS_VARIABLE, "").strip() or TARGETS_FILE))
    except (ValueError, OSError) as exc:
        raise SettingsError(RULES_VARIABLE, str(exc)) from None
    try:
        every = float(env.get(RERATE_VARIABLE, "300"))
    except ValueError:
        raise SettingsError(RERATE_VARIABLE, "must be a number of seconds") from None
    if every <= 0:
        raise SettingsError(RERATE_VARIABLE, "must be positive")
    font = env.get(FONT_VARIABLE, "").strip() or DEFAULT_FONT
    return EvaluationConfig(book, kpi_targets, every, font if Path(font).is_file() else None)
