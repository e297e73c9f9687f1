"""Processing a recording as an ordered list of stages.

Each stage has a name (the recording's `stage` while it runs), its share of the progress
bar (about its share of the time on a CPU), and the words its failure is told in. A later
stage, such as a summary, is one more entry here.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from reflector.recordings.pipeline import audio, consent_stages, intake, outcome, transcription
from reflector.recordings.pipeline.progress import DONE, ProgressWriter
from reflector.recordings.pipeline.summary import stage as summary
from reflector.recordings.pipeline.work import Told, Work


@dataclass(frozen=True)
class Stage:
    name: str
    share: float
    failure: str
    run: Callable[[Work, Told], Awaitable[None]]


STAGES = (
    Stage(
        "withholding", 0.01, "Applying its participants' consent failed", consent_stages.withhold
    ),
    Stage("fetching", 0.10, "Fetching the recording failed", intake.fetch_tracks),
    Stage("probing", 0.01, "The recording could not be read", audio.probe_tracks),
    Stage("extracting", 0.07, "Its audio could not be extracted", audio.extract_tracks),
    Stage("transcribing", 0.72, "Transcribing it failed", transcription.transcribe),
    Stage("storing", 0.01, "Its transcript could not be stored", outcome.store_transcript),
    Stage("summarizing", 0.07, "Summarizing it failed", summary.summarize),
    Stage("forgetting", 0.01, "Deleting its audio failed", consent_stages.forget),
    Stage("announcing", 0.01, "Announcing its transcript failed", outcome.announce),
)


async def run(work: Work, progress: ProgressWriter) -> None:
    """Every stage in order, each told where it stands on the whole bar."""
    before = 0.0
    for stage in STAGES:

        def told(fraction: float, stage: Stage = stage, before: float = before) -> None:
            progress.at(stage.name, before + stage.share * min(1.0, max(0.0, fraction)))

        told(0.0)
        await stage.run(work, told)
        before += stage.share
        if work.duration:
            progress.duration(work.duration)
    progress.at(DONE, 1.0)


def failure(stage_name: str | None) -> str:
    """How the failure of the stage named `stage_name` is told."""
    stage = next((stage for stage in STAGES if stage.name == stage_name), None)
    return stage.failure if stage is not None else "Processing failed"
