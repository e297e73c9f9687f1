"""faster-whisper (CTranslate2): the default engine, offline with a packaged model.

Meetings are not audiobooks: the pipeline hands over only speech (voice activity detection
runs before, in `recordings.pipeline.pieces`), so pauses cost nothing and are never heard as
words; no window is conditioned on the text before it (which starts repetition loops);
windows the model marks as non-speech are skipped (faster-whisper's no-speech threshold),
and a segment that repeats itself is dropped as a loop.
See https://github.com/SYSTRAN/faster-whisper#vad-filter.
"""

import logging
import os
import time

from faster_whisper import WhisperModel
from faster_whisper.transcribe import get_compression_ratio

from reflector.config.settings import Settings
from reflector.recordings.pipeline import languages
from reflector.recordings.pipeline.engines import whisper_models
from reflector.recordings.pipeline.engines.base import (
    Progress,
    Samples,
    Segment,
    Transcription,
    Word,
)

logger = logging.getLogger(__name__)
NAME = "whisper"
DEFAULT_MODEL = "base"
# Text repeating itself compresses well. Whisper retries a whole 30 s window whose text
# compresses above 2.4 (openai/whisper transcribe.py), a bar a participant who says the same
# sentence twice in a window clears; a loop runs on within one segment, so a segment whose
# own text compresses above this is dropped (a sentence said three times in one: 2.46).
COMPRESSION_RATIO = 3.0
# faster-whisper skips a window it thinks is not speech only when its text is also unlikely;
# when greedy decoding fails it samples again at higher temperatures, and a random sample
# can be likely enough to pass (digital silence came out as a Welsh sentence now and then).
# A window the model thinks is not speech and could only read by sampling is dropped.
NO_SPEECH = 0.6


class Whisper:
    def __init__(self, settings: Settings) -> None:
        configured = settings.TRANSCRIPTION_MODEL or DEFAULT_MODEL
        self.model = whisper_models.shown_name(configured)
        path = whisper_models.resolve(configured, settings.REFLECTOR_DATA_DIR)
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
            if get_compression_ratio(s.text) > COMPRESSION_RATIO:
                logger.info("dropped a segment repeating itself (%.1f s)", s.end - s.start)
                continue
            if s.no_speech_prob > NO_SPEECH and s.temperature:
                logger.info("dropped a segment read from no speech (%.1f s)", s.end - s.start)
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
    language = settings.TRANSCRIPTION_LANGUAGE
    if language and languages.name_of(language) is None:
        found.append(
            f"TRANSCRIPTION_LANGUAGE: Whisper knows no language {language!r}"
            " (use a code such as en, de, fr)"
        )
    return found


def check(settings: Settings) -> None:
    whisper_models.check(settings.TRANSCRIPTION_MODEL or DEFAULT_MODEL, settings.REFLECTOR_DATA_DIR)


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
