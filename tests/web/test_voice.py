"""The hall's voice: WAV audio of a call and of the chime, made by espeak-ng (Debian's
package, which .ci/run installs) or joined from the hall's own clips, kept per phrase."""
import io
import shutil
import wave
from pathlib import Path

import pytest

from hall_server.domain.announcements import announcement
from hall_server.domain.errors import Invalid
from hall_server.services import voice
from hall_server.services.voice import Speaker, VoiceUnavailable

from ..conftest import MANAGER, REQUIRE_SERVICES
from ..running_hall import RunningHall
from .conftest import Client, assert_error

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None and not REQUIRE_SERVICES, reason="espeak-ng is not installed")


def duration_s(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        assert audio.getnframes() > 0
        return audio.getnframes() / audio.getframerate()


@needs_espeak
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_display_gets_the_call_as_audio(hall, lang: str) -> None:
    response = hall["display"].get("/halls/demo/voice/call", params={"number": "A012", "counter": 3, "lang": lang})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "audio/wav"
    assert duration_s(response.content) > 1.0  # a whole phrase, not a click


@needs_espeak
def test_a_page_fetches_it_with_its_cookie_and_csrf_token(hall) -> None:
    token = hall.server.tokens["display"]
    response = hall["nobody"].get("/halls/demo/voice/call", params={"number": "B001", "counter": 1},
                                  cookies={"hall_device": token},
                                  headers={"X-CSRF-Token": hall.server.csrf_token(token)})
    assert response.status_code == 200, response.text
    assert duration_s(response.content) > 0
    assert_error(hall["nobody"].get("/halls/demo/voice/call", params={"number": "B001", "counter": 1},
                                    cookies={"hall_device": token}), 401)


def test_the_chime_is_two_tones(hall) -> None:
    response = hall["mgr"].get("/halls/demo/voice/chime")
    assert response.status_code == 200 and response.headers["Content-Type"] == "audio/wav"
    assert 0.5 < duration_s(response.content) < 2.0


@pytest.mark.parametrize(("params", "code"), [
    ({"number": "Z012", "counter": 3}, "invalid_number"),  # no service has prefix Z
    ({"number": "A12", "counter": 3}, "invalid_number"),
    ({"number": "请到柜台", "counter": 3}, "invalid_number"),  # never free text
    ({"number": "A012", "counter": 99}, "unknown_counter"),
    ({"number": "A012", "counter": 3, "lang": "fr"}, None),
    ({"counter": 3}, None),
])
def test_only_the_halls_numbers_and_counters_are_spoken(hall, params: dict, code: str | None) -> None:
    assert_error(hall["display"].get("/halls/demo/voice/call", params=params), 422, code)


@pytest.mark.parametrize("who", ["clerk-a", "kiosk", "evaluator"])
def test_only_displays_and_managers_get_the_voice(hall, who: str) -> None:
    assert_error(hall[who].get("/halls/demo/voice/call", params={"number": "A012", "counter": 3}), 403)
    assert_error(hall[who].get("/halls/demo/voice/chime"), 403)


def test_another_halls_manager_gets_nothing(hall) -> None:
    response = hall["mgr-north"].get("/halls/demo/voice/call", params={"number": "A012", "counter": 3})
    assert response.status_code in (403, 404) and response.headers["Content-Type"].startswith("application/json")


@needs_espeak
def test_a_phrase_is_made_once_then_kept(ctx, tmp_path: Path) -> None:
    speaker = Speaker(tmp_path)
    first = voice.call_audio(ctx, "demo", "C007", 4, "zh", MANAGER, speaker)
    made_at, data = first.stat().st_mtime_ns, first.read_bytes()
    again = voice.call_audio(ctx, "demo", "C007", 4, "zh", MANAGER, speaker)
    assert again == first and again.read_bytes() == data and again.stat().st_mtime_ns == made_at
    assert speaker.made == 1
    assert first.parent == tmp_path / "demo" and list(first.parent.iterdir()) == [first]  # no temporary left
    voice.call_audio(ctx, "demo", "C007", 4, "en", MANAGER, speaker)
    voice.call_audio(ctx, "demo", "C008", 4, "zh", MANAGER, speaker)
    assert speaker.made == 3


def test_a_hall_without_espeak_says_voice_unavailable(ctx, tmp_path: Path) -> None:
    speaker = Speaker(tmp_path, espeak="no-such-espeak-ng")
    with pytest.raises(VoiceUnavailable, match="not installed"):
        voice.call_audio(ctx, "demo", "A001", 1, "zh", MANAGER, speaker)
    assert voice.chime_audio(ctx, "demo", MANAGER, speaker).exists()  # the chime needs no espeak
    with pytest.raises(Invalid):  # checked before anything is made
        voice.call_audio(ctx, "demo", "A001", 1, "de", MANAGER, speaker)


def write_clip(path: Path, frames: int, rate: int = 16000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(rate)
        clip.writeframes(b"\x01\x00" * frames)


def test_the_halls_own_clips_are_joined_when_it_has_every_piece(make_ctx, tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    said = announcement("A012", 3, "zh")
    for n, word in enumerate(dict.fromkeys(said.words)):
        write_clip(clips / "zh" / f"{word}.wav", 100 * (n + 1))
    ctx = make_ctx(voice={"clips_dir": str(clips)})
    speaker = Speaker(tmp_path / "cache", espeak="no-such-espeak-ng")  # clips need no espeak
    path = voice.call_audio(ctx, "demo", "A012", 3, "zh", MANAGER, speaker)
    sizes = {word: 100 * (n + 1) for n, word in enumerate(dict.fromkeys(said.words))}
    with wave.open(str(path)) as joined:
        assert joined.getframerate() == 16000
        assert joined.getnframes() == sum(sizes[word] for word in said.words)
    with pytest.raises(VoiceUnavailable):  # no clip for "B": espeak-ng would say it
        voice.call_audio(ctx, "demo", "B012", 3, "zh", MANAGER, speaker)
    write_clip(clips / "zh" / "B.wav", 50, rate=8000)  # recorded otherwise: not joined either
    with pytest.raises(VoiceUnavailable):
        voice.call_audio(ctx, "demo", "B012", 3, "zh", MANAGER, speaker)


def test_without_espeak_the_server_answers_503_and_the_page_speaks_itself(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no espeak-ng on the server's path
    monkeypatch.setenv("HALL_VOICE_DIR", str(tmp_path / "voice"))  # and nothing made before
    server = RunningHall(tmp_path)
    server.init_db()
    server.add_device("display", "demo", "display")
    server.start()
    try:
        display = Client(server.url, server.tokens["display"])
        assert_error(display.get("/halls/demo/voice/call", params={"number": "A012", "counter": 3}), 503,
                     "voice_unavailable")
        assert display.get("/halls/demo/voice/chime").status_code == 200
    finally:
        server.stop()
