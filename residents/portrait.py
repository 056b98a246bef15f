"""A generated portrait placeholder: the demo's holder photo, in the ID photo's proportions.

358 x 441 pixels is the resident ID card photo (26 x 32 mm at 350 dpi), which the permit card and
its PDF show. The drawing is plain: a light backdrop, a head and shoulders, and a colour picked
from the name, so two demo residents do not look the same.
"""

from __future__ import annotations

import hashlib
import io

PHOTO_SIZE = (358, 441)
_COLOURS = ["#4a6fa5", "#5b8c5a", "#a0522d", "#6d597a", "#2a6f97", "#8d6e63"]


def placeholder_portrait(seed: str) -> bytes:
    """A JPEG head-and-shoulders silhouette of PHOTO_SIZE; the same `seed` gives the same picture."""
    from PIL import Image, ImageDraw

    width, height = PHOTO_SIZE
    colour = _COLOURS[hashlib.sha256(seed.encode()).digest()[0] % len(_COLOURS)]
    image = Image.new("RGB", PHOTO_SIZE, "#e8f1fb")
    draw = ImageDraw.Draw(image)
    # shoulders: an ellipse cut by the bottom edge
    draw.ellipse((width * 0.08, height * 0.66, width * 0.92, height * 1.25), fill=colour)
    # neck and head
    draw.rectangle((width * 0.42, height * 0.52, width * 0.58, height * 0.70), fill="#e0b89a")
    draw.ellipse((width * 0.29, height * 0.17, width * 0.71, height * 0.62), fill="#eac4a6")
    # hair
    draw.chord((width * 0.28, height * 0.14, width * 0.72, height * 0.50), 180, 360, fill="#2b2b2b")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, dpi=(350, 350))
    return out.getvalue()
