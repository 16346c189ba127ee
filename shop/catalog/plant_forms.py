"""Plant forms the category alone cannot tell: chosen by genus, drawn as SVG (used by catalog/pictures.py).

A ZZ plant, a snake plant and a fiddle-leaf fig all sit on the Tropicals shelf but look nothing alike;
buyers buy on looks. GENUS_FORMS maps a latin name (its first two words, then its genus) to a form; each
form's drawer varies with the SKU's digest, so two plants of one form differ.
"""
import math

GENUS_FORMS = {
    "dracaena trifasciata": "sword", "sansevieria": "sword", "aloe": "sword", "gasteria": "sword",
    "zamioculcas": "paddle",
    "ficus lyrata": "fiddle", "ficus elastica": "fiddle",
    "echinocactus": "globe", "mammillaria": "globe", "ferocactus": "globe",
    "opuntia": "pads", "schlumbergera": "pads",
    "pilea": "coin",
    "allium": "grass", "chlorophytum": "grass", "carex": "grass",
    "acanthocereus": "cactus", "cereus": "cactus", "cleistocactus": "cactus",
    "rhipsalis": "trailing",
}


def form_for_latin(latin_name):
    """The form for a latin name ("Ficus lyrata" → fiddle, "Ficus benjamina" → None), or None."""
    words = (latin_name or "").lower().replace("'", " ").split()
    for key in (" ".join(words[:2]), words[0] if words else ""):
        if key in GENUS_FORMS:
            return GENUS_FORMS[key]
    return None


def _sword(digest, leaf, bloom):
    """Upright sword leaves with pale bands and, for some, yellow edges (snake plant, aloe)."""
    out = []
    count = 5 + digest[4] % 3
    edged = digest[6] % 2
    for i in range(count):
        x = 200 + (i - (count - 1) / 2) * 16
        lean = (i - (count - 1) / 2) * 5 + (digest[7 + i] % 7 - 3)
        height = 130 + digest[12 + i] % 60
        path = (f"M{x - 11:.0f} 258 C{x - 14:.0f} {258 - height * 0.6:.0f} {x + lean - 4:.0f} {258 - height * 0.9:.0f} "
                f"{x + lean:.0f} {258 - height:.0f} C{x + lean + 4:.0f} {258 - height * 0.9:.0f} {x + 14:.0f} "
                f"{258 - height * 0.6:.0f} {x + 11:.0f} 258 Z")
        stroke = ' stroke="#d8c95a" stroke-width="3"' if edged else ""
        out.append(f'<path d="{path}" fill="{leaf}"{stroke}/>')
        for band in range(3):
            y = 240 - band * height / 4 - digest[15 + band] % 9
            out.append(f'<path d="M{x - 7:.0f} {y:.0f} q7 -5 14 0" stroke="#ffffff" stroke-opacity="0.3" '
                       'stroke-width="3" fill="none"/>')
    return "".join(out)


def _paddle(digest, leaf, bloom):
    """Upright stems with glossy oval leaflets in pairs along them (ZZ plant)."""
    out = []
    count = 4 + digest[4] % 3
    for i in range(count):
        angle = math.radians(-28 + 56 * i / (count - 1) + (digest[5 + i] % 9 - 4))
        length = 120 + digest[10 + i] % 50
        tip_x, tip_y = 200 + math.sin(angle) * length, 258 - math.cos(angle) * length
        out.append(f'<path d="M200 258 L{tip_x:.1f} {tip_y:.1f}" stroke="#3f5e2f" stroke-width="5"/>')
        for j in range(1, 6):
            t = 0.28 + j * 0.13
            px, py = 200 + math.sin(angle) * length * t, 258 - math.cos(angle) * length * t
            for side in (-1, 1):
                rot = math.degrees(angle) + side * 55
                out.append(f'<ellipse cx="0" cy="-11" rx="7" ry="13" fill="{leaf}" '
                           f'transform="translate({px:.1f} {py:.1f}) rotate({rot:.0f})"/>')
        out.append(f'<ellipse cx="0" cy="-11" rx="7" ry="13" fill="{leaf}" '
                   f'transform="translate({tip_x:.1f} {tip_y:.1f}) rotate({math.degrees(angle):.0f})"/>')
    return "".join(out)


def _fiddle(digest, leaf, bloom):
    """A woody trunk with big round-tipped leaves alternating up it (fiddle-leaf fig, rubber plant)."""
    top = 95 + digest[4] % 30
    out = [f'<path d="M200 258 C196 210 205 170 {198 + digest[5] % 6} {top}" stroke="#7a5a3c" stroke-width="9" '
           'fill="none" stroke-linecap="round"/>']
    count = 6 + digest[6] % 3
    for i in range(count):
        y = 235 - i * (235 - top) / count
        side = -1 if i % 2 else 1
        angle = side * (35 + digest[7 + i] % 30)
        size = 34 + digest[14 + i] % 12 - i
        out.append(f'<g transform="translate(200 {y:.0f}) rotate({angle})">'
                   f'<path d="M0 0 C{size * 0.9:.0f} -{size * 0.4:.0f} {size * 0.8:.0f} -{size * 1.7:.0f} 0 -{size * 1.9:.0f} '
                   f'C-{size * 0.8:.0f} -{size * 1.7:.0f} -{size * 0.9:.0f} -{size * 0.4:.0f} 0 0 Z" fill="{leaf}"/>'
                   f'<path d="M0 0 L0 -{size * 1.7:.0f}" stroke="#e8f0d8" stroke-opacity="0.5" stroke-width="2"/></g>')
    out.append(f'<path d="M{194 + digest[5] % 6} {top} q4 -26 10 -30 q-2 16 -6 30 z" fill="{leaf}"/>')
    return "".join(out)


def _globe(digest, leaf, bloom):
    """A round ribbed cactus with golden spines (barrel cactus)."""
    radius = 62 + digest[4] % 14
    cy = 252 - radius * 0.8
    out = [f'<ellipse cx="200" cy="{cy:.0f}" rx="{radius}" ry="{radius * 0.92:.0f}" fill="{leaf}"/>']
    ribs = 7 + digest[5] % 3
    for i in range(1, ribs):
        x = 200 - radius + 2 * radius * i / ribs
        out.append(f'<path d="M200 {cy - radius * 0.92:.0f} Q{x + (x - 200) * 0.35:.0f} {cy:.0f} 200 '
                   f'{cy + radius * 0.92:.0f}" stroke="#ffffff" stroke-opacity="0.28" stroke-width="2" fill="none"/>')
        for j in range(4):
            sy = cy - radius * 0.65 + j * radius * 0.42
            sx = x + (x - 200) * 0.3 * math.cos((sy - cy) / radius)
            out.append(f'<path d="M{sx:.0f} {sy:.0f} l-5 -4 M{sx:.0f} {sy:.0f} l5 -4" stroke="#e8c547" stroke-width="2"/>')
    if digest[6] % 2:
        out.append(f'<circle cx="200" cy="{cy - radius * 0.9:.0f}" r="9" fill="{bloom}"/>')
    return "".join(out)


def _pads(digest, leaf, bloom):
    """Flat oval pads growing out of each other, dotted (bunny ears) or in chains (Christmas cactus)."""
    out = []
    pads = [(200, 215, 0, 34)]
    for i in range(4 + digest[4] % 3):
        px, py, angle, size = pads[digest[5 + i] % len(pads)]
        side = -1 if digest[10 + i] % 2 else 1
        rad = math.radians(angle + side * 40)
        child = (px + math.sin(rad) * size * 1.5, py - math.cos(rad) * size * 1.5, angle + side * 40, size * 0.78)
        pads.append(child)
    for px, py, angle, size in pads:
        out.append(f'<ellipse cx="{px:.1f}" cy="{py:.1f}" rx="{size * 0.72:.1f}" ry="{size:.1f}" fill="{leaf}" '
                   f'transform="rotate({angle:.0f} {px:.1f} {py:.1f})"/>')
        for k in range(5):
            dx, dy = (k % 3 - 1) * size * 0.32, (k // 3 - 0.5) * size * 0.6
            out.append(f'<circle cx="{px + dx:.1f}" cy="{py + dy:.1f}" r="2" fill="#f1e6b8"/>')
        if digest[20] % 3 == 0 and size < 25:
            out.append(f'<circle cx="{px:.1f}" cy="{py - size:.1f}" r="6" fill="{bloom}"/>')
    return "".join(out)


def _coin(digest, leaf, bloom):
    """Round coin leaves on long thin stalks from the centre (Chinese money plant)."""
    out = []
    count = 8 + digest[4] % 5
    for i in range(count):
        angle = math.radians(-75 + 150 * i / (count - 1) + (digest[5 + i % 20] % 11 - 5))
        length = 70 + digest[(10 + i) % 32] % 60
        x, y = 200 + math.sin(angle) * length, 250 - math.cos(angle) * length * 0.9
        radius = 17 + digest[(14 + i) % 32] % 9
        out.append(f'<path d="M200 250 Q{200 + math.sin(angle) * length * 0.3:.0f} {220:.0f} {x:.1f} {y:.1f}" '
                   'stroke="#5b7f3f" stroke-width="3" fill="none"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{leaf}"/>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#ffffff" fill-opacity="0.35"/>')
    return "".join(out)


def _grass(digest, leaf, bloom):
    """A clump of thin blades, with round flower heads on some (chives, spider plant, sedges)."""
    out = []
    count = 14 + digest[4] % 8
    heads = digest[5] % 2
    for i in range(count):
        lean = (i - count / 2) * 4 + digest[(6 + i) % 32] % 11 - 5
        height = 110 + digest[(12 + i) % 32] % 70
        out.append(f'<path d="M{196 + i % 5 * 2} 258 Q{200 + lean * 0.4:.0f} {258 - height * 0.6:.0f} '
                   f'{200 + lean * 1.6:.0f} {258 - height}" stroke="{leaf}" stroke-width="4" fill="none" '
                   'stroke-linecap="round"/>')
        if heads and i % 4 == 0:
            out.append(f'<circle cx="{200 + lean * 1.6:.0f}" cy="{258 - height - 6}" r="9" fill="{bloom}"/>')
    return "".join(out)


FORM_DRAWERS = {"sword": _sword, "paddle": _paddle, "fiddle": _fiddle, "globe": _globe, "pads": _pads,
                "coin": _coin, "grass": _grass}
