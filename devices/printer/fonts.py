"""Drawing printer text with Pillow: the lines of a raster ticket, and the simulated printer's
pictures. Sizes follow the printer's own font A: 12 x 24 dots for a Latin character and
24 x 24 for a Chinese one, times the character size."""
import math
import unicodedata
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: fonts with Simplified Chinese, the first one present is used: (file, face index)
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
#: dots of one line of font A at size 1: the character, and the line pitch
CHAR_DOTS, LINE_DOTS = 24, 30
#: where the baseline sits in a line, from its top (room below for descenders)
BASELINE = 0.84


class FontMissing(Exception):
    """No font with Chinese characters is installed."""


@cache
def cjk_font(size_px: int) -> ImageFont.FreeTypeFont:
    for path, index in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size_px, index=index)
    raise FontMissing("no font with Chinese characters found (looked for " + ", ".join(p for p, _ in CJK_FONTS)
                      + "); install one, e.g. `apt-get install fonts-noto-cjk`")


def columns(text: str) -> int:
    """Columns the text takes on the printer: two for a wide (Chinese) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_image(text: str, scale: int = 1, bold: bool = False, width: int | None = None) -> Image.Image:
    """One line of text as a 1-bit image (black on white), as tall as a printed line at this
    size; as wide as the text (rounded up to whole bytes) or `width` with the text centred."""
    font = cjk_font(CHAR_DOTS * scale - 2 * scale)
    height = CHAR_DOTS * scale
    stroke = scale if bold else 0
    text_width = math.ceil(font.getlength(text)) + 2 * stroke
    width = width or max(8, math.ceil(text_width / 8) * 8)
    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).text(((width - text_width) // 2 + stroke, round(height * BASELINE)), text, font=font,
                               fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
    return image.point(lambda v: 0 if v < 160 else 255).convert("1")
