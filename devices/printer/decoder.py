"""Reading an ESC/POS byte stream back into what a printer does with it: the simulated
printer's front end, and the tests' proof of what a ticket's bytes say.

`Decoder.feed` takes bytes as they arrive (a command may be split anywhere) and returns
operations, tuples whose first item names them:
- ("text", bytes): printable bytes (undecoded: their meaning depends on the printer's mode);
- ("lf",): line feed; ("init",): ESC @;
- ("align", n), ("mode", n) (ESC !), ("size", n) (GS !), ("bold", on);
- ("chinese", on): FS & / FS .;
- ("qr_size", n), ("qr_store", bytes), ("qr_print",): GS ( k, function 67, 80 and 81;
- ("raster", width_bytes, height, data): GS v 0;
- ("cut",): GS V, ESC i, ESC m;
- ("status", n): the real-time query DLE EOT n;
- ("other", bytes): a command it knows the length of but does not act on;
- ("skip",): a byte it cannot make sense of (skipped one at a time, as a printer does).
"""

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
LF, CR = 0x0A, 0x0D
#: commands of a fixed length (prefix byte, command byte) -> total length in bytes
FIXED = {
    **{(ESC, ord(c)): 2 for c in "@2imSL"},
    **{(ESC, ord(c)): 3 for c in "!E-aMtR3dJ{VGUr=%T "},
    (ESC, ord("$")): 4, (ESC, ord("\\")): 4, (ESC, ord("p")): 5,
    (FS, ord("&")): 2, (FS, ord(".")): 2, **{(FS, ord(c)): 3 for c in "!-WC"}, (FS, ord("S")): 4,
    (FS, ord("p")): 4,
    **{(GS, ord(c)): 3 for c in "!BHhwfbarIE"}, **{(GS, ord(c)): 4 for c in "LWP$\\"},
    (DLE, 0x04): 3, (DLE, 0x05): 3, (DLE, 0x14): 5,
}
#: GS V m: the modes followed by one more byte (n)
CUT_WITH_N = {65, 66, 97, 98, 103, 104}


class Decoder:
    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[tuple, bytes]]:
        """The operations complete so far, each with the bytes it came from."""
        self.buffer += data
        ops, i = [], 0
        while i < len(self.buffer):
            parsed = self._parse(i)
            if parsed is None:  # the rest of a command is still on its way
                break
            op, end = parsed
            ops.append((op or ("skip",), bytes(self.buffer[i:end])))
            i = end
        del self.buffer[:i]
        return ops

    def _parse(self, i: int) -> tuple[tuple | None, int] | None:
        buf = self.buffer
        byte = buf[i]
        if byte >= 0x20:
            end = i
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            if end == len(buf):  # the text may go on (a character may be split)
                return None
            return ("text", bytes(buf[i:end])), end
        if byte == LF:
            return ("lf",), i + 1
        if byte not in (ESC, FS, GS, DLE):
            return None, i + 1  # CR, HT and the like: nothing to show
        if i + 1 >= len(buf):
            return None
        key = (byte, buf[i + 1])
        if key in FIXED:
            end = i + FIXED[key]
            if end > len(buf):
                return None
            return _fixed(key, bytes(buf[i + 2:end])), end
        if byte == GS:
            return self._gs(i)
        if key == (ESC, ord("*")):
            return self._column_image(i)
        return None, i + 1

    def _gs(self, i: int) -> tuple[tuple | None, int] | None:
        buf = self.buffer
        command = buf[i + 1]
        if command == ord("V"):
            if i + 2 >= len(buf):
                return None
            end = i + (4 if buf[i + 2] in CUT_WITH_N else 3)
            return (("cut",), end) if end <= len(buf) else None
        if command == ord("("):  # GS ( X pL pH data: p bytes follow the length
            if i + 5 > len(buf):
                return None
            end = i + 5 + buf[i + 3] + 256 * buf[i + 4]
            if end > len(buf):
                return None
            return _function(buf[i + 2], bytes(buf[i + 5:end])), end
        if command == ord("v"):  # GS v 0 m xL xH yL yH data
            if i + 8 > len(buf):
                return None
            width, height = buf[i + 4] + 256 * buf[i + 5], buf[i + 6] + 256 * buf[i + 7]
            end = i + 8 + width * height
            if end > len(buf):
                return None
            return ("raster", width, height, bytes(buf[i + 8:end])), end
        if command == ord("k"):  # barcode: NUL-terminated (m < 65) or with its length
            if i + 3 > len(buf):
                return None
            if buf[i + 2] < 65:
                end = buf.find(b"\x00", i + 3)
                return (("other", bytes(buf[i:end + 1])), end + 1) if end >= 0 else None
            if i + 4 > len(buf):
                return None
            end = i + 4 + buf[i + 3]
            return (("other", bytes(buf[i:end])), end) if end <= len(buf) else None
        return None, i + 1

    def _column_image(self, i: int) -> tuple[tuple, int] | None:
        """ESC * m nL nH data: 1 byte a column in 8-dot modes (m 0, 1), 3 in 24-dot ones."""
        buf = self.buffer
        if i + 5 > len(buf):
            return None
        end = i + 5 + (buf[i + 3] + 256 * buf[i + 4]) * (1 if buf[i + 2] in (0, 1) else 3)
        return (("other", bytes(buf[i:end])), end) if end <= len(buf) else None


def _fixed(key: tuple[int, int], args: bytes) -> tuple:
    prefix, command = key
    name = {(ESC, ord("@")): "init", (ESC, ord("i")): "cut", (ESC, ord("m")): "cut",
            (ESC, ord("!")): "mode", (ESC, ord("E")): "bold", (ESC, ord("a")): "align",
            (GS, ord("!")): "size", (DLE, 0x04): "status"}.get(key)
    if key == (FS, ord("&")):
        return ("chinese", True)
    if key == (FS, ord(".")):
        return ("chinese", False)
    if name is None:
        return ("other", bytes([prefix, command]) + args)
    if name == "bold":
        return ("bold", bool(args[0] & 1))
    return (name, *args)


def _function(kind: int, data: bytes) -> tuple:
    """GS ( k (2D codes, cn 49: QR) and the other GS ( functions."""
    if kind == ord("k") and len(data) >= 2 and data[0] == 49:
        fn = data[1]
        if fn == 67:
            return ("qr_size", data[2])
        if fn == 80:
            return ("qr_store", data[3:])  # after cn, fn and m
        if fn == 81:
            return ("qr_print",)
    return ("other", bytes([GS, ord("("), kind]) + data)
