"""Numbers JSON peers read the same way: integers and floats beyond IEEE-754 double
precision (RFC 8259, section 6; RFC 7493, section 2.2) are refused."""

from __future__ import annotations

# RFC 8785 (I-JSON) numbers are IEEE 754 doubles: integers are exact only up to 2^53 - 1.
MAX_SAFE_INTEGER = 2**53 - 1


def unsafe_float(number: float) -> str | None:
    """Why a float cannot round-trip through canonical JSON, or None when it can.

    Doubles of magnitude 2^53 or more are all integers; RFC 8785 writes them without a
    fraction (1e16 -> 10000000000000000), which would read back as an integer out of range.
    """
    if abs(number) < MAX_SAFE_INTEGER + 1:
        return None
    return (f"number {number!r} is 2^53 or more: canonical JSON (RFC 8785) writes it as an "
            "integer outside the exact range; quote it, or use a smaller unit")


def unsafe_integer(number: int) -> str | None:
    """Why ``number`` cannot be written exactly in canonical JSON, or None when it can."""
    if -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
        return None
    text = str(number) if number.bit_length() < 200 else f"{str(number)[:20]}..."
    return (f"integer {text} is outside -(2^53-1)..2^53-1, the range canonical JSON "
            "(RFC 8785) represents exactly; quote it if it is an identifier")
