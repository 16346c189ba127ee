"""Product pictures: a small SVG illustration drawn from each product's own attributes.

No photographs can be downloaded here, so every product gets a deterministic drawing: the genus
decides the form where the category cannot (catalog/plant_forms.py: sword leaves, paddle leaflets,
fiddle leaves on a trunk, a globe, pads, coins, grass), else the category (split leaves, rosette,
fronds, fan, canopy, pot, bag...); the SKU picks the pot colour, leaf shade and backdrop and varies
the drawing, and size scales the plant.
"""
import hashlib
import math
from xml.sax.saxutils import escape

from .plant_forms import FORM_DRAWERS, form_for_latin

BACKDROPS = ["#eef3e8", "#f6efe4", "#e9f0ee", "#f3ece6", "#edf1f6", "#f5f1df"]
POTS = [("#c4693d", "#a9552f"), ("#e8dcc6", "#cfc1a6"), ("#3f4a46", "#2d3633"), ("#9cae8f", "#7f9373"),
        ("#d98e5f", "#bb7448"), ("#f2efe9", "#d6d1c6")]
LEAVES = ["#2f6b3a", "#3c7d45", "#4f8f4f", "#27583a", "#5c9a5a", "#386e5b"]
SUCCULENT_LEAVES = ["#7fa88a", "#8fb39a", "#6f9c85", "#a3b88a", "#7d9fa3"]
BLOOMS = ["#e26d5a", "#f2b84b", "#d9639b", "#f4f1ea", "#9b6fd1", "#ef8a3c"]

# Which drawing each category gets; a product's keywords can refine it (cactus within succulents).
CATEGORY_SHAPES = {
    "tropicals": "split_leaf", "succulents-cacti": "rosette", "ferns": "fern", "palms": "palm",
    "herbs": "herb", "trees-shrubs": "tree", "flowering": "flower", "trailing": "trailing",
    "pots-planters": "pot_only", "tools": "tool", "soil-care": "bag",
}


def _pick(seq, digest, offset):
    """Choose one item of seq from a byte of the digest."""
    return seq[digest[offset] % len(seq)]


def shape_for(category_slug, keywords="", latin_name=""):
    """The drawing used for a product: by its genus, else its tags (cactus), else its category."""
    by_genus = form_for_latin(latin_name)
    if by_genus:
        return by_genus
    if category_slug == "succulents-cacti" and "cactus" in (keywords or "").lower():
        return "cactus"  # not the bag of cactus grit on the soil shelf
    return CATEGORY_SHAPES.get(category_slug, "split_leaf")


def product_svg(sku, name, category_slug, size="medium", keywords="", latin_name=""):
    """Return the SVG document (as text) that illustrates one product."""
    digest = hashlib.sha256(sku.encode()).digest()
    shape = shape_for(category_slug, keywords, latin_name)
    scale = {"small": 0.8, "medium": 0.95, "large": 1.1}.get(size or "medium", 0.95)
    pot, pot_dark = _pick(POTS, digest, 1)
    leaf = _pick(SUCCULENT_LEAVES if shape in ("rosette", "cactus", "globe", "pads") else LEAVES, digest, 2)
    bloom = _pick(BLOOMS, digest, 3)
    parts = [f'<rect width="400" height="400" fill="{_pick(BACKDROPS, digest, 0)}"/>',
             '<ellipse cx="200" cy="352" rx="120" ry="12" fill="#000" fill-opacity="0.08"/>']
    if shape == "tool":
        parts.append(_tool(digest, leaf))
    elif shape == "bag":
        parts.append(_bag(digest, pot))
    elif shape == "pot_only":
        parts.append(_pot(pot, pot_dark, width=150, top=190))
        parts.append(f'<path d="M140 196 q60 -18 120 0" stroke="{pot_dark}" stroke-width="3" fill="none"/>')
    else:
        drawer = PLANT_DRAWERS[shape]
        plant = (f'<g transform="translate(200 250) scale({scale}) translate(-200 -250)">'
                 f"{drawer(digest, leaf, bloom)}</g>")
        # Trailing vines spill over the rim, so they are drawn after the pot.
        parts.extend([_pot(pot, pot_dark), plant] if shape == "trailing" else [plant, _pot(pot, pot_dark)])
    label = escape(name, {'"': "&quot;"})
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" '
            f'aria-label="{label}"><title>{label}</title>{"".join(parts)}</svg>')


def _pot(colour, dark, width=120, top=250):
    """A tapered pot with a rim."""
    half, bottom_half = width / 2, width / 2 - 18
    return (f'<path d="M{200 - half + 6} {top + 22} L{200 - bottom_half} 350 L{200 + bottom_half} 350 '
            f'L{200 + half - 6} {top + 22} Z" fill="{colour}"/>'
            f'<rect x="{200 - half}" y="{top}" width="{width}" height="26" rx="5" fill="{dark}"/>')


def _leaf(x, y, length, angle, colour, width=0.42, vein=True):
    """One pointed leaf from (x, y) at an angle in degrees."""
    w = length * width
    path = f"M0 0 C{w} {-length * 0.3} {w * 0.6} {-length * 0.85} 0 {-length} " \
           f"C{-w * 0.6} {-length * 0.85} {-w} {-length * 0.3} 0 0 Z"
    vein_path = f'<path d="M0 0 L0 {-length * 0.92}" stroke="#ffffff" stroke-opacity="0.35" stroke-width="2"/>' \
        if vein else ""
    return f'<g transform="translate({x:.1f} {y:.1f}) rotate({angle:.1f})"><path d="{path}" fill="{colour}"/>{vein_path}</g>'


def _split_leaf(digest, leaf, bloom):
    """Big tropical leaves on long stems, some with splits."""
    out = []
    count = 5 + digest[4] % 3
    for i in range(count):
        angle = -60 + 120 * i / (count - 1) + (digest[5 + i] % 14 - 7)
        length = 95 + digest[10 + i] % 45
        rad = math.radians(angle)
        stem_len = 70 + digest[12 + i] % 30
        sx, sy = 200 + math.sin(rad) * stem_len, 255 - math.cos(rad) * stem_len
        out.append(f'<path d="M200 258 Q{200 + math.sin(rad) * 20:.0f} {230:.0f} {sx:.1f} {sy:.1f}" '
                   f'stroke="#4a6b3a" stroke-width="4" fill="none"/>')
        out.append(_leaf(sx, sy, length, angle, leaf, width=0.55))
        if digest[20 + i] % 2:
            out.append(f'<g transform="translate({sx:.1f} {sy:.1f}) rotate({angle:.1f})">'
                       f'<path d="M{length * 0.22} {-length * 0.45} L4 {-length * 0.5}" stroke="#eef3e8" stroke-width="5"/>'
                       f'<path d="M{-length * 0.22} {-length * 0.65} L-4 {-length * 0.7}" '
                       'stroke="#eef3e8" stroke-width="5"/></g>')
    return "".join(out)


def _rosette(digest, leaf, bloom):
    """A succulent rosette seen from the side."""
    out = []
    for ring, (count, length) in enumerate([(9, 100), (7, 76), (5, 50)]):
        for i in range(count):
            angle = -80 + 160 * i / (count - 1)
            shade = f' fill-opacity="{0.75 + ring * 0.12:.2f}"'
            out.append(_leaf(200, 250, length, angle, leaf, width=0.5, vein=False).replace("Z\"", f'Z"{shade}'))
    return "".join(out)


def _cactus(digest, leaf, bloom):
    """A columnar cactus with arms and a flower."""
    arm = digest[6] % 2
    out = [f'<rect x="176" y="{110 + digest[7] % 30}" width="48" height="160" rx="24" fill="{leaf}"/>']
    if arm:
        out.append(f'<path d="M180 200 h-30 a14 14 0 0 1 -14 -14 v-40" stroke="{leaf}" stroke-width="26" '
                   'fill="none" stroke-linecap="round"/>')
    out.append(f'<path d="M220 215 h26 a12 12 0 0 0 12 -12 v-34" stroke="{leaf}" stroke-width="24" '
               'fill="none" stroke-linecap="round"/>')
    for y in range(140, 260, 18):
        out.append(f'<path d="M190 {y} l4 4 M206 {y + 8} l4 4" stroke="#ffffff" stroke-opacity="0.5" stroke-width="2"/>')
    out.append(f'<circle cx="200" cy="{112 + digest[7] % 30}" r="11" fill="{bloom}"/>')
    return "".join(out)


def _fern(digest, leaf, bloom):
    """Arching fronds made of small leaflets."""
    out = []
    for i in range(7):
        angle = -70 + 140 * i / 6
        length = 120 + digest[8 + i] % 30
        g = [f'<path d="M0 0 Q{length * 0.1:.0f} {-length * 0.5:.0f} 0 {-length}" stroke="{leaf}" stroke-width="4" fill="none"/>']
        for j in range(1, 10):
            y = -length * j / 10
            size = 24 * (1 - j / 12)
            g.append(_leaf(0, y, size, 70, leaf, vein=False) + _leaf(0, y, size, -70, leaf, vein=False))
        out.append(f'<g transform="translate(200 258) rotate({angle:.1f})">{"".join(g)}</g>')
    return "".join(out)


def _palm(digest, leaf, bloom):
    """Fan palm fronds on thin stems."""
    out = []
    for i in range(6):
        angle = -65 + 130 * i / 5 + (digest[9 + i] % 10 - 5)
        rad = math.radians(angle)
        length = 120 + digest[14 + i] % 30
        ex, ey = 200 + math.sin(rad) * length, 258 - math.cos(rad) * length
        out.append(f'<path d="M200 258 L{ex:.1f} {ey:.1f}" stroke="#6b7f3a" stroke-width="3"/>')
        for k in range(-3, 4):
            out.append(_leaf(ex, ey, 44, angle + k * 16, leaf, width=0.22, vein=False))
    return "".join(out)


def _herb(digest, leaf, bloom):
    """Many upright sprigs with small paired leaves."""
    out = []
    for i in range(9):
        x = 150 + i * 12.5
        h = 80 + digest[4 + i] % 50
        out.append(f'<path d="M{x:.1f} 258 L{x + (i - 4) * 4:.1f} {258 - h}" stroke="#4a6b3a" stroke-width="2.5"/>')
        for j in range(1, 5):
            y = 258 - h * j / 5
            cx = x + (i - 4) * 4 * j / 5
            out.append(_leaf(cx, y, 20, 55, leaf, vein=False) + _leaf(cx, y, 20, -55, leaf, vein=False))
    return "".join(out)


def _tree(digest, leaf, bloom):
    """A small tree: trunk and a layered round canopy."""
    out = ['<path d="M196 258 L194 150 L206 150 L204 258 Z" fill="#7a5a3c"/>']
    for i in range(7):
        cx = 200 + (digest[4 + i] % 90 - 45)
        cy = 120 + (digest[11 + i] % 60 - 30)
        r = 38 + digest[18 + i] % 18
        out.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{leaf}" fill-opacity="0.88"/>')
    if digest[25] % 2:
        for i in range(6):
            out.append(f'<circle cx="{170 + digest[26 + i] % 60}" cy="{95 + digest[20 + i] % 60}" r="7" fill="{bloom}"/>')
    return "".join(out)


def _flower(digest, leaf, bloom):
    """Leaves at the base and flowers on stems above them."""
    out = [_leaf(200, 258, 80, a, leaf, width=0.35) for a in (-55, -25, 25, 55)]
    for i in range(3):
        x = 160 + i * 40
        top = 95 + digest[5 + i] % 40
        out.append(f'<path d="M200 258 Q{x} 200 {x} {top}" stroke="#4a6b3a" stroke-width="3" fill="none"/>')
        for p in range(5):
            out.append(_leaf(x, top, 34, p * 72, bloom, width=0.7, vein=False))
        out.append(f'<circle cx="{x}" cy="{top}" r="6" fill="#f7d774"/>')
    return "".join(out)


def _trailing(digest, leaf, bloom):
    """Vines spilling over the pot rim with heart-shaped leaves."""
    out = []
    for i, side in enumerate((-1, -1, 1, 1, 0)):
        length = 110 + digest[4 + i] % 60
        x0 = 200 + side * 45
        out.append(f'<path d="M{x0} 255 q{side * 40} 40 {side * 50} {length}" stroke="#4a6b3a" stroke-width="2.5" fill="none"/>')
        for j in range(1, 6):
            t = j / 6
            out.append(_leaf(x0 + side * 50 * t, 255 + length * t, 24, 180 + side * 40, leaf, width=0.6, vein=False))
    for a in (-50, -20, 10, 40):
        out.append(_leaf(200, 258, 50, a, leaf, width=0.6, vein=False))
    return "".join(out)


def _tool(digest, leaf):
    """A trowel or a watering can, by the SKU."""
    if digest[4] % 2:
        return ('<rect x="130" y="200" width="150" height="110" rx="16" fill="#5c7f6a"/>'
                '<path d="M280 225 L345 170 L352 180 L290 240 Z" fill="#4d6e5a"/>'
                '<path d="M150 200 q55 -70 110 0" stroke="#3d5a48" stroke-width="12" fill="none"/>'
                '<ellipse cx="346" cy="172" rx="14" ry="8" fill="#3d5a48"/>')
    return ('<path d="M200 80 C250 110 250 200 200 240 C150 200 150 110 200 80 Z" fill="#b9c2c6"/>'
            '<rect x="192" y="236" width="16" height="30" fill="#8a9296"/>'
            '<rect x="184" y="262" width="32" height="80" rx="14" fill="#b5652f"/>')


def _bag(digest, colour):
    """A sack of soil or feed with a leaf emblem."""
    return (f'<path d="M120 110 L280 110 L295 345 L105 345 Z" fill="#c8b48f"/>'
            f'<path d="M120 110 L280 110 L276 135 L124 135 Z" fill="#a8916a"/>'
            f'<rect x="140" y="180" width="120" height="100" rx="10" fill="{colour}" fill-opacity="0.9"/>'
            + _leaf(200, 265, 62, 0, "#2f6b3a", width=0.45))


# The drawing of each plant shape (pots, tools and bags are drawn by product_svg() itself).
PLANT_DRAWERS = {
    **FORM_DRAWERS,
    "split_leaf": _split_leaf, "rosette": _rosette, "cactus": _cactus, "fern": _fern, "palm": _palm,
    "herb": _herb, "tree": _tree, "flower": _flower, "trailing": _trailing,
}
