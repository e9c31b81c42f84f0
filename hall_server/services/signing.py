"""What the server signs with its own key: the customers' tracking links and the CSRF tokens
of pages. The key is made once per database (the `settings` table), so every server process
and every restart signs alike."""
import base64
import hashlib
import hmac
import secrets

from .context import HallContext

KEY_SETTING = "signing_key"
#: characters of a signature: 132 bits, beyond guessing
SIGNATURE_CHARS = 22


def signing_key(ctx: HallContext) -> bytes:
    if ctx.signing_key is None:
        ctx.signing_key = bytes.fromhex(ctx.store.accounts.setting(KEY_SETTING, lambda: secrets.token_hex(32)))
    return ctx.signing_key


def sign(ctx: HallContext, purpose: str, value: str) -> str:
    """A signature of `value` for one `purpose`: one purpose's signature is worthless for another."""
    mac = hmac.new(signing_key(ctx), f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:SIGNATURE_CHARS]


def verify(ctx: HallContext, purpose: str, value: str, signature: str) -> bool:
    return hmac.compare_digest(sign(ctx, purpose, value), signature)
