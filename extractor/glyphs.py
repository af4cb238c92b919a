"""Check boxes set in a symbol font (pure data): the font prints a box for a letter's code point.

What each box shows follows the Unicode 7.0 (2014) mappings of the Wingdings fonts (tabulated e.g. in
gaspardpetit/Docxport.Net, DocxportNet/symbols/Wingdings{,2}Encoding.cs, and at
alanwood.net/demos/wingdings.html). A checked box becomes ☒ (or a mark ✓ / ■, read as checked too), an
empty one ☐:
  Wingdings    n U+25A0 ■   o U+25A1 □   p U+1F790 🞐   q U+2751 ❑   r U+2752 ❒   x U+2327 ⌧
               ¨ U+25FB ◻   û U+1F5F6 🗶   ü U+2714 ✔   ý U+1F5F7 🗷   þ U+1F5F9 🗹
  Wingdings 2  O U+1F5F4 🗴   P U+2713 ✓   Q U+1F5F5 🗵   R U+2611 ☑   S, T U+2612 ☒
               ¢ U+2B1B ⬛   £ U+2B1C ⬜
Word also writes a symbol font's characters at U+F000 + the code point ("&#61694;" for þ).
Webdings and Symbol keep the Wingdings reading the parser always gave them; Wingdings 3 has arrows only.
"""

from __future__ import annotations

__all__ = ["GLYPH_TABLES"]

_CHECKED_GLYPHS = {
    "wingdings": {"ý": "☒", "þ": "☒", "x": "☒", "û": "☒", "n": "■", "ü": "✓"},
    "wingdings2": {"O": "☒", "P": "✓", "Q": "☒", "R": "☒", "S": "☒", "T": "☒", "¢": "■"},
}
_EMPTY_GLYPHS = {
    "wingdings": {"¨": "☐", "o": "☐", "p": "☐", "q": "☐", "r": "☐"},
    "wingdings2": {"£": "☐"},
}


def _glyph_table(face: str) -> dict[int, str]:
    glyphs = {**_CHECKED_GLYPHS.get(face, {}), **_EMPTY_GLYPHS.get(face, {})}
    return {**str.maketrans(glyphs), **{0xF000 + ord(k): v for k, v in glyphs.items()}}


GLYPH_TABLES = {face: _glyph_table(face) for face in ("wingdings", "wingdings2", "wingdings3")}
