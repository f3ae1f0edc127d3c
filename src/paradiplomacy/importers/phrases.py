"""The text patterns of recognition: phrases that make a province-level unit an actor, names
that begin with one, places, and the signs that a sender is history or another programme."""

from __future__ import annotations

import re
from functools import cache


@cache
def phrases(name: str):
    """The phrases that make the province-level unit `name` an actor, with their rules."""
    p = rf"(?P<p>{re.escape(name)})"
    unit = r"(?: \([^()]{1,30}\))?(?: [Pp]rovince| [Pp]rovincial [Gg]overnment| Municipality| City)?"
    acts = (
        r"(?:has sent|had sent|sent|sends|send|has been sending|have been sending|is sending|started to send|"
        r"began to send|started sending|began sending|signed|signs|sign|donated|donates|promised|promises|pledged|"
        r"pledges|provided|provides|dispatched|dispatches|built|funded|funds|represented by|took over|"
        r"has taken over|agreed|agrees|offered|offers|announced|announces|launched|established|hosted|sponsored|"
        r"acquired|has acquired|won|has won)"
    )
    by = (
        r"(?:sent|dispatched|sponsored|funded|financed|donated|provided|organi[sz]ed|supported|implemented|"
        r"undertaken|carried out|launched|hosted)"
    )
    body = r"(?:[Dd]epartment|[Bb]ureau|[Cc]ommission|[Gg]overnment|[Pp]arty [Cc]ommittee|[Hh]ealth [Bb]ureau)"
    return [
        (
            "text-responsible",
            re.compile(
                p + unit + r" (?:is|was|are|were|has been|have been|had been|remains)"
                r"(?P<hist> (?:originally|previously|formerly|initially|first))?(?: also)? (?:responsible|in charge)"
            ),
        ),
        (
            "text-sent-by",
            re.compile(
                r"(?:"
                + by
                + r"(?: out)? by|(?:sent|dispatched)(?: out)? from) (?:China's |the )?"
                + p
                + unit
                + r"(?=\s*[,.;:)]|\s+[a-z(]|\s*$)"
            ),
        ),
        (
            "text-people-from",
            re.compile(
                r"(?:teams?|experts?|specialists?|doctors?|personnel|members?|staff|delegations?|volunteers?|group)"
                r"(?: [\w-]+){0,3} from (?:China's |the )?"
                + p
                + r"(?: \([^()]{1,30}\))? (?:[Pp]rovince|Municipality)\b"
            ),
        ),
        (
            "text-people-from",
            re.compile(p + r"(?:'s| [Pp]rovince| [Pp]rovincial| Municipality| [Mm]unicipal) delegations?\b"),
        ),
        (
            "text-province-acts",
            re.compile(
                r"(?:China's |China )?"
                + p
                + r"(?: [Pp]rovince| Municipality| City)(?: in China)?,?(?: and [^.;]{0,60}?)? "
                + acts
                + r"\b"
            ),
        ),
        ("text-province-acts", re.compile(r"^(?:China's )?" + p + r"(?: and [^.;]{0,40}?)? " + acts + r"\b")),
        (
            "text-official",
            re.compile(
                p
                + r"(?:'s| [Pp]rovince's| [Pp]rovincial)? (?:[Vv]ice[- ]?[Gg]overnor|[Gg]overnor|[Pp]arty [Ss]ecretary)"
            ),
        ),
        (
            "text-official",
            re.compile(
                r"(?:[Vv]ice[- ]?[Gg]overnor|[Gg]overnor|[Pp]arty [Ss]ecretary|[Vv]ice[- ]?[Mm]ayor|[Mm]ayor|Secretary) of "
                r"(?:China's )?" + p
            ),
        ),
        ("text-body", re.compile(p + r"'s (?:[Pp]rovincial |[Mm]unicipal )?" + body + r"\b")),
        (
            "text-official",
            re.compile(p + r"(?: [Pp]rovincial| [Pp]rovince| [Mm]unicipal)? (?:officials|leaders|delegates)\b"),
        ),
        (
            "text-province-role",
            re.compile(p + r"(?:'s| [Pp]rovince's) (?:[\w-]+ ){0,4}?(?:contribution|projects?|role|strategy)\b"),
        ),
        (
            "text-body",
            re.compile(
                r"(?:(?:[Pp]rovincial|[Mm]unicipal) (?:[Gg]overnment|[Pp]arty [Cc]ommittee)|"
                + body
                + r"(?: of [A-Z][a-z]+(?: (?:and )?[A-Z][a-z]+)*)?) of (?:China's )?"
                + p
            ),
        ),
        (
            "text-changed-to",
            re.compile(r"(?:changed|switched|transferred|moved) to (?:China's )?" + p + r"(?: [Pp]rovince)?\b"),
        ),
        ("text-left-from", re.compile(r"(?:left|departed)(?: from)? " + p + r" [Pp]rovince for\b")),
    ]


PLACE = re.compile(
    r"(?:\b(?:in|to|at|from|into|within|visiting|visited|visit to|trip to|returned to|return to|"
    r"traveled to|travelled to|flew to|arrived in|left|leaving|near|outside|across|throughout|based in|"
    r"located in|shipped out of|out of|port of|city of|capital of)(?: China's| the| northern| southern|"
    r" eastern| western)? |(?:City|County|city|county) \(|[A-Z][a-z]+, )$"
)


ABBREVIATED = {"Co.", "Corp.", "Ltd.", "No.", "Inc.", "St.", "Bros."}
ENDS_A_NAME = {
    "Group",
    "Company",
    "Corporation",
    "Corp",
    "Corp.",
    "Co",
    "Co.",
    "Ltd",
    "Ltd.",
    "University",
    "Institute",
    "Hospital",
    "Troupe",
    "Bureau",
    "Commission",
    "Government",
    "Center",
    "Centre",
    "College",
    "International",
    "Cooperation",
    "Holdings",
    "Academy",
    "School",
    "Committee",
    "Department",
}
NAME_WORD = re.compile(
    r" (?:[A-Z0-9][A-Za-z0-9&'’.\-]*|\([^()]{1,40}\)|&|and|of|for|the|[Pp]rovince|[Pp]rovincial|"
    r"[Mm]unicipal)"
)


def name_at(text: str, m) -> tuple[int, int, str, str]:
    """The name that begins with the province token at m (after an optional 'China'/'Chinese'):
    (start, end, name, the words after the province and 'Province'/'Provincial'/'Municipal')."""
    start = m.start()
    before = re.search(r"(?:China(?:'s)?|Chinese) $", text[max(0, start - 8) : start])
    if before:
        start -= len(before.group(0))
    words, at = [], m.end()
    while True:
        w = NAME_WORD.match(text, at)
        if not w:
            break
        word = w.group(0)[1:]
        if word in ("and", "&") and words and (words[-1] in ENDS_A_NAME or words[-1].startswith("(")):
            break
        if re.fullmatch(r"(?:19|20)\d\d", word):  # a year: the name has ended ('... 2013 Short-Term Bond')
            break
        possessive = re.search(r"['’]s$", word) if word not in ("People's", "People’s") else None
        if possessive:
            words.append(word[: possessive.start()])
            break
        if word.endswith(".") and word not in ABBREVIATED:
            words.append(word[:-1])
            break
        words.append(word)
        at = w.end()
    while words and words[-1] in ("and", "&", "of", "for", "the"):
        words.pop()
    rest = " ".join(words)
    end = m.end() + (len(" " + rest) if rest else 0)
    bare = re.sub(r"^(?:(?:Province|province|Provincial|provincial|Municipal|municipal|Municipality)\b ?)+", "", rest)
    return start, end, text[start:end], bare.strip()


def historical(text: str, hit) -> bool:
    if hit.groupdict().get("hist"):
        return True
    after = text[hit.end() : hit.end() + 200]
    return bool(
        re.match(r"[^.;]*?\b(?:which|that) (?:was|were) later (?:switched|changed|transferred|replaced)", after)
        or re.match(r"[^.;]*?\buntil (?:[^.;]*? )?(?:19|20)\d\d\b", after)
    )


def other_programme(text: str, hit) -> bool:
    """'(not to be confused with medical teams to Zanzibar, which are sent by Jiangsu Province)'."""
    return bool(re.search(r"not to be confused with[^.;)]*$", text[max(0, hit.start() - 120) : hit.start()]))


def sentence(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at), text.rfind("; ", 0, at))
    end = min([i for i in (text.find(". ", at), text.find("; ", at)) if i >= 0] or [len(text)])
    return text[start + 1 : end + 1].strip()


def around(text: str, start: int, end: int, width: int = 60) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")
