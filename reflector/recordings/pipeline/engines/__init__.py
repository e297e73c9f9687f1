"""The transcription engines, in one explicit registry, and the one loaded engine of each
worker process.

Loading is slow (hashing, joining or downloading weights, building the model), so it runs
in a thread, once per process and configuration, and every later job reuses the engine.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from reflector.config.settings import Settings
from reflector.recordings.pipeline.engines import openai_api, whisper
from reflector.recordings.pipeline.engines.base import Engine, EngineUnavailable

__all__ = ["ENGINES", "Engine", "EngineSpec", "EngineUnavailable", "check", "loaded", "problems"]


@dataclass(frozen=True)
class EngineSpec:
    name: str
    load: Callable[[Settings], Engine]
    # What is wrong with the settings, each naming the setting; no I/O.
    problems: Callable[[Settings], list[str]]
    # At start-up of processes that transcribe: `EngineUnavailable` if it cannot work here.
    check: Callable[[Settings], None] | None = None


ENGINES = (
    EngineSpec(whisper.NAME, whisper.Whisper, whisper.problems, whisper.check),
    EngineSpec(openai_api.NAME, openai_api.OpenAICompatible, openai_api.problems),
)

log = logging.getLogger(__name__)

_loaded: dict[tuple[object, ...], Engine] = {}
_loading = threading.Lock()


def problems(settings: Settings) -> list[str]:
    spec = _spec(settings)
    if spec is None:
        known = ", ".join(engine.name for engine in ENGINES)
        return [
            f"TRANSCRIPTION_BACKEND: unknown engine {settings.TRANSCRIPTION_BACKEND!r} "
            f"(known: {known})"
        ]
    return spec.problems(settings)


def check(settings: Settings) -> None:
    spec = _spec(settings)
    if spec is not None and spec.check is not None:
        spec.check(settings)


def loaded(settings: Settings) -> Engine:
    """The engine the settings choose, loaded on first use in this process. Blocks while
    it loads: call it from a thread."""
    key = _key(settings)
    with _loading:
        engine = _loaded.get(key)
        if engine is None:
            spec = _spec(settings)
            if spec is None:
                raise EngineUnavailable(problems(settings)[0])
            try:
                engine = spec.load(settings)
            except EngineUnavailable:
                raise
            except (RuntimeError, ValueError, OSError) as exc:
                log.exception("the %s engine could not load its model", spec.name)
                raise EngineUnavailable(
                    f"TRANSCRIPTION_MODEL: the {spec.name} engine could not load "
                    f"{settings.TRANSCRIPTION_MODEL or 'its model'} (the worker's log says why)"
                ) from exc
            _loaded[key] = engine
        return engine


def _spec(settings: Settings) -> EngineSpec | None:
    return next((e for e in ENGINES if e.name == settings.TRANSCRIPTION_BACKEND), None)


def _key(settings: Settings) -> tuple[object, ...]:
    """What makes one loaded engine differ from another; the language is told per piece."""
    return tuple(
        getattr(settings, name)
        for name in sorted(Settings.model_fields)
        if name.startswith("TRANSCRIPTION_") and name != "TRANSCRIPTION_LANGUAGE"
    )
