"""`python -m bench --scenario voice` (and part of `make bench`): the hall's voice, audio made
per phrase, cold (espeak-ng runs) and cached (the kept file is found), in Mandarin and English.

The hall is the demo hall on a fresh SQLite database; PHRASES calls of distinct numbers per
language go through the service a display's request reaches (services/voice.py), into an
empty cache, then the same calls again. Reported per language: the time per phrase, cold and
cached, and the audio's length. Correctness: every phrase made once, and found the second
time (the exit status is 1 otherwise).
"""
import tempfile
import time
import wave
from pathlib import Path
from statistics import mean

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.domain.actors import Actor, Role
from hall_server.services import voice
from tests.running_hall import hall_config_text

from .report import latency_ms, publish

PHRASES = 10
DISPLAY = Actor("display", Role.DISPLAY, frozenset({"demo"}))


def measure(lang: str, speaker: voice.Speaker, ctx, count: int = PHRASES) -> dict:
    calls = [(f"A{n:03d}", n % 7 + 1) for n in range(1, count + 1)]
    made_before = speaker.made
    cold, cached, lengths = [], [], []
    for timings in (cold, cached):
        for number, counter in calls:
            started = time.perf_counter()
            path = voice.call_audio(ctx, "demo", number, counter, lang, DISPLAY, speaker)
            timings.append(time.perf_counter() - started)
            if timings is cold:
                with wave.open(str(path)) as audio:
                    lengths.append(audio.getnframes() / audio.getframerate())
    return {"phrases": count, "cold_ms": latency_ms(cold), "cached_ms": latency_ms(cached),
            "audio_s": {"mean": round(mean(lengths), 2), "max": round(max(lengths), 2)},
            "made_once_each": speaker.made - made_before == count}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hall-bench-voice-") as workdir:
        config = Path(workdir) / "halls.toml"
        config.write_text(hall_config_text(), encoding="utf-8")
        ctx = open_context(load_config(config), f"sqlite:///{workdir}/hall.db")
        speaker = voice.Speaker(Path(workdir) / "voice")
        try:
            summary = {"scenario": "voice", **{lang: measure(lang, speaker, ctx) for lang in ("zh", "en")}}
        except voice.VoiceUnavailable as exc:
            summary = {"scenario": "voice", "error": str(exc)}
        finally:
            ctx.store.engine.dispose()
    summary["targets"] = {"made_once_each": all(summary.get(lang, {}).get("made_once_each") for lang in ("zh", "en"))}
    publish("voice", summary)
    return 0 if summary["targets"]["made_once_each"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
