"""The withhold and forget stages: consent and retention applied to a recording.

Withholding comes first: the track of each person who refused is deleted before anything
reads it, so it is never fetched, decoded or transcribed. A mixed recording in which anyone
refused is transcribed (its audio is forgotten as soon as the transcript exists), or, if its
room says so, not transcribed at all. Forgetting comes once the transcript is stored: the
recording's files go when consent asks for it or when the media is kept 0 days.
"""

from reflector.db import MixedOnRefusal
from reflector.infra.storage import remove_all
from reflector.recordings import consent, expiry
from reflector.recordings import tracks as recording_tracks
from reflector.recordings.consent import Outcome
from reflector.recordings.pipeline.work import Told, Work, rows_of
from reflector.rooms import participants


async def withhold(work: Work, told: Told) -> None:
    async with work.ctx.db.write() as session:
        recording, room = await rows_of(session, work.recording_id)
        answers = await consent.answers_in(session, recording.meeting_id)
        sessions = await participants.sessions_of(session, recording.meeting_id)
        verdict = consent.judge(room, answers, sessions, work.tracks)
        outcome = Outcome(
            withheld=[work.speaker(index) for index in sorted(verdict.withheld)],
            mixed_refused=verdict.mixed_refused,
        )
        dropped = set(verdict.withheld)
        if outcome.mixed_refused:
            work.forget_media = True
            if room.mixed_on_refusal == MixedOnRefusal.SKIP:
                outcome.not_transcribed = True
                dropped |= {i for i, t in enumerate(work.tracks) if not consent.is_someones(t)}
        keys = recording_tracks.stored_keys(work.tracks[index] for index in sorted(dropped))
        work.tracks = [track for i, track in enumerate(work.tracks) if i not in dropped]
        recording_tracks.keep_only(recording, work.tracks)
        recording.consent = outcome.merged(Outcome.model_validate(recording.consent)).model_dump()
        if outcome.not_transcribed:
            recording.media_deleted_at = work.ctx.clock()
    await remove_all(work.ctx.storage, keys)


async def forget(work: Work, told: Told) -> None:
    settings = work.ctx.config.settings
    async with work.ctx.db.write() as session:
        recording, room = await rows_of(session, work.recording_id)
        if not (work.forget_media or expiry.media_days(settings, room) == 0):
            return
        keys = expiry.forget_media(recording, work.ctx.clock())
    await remove_all(work.ctx.storage, keys)
