"""What a transcription engine is: 16 kHz mono samples in, a `Transcription` out.

An engine knows nothing of speakers, tracks or recordings: the pipeline cuts tracks into
pieces, hands each piece to the engine, and places what comes back in time and by speaker.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from reflector.infra.job_errors import PermanentJobError

Samples = npt.NDArray[np.float32]
# Told the fraction of a piece done so far, from the thread transcribing it.
Progress = Callable[[float], None]


class EngineUnavailable(PermanentJobError):
    """The configured engine cannot work here; the message names the setting and the fix."""


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    # As the engine spells it: with the space before it, in languages written with spaces.
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text.strip()}


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def shifted(self, seconds: float) -> "Segment":
        """The segment placed `seconds` later: a piece or track that starts into the audio."""
        return replace(
            self,
            start=round(self.start + seconds, 3),
            end=round(self.end + seconds, 3),
            words=tuple(
                replace(w, start=round(w.start + seconds, 3), end=round(w.end + seconds, 3))
                for w in self.words
            ),
        )


@dataclass(frozen=True)
class Transcription:
    """What an engine heard in some audio, and what it takes to say so."""

    language: str
    engine: str
    model: str
    segments: tuple[Segment, ...] = field(default=())


class Engine(Protocol):
    """A loaded engine, shared by every job of a worker process and called from threads."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    @property
    def parallelism(self) -> int:
        """How many pieces it transcribes at once to best use this machine."""
        ...

    def transcribe(
        self, audio: Samples, language: str | None, on_progress: Progress | None = None
    ) -> Transcription:
        """What is said in `audio`, in `language` if given, else in the one it detects."""
        ...
