"""What every platform's event translator does first: read the envelope, keep events of
unknown types as `parked` and unreadable ones as `failed`, and only then parse the event.

An authentic body is never refused for its content: senders disable endpoints that answer
errors, so what we cannot use is stored with the reason, and acknowledged.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from reflector.inbox.actions import InboundEvent
from reflector.infra.validation import SafeStr, first_error

EventT = TypeVar("EventT")
EventId = Annotated[SafeStr, Field(min_length=1)]


@dataclass(frozen=True)
class EventFormat(Generic[EventT]):
    """A platform's webhook format: `events` is the union of the types it handles.

    `id_field` names the sender's event id, the inbox's dedupe key; without one, the
    translator derives a key, and unusable bodies are keyed by their digest.
    """

    platform: str
    events: TypeAdapter[EventT]
    known_types: frozenset[str]
    type_field: str = "type"
    id_field: str | None = "id"
    _envelope: type[BaseModel] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        fields: dict[str, Any] = {self.type_field: (SafeStr, ...)}
        if self.id_field:
            fields[self.id_field] = (EventId, ...)
        envelope = create_model(f"{self.platform.title()}Envelope", **fields)
        object.__setattr__(self, "_envelope", envelope)

    def read(self, body: bytes) -> EventT | InboundEvent:
        """The parsed event, or the inbox event that keeps a body we cannot apply."""
        try:
            envelope = self._envelope.model_validate_json(body)
        except ValidationError as exc:
            return self._unusable(body, "unreadable", exc, None)
        type_: str = getattr(envelope, self.type_field)
        key: str | None = getattr(envelope, self.id_field) if self.id_field else None
        if type_ not in self.known_types:
            return InboundEvent.unknown_type(self.platform, body, type_, key)
        try:
            return self.events.validate_json(body)
        except ValidationError as exc:
            return self._unusable(body, type_, exc, key)

    def _unusable(
        self, body: bytes, type_: str, exc: ValidationError, key: str | None
    ) -> InboundEvent:
        metric_type = type_ if type_ in self.known_types else "other"
        problem = f"malformed event: {first_error(exc)}"
        return InboundEvent.unusable(self.platform, body, type_, metric_type, problem, key)
