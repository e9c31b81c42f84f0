"""The hall configuration: a TOML file a hall administrator can read, validated at start-up.

A bad file stops start-up with ConfigError naming the field and the reason.
"""
import os
import re
import tomllib
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "demo_hall.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message names the field."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        #: each invalid field and its reason (none for a missing or unreadable file)
        self.problems = problems or []


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class OpeningHours(Strict):
    opens: time
    #: "24:00": open until midnight (a hall open around the clock: opens "00:00", closes "24:00")
    closes: time

    @field_validator("closes", mode="before")
    @classmethod
    def _midnight(cls, value: object) -> object:
        return time.max if value in ("24:00", "24:00:00") else value

    @model_validator(mode="after")
    def _order(self) -> "OpeningHours":
        if self.closes <= self.opens:
            raise ValueError("closes must be later than opens")
        return self


class Description(Strict):
    """A short line under a service's name on the kiosk; either language may be left empty."""

    zh: str = Field(default="", max_length=120)
    en: str = Field(default="", max_length=240)


class Service(Strict):
    code: Slug
    prefix: str = Field(pattern=r"^[A-Z]$")
    name: Names
    description: Description = Field(default_factory=Description)
    handling_limit_min: float = Field(gt=0, le=240)
    waiting_warning_min: float = Field(default=15, gt=0)
    waiting_critical_min: float = Field(default=30, gt=0)
    #: numbers of this service issued per business day at most (None: no cap); a manager may
    #: set another cap with the service's switch. Booked appointments still check in past it.
    daily_cap: int | None = Field(default=None, ge=1, le=99999)

    @property
    def handling_limit_s(self) -> int:
        return round(self.handling_limit_min * 60)

    @model_validator(mode="after")
    def _thresholds(self) -> "Service":
        if self.waiting_critical_min <= self.waiting_warning_min:
            raise ValueError("waiting_critical_min must be above waiting_warning_min")
        return self


class CounterConfig(Strict):
    number: int = Field(ge=1, le=999)
    name: Names
    services: list[Slug] = Field(min_length=1)


class PriorityClass(Strict):
    code: Slug
    name: Names
    head_start_min: float = Field(ge=0, le=240)


class Printer(Strict):
    """A kiosk's ticket printer (ESC/POS over a serial port; see devices/)."""

    name: Slug
    #: the serial device ("/dev/ttyUSB0", "COM3" on a Windows kiosk PC) or "simulated": a
    #: simulated printer over a pseudo-terminal whose tickets are saved under var/printed/
    port: str = Field(pattern=r"^(simulated|/\S+|COM[0-9]+)$")
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    #: the encoding the printer's Chinese character mode reads
    codepage: Literal["gb18030", "gbk", "gb2312", "big5"] = "gb18030"
    #: for a printer without a Chinese font: the lines with Chinese go out as bitmaps
    raster: bool = False
    #: paper width: 80 mm (576 dots, 48 columns) or 58 mm (384 dots, 32 columns)
    paper_mm: Literal[58, 80] = 80
    #: the kiosk devices (by name) whose tickets this printer prints
    kiosks: list[str] = Field(min_length=1)
    #: "server": the server prints (the printer hangs off its machine); "kiosk": an agent on
    #: the kiosk's PC prints (`python -m hall_server print-worker --server ...`)
    host: Literal["server", "kiosk"] = "server"
    #: a short service notice printed on every ticket
    notice: Names | None = None


class Voice(Strict):
    """How the hall's calls are spoken (services/voice.py): espeak-ng, or the hall's own clips."""

    #: the languages each call is announced in, in order
    languages: list[Literal["zh", "en"]] = Field(default=["zh", "en"], min_length=1)
    #: a folder (absolute, or in the project's) of the hall's recorded clips (`zh/please.wav`,
    #: `zh/A.wav`, `zh/0.wav`, ..., `zh/counter.wav`; see services/voice.py); None: espeak-ng
    #: speaks every call
    clips_dir: str | None = Field(default=None, min_length=1)
    #: the espeak-ng voice per language
    voice_zh: str = Field(default="cmn", pattern=r"^[A-Za-z0-9_+-]{1,40}$")
    voice_en: str = Field(default="en", pattern=r"^[A-Za-z0-9_+-]{1,40}$")
    #: words per minute, and pitch (0-99)
    rate: int = Field(default=150, ge=80, le=450)
    pitch: int = Field(default=50, ge=0, le=99)

    @field_validator("languages")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        _unique("languages", value)
        return value


class LedDisplay(Strict):
    """A serial LED strip over the counters (RS-485; the protocol: devices/led/protocol.py)."""

    name: Slug
    #: the serial device, or "simulated": a simulated strip over a pseudo-terminal
    port: str = Field(pattern=r"^(simulated|/\S+|COM[0-9]+)$")
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    #: "server": the server runs its worker; "kiosk": not the server (`python -m hall_server
    #: led-worker` run beside the database by hand)
    host: Literal["server", "kiosk"] = "server"
    #: counter number (as a string: TOML keys) -> the strip's bus address (1-254)
    counters: dict[str, int] = Field(min_length=1)

    @field_validator("counters")
    @classmethod
    def _addresses(cls, value: dict[str, int]) -> dict[str, int]:
        for counter, address in value.items():
            if not counter.isdigit():
                raise ValueError(f"counters: {counter!r} is not a counter number")
            if not 1 <= address <= 254:
                raise ValueError(f"counters.{counter}: address {address} is not 1-254")
        _unique("counters (addresses)", list(value.values()))
        return value

    @property
    def addresses(self) -> dict[int, int]:
        """Counter number -> bus address."""
        return {int(counter): address for counter, address in self.counters.items()}


class Camera(Strict):
    """A camera over a waiting area (devices/camera/): it estimates how many people wait there.
    The server runs its worker (`python -m hall_server camera-worker`); no picture is kept or
    sent anywhere, only the count."""

    name: Slug
    #: where the pictures come from: "rtsp://..." (an IP camera; "http(s)://..." for one that
    #: streams MJPEG), "device:N" (a camera on the server's own machine, /dev/videoN), or
    #: "file:PATH" (a video file played in a loop at its own pace: the simulated twin the demo
    #: and the tests use; a relative PATH is from the project's folder)
    source: str = Field(pattern=r"^(rtsps?://\S+|https?://\S+|device:[0-9]{1,2}|file:\S+)$")
    #: the waiting area, a polygon of 3 or more corners, each [x, y] as shares (0-1) of the
    #: picture's width and height from its top left; people are counted by where they stand
    area: list[tuple[float, float]] = Field(min_length=3, max_length=32)
    #: what the board calls the area
    area_name: Names
    #: the people the area holds comfortably (the crowd alert's threshold)
    capacity: int = Field(ge=1, le=2000)
    #: the people detector (devices/camera/detect.py): "hog", OpenCV's HOG people detector on
    #: the area enlarged (detect.py), the one that needs no model file
    detector: Literal["hog"] = "hog"
    #: a picture is sampled this often
    sample_s: float = Field(default=1.0, ge=0.2, le=60)
    #: the estimate is the median of this many samples
    window: int = Field(default=15, ge=1, le=300)

    @field_validator("area")
    @classmethod
    def _inside_the_picture(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for i, (x, y) in enumerate(value):
            if not (0 <= x <= 1 and 0 <= y <= 1):
                raise ValueError(f"corner {i} [{x}, {y}] is outside the picture: use shares of 0-1")
        return value


class RatingLevel(Strict):
    """A button on the evaluator (服务评价器): the customer's verdict on a visit."""

    code: Slug
    #: what the rating keeps (reports: higher is better)
    score: int = Field(ge=1, le=10)
    name: Names
    #: a low rating: the evaluator asks why, and it reaches the manager at once
    low: bool = False


class RatingReason(Strict):
    """A reason the evaluator offers after a low rating."""

    code: Slug
    name: Names


DEFAULT_RATING_LEVELS = (
    RatingLevel(code="very_satisfied", score=4, name=Names(zh="非常满意", en="Very satisfied")),
    RatingLevel(code="satisfied", score=3, name=Names(zh="满意", en="Satisfied")),
    RatingLevel(code="fairly_satisfied", score=2, name=Names(zh="基本满意", en="Fairly satisfied")),
    RatingLevel(code="dissatisfied", score=1, name=Names(zh="不满意", en="Dissatisfied"), low=True),
)
DEFAULT_RATING_REASONS = (
    RatingReason(code="long_wait", name=Names(zh="等候时间长", en="Long wait")),
    RatingReason(code="attitude", name=Names(zh="服务态度", en="Staff attitude")),
    RatingReason(code="slow", name=Names(zh="办理效率", en="Slow handling")),
    RatingReason(code="unfamiliar", name=Names(zh="业务不熟", en="Unfamiliar with the business")),
    RatingReason(code="other", name=Names(zh="其他", en="Other")),
)


class Webhook(Strict):
    """Where the hall's alerts are forwarded (a bridge to the hall's chat group): each alert
    raised, worsened, escalated or resolved is POSTed as JSON, signed with HMAC-SHA256
    (services/webhook.py), and retried with backoff until the receiver takes it."""

    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    #: the environment variable holding the shared secret (never the secret in this file)
    secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]{0,63}$")
    timeout_s: float = Field(default=5, gt=0, le=60)

    @property
    def secret(self) -> bytes:
        return os.environ[self.secret_env].encode()

    @field_validator("secret_env")
    @classmethod
    def _secret_set(cls, value: str) -> str:
        if len(os.environ.get(value, "")) < 16:
            raise ValueError(f"set the environment variable {value} to the webhook's secret, 16 characters or more")
        return value


DEFAULT_PAUSE_ALLOWANCES_MIN = {"break": 15, "meal": 40, "meeting": 60, "back_office": 30, "handover": 10,
                                "other": 15}


class AlertSettings(Strict):
    """The early-warning rules' thresholds (domain/alert_rules.py); the waiting thresholds are
    per service (`waiting_warning_min`, `waiting_critical_min`)."""

    #: False: no rule runs for this hall (nothing is raised, nothing forwarded)
    enabled: bool = True
    #: how often the rules run on a timer (they also run on every event)
    evaluate_every_s: float = Field(default=15, ge=1, le=300)
    #: handling time: warning at this share of the budget, critical past it all, escalated past
    handling_warning_share: float = Field(default=0.8, gt=0, lt=1)
    handling_escalate_share: float = Field(default=2.0, gt=1, le=10)
    #: queue build-up: the estimated wait of a new ticket, or waiting customers per open counter
    queue_estimate_warning_min: float = Field(default=20, gt=0)
    waiting_per_counter_max: float = Field(default=8, gt=0)
    #: an open counter idle this long while customers wait for it (先外后内)
    idle_with_queue_min: float = Field(default=2, gt=0)
    #: the pause allowed per reason, while customers wait
    pause_allowance_min: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_PAUSE_ALLOWANCES_MIN))
    #: closing: from this long before closing, warn if the queue will not clear by then
    closing_check_min: float = Field(default=60, ge=0, le=240)
    #: before opening: counters signed in and devices online this long before (the norms: 5)
    pre_opening_min: float = Field(default=5, ge=0, le=120)
    #: a kiosk, display or evaluator not heard from this long is offline
    device_offline_after_s: float = Field(default=90, ge=10, le=3600)
    #: arrivals in the last 15 minutes past this many times the usual for the hour and weekday
    surge_factor: float = Field(default=2.0, gt=1)
    #: ... and at least this many (a quiet hour's doubling is no surge)
    surge_min_arrivals: int = Field(default=10, ge=1)
    #: the weeks of history the usual is taken from
    surge_history_weeks: int = Field(default=8, ge=1, le=52)
    #: staffing: open enough counters that at most this share waits past the warning threshold
    staffing_target_share: float = Field(default=0.2, gt=0, lt=1)
    #: a critical alert unacknowledged this long is escalated
    escalate_after_min: float = Field(default=10, gt=0)
    #: an unanswered complaint due within this many hours: a warning (critical once overdue)
    complaint_warning_h: float = Field(default=24, gt=0, le=240)
    #: cameras: a crowd condition must hold this long before it is raised
    crowd_sustain_min: float = Field(default=3, gt=0, le=60)
    #: people expected in the waiting area per waiting ticket (a family behind a number) ...
    crowd_per_ticket: float = Field(default=1.5, ge=1, le=10)
    #: ... and how many more before "people waiting without a number" is raised
    crowd_margin: int = Field(default=6, ge=1, le=500)
    #: the area past this share of its capacity is critical (past the capacity, a warning)
    crowd_critical_share: float = Field(default=1.25, gt=1, le=5)
    webhook: Webhook | None = None

    @field_validator("pause_allowance_min")
    @classmethod
    def _reasons(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(DEFAULT_PAUSE_ALLOWANCES_MIN))
        if unknown:
            raise ValueError(f"unknown pause reason {unknown[0]!r}; use {', '.join(DEFAULT_PAUSE_ALLOWANCES_MIN)}")
        for reason, minutes in value.items():
            if not 0 < minutes <= 480:
                raise ValueError(f"{reason}: {minutes} is not 0-480 minutes")
        return {**DEFAULT_PAUSE_ALLOWANCES_MIN, **value}


class ReportSettings(Strict):
    """The reports the scheduler makes and saves under the reports directory (HALL_REPORTS_DIR,
    default var/reports/): the day's report after the day is closed, and on Monday morning the
    complaint summary of the week before, for the service meeting."""

    daily: bool = True
    weekly_complaints: bool = True
    #: Mondays at this local time
    weekly_at: time = time(8, 0)
    #: also post each one (its totals and file names) to the hall's webhook (`alerts.webhook`)
    post_to_webhook: bool = False


class Hall(Strict):
    id: Slug
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    region: list[str] = Field(default_factory=list)
    opening_hours: dict[str, OpeningHours]
    #: calling a ticket also starts its handling clock
    start_on_call: bool = False
    #: recalls allowed before the clerk must mark a no-show (0 = no cap)
    recall_cap: int = Field(default=3, ge=0)
    #: minutes after a no-show during which the ticket may be reinstated
    reinstate_grace_min: float = Field(default=30, ge=0)
    #: a reinstated no-show goes back behind this many waiting customers of its service
    #: (0: straight back to its old place at the head of the queue)
    reinstate_behind: int = Field(default=3, ge=0, le=100)
    #: minutes after closing when the day is closed: tickets still open then are expired and
    #: counters still signed in are signed out (never later than the next day's opening)
    close_after_min: float = Field(default=120, ge=0, le=24 * 60)
    #: the length of an appointment slot (预约时段), in minutes; a slot may start at any time
    #: within the opening hours and must end by closing
    appointment_slot_min: int = Field(default=30, ge=5, le=240)
    #: an appointment may check in this many minutes before its slot, until the slot ends
    appointment_early_min: int = Field(default=15, ge=0, le=120)
    #: the address customers' phones and paired devices open (the tracking QR code and the
    #: pairing links); None: the address the request came to, else http://127.0.0.1:8000
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    services: list[Service] = Field(min_length=1)
    counters: list[CounterConfig] = Field(min_length=1)
    priority_classes: list[PriorityClass] = Field(min_length=1)
    printers: list[Printer] = Field(default_factory=list)
    #: the evaluator's buttons, best first (the order they are shown in)
    rating_levels: list[RatingLevel] = Field(default=list(DEFAULT_RATING_LEVELS), min_length=2, max_length=6)
    #: the reasons offered after a low rating (none: the evaluator does not ask)
    rating_reasons: list[RatingReason] = Field(default=list(DEFAULT_RATING_REASONS), max_length=12)
    #: seconds the evaluator waits for the customer's rating before it records nothing
    rating_timeout_s: int = Field(default=30, ge=5, le=600)
    voice: Voice = Field(default_factory=Voice)
    led_displays: list[LedDisplay] = Field(default_factory=list)
    cameras: list[Camera] = Field(default_factory=list)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @field_validator("opening_hours")
    @classmethod
    def _all_days(cls, value: dict) -> dict:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}")
        missing = [d for d in WEEKDAYS if d not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}: the hall opens every day of the week")
        return value

    @model_validator(mode="after")
    def _references(self) -> "Hall":
        if self.reports.post_to_webhook and self.alerts.webhook is None:
            raise ValueError("reports.post_to_webhook: the hall has no webhook; set alerts.webhook or turn this off")
        _unique("services.code", [s.code for s in self.services])
        _unique("services.prefix", [s.prefix for s in self.services])
        _unique("counters.number", [c.number for c in self.counters])
        _unique("priority_classes.code", [p.code for p in self.priority_classes])
        known = {s.code for s in self.services}
        for i, counter in enumerate(self.counters):
            for code in counter.services:
                if code not in known:
                    raise ValueError(f"counters.{i}.services: unknown service {code!r}")
        served = {code for counter in self.counters for code in counter.services}
        for i, service in enumerate(self.services):
            if service.code not in served:
                raise ValueError(f"services.{i}: no counter serves {service.code!r}; "
                                 "add it to a counter's services or remove the service")
        if "normal" not in {p.code for p in self.priority_classes}:
            raise ValueError("priority_classes: the class 'normal' is required")
        _unique("printers.name", [p.name for p in self.printers])
        printed_by: dict[str, str] = {}
        for i, printer in enumerate(self.printers):
            for kiosk in printer.kiosks:
                if kiosk in printed_by:
                    raise ValueError(f"printers.{i}.kiosks: {kiosk!r} has printer {printed_by[kiosk]!r} "
                                     "already; a kiosk's tickets come out of one printer")
                printed_by[kiosk] = printer.name
        _unique("rating_levels.code", [level.code for level in self.rating_levels])
        _unique("rating_levels.score", [level.score for level in self.rating_levels])
        _unique("rating_reasons.code", [reason.code for reason in self.rating_reasons])
        _unique("led_displays.name", [d.name for d in self.led_displays])
        _unique("cameras.name", [c.name for c in self.cameras])
        numbers = {c.number for c in self.counters}
        for i, display in enumerate(self.led_displays):
            for counter in display.addresses:
                if counter not in numbers:
                    raise ValueError(f"led_displays.{i}.counters: hall {self.id} has no counter {counter}")
        return self

    @cached_property
    def services_by_code(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def counters_by_number(self) -> dict[int, CounterConfig]:
        return {c.number: c for c in self.counters}

    @cached_property
    def head_starts(self) -> dict[str, timedelta]:
        return {p.code: timedelta(minutes=p.head_start_min) for p in self.priority_classes}

    @cached_property
    def handling_limits_s(self) -> dict[str, int]:
        return {s.code: s.handling_limit_s for s in self.services}

    @cached_property
    def printers_by_name(self) -> dict[str, Printer]:
        return {p.name: p for p in self.printers}

    @cached_property
    def cameras_by_name(self) -> dict[str, Camera]:
        return {c.name: c for c in self.cameras}

    @cached_property
    def rating_levels_by_score(self) -> dict[int, RatingLevel]:
        return {level.score: level for level in self.rating_levels}

    @cached_property
    def rating_reasons_by_code(self) -> dict[str, RatingReason]:
        return {reason.code: reason for reason in self.rating_reasons}


class HallsConfig(Strict):
    halls: list[Hall] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "HallsConfig":
        _unique("halls.id", [h.id for h in self.halls])
        return self

    @cached_property
    def by_id(self) -> dict[str, Hall]:
        return {h.id: h for h in self.halls}


def _unique(field: str, values: list) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{field}: {value!r} appears twice")
        seen.add(value)


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each field of the file that is wrong, and why."""
    return [(".".join(str(part) for part in item["loc"]) or "(file)", re.sub(r"^Value error, ", "", item["msg"]))
            for item in error.errors()]


def _describe(error: ValidationError, path: Path) -> str:
    lines = [f"invalid hall configuration {path}:"]
    lines.extend(f"  {where}: {message}" for where, message in _problems(error))
    return "\n".join(lines)


def config_file(path: str | Path | None = None) -> Path:
    """The file `load_config(path)` reads."""
    return Path(path) if path else DEFAULT_CONFIG


def check_config(path: str | Path | None = None) -> tuple[HallsConfig | None, list[tuple[str, str]]]:
    """The file read again: its configuration, or None and each field with its reason, the
    same as start-up reports them (a missing or unreadable file: one "(file)" reason)."""
    try:
        return load_config(path), []
    except ConfigError as error:
        return None, error.problems or [("(file)", str(error))]


def load_config(path: str | Path | None = None) -> HallsConfig:
    path = config_file(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"hall configuration {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"hall configuration {path} is not valid TOML: {exc}") from None
    try:
        return HallsConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path), _problems(exc)) from None
