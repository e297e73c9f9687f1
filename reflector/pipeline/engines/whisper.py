"""faster-whisper (CTranslate2): the default engine, offline with a packaged model.

Meetings are not audiobooks: voice activity detection skips the pauses (Silero, bundled
with faster-whisper) so they cost nothing and are never heard as words; no window is
conditioned on the text before it (which starts repetition loops); and segments the model
itself marks as non-speech or as a loop are dropped.
See https://github.com/SYSTRAN/faster-whisper#vad-filter.
"""

import logging
import os
import time

from faster_whisper import WhisperModel
from faster_whisper.tokenizer import _LANGUAGE_CODES

from reflector.core_settings import Settings
from reflector.pipeline.engines import whisper_models
from reflector.pipeline.engines.base import Progress, Samples, Segment, Transcription, Word

logger = logging.getLogger(__name__)
NAME = "whisper"
DEFAULT_MODEL = "base"
# Whisper's own thresholds (openai/whisper transcribe.py), applied per segment as well.
NO_SPEECH_PROBABILITY = 0.6
LOG_PROBABILITY = -1.0
COMPRESSION_RATIO = 2.4


class Whisper:
    def __init__(self, settings: Settings) -> None:
        self.model = settings.TRANSCRIPTION_MODEL or DEFAULT_MODEL
        path = whisper_models.resolve(self.model, settings.REFLECTOR_DATA_DIR)
        on_cpu = settings.TRANSCRIPTION_DEVICE == "cpu"
        # On the CPU one single-threaded replica per core transcribes pieces side by side:
        # decoding is sequential, so a second thread in one replica gains little.
        self.parallelism = _cores() if on_cpu else 1
        started = time.monotonic()
        self._model = WhisperModel(
            str(path),
            device=settings.TRANSCRIPTION_DEVICE,
            compute_type=settings.TRANSCRIPTION_COMPUTE_TYPE or ("int8" if on_cpu else "float16"),
            cpu_threads=1 if on_cpu else 0,
            num_workers=self.parallelism,
        )
        logger.info(
            "loaded whisper model %s from %s in %.1f s",
            self.model,
            path,
            time.monotonic() - started,
        )

    @property
    def name(self) -> str:
        return NAME

    def transcribe(
        self, audio: Samples, language: str | None, on_progress: Progress | None = None
    ) -> Transcription:
        found, info = self._model.transcribe(
            audio,
            language=language,
            condition_on_previous_text=False,
            word_timestamps=True,
        )
        segments = []
        for s in found:  # a generator: the model works as it is read
            if on_progress is not None and info.duration:
                on_progress(min(1.0, s.end / info.duration))
            if _is_noise(s.no_speech_prob, s.avg_logprob, s.compression_ratio):
                continue
            words = tuple(
                Word(round(float(w.start), 3), round(float(w.end), 3), w.word)
                for w in s.words or ()
                if w.word.strip()
            )
            if words:
                segments.append(Segment(words[0].start, words[-1].end, s.text.strip(), words))
        return Transcription(info.language, NAME, self.model, tuple(segments))


def problems(settings: Settings) -> list[str]:
    found = []
    if settings.TRANSCRIPTION_LANGUAGE and settings.TRANSCRIPTION_LANGUAGE not in _LANGUAGE_CODES:
        found.append(
            f"TRANSCRIPTION_LANGUAGE: Whisper knows no language {settings.TRANSCRIPTION_LANGUAGE!r}"
            " (use a code such as en, de, fr)"
        )
    return found


def check(settings: Settings) -> None:
    whisper_models.check(settings.TRANSCRIPTION_MODEL or DEFAULT_MODEL, settings.REFLECTOR_DATA_DIR)


def _is_noise(no_speech: float, log_probability: float, compression: float) -> bool:
    """Whisper's own verdicts: silence it wrote words for, or text repeating itself."""
    silent = no_speech > NO_SPEECH_PROBABILITY and log_probability < LOG_PROBABILITY
    return silent or compression > COMPRESSION_RATIO


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
