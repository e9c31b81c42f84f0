"""The command line: `python -m hall_server run|init-db|demo ...` (see CONTRACT.md)."""
import argparse
import sys

from .config import ConfigError
from .domain.errors import HallError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall_server")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the hall")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)

    commands.add_parser("init-db", help="create or migrate the database")

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    user_add = user.add_parser("add", help="add a user")
    user_add.add_argument("username")
    user_add.add_argument("--role", required=True, choices=["clerk", "manager", "admin"])
    user_add.add_argument("--hall", action="append", default=[], dest="halls")
    user_add.add_argument("--badge", help="badge number (工号) shown to customers")
    user_add.add_argument("--name", help="full name")
    user_add.add_argument("--password-stdin", action="store_true", required=True,
                          help="read the password from standard input")
    user_passwd = user.add_parser("passwd", help="set a user's password; their tokens stop working")
    user_passwd.add_argument("username")
    user_passwd.add_argument("--password-stdin", action="store_true", required=True,
                             help="read the password from standard input")
    user_disable = user.add_parser("disable", help="disable a user: no login, their tokens stop working")
    user_disable.add_argument("username")

    device = commands.add_parser("device", help="manage devices").add_subparsers(dest="action",
                                                                                 required=True)
    device_add = device.add_parser("add", help="add a device; prints its token as the last line")
    device_add.add_argument("--hall", required=True)
    device_add.add_argument("--kind", required=True, choices=["kiosk", "display", "evaluator", "booking"])
    device_add.add_argument("--name", required=True)
    device_add.add_argument("--counter", type=int, help="the counter of an evaluator")
    device_revoke = device.add_parser("revoke", help="revoke a device: its tokens stop working")
    device_revoke.add_argument("--hall", required=True)
    device_revoke.add_argument("--name", required=True)

    demo = commands.add_parser("demo", help="simulate a business day in the hall")
    demo.add_argument("--hall", default=None, help="hall id (default: the first configured)")
    demo.add_argument("--speed", type=float, default=60.0,
                      help="simulated seconds per real second (default 60)")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument("--arrivals", type=int, default=None,
                      help="customers in the day (default: scaled to the hall's counters)")
    demo_db = demo.add_mutually_exclusive_group()
    demo_db.add_argument("--database", metavar="URL", default=None,
                         help="the database to drive (default: the demo's own, "
                              "HALL_DEMO_DATABASE_URL or sqlite var/demo.db)")
    demo_db.add_argument("--live", action="store_true",
                         help="drive the live database (HALL_DATABASE_URL or var/hall.db): "
                              "the demo then takes real ticket numbers")
    demo.add_argument("--serve", action="store_true",
                      help="also serve the hall on the driven database at --host/--port, so the open pages "
                           "follow the day (make demo); the server keeps running after the day until Ctrl-C")
    demo.add_argument("--host", default="127.0.0.1", help="with --serve: the address to serve on")
    demo.add_argument("--port", type=int, default=8000, help="with --serve: the port to serve on")

    printing = commands.add_parser("print-worker", help="print the tickets of a hall's kiosks on one of its printers")
    printing.add_argument("--hall", required=True)
    printing.add_argument("--printer", required=True, help="the printer's name in the hall configuration")
    printing.add_argument("--server", metavar="URL",
                          help="reach the hall through the server at URL with a kiosk's device token (an agent "
                               "on the kiosk's PC); default: through the database, as the server does")
    printing.add_argument("--token-stdin", action="store_true", help="read the device token from standard input")
    printing.add_argument("--base", metavar="URL", help=argparse.SUPPRESS)  # the server's address, for QR links
    printing.add_argument("--poll-s", type=float, help="seconds between looks for new tickets")
    printing.add_argument("--retry-s", type=float, help="the first pause after a fault, doubling while it lasts")
    printing.add_argument("--retry-max-s", type=float, help="the longest pause after a fault")
    printing.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)  # the server's own

    led = commands.add_parser("led-worker", help="show what each counter does on one of a hall's LED displays")
    led.add_argument("--hall", required=True)
    led.add_argument("--display", required=True, help="the LED display's name in the hall configuration")
    led.add_argument("--poll-s", type=float, help="seconds between looks at the hall's events")
    led.add_argument("--retry-s", type=float, help="the first pause after a fault, doubling while it lasts")
    led.add_argument("--retry-max-s", type=float, help="the longest pause after a fault")
    led.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)  # the server's own

    camera_worker = commands.add_parser("camera-worker",
                                        help="estimate the people in the area of one of a hall's cameras")
    camera_worker.add_argument("--hall", required=True)
    camera_worker.add_argument("--camera", required=True, help="the camera's name in the hall configuration")
    camera_worker.add_argument("--retry-s", type=float, help="the first pause after the camera is lost, doubling")
    camera_worker.add_argument("--retry-max-s", type=float, help="the longest pause after the camera is lost")
    camera_worker.add_argument("--stale-s", type=float, help="no new picture this long and the camera is lost")
    camera_worker.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)  # the server's own

    camera = commands.add_parser("camera", help="pictures: count people, read QR codes, take a calibration "
                                                "snapshot").add_subparsers(dest="action", required=True)
    camera.add_parser("count", help="one JSON line per image: the people in it").add_argument("files", nargs="+")
    camera.add_parser("qr", help="one JSON line per image: its QR code's text").add_argument("files", nargs="+")
    snapshot = camera.add_parser("snapshot", help="one picture from a camera, faces blurred and its area drawn, "
                                                  "to set the area (replaces the previous one)")
    snapshot.add_argument("--hall", required=True)
    snapshot.add_argument("--camera", required=True)
    snapshot.add_argument("--out", metavar="FILE",
                          help="where to write it, .jpg or .png (default var/cameras/HALL-CAMERA-calibration.jpg)")

    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except HallError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from .web.modes import server_mode

    if server_mode() == "gevent":
        from gevent import monkey  # before anything imports sockets or threads

        monkey.patch_all()
    from .web.server import serve

    return serve(args.host, args.port)


def _init_db(args: argparse.Namespace) -> int:
    from .bootstrap import open_context
    from .services.accounts import ensure_first_admin

    ctx = open_context()
    print(f"database ready: {ctx.store.engine.url.render_as_string(hide_password=True)}")
    password = ensure_first_admin(ctx)
    if password:
        print(f"created user admin with password {password} (shown once; change it)")
    return 0


def _user(args: argparse.Namespace) -> int:
    from .bootstrap import open_context
    from .services import accounts

    if args.action == "add":
        password = sys.stdin.readline().rstrip("\r\n")
        accounts.add_user(open_context(), args.username, args.role, password, args.halls, badge=args.badge,
                          name=args.name)
        print(f"user {args.username} added")
    elif args.action == "passwd":
        password = sys.stdin.readline().rstrip("\r\n")
        accounts.set_password(open_context(), args.username, password)
        print(f"password of {args.username} set; every session of theirs has ended (they log in with the new one)")
    else:
        if accounts.disable_user(open_context(), args.username):
            print(f"user {args.username} disabled: they cannot log in, and every session of theirs has ended")
        else:
            print(f"user {args.username} was disabled already")
    return 0


def _device(args: argparse.Namespace) -> int:
    from .bootstrap import open_context
    from .services import accounts
    from .services.tracking import public_base

    if args.action == "revoke":
        if accounts.revoke_device(open_context(), args.hall, args.name):
            print(f"device {args.name} of hall {args.hall} revoked: its token no longer works, its connections close")
        else:
            print(f"device {args.name} of hall {args.hall} was revoked already")
        return 0
    ctx = open_context()
    token = accounts.add_device(ctx, args.hall, args.kind, args.name, args.counter)
    link = public_base(ctx, args.hall) + accounts.pairing_link(ctx, args.hall, args.name)
    print(f"device {args.name} added to hall {args.hall}")
    print(f"open this link once on the device within {accounts.PAIRING_TTL.total_seconds() / 3600:g} hours "
          f"to pair it: {link}")
    print("its bearer token (shown once):")
    print(token)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from .bootstrap import open_context
    from .demo import demo_database_url, local_address, serve_beside, simulate_day
    from .domain.appointments import is_open
    from .storage.db import database_url

    if args.live:
        url, whose = database_url(), "the live database"
    elif args.database:
        url, whose = args.database, "the database given"
    else:
        url, whose = demo_database_url(), "the demo's own database; --live drives the live one"
    ctx = open_context(url=url)
    shown = ctx.store.engine.url.render_as_string(hide_password=True)
    print(f"demo day in {shown} ({whose})", flush=True)
    hall = args.hall or ctx.config.halls[0].id
    if not args.serve:
        simulate_day(ctx, hall, speed=args.speed, seed=args.seed, arrivals=args.arrivals, report=print)
        return 0
    server = serve_beside(url, args.host, args.port)
    try:
        address = local_address(args.host, args.port)
        print(f"\nopen {address} in a browser on this machine: its demo buttons open the kiosk, the hall "
              "display, a counter's display and an evaluator, one tab each; sign in (admin) for the board, "
              "reports and administration\n", flush=True)
        if is_open(datetime.now(UTC), ctx.config.by_id[hall].opening_hours, ctx.config.by_id[hall].timezone):
            print("the hall is open: the rest of today's customers come in real time, as the pages show them "
                  "(Ctrl-C stops it)", flush=True)
            simulate_day(ctx, hall, seed=args.seed, arrivals=args.arrivals, report=print, from_now=True)
        else:
            # a day played on a clock of its own would fight the server's: its day close, its waits
            print("the hall is closed now: its simulated day runs while it is open; to see a whole day now, "
                  "stop this (Ctrl-C) and run `python -m hall_server demo`, which plays one at --speed in the "
                  "demo's database", flush=True)
        print(f"the server keeps serving {address}: Ctrl-C stops it", flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        server.wait(10)
    return 0


def _print_worker(args: argparse.Namespace) -> int:
    import logging

    from devices.print_worker import POLL_S, Retry, run

    if args.server and not args.token_stdin:
        print("--server needs the kiosk's device token: --token-stdin", file=sys.stderr)
        return 2
    # force: python-escpos configures the root logger when it is imported
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s", force=True)
    token = sys.stdin.readline().strip() if args.token_stdin else None
    retry = Retry(args.retry_s or Retry.first_s, args.retry_max_s or Retry.max_s)
    return run(args.hall, args.printer, server=args.server, token=token, base=args.base,
               poll_s=args.poll_s or POLL_S, retry=retry, exit_with_parent=args.exit_with_parent)


def _led_worker(args: argparse.Namespace) -> int:
    import logging

    from devices.led.worker import POLL_S, run
    from devices.print_worker import Retry

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s", force=True)
    retry = Retry(args.retry_s or Retry.first_s, args.retry_max_s or Retry.max_s)
    return run(args.hall, args.display, poll_s=args.poll_s or POLL_S, retry=retry,
               exit_with_parent=args.exit_with_parent)


def _camera_worker(args: argparse.Namespace) -> int:
    import logging

    from devices.camera.worker import STALE_S, run
    from devices.print_worker import Retry

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s", force=True)
    retry = Retry(args.retry_s or Retry.first_s, args.retry_max_s or Retry.max_s)
    return run(args.hall, args.camera, retry=retry, stale_s=args.stale_s or STALE_S,
               exit_with_parent=args.exit_with_parent)


def _camera(args: argparse.Namespace) -> int:
    from devices.camera import commands

    if args.action == "count":
        return commands.count_files(args.files, sys.stdout)
    if args.action == "qr":
        return commands.qr_files(args.files, sys.stdout)
    return _snapshot(args)


def _snapshot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from devices.camera.snapshot import default_path, take_snapshot
    from devices.camera.sources import SourceGone

    from .bootstrap import open_context
    from .services.cameras import camera_config
    from .services.devices import printer_actor

    settings = camera_config(open_context(), args.hall, args.camera, printer_actor(args.hall, args.camera))
    try:
        path = take_snapshot(settings, Path(args.out) if args.out else default_path(args.hall, args.camera))
    except SourceGone as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


COMMANDS = {"run": _run, "init-db": _init_db, "user": _user, "device": _device, "demo": _demo,
            "print-worker": _print_worker, "led-worker": _led_worker, "camera-worker": _camera_worker,
            "camera": _camera}
