"""The command line: `python -m hall_server run|init-db|demo ...` (see CONTRACT.md)."""
import argparse
import sys

from .config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall_server")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the hall")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)

    commands.add_parser("init-db", help="create or migrate the database")

    demo = commands.add_parser("demo", help="simulate a business day in the hall")
    demo.add_argument("--hall", default=None, help="hall id (default: the first configured)")
    demo.add_argument("--speed", type=float, default=60.0,
                      help="simulated seconds per real second (default 60)")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument("--arrivals", type=int, default=None,
                      help="customers in the day (default: scaled to the hall's counters)")

    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from .web.server import serve

    return serve(args.host, args.port)


def _init_db(args: argparse.Namespace) -> int:
    from .bootstrap import open_context

    ctx = open_context()
    print(f"database ready: {ctx.store.engine.url.render_as_string(hide_password=True)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .bootstrap import open_context
    from .demo import simulate_day

    ctx = open_context()
    hall = args.hall or ctx.config.halls[0].id
    simulate_day(ctx, hall, speed=args.speed, seed=args.seed, arrivals=args.arrivals,
                 report=print)
    return 0


COMMANDS = {"run": _run, "init-db": _init_db, "demo": _demo}
