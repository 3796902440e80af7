"""The colours of every figure, by meaning: draw with these names, never with literal colours.

Figures are shown on light and dark pages. Each name here is a colour role (text, faint lines,
queries, keys, ...); the figure renderer in ``attention.plotting`` maps every role to a CSS
custom property with this light-scheme value as its fallback, so one drawing follows the page's
colour scheme (and still looks right in Jupyter, where only the fallback applies).
"""

from __future__ import annotations

INK = "#2B2B2B"  # text, axes, outlines: the page's text colour
MUTED = "#5C5C5C"  # secondary text, captions (4.5:1 or more on every fill below)
FAINT = "#C8C8C8"  # grid lines, separators, inactive items
PAPER = "#FFFFFF"  # the figure's background: the page's background
PANEL = "#F4F4F4"  # a filled box that stands out a little from the background

QUERY = "#E8762B"  # queries: orange
KEY = "#3C78B4"  # keys: blue
VALUE = "#3E9651"  # values: green
WEIGHT = "#D1362F"  # attention weights: red
GREY = "#8C8C8C"  # everything else

# Light fills for boxes edged in a role colour (the role mixed with 82 % PAPER). Roles of their
# own, so the renderer can give each a dark-scheme value; draw them with diagrams.draw.tint().
QUERY_TINT = "#FBE6D9"
KEY_TINT = "#DCE7F2"
VALUE_TINT = "#DCECE0"
WEIGHT_TINT = "#F7DBDA"
GREY_TINT = "#EAEAEA"

# Text in a role's colour: the role darkened (light scheme) or lightened (dark scheme) until a
# label reads at 4.5:1 or more on PAPER, PANEL and every tint above (WCAG AA for small text).
# The line colours above are for strokes and fills: as text, QUERY and GREY fall below 3:1 on
# white and WEIGHT below 3.3:1 on the dark page. diagrams.draw.text() swaps them in by itself.
QUERY_TEXT = "#9A4309"
KEY_TEXT = "#2E6299"
VALUE_TEXT = "#2A6E37"
WEIGHT_TEXT = "#B02A24"
# The same roles in the site's dark scheme (Material's "slate"), lower-case role -> colour: the
# site's one palette with the values above. A figure file carries both
# (attention.plotting.DisplayFigure.to_svg): the light values by default, these when it is
# opened as ``<file>.svg#only-dark``, as Material shows it in the dark scheme.
DARK = {
    "ink": "#e3e5ea",
    "muted": "#a9adb8",
    "faint": "#4c5060",
    "paper": "#1e2129",
    "panel": "#2b2f3a",
    "query": "#f5995a",
    "key": "#79aee6",
    "value": "#6cc47f",
    "weight": "#d1362f",  # the heatmaps' hue is baked into their pixels: keep it
    "grey": "#9da1ab",
    # box fills: the role colour mixed into the dark background, so boxes do not glow
    "query_tint": "#4a3426",
    "key_tint": "#263a4f",
    "value_tint": "#27402e",
    "weight_tint": "#4b2828",
    "grey_tint": "#3a3d45",
    # text in a role's colour: the weight red itself is 3.3:1 on this background
    "query_text": "#f5995a",
    "key_text": "#79aee6",
    "value_text": "#6cc47f",
    "weight_text": "#ff8a80",
}
