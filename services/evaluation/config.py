"""Evaluation's own settings (beyond shared Settings): where the credit rules and KPI targets are
read from, how often ratings are refreshed, and the CJK font of the status report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import field_validator

from services.evaluation.domain import rules, targets
from shared.settings import EnvironmentSettings, SettingsError, env_field

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


class EvaluationSettings(EnvironmentSettings):
    """Evaluation's variables (ECO_EVALUATION_*), checked at start-up."""

    component = "evaluation"
    rules_dir: Path | None = env_field(RULES_VARIABLE, default=None)
    targets_file: Path = env_field(TARGETS_VARIABLE, default=TARGETS_FILE)
    rerate_seconds: float = env_field(RERATE_VARIABLE, default=300.0, gt=0, allow_inf_nan=False)
    font: str = env_field(FONT_VARIABLE, default=DEFAULT_FONT)

    @field_validator("rules_dir", mode="before")
    @classmethod
    def _a_directory(cls, raw: object) -> object:
        text = str(raw).strip() if raw is not None else ""
        if text and not Path(text).is_dir():
            raise ValueError(f"no directory at {text}")
        return text or None

    def config(self) -> EvaluationConfig:
        """The rules and targets, loaded and checked: a broken file stops the process naming it."""
        directories = [RULES_DIR] + ([self.rules_dir] if self.rules_dir else [])
        try:
            book = rules.load_dir(*directories)
        except (ValueError, OSError) as exc:
            raise SettingsError(RULES_VARIABLE, str(exc)) from None
        try:
            kpi_targets = targets.load(self.targets_file)
        except (ValueError, OSError) as exc:
            raise SettingsError(TARGETS_VARIABLE, str(exc)) from None
        font = self.font.strip() or DEFAULT_FONT
        font_path = font if Path(font).is_file() else None
        return EvaluationConfig(book, kpi_targets, self.rerate_seconds, font_path)


def load(env: Mapping[str, str]) -> EvaluationConfig:
    """The settings, checked: a broken rules file or target stops the process with its field named."""
    return EvaluationSettings.from_env(env).config()
