"""The "fingers" data set: a generated stand-in for the course's SIGNS hand images.

Each image is 64x64 RGB and shows a hand holding up 0 to 5 fingers; the label is the
number of raised fingers. The hand is drawn as polygons on a 4x larger canvas and
shrunk with an anti-aliasing filter, then placed with a random pose (rotation, scale,
shift, left or right hand) on a random background (a tinted real texture, a gradient,
or a gradient with clutter), under random lighting and sensor noise; one hand in three
wears a glove of a random colour. The raised fingers follow the usual counting signs
(1: index; 2: index and middle; 3: those and the ring finger; 4: all but the thumb;
5: all), so a model has to find a hand shape wherever it is and however it is lit -- a
job for convolutions, not for a linear model on raw pixels.

Everything is drawn with Pillow and NumPy from a seeded generator: the same seed gives
the same images, byte for byte.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

SIZE = 64
_SCALE = 4  # draw on a 256x256 canvas, then shrink: smooth edges for free
_CANVAS = SIZE * _SCALE

CLASS_NAMES = ["0 fingers", "1 finger", "2 fingers", "3 fingers", "4 fingers", "5 fingers"]

# Finger geometry of an upright hand, thumb on the right, on the 256x256 canvas: index,
# middle, ring, little as (base x offset from palm centre, length, half-width, fan angle).
_FINGERS = [(38, 74, 7.5, 20.0), (13, 80, 7.5, 6.5), (-13, 76, 7.5, -6.5), (-38, 62, 6.5, -22.0)]
_THUMB = (44, 54, 11.0, 52.0)

# How each count is signed: the raised digits (thumb, index, middle, ring, little).
_SIGNS = {
    0: [(0, 0, 0, 0, 0)],
    1: [(0, 1, 0, 0, 0)],
    2: [(0, 1, 1, 0, 0)],
    3: [(0, 1, 1, 1, 0)],
    4: [(0, 1, 1, 1, 1)],
    5: [(1, 1, 1, 1, 1)],
}
_YY, _XX = (np.mgrid[0:_CANVAS, 0:_CANVAS] / _CANVAS - 0.5).astype(np.float32)


def _stadium(p0, p1, radius, n=10):
    """Polygon of a capsule (a segment p0-p1 thickened by `radius`, round ends)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    angle = np.arctan2(d[1], d[0])
    cap = np.linspace(-np.pi / 2, np.pi / 2, n)
    end = p1 + radius * np.stack([np.cos(angle + cap), np.sin(angle + cap)], 1)
    start = p0 + radius * np.stack([np.cos(angle + np.pi + cap), np.sin(angle + np.pi + cap)], 1)
    return np.concatenate([end, start])


def _rounded_box(cx, cy, half_w, half_h, power=4.0, n=48):
    """Polygon of a superellipse: a box with rounded corners, like a palm."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    x = half_w * np.sign(c) * np.abs(c) ** (2 / power)
    y = half_h * np.sign(s) * np.abs(s) ** (2 / power)
    return np.stack([cx + x, cy + y], 1)


def _digit(base, length, half_width, angle_deg, raised):
    """Capsule of one finger, raised (full length) or curled (a knuckle inside the palm)."""
    angle = np.deg2rad(angle_deg)
    direction = np.array([np.sin(angle), -np.cos(angle)])
    reach = length if raised else 0.02 * length
    return _stadium(base, base + reach * direction, half_width)


def _hand_polygons(raised, rng):
    """Polygons (in drawing order) of an upright right hand with the given digits raised.

    `raised` has five booleans: thumb, index, middle, ring, little.
    """
    cx, cy = 128.0, 150.0
    palm_w, palm_h = 44 * rng.uniform(0.92, 1.08), 40 * rng.uniform(0.92, 1.08)
    jitter = lambda: rng.uniform(0.9, 1.1)  # noqa: E731 -- small per-finger variation
    shapes = [("arm", np.array([[cx - 30, cy + 20], [cx + 30, cy + 20], [cx + 36, 300], [cx - 36, 300]]))]
    curled = []
    for (dx, length, half_width, angle), up in zip(_FINGERS, raised[1:]):
        base = np.array([cx + dx * palm_w / 44, cy - palm_h + 12])
        shape = _digit(base, length * jitter(), half_width, angle + rng.uniform(-5, 5), up)
        (shapes if up else curled).append(("finger", shape))
    dx, length, half_width, angle = _THUMB
    thumb_base = np.array([cx + dx * palm_w / 44 - 6, cy + 6])
    if raised[0]:
        shapes.append(("finger", _digit(thumb_base, length * jitter(), half_width, angle + rng.uniform(-10, 10), True)))
    shapes.append(("palm", _rounded_box(cx, cy, palm_w, palm_h)))
    shapes.extend(curled)
    if not raised[0]:  # a folded thumb lies across the palm
        shapes.append(("finger", _stadium(thumb_base, thumb_base + [-44, -8], half_width)))
    return shapes


def _pose(rng, varied=True):
    """A random similarity transform (3x2 matrix) about the canvas centre, maybe mirrored; with `varied` False,
    the same upright, unmirrored right hand at one scale and place every time."""
    if varied:
        angle, scale = np.deg2rad(rng.uniform(-15, 15)), rng.uniform(0.85, 1.05)
        mirror, shift = (-1.0 if rng.random() < 0.5 else 1.0), rng.uniform(-12, 12, size=2)
    else:
        angle, scale, mirror, shift = 0.0, 0.95, 1.0, np.zeros(2)
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.diag([mirror, 1.0])
    centre = np.array([_CANVAS / 2, _CANVAS / 2 + 10])
    return lambda pts: (pts - centre) @ matrix.T + centre + shift


def _skin(rng, background_colour):
    """A random skin tone, light to dark -- or, one time in three, a glove of any colour --
    that stands out from the background's mean colour."""
    for _ in range(20):
        tone = _skin_or_glove(rng)
        if np.linalg.norm(tone - background_colour) > 70:
            break
    return tone


def _skin_or_glove(rng):
    if rng.random() < 1 / 3:
        return rng.uniform(30, 230, size=3)
    tones = np.array([[241, 194, 160], [224, 172, 135], [198, 134, 96], [161, 102, 69], [112, 72, 48]], float)
    i = rng.uniform(0, len(tones) - 1)
    lo = int(i)
    tone = tones[lo] + (i - lo) * (tones[min(lo + 1, len(tones) - 1)] - tones[lo])
    return tone * rng.uniform(0.9, 1.1, size=3)


def _background(rng, textures):
    """A 256x256 float RGB background: tinted texture, gradient, or gradient with clutter."""
    kind = rng.choice(3, p=[0.35, 0.5, 0.15])
    colour_a, colour_b = rng.uniform(20, 235, size=(2, 3))
    ramp = np.linspace(0, 1, _CANVAS)[:, None, None]
    if rng.random() < 0.5:
        ramp = ramp.transpose(1, 0, 2)
    image = (colour_a + ramp * (colour_b - colour_a)).astype(np.float32)
    if kind == 0 and textures:
        texture = textures[rng.integers(len(textures))]
        y, x = rng.integers(0, np.array(texture.shape) - _CANVAS + 1)
        patch = texture[y : y + _CANVAS, x : x + _CANVAS, None] / 255.0
        image = image * (0.7 + 0.6 * patch)
    elif kind == 2:
        canvas = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(canvas)
        for _ in range(rng.integers(1, 4)):
            x0, y0 = rng.uniform(-40, _CANVAS, size=2)
            w, h = rng.uniform(30, 120, size=2)
            fill = tuple(int(v) for v in rng.uniform(0, 255, size=3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x0, y0, x0 + w, y0 + h], fill=fill)
        image = np.asarray(canvas, np.float32)
    return image


def _draw_hand(raised, rng, background_colour, varied_pose=True):
    """RGBA float image (256x256x4) of one posed hand."""
    pose = _pose(rng, varied_pose)
    skin = _skin(rng, background_colour)
    layer = Image.new("RGBA", (_CANVAS, _CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    outline = tuple(int(v) for v in skin * 0.55) + (255,)
    for kind, polygon in _hand_polygons(raised, rng):
        shade = {"arm": 0.93, "palm": 1.0, "finger": 1.03}[kind] * rng.uniform(0.96, 1.04)
        fill = tuple(int(v) for v in np.clip(skin * shade, 0, 255)) + (255,)
        points = [tuple(p) for p in pose(polygon)]
        draw.polygon(points, fill=fill, outline=outline, width=3)
    hand = np.asarray(layer, np.float32)
    # Light from a random side: a linear ramp over the hand.
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    light = 1.0 + rng.uniform(0.1, 0.35) * (_XX * direction[0] + _YY * direction[1])
    hand[..., :3] *= light[..., None]
    return hand


def render(label: int, rng: np.random.Generator, textures=(), varied_pose: bool = True) -> np.ndarray:
    """Draw one 64x64x3 uint8 image of a hand holding up `label` fingers.

    Args:
        label: number of raised fingers, 0 to 5.
        rng: the random generator that decides everything else.
        textures: optional greyscale texture images (2-D uint8, at least 256x256)
            used for some backgrounds.
        varied_pose: a random rotation (up to 15 degrees), scale, shift and left or right hand; False
            draws every hand upright, right, at one scale, in one place -- a training set that data
            augmentation has something to add to (notebook 11).
    """
    signs = _SIGNS[label]
    raised = np.array(signs[rng.integers(len(signs))], bool)
    background = _background(rng, textures)
    hand = _draw_hand(raised, rng, background.mean(axis=(0, 1)), varied_pose)
    alpha = hand[..., 3:] / 255.0
    image = background * (1 - alpha) + hand[..., :3] * alpha
    small = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).resize((SIZE, SIZE), Image.LANCZOS)
    pixels = np.asarray(small, float)
    pixels = pixels * rng.uniform(0.75, 1.2) + rng.uniform(-20, 20)  # exposure
    pixels += rng.normal(0, rng.uniform(1, 5), size=pixels.shape)  # sensor noise
    return np.clip(pixels, 0, 255).astype(np.uint8)


def generate(n_per_class: int, seed, textures=(), progress=None, varied_pose: bool = True
             ) -> tuple[np.ndarray, np.ndarray]:
    """Draw a balanced, shuffled set of `6 * n_per_class` images and their labels.

    Args:
        n_per_class: images per label.
        seed: anything ``np.random.default_rng`` accepts (an int, a list of ints).
        textures: greyscale textures for some backgrounds (see `render`).
        progress: optional wrapper for the label loop, such as ``tqdm.auto.tqdm``.
        varied_pose: see `render`; False for hands that all stand alike.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(6), n_per_class))
    loop = progress(labels) if progress else labels
    images = np.stack([render(int(k), rng, textures, varied_pose) for k in loop])
    return images, labels.astype(np.int64)
