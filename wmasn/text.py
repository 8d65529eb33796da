"""Small pieces of English the portal writes about people and agencies."""

APOSTROPHES = ("'", "\u2019")


def possessive(name):
    """ "The Salvation Army's", "Barnardo's" (already possessive: "Barnardo's pledge"),
    "Bailey Wright & Co Solicitors'" (a plural in s takes the apostrophe alone)."""
    name = str(name).rstrip()
    if not name:
        return name
    if name.endswith(APOSTROPHES) or name[-2:-1] in APOSTROPHES and name[-1:] in ("s", "S"):
        return name
    if name.endswith(("s", "S")):
        return f"{name}'"
    return f"{name}'s"
