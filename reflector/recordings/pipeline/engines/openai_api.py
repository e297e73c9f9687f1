"""Any server offering OpenAI's `POST /v1/audio/transcriptions` (OpenAI itself, speaches,
LocalAI, a vLLM or whisper.cpp server): each piece is sent as a WAV file and comes back as
`verbose_json` with segments, and words where the server gives them.
See https://platform.openai.com/docs/api-reference/audio/createTranscription.
"""

import io
import logging
import wave

import httpx
import numpy as np
from pydantic import BaseModel, ValidationError

from reflector.config.settings import Settings
from reflector.infra.job_errors import PermanentJobError, TransientJobError
from reflector.recordings.pipeline import languages
from reflector.recordings.pipeline.engines.base import (
    Progress,
    Samples,
    Segment,
    Transcription,
    Word,
)
from reflector.recordings.pipeline.media import SAMPLE_RATE

logger = logging.getLogger(__name__)
NAME = "openai"
# Requests in flight at once: the server, not this machine, does the work.
PARALLEL_REQUESTS = 4


class OpenAICompatible:
    parallelism = PARALLEL_REQUESTS

    def __init__(self, settings: Settings) -> None:
        key = settings.TRANSCRIPTION_API_KEY
        self.model = settings.TRANSCRIPTION_MODEL or ""
        self._url = (settings.TRANSCRIPTION_API_URL or "").rstrip("/") + "/v1/audio/transcriptions"
        self._headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}

    @property
    def name(self) -> str:
        return NAME

    def transcribe(
        self, audio: Samples, language: str | None, on_progress: Progress | None = None
    ) -> Transcription:
        """One request for the piece: no progress to tell until it is done."""
        data = {
            "model": self.model,
            "response_format": "verbose_json",
            "timestamp_granularities[]": ["segment", "word"],
            **({"language": language} if language else {}),
        }
        try:
            response = httpx.post(
                self._url,
                data=data,
                files={"file": ("audio.wav", _wav(audio), "audio/wav")},
                headers=self._headers,
                timeout=httpx.Timeout(600.0, connect=10.0),
            )
        except httpx.HTTPError as exc:
            raise TransientJobError(f"transcription service unreachable: {exc}") from exc
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise TransientJobError(f"transcription service answered {response.status_code}")
        if response.status_code != 200:
            logger.warning("transcription service refused: %s", response.text[:500])
            raise PermanentJobError(
                f"transcription service refused the audio ({response.status_code})"
            )
        try:
            return self._read(_VerboseJson.model_validate_json(response.content), language)
        except ValidationError as exc:
            logger.warning("transcription service's answer was not verbose_json: %s", exc)
            raise PermanentJobError(
                "transcription service answered with something other than verbose_json"
            ) from exc

    def _read(self, body: "_VerboseJson", language: str | None) -> Transcription:
        said = (body.language or language or "und").lower()
        # Spelt as Whisper spells words: the space before each is part of it.
        words = [Word(round(w.start, 3), round(w.end, 3), " " + w.word.strip()) for w in body.words]
        segments = []
        for s in body.segments or [_SegmentIn(start=0.0, end=0.0, text=body.text)]:
            start, end = round(s.start, 3), round(s.end, 3)
            if text := s.text.strip():
                inside = tuple(w for w in words if start <= w.start < end and w.text.strip())
                segments.append(Segment(start, end, text, inside))
        # OpenAI names the language it detected ("english"); other servers give the code.
        return Transcription(languages.code_of(said), NAME, self.model, tuple(segments))


class _WordIn(BaseModel):
    word: str
    start: float
    end: float


class _SegmentIn(BaseModel):
    start: float
    end: float
    text: str


class _VerboseJson(BaseModel):
    """OpenAI's `verbose_json`, as far as we read it; servers differ in what else they send."""

    text: str = ""
    language: str | None = None
    segments: list[_SegmentIn] = []
    words: list[_WordIn] = []


def problems(settings: Settings) -> list[str]:
    return [
        f"{name}: required for TRANSCRIPTION_BACKEND=openai"
        for name in ("TRANSCRIPTION_API_URL", "TRANSCRIPTION_MODEL")
        if not getattr(settings, name)
    ]


def _wav(audio: Samples) -> bytes:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return out.getvalue()
