"""The hall configuration: the demo loads; a bad file names the field and the reason."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall_server.config import DEFAULT_CONFIG, REPO_ROOT, ConfigError, load_config

from ..running_hall import hall_config_text

DEMO = DEFAULT_CONFIG.read_text(encoding="utf-8")


def test_the_demo_hall_is_a_real_hall():
    hall = load_config().by_id["demo"]
    assert hall.handling_limits_s["fee"] == 300 and hall.handling_limits_s["business"] == 900
    assert 6 <= len(hall.counters) <= 8 and len(hall.opening_hours) == 7
    assert {p.code for p in hall.priority_classes} == {"normal", "green", "appointment", "vip"}
    served = [set(c.services) for c in hall.counters]
    assert any(a & b for i, a in enumerate(served) for b in served[i + 1:]), "services overlap"


BAD = [
    ("unknown service", ('services = ["business"]\n', 'services = ["gas"]\n', 1), "unknown service 'gas'"),
    ("duplicate prefix", ('prefix = "B"', 'prefix = "A"', 1), "services.prefix: 'A' appears twice"),
    ("missing weekday", ('sun = { opens = "09:00", closes = "17:00" }\n', "", 1), "missing sun"),
    ("bad timezone", ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', 1), "timezone"),
    ("closes before opens", ('mon = { opens = "08:30", closes = "17:30" }',
                             'mon = { opens = "18:30", closes = "17:30" }', 1), "opening_hours.mon"),
    ("critical below warning", ("waiting_critical_min = 30", "waiting_critical_min = 10", 1),
     "waiting_critical_min must be above"),
    ("no normal class", ('code = "normal"', 'code = "plain"', 1), "'normal' is required"),
    ("extra key", ("recall_cap = 3", "recall_cap = 3\ncolour = 1", 1), "halls.0.colour"),
    ("limit not a number", ("handling_limit_min = 5", 'handling_limit_min = "five"', 1),
     "halls.0.services.0.handling_limit_min"),
    ("not TOML", ("[[halls]]", "[[halls", 1), "not valid TOML"),
    ("service no counter serves", ('services = ["enterprise", "business"]', 'services = ["business"]', 1),
     "halls.0: services.3: no counter serves 'enterprise'"),
]


@pytest.mark.parametrize(("what", "change", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_names_the_field(tmp_path: Path, what, change, expected):
    old, new, count = change
    assert old in DEMO
    path = tmp_path / "hall.toml"
    path.write_text(DEMO.replace(old, new, count), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert expected in str(error.value)


def test_a_missing_file():
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/hall.toml")


def test_start_up_stops_on_a_bad_file(tmp_path: Path):
    path = tmp_path / "hall.toml"
    path.write_text(DEMO.replace("handling_limit_min = 5", "handling_limit_min = -5", 1), encoding="utf-8")
    db = tmp_path / "hall.db"
    env = {**os.environ, "HALL_CONFIG": str(path), "HALL_DATABASE_URL": f"sqlite:///{db}"}
    for command in (["init-db"], ["run", "--port", "1"]):
        done = subprocess.run([sys.executable, "-m", "hall_server", *command], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert "halls.0.services.0.handling_limit_min" in done.stderr
    assert not db.exists(), "nothing was created"


@pytest.mark.parametrize(("extra_hall", "extra_counters"), [(None, 0), ("north", 0), (None, 1)])
def test_the_test_and_bench_configurations_load(tmp_path: Path, extra_hall, extra_counters):
    path = tmp_path / "hall.toml"
    path.write_text(hall_config_text(extra_hall, extra_counters), encoding="utf-8")
    halls = load_config(path).halls
    assert len(halls) == (2 if extra_hall else 1)
    assert len(halls[0].counters) == 7 + extra_counters
