"""The kiosk's one page. It renders the frame (hall name, the screens, the texts) and leaves
the hall's services and their state to the script, which reads them from the API."""
from flask import Blueprint, current_app, g, render_template, request

from hall_server.domain.actors import Role
from hall_server.domain.appointments import CODE_ALPHABET, CODE_LENGTH
from hall_server.domain.catalogue import N_
from hall_server.web.auth import device_page
from hall_server.web.i18n import js_strings

kiosk = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/kiosk/static")

#: seconds before the kiosk goes back to its start screen by itself: the ticket on screen,
#: and any other screen nobody touches (standard mode, elderly mode: slower readers)
TICKET_SECONDS = {"standard": 20, "elderly": 45}
IDLE_SECONDS = {"standard": 40, "elderly": 90}

#: what the script says (i18n.js `t`), from this package's catalogue
STRINGS = (
    N_("Issuing stopped"), N_("All numbers for today are taken"), N_("Outside opening hours"),
    N_("Today's hours: %(opens)s–%(closes)s"), N_("Closed today"),
    N_("Numbers are issued during opening hours only."), N_("%(n)s person"), N_("%(n)s people"), N_("You are next"),
    N_("about %(n)s min"), N_("Returning in %(n)s s"), N_("Please enter all %(n)s characters of the code."),
    N_("No appointment has this code. Please check it and try again."),
    N_("This appointment has already been checked in."), N_("This appointment was cancelled."),
    N_("Too early for your appointment"), N_("Your appointment has passed"),
    N_("Your appointment: %(service)s, %(day)s %(start)s–%(end)s. Check-in opens at %(from)s."),
    N_("Your appointment: %(service)s, %(day)s %(start)s–%(end)s. Check-in closed at %(until)s."),
    N_("You can take a normal number now and wait in line."), N_("Take a normal number"), N_("Back"),
    N_("Sorry, no number could be issued"), N_("Please ask the staff at the service desk for help."),
    N_("This service has just stopped issuing numbers."), N_("Today's numbers for this service are all taken."),
    N_("The hall is closed now."), N_("Today"), N_("Clear"), N_("Delete"),
)


@kiosk.get("/kiosk/<hall>")
@device_page(Role.KIOSK)
def page(hall: str) -> str:
    config = current_app.extensions["hall"].config.by_id[hall]
    mode = "elderly" if request.args.get("elder") == "1" else "standard"
    # the printer that prints this kiosk's tickets (at most one), whose faults the page tells
    printer = next((p.name for p in config.printers if g.actor.name in p.kiosks), "")
    return render_template(
        "kiosk/kiosk.html", hall=hall, hall_config=config, printer=printer, mode=mode,
        code_alphabet=CODE_ALPHABET, code_length=CODE_LENGTH,
        ticket_seconds=TICKET_SECONDS, idle_seconds=IDLE_SECONDS, js_strings=js_strings(*STRINGS))
