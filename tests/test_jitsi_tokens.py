"""Jitsi join links: per-user tokens that Prosody, configured as the docs say, accepts."""

import json
import re
import unicodedata
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote, unquote, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reflector.config.loading import Config
from reflector.db import Meeting, MeetingState
from reflector.video_platforms.base import JoinUser, Role
from reflector.video_platforms.jitsi import JitsiSettings
from reflector.video_platforms.jitsi.client import room_name_for
from tests.jitsi import FIXTURES, JWT_SECRET, jitsi_config, jitsi_settings
from tests.prosody import ProsodyTokenCheck, Refused, feature_enabled
from tests.support import START

SECRET = JWT_SECRET
NOW = int(START.timestamp())


def prosody(**overrides) -> ProsodyTokenCheck:
    """A Prosody set up as docs/platforms/jitsi.md says, domain verification on for strictness."""
    settings = {
        "app_id": "reflector",
        "app_secret": SECRET,
        "accepted_audiences": ["reflector"],
        "enable_domain_verification": True,
    }
    return ProsodyTokenCheck(**(settings | overrides))


@pytest.fixture
def jitsi() -> JitsiSettings:
    return jitsi_settings()


@pytest.fixture
def config(settings, jitsi) -> Config:
    return jitsi_config(settings, jitsi)


async def links(client, alice, bob, room: str = "standup", **room_fields):
    fields = {"name": room, "is_shared": True, **room_fields}
    created = await client.post("/v1/rooms", json=fields, headers=alice)
    assert created.status_code == 201, created.text
    meeting = (await client.post(f"/v1/rooms/{room}/meeting", headers=alice)).json()
    join = f"/v1/meetings/{meeting['id']}/join"
    host = await client.post(join, json={"display_name": "Ada Lovelace"}, headers=alice)
    guest = await client.post(join, headers=bob)
    assert (host.status_code, guest.status_code) == (200, 200), (host.text, guest.text)
    return meeting, host.json()["url"], guest.json()["url"]


def token_of(url: str) -> str:
    [token] = parse_qs(urlsplit(url).query)["jwt"]
    return token


def jitsi_room_node(url: str) -> str:
    """The MUC JID node the Jitsi web app derives from a room URL (contracts/jitsi.md §b)."""
    segment = urlsplit(url).path.rsplit("/", 1)[1]
    segment = re.sub(r"[:?#\[\]@!$&'()*+,;=></\"]", "", segment)
    name = unicodedata.normalize("NFKC", segment).lower()
    return quote(name, safe="-_.!~*'()").lower()


async def test_host_and_participant_tokens_pass_prosody_for_their_room_only(client, alice, bob):
    meeting, host_url, guest_url = await links(client, alice, bob)
    room = jitsi_room_node(host_url)
    assert room == meeting["platform_room_name"]
    host_claims, host_role = prosody().join(token_of(host_url), room, NOW)
    guest_claims, guest_role = prosody().join(token_of(guest_url), room, NOW)
    assert (host_role, guest_role) == ("owner", "member")
    # A token vouches for who joins: it names them by their own name, whatever they asked.
    assert (host_claims["context"]["user"]["name"], guest_claims["context"]["user"]["name"]) == (
        "alice",
        "bob",
    )
    assert (host_claims["context"]["user"]["id"], guest_claims["context"]["user"]["id"]) == (
        "alice",
        "bob",
    )
    with pytest.raises(Refused, match="room does not match"):
        prosody().join(token_of(host_url), "another-room", NOW)


async def test_nobody_takes_another_users_name_in_a_token(client, alice, bob):
    meeting, _, _ = await links(client, alice, bob)
    join = f"/v1/meetings/{meeting['id']}/join"
    posing = await client.post(join, json={"display_name": "alice"}, headers=bob)
    claims, _ = prosody().join(token_of(posing.json()["url"]), meeting["platform_room_name"], NOW)
    assert (claims["context"]["user"]["id"], claims["context"]["user"]["name"]) == ("bob", "bob")


async def test_tokens_have_exactly_the_contract_claims(client, alice, bob):
    meeting, host_url, guest_url = await links(client, alice, bob)
    fixture = json.loads((FIXTURES / "jwt_payload_moderator.json").read_text())
    for url in (host_url, guest_url):
        token = token_of(url)
        assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
        claims = jwt.decode(token, options={"verify_signature": False})
        assert set(claims) == set(fixture)
        assert set(claims["context"]) == set(fixture["context"])
        assert set(claims["context"]["features"]) == set(fixture["context"]["features"])
        assert (claims["iss"], claims["aud"], claims["sub"]) == (
            "reflector",
            "reflector",
            "meet.jitsi",
        )
        assert claims["room"] == meeting["platform_room_name"] != "*"
        assert claims["nbf"] < claims["iat"] == NOW
        end = int(datetime.fromisoformat(meeting["end_date"]).timestamp())
        assert claims["exp"] == min(end + 15 * 60, NOW + 24 * 3600)
        assert claims["context"]["user"]["moderator"] in ("true", "false")
        assert len(token) <= 1024
    assert urlsplit(host_url).netloc == "meet.example.com"


async def test_a_token_works_until_a_quarter_hour_after_the_meeting(client, alice, bob):
    _, host_url, _ = await links(client, alice, bob)
    token = token_of(host_url)
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    room = jitsi_room_node(host_url)
    prosody().join(token, room, exp - 1)
    with pytest.raises(Refused, match="expired"):
        prosody().join(token, room, exp)
    with pytest.raises(Refused, match="not yet valid"):
        prosody().join(token, room, NOW - 3600)


async def test_no_token_lives_longer_than_a_day(runtime):
    client = runtime.platforms.client("jitsi")
    meeting = Meeting(
        id=uuid.uuid4(),
        platform_room_name="long-0123456789abcdef",
        room_url="https://meet.example.com/long-0123456789abcdef",
        end_date=START + timedelta(days=3),
        state=MeetingState.ACTIVE,
        provider_data={},
    )
    url = await client.join_url(meeting, JoinUser(id="alice"), Role.HOST)
    claims = jwt.decode(token_of(url), options={"verify_signature": False})
    assert claims["exp"] == NOW + 24 * 3600


async def test_recording_is_a_host_feature_of_cloud_recorded_rooms(client, alice, bob):
    _, host_url, guest_url = await links(client, alice, bob)
    host = prosody().authenticate(token_of(host_url), NOW)
    guest = prosody().authenticate(token_of(guest_url), NOW)
    assert feature_enabled(host, "recording")
    assert not feature_enabled(guest, "recording")
    assert not feature_enabled(host, "livestreaming")

    _, host_url, _ = await links(client, alice, bob, room="unrecorded", recording_type="none")
    assert not feature_enabled(prosody().authenticate(token_of(host_url), NOW), "recording")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"iss": "someone-else"}, "iss"),
        ({"aud": ["reflector"]}, "aud"),
        ({"aud": None}, "aud missing"),
        ({"exp": NOW - 1}, "expired"),
        ({"exp": "tomorrow"}, "not a number"),
        ({"nbf": NOW + 60}, "not yet valid"),
        ({"room": "another-room"}, "room does not match"),
        ({"room": None}, "room claim missing"),
        ({"sub": "meet.example.com"}, "sub"),
    ],
)
async def test_the_verifier_refuses_each_wrong_claim(client, alice, bob, change, reason):
    _, host_url, _ = await links(client, alice, bob)
    claims = jwt.decode(token_of(host_url), options={"verify_signature": False})
    for name, value in change.items():
        if value is None:
            del claims[name]
        else:
            claims[name] = value
    forged = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(Refused, match=reason):
        prosody().join(forged, jitsi_room_node(host_url), NOW)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_the_verifier_refuses_wrong_headers_and_keys(client, alice, bob):
    _, host_url, _ = await links(client, alice, bob)
    claims = jwt.decode(token_of(host_url), options={"verify_signature": False})
    room = jitsi_room_node(host_url)
    with pytest.raises(Refused, match="alg"):
        prosody().join(jwt.encode(claims, SECRET, algorithm="HS512"), room, NOW)
    with pytest.raises(Refused, match="signature"):
        prosody().join(jwt.encode(claims, SECRET + "x", algorithm="HS256"), room, NOW)
    untyped = jwt.encode(claims, SECRET, algorithm="HS256", headers={"typ": "JOSE"})
    with pytest.raises(Refused, match="typ"):
        prosody().join(untyped, room, NOW)


@pytest.mark.parametrize(
    "jitsi",
    [jitsi_settings(jwt_secret="0123456789abcdef0123456789abcdef")],
)
async def test_a_hex_looking_secret_is_used_as_the_literal_string(client, alice, bob):
    _, host_url, _ = await links(client, alice, bob)
    check = prosody(app_secret="0123456789abcdef0123456789abcdef")
    assert check.join(token_of(host_url), jitsi_room_node(host_url), NOW)[1] == "owner"


@pytest.mark.parametrize("jitsi", [JitsiSettings(_env_file=None)])
async def test_without_a_secret_links_are_plain_public_rooms(client, alice, bob):
    meeting, host_url, guest_url = await links(client, alice, bob)
    expected = f"https://meet.jit.si/{meeting['platform_room_name']}"
    assert guest_url == meeting["room_url"] == expected
    # No token vouches for anyone: a chosen name is only the meeting's suggestion.
    assert host_url == f"{expected}#userInfo.displayName=%22Ada%20Lovelace%22"
    assert re.fullmatch(r"standup-[0-9a-f]{16}", meeting["platform_room_name"])


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = RSA_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


@pytest.mark.parametrize(
    "jitsi",
    [jitsi_settings(jwt_secret=None, jwt_private_key=RSA_PEM, jwt_key_id="reflector/key-1")],
)
async def test_rs256_tokens_carry_the_key_id(client, alice, bob):
    _, host_url, _ = await links(client, alice, bob)
    token = token_of(host_url)
    assert jwt.get_unverified_header(token) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": "reflector/key-1",
    }
    check = prosody(app_secret=None, public_key=RSA_KEY.public_key())
    assert check.join(token, jitsi_room_node(host_url), NOW)[1] == "owner"


def test_room_names_are_fresh_and_jitsi_safe():
    names = {room_name_for("Team_Standup ☕ Weekly!") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert re.fullmatch(r"team-standup-weekly-[0-9a-f]{16}", name)
        assert jitsi_room_node(f"https://meet.example.com/{name}") == name


@pytest.mark.parametrize("jitsi", [JitsiSettings(_env_file=None)])
async def test_a_chosen_name_reaches_tokenless_links_in_the_fragment(client, alice, bob):
    meeting, _, _ = await links(client, alice, bob)
    join = f"/v1/meetings/{meeting['id']}/join"
    chosen = {"display_name": 'Zoë "Z" & co'}
    url = (await client.post(join, json=chosen, headers=bob)).json()["url"]
    room_url, _, fragment = url.partition("#")
    assert room_url == meeting["room_url"]
    name, _, value = fragment.partition("=")
    assert name == "userInfo.displayName"
    assert json.loads(unquote(value)) == 'Zoë "Z" & co'
