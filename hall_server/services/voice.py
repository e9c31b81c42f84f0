"""The hall's voice: a call's announcement and the chime before it, as WAV audio made on
this machine (no internet), for the display pages to play.

- A call is spoken by the hall's own recorded clips when its `[halls.voice] clips_dir` has
  every piece of the phrase (`<lang>/please.wav`, one clip per character of the number
  (`A.wav`, `0.wav` ... `9.wav`), `go_to.wav`, the counter's digits, `counter.wav`; the
  pieces are joined end to end, so they must share one format), else by espeak-ng
  (Debian's package) with the hall's voice, rate and pitch.
- Audio is made once per phrase and kept under `var/voice/<hall>/<hash>.wav` (the hash of
  everything that shapes the sound: text, voice, rate, pitch, or the clips' files), written
  to a temporary file and renamed into place: a reader never sees half a file. Every display
  asks for a call's phrase at the same moment: the first request makes it, the others of this
  process wait for it (across processes each writes a whole file, one replacing the other).
- The chime is two tones drawn here with the `wave` module, kept as `var/voice/chime.wav`.

Only calls of a hall's own numbers to its own counters are spoken (never free text).
"""
import hashlib
import math
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from dataclasses import dataclass, field
from pathlib import Path

from ..config import REPO_ROOT, Hall
from ..domain import announcements
from ..domain.actors import Actor
from ..domain.errors import Invalid
from .context import HallContext

#: where audio is kept (HALL_VOICE_DIR moves it, e.g. for a read-only install)
VOICE_DIR = Path(os.environ.get("HALL_VOICE_DIR") or REPO_ROOT / "var" / "voice")
ESPEAK = "espeak-ng"
ESPEAK_TIMEOUT_S = 30.0
#: the chime: two tones, high then low ("ding-dong"), in the format espeak-ng writes
CHIME_TONES_HZ = (880.0, 659.25)
CHIME_TONE_S = 0.45
RATE_HZ = 22050


class VoiceUnavailable(Exception):
    """espeak-ng is not installed or failed: the page speaks with the browser's voice instead."""


@dataclass
class Speaker:
    """Makes and keeps the audio under `root`; `made` counts the files it made (not found kept)."""

    root: Path = field(default_factory=lambda: VOICE_DIR)
    espeak: str = ESPEAK
    made: int = 0
    #: the file each request is making now, so that the phrase is made once
    _making: dict[Path, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def call(self, hall: Hall, said: announcements.Announcement) -> Path:
        clips = _clips(hall, said)
        if clips:
            path = self._path(hall, ["clips", *(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in clips)])
            try:
                return path if path.exists() else self._make(path, lambda out: _join(clips, out))
            except (ValueError, wave.Error, EOFError):  # clips that do not join: espeak-ng says it
                pass
        settings = hall.voice
        voice = settings.voice_zh if said.lang == "zh" else settings.voice_en
        path = self._path(hall, ["espeak", said.lang, voice, str(settings.rate), str(settings.pitch), said.text])
        if path.exists():
            return path
        return self._make(path, lambda out: self._speak(said.text, voice, settings.rate, settings.pitch, out))

    def _path(self, hall: Hall, key: list[str]) -> Path:
        return self.root / hall.id / f"{hashlib.sha256(chr(0).join(key).encode()).hexdigest()[:32]}.wav"

    def chime(self) -> Path:
        path = self.root / "chime.wav"
        return path if path.exists() else self._make(path, _chime)

    def _make(self, path: Path, write) -> Path:
        """Make the file through a temporary one beside it, renamed into place when whole;
        a request for a file being made waits for it."""
        with self._guard:
            making = self._making.setdefault(path, threading.Lock())
        with making:
            if path.exists():  # made while this request waited
                return path
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(suffix=".tmp", dir=path.parent)
            os.close(handle)
            try:
                write(Path(temporary))
                os.replace(temporary, path)
            finally:
                Path(temporary).unlink(missing_ok=True)
                with self._guard:
                    self._making.pop(path, None)
            self.made += 1
            return path

    def _speak(self, text: str, voice: str, rate: int, pitch: int, out: Path) -> None:
        program = shutil.which(self.espeak)
        if program is None:
            raise VoiceUnavailable(f"{self.espeak} is not installed (apt-get install espeak-ng)")
        try:
            done = subprocess.run([program, "-v", voice, "-s", str(rate), "-p", str(pitch), "-b", "1",
                                   "-w", str(out), "--stdin"], input=text.encode(), capture_output=True,
                                  timeout=ESPEAK_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise VoiceUnavailable(f"{self.espeak} failed: {exc}") from None
        if done.returncode != 0 or out.stat().st_size <= 44:  # a bare header: nothing was said
            raise VoiceUnavailable(f"{self.espeak} -v {voice} failed: {done.stderr.decode(errors='replace')[:200]}")


#: the server's speaker
SPEAKER = Speaker()


def call_audio(ctx: HallContext, hall_id: str, number: str, counter: int, lang: str, actor: Actor,
               speaker: Speaker = SPEAKER) -> Path:
    """The WAV file announcing `number` to `counter` in `lang`; Invalid (422) for a number,
    counter or language the hall does not have; VoiceUnavailable without espeak-ng."""
    hall = ctx.hall(hall_id, actor)
    if lang not in hall.voice.languages:
        raise Invalid(f"hall {hall_id} announces in {', '.join(hall.voice.languages)} only", "invalid_language")
    found = announcements.NUMBER.match(number)
    if not found or found.group(1) not in {s.prefix for s in hall.services}:
        raise Invalid(f"{number!r} is not a ticket number of hall {hall_id}", "invalid_number")
    if counter not in hall.counters_by_number:
        raise Invalid(f"hall {hall_id} has no counter {counter}", "unknown_counter")
    return speaker.call(hall, announcements.announcement(number, counter, lang))


def chime_audio(ctx: HallContext, hall_id: str, actor: Actor, speaker: Speaker = SPEAKER) -> Path:
    ctx.hall(hall_id, actor)
    return speaker.chime()


def _clips(hall: Hall, said: announcements.Announcement) -> list[Path] | None:
    """The hall's clips that say the whole phrase, in order; None if it has none or lacks one."""
    if not hall.voice.clips_dir:
        return None
    folder = Path(hall.voice.clips_dir)
    folder = (folder if folder.is_absolute() else REPO_ROOT / folder) / said.lang
    clips = [folder / f"{word}.wav" for word in said.words]
    return clips if all(clip.is_file() for clip in clips) else None


def _join(clips: list[Path], out: Path) -> None:
    """The clips end to end; ValueError for a clip in another format than the first."""
    with wave.open(str(out), "wb") as joined:
        params = None
        for clip in clips:
            with wave.open(str(clip), "rb") as piece:
                shape = (piece.getnchannels(), piece.getsampwidth(), piece.getframerate())
                if params is None:
                    params = shape
                    joined.setnchannels(shape[0])
                    joined.setsampwidth(shape[1])
                    joined.setframerate(shape[2])
                elif shape != params:
                    raise ValueError(f"clip {clip} is {shape}, the first clip {params}: record them alike")
                joined.writeframes(piece.readframes(piece.getnframes()))


def _chime(out: Path) -> None:
    frames = bytearray()
    count = int(CHIME_TONE_S * RATE_HZ)
    for tone in CHIME_TONES_HZ:
        for i in range(count):
            envelope = min(1.0, i / 200) * math.exp(-3.0 * i / count)  # a soft attack, a bell's decay
            frames += struct.pack("<h", int(12000 * envelope * math.sin(2 * math.pi * tone * i / RATE_HZ)))
    with wave.open(str(out), "wb") as chime:
        chime.setnchannels(1)
        chime.setsampwidth(2)
        chime.setframerate(RATE_HZ)
        chime.writeframes(bytes(frames))
