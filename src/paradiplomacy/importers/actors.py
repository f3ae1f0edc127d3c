"""Recognising provincial actors in dataset rows, and resolving them to the graph's resources.

A *provincial actor* is a province-level unit acting through its government, party committee,
departments or public institutions (universities, academies, hospitals, troupes named after it),
or an enterprise it owns (a provincial SOE). Places ("the Beijing Summit", "returned to Hubei
Province"), the central government by its seat ("Beijing has agreed"), central SOEs whose names
contain a province (SEPCO, Alcatel-Lucent Shanghai Bell), private firms and city-level bodies are
not provincial actors.

Two kinds of input are read:

- organisations named in structured fields (agency, contractor, lender, investor), with the
  dataset's own type tag where it gives one ("..., State-Owned Company"): a name that begins with
  a province-level unit (or "China <unit>") is that unit's body, institution or SOE according to
  the tag, or, without a tag, to its form ("China Hainan International Cooperation" is a province's
  international economic cooperation corporation);
- free text (titles, descriptions, contacts): phrases that make a province-level unit an actor
  ("Jiangxi Province is responsible for sending the teams", "sent by Hubei Province", "Qinghai's
  vice-governor", "the dispatching province changed to Sichuan") and names of its bodies,
  institutions and firms. A unit named as the past sender ("was originally responsible", "which
  was later switched to") is history, not the row's actor.

Firms are resolved through the reference firms (data/reference/firms.yaml), which also names the
graph's firms (the paper's ZIEC, Zhongding, Zhongmei) and the central, private and city-level
firms to exclude. Every accepted mention keeps the matched text, its field, the rule and a
confidence; every mention that no rule settles goes to the review report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paradiplomacy.importers.phrases import PLACE, around, historical, name_at, other_programme, phrases, sentence
from paradiplomacy.importers.records import Organisation, Record
from paradiplomacy.importers.reference import Firm, Reference, key
from paradiplomacy.rdfutil import slugify

PROVINCE_ALIASES = {
    "Nei Mongol": "inner-mongolia",
    "Neimenggu": "inner-mongolia",
    "Nei Menggu": "inner-mongolia",
    "Xizang": "tibet",
}
# Provincial capitals written as if they were provinces ("Guangzhou Province"): for review only.
CAPITALS = {
    "Guangzhou": "guangdong",
    "Guang Zhou": "guangdong",
    "Lanzhou": "gansu",
    "Changsha": "hunan",
    "Nanchang": "jiangxi",
    "Wuhan": "hubei",
    "Chengdu": "sichuan",
    "Zhengzhou": "henan",
    "Nanjing": "jiangsu",
    "Hangzhou": "zhejiang",
    "Jinan": "shandong",
    "Hefei": "anhui",
    "Fuzhou": "fujian",
    "Shijiazhuang": "hebei",
    "Taiyuan": "shanxi",
    "Kunming": "yunnan",
    "Guiyang": "guizhou",
    "Nanning": "guangxi",
    "Haikou": "hainan",
    "Harbin": "heilongjiang",
    "Changchun": "jilin",
    "Shenyang": "liaoning",
    "Hohhot": "inner-mongolia",
    "Yinchuan": "ningxia",
    "Xining": "qinghai",
    "Urumqi": "xinjiang",
    "Lhasa": "tibet",
}

CONFIDENCE = {
    "field-government": 0.95,
    "text-body": 0.9,
    "text-responsible": 0.9,
    "text-sent-by": 0.9,
    "registry": 0.9,
    "field-state-owned": 0.85,
    "text-province-acts": 0.85,
    "text-official": 0.85,
    "text-changed-to": 0.85,
    "registry-evidence": 0.8,
    "text-people-from": 0.8,
    "text-state-owned": 0.8,
    "text-left-from": 0.75,
    "text-province-role": 0.75,
    "field-academic": 0.7,
    "name-institution": 0.7,
    "name-cooperation-corporation": 0.7,
    "name-provincial": 0.75,
    "name-construction-group": 0.6,
    "field-public-private": 0.6,
}

TAGS = (
    "Academic, Training and Research",
    "Government Agency",
    "State-Owned Company",
    "State-owned Company",
    "Private Sector",
    "Political Party",
    "Public Private Partnership",
    "Multilateral",
    "National NGO",
    "International NGO",
    "Regional NGO",
    "NGO",
    "Foundation",
    "Multilateral Agency",
)
SUFFIXES = {
    "co",
    "ltd",
    "limited",
    "company",
    "corporation",
    "corp",
    "corporate",
    "group",
    "inc",
    "general",
    "holdings",
    "holding",
    "plc",
    "llc",
}
BODY = re.compile(
    r"^(?!.*\b(?:Group|Company|Corporation|Engineering|Construction|Co)\b)(?:(?:[A-Z][\w'&-]*|and|of|"
    r"the|for) )*?(?:Government|government|Party|Committee|Department|Bureau of|Health|Commission|"
    r"Foreign Affairs|Municipality|Administration|Office)\b"
)
INSTITUTION = re.compile(
    r"\b(?:University|Academy|Institute|Hospital|College|School|Troupe|Theatre|Orchestra|"
    r"Centre|Center|Association|Society|Federation|Council)\b"
)
INSTITUTION_OF = re.compile(
    r"((?:[A-Z][\w-]*|of|and|for) )*?(?:[A-Z][\w-]* )?(?:Institute|University|Academy|Hospital|"
    r"College|School)(?: of [A-Z][\w-]*(?: (?:and )?[A-Z][\w-]*)*)? of (?:the )?$"
)
FIRM = re.compile(
    r"\b(?:Company|Corporation|Corp|Co|Group|Bureau|Holdings|Cooperation|International|Construction|"
    r"Constructing|Engineering|Port|Ltd|Enterprises?|Industry|Industries|Investment|Development|Bank|"
    r"Electric|Power|Steel|Iron|Mining|Machinery|Trade|Telecom|Pharmaceuticals?|Agriculture|"
    r"Agricultural|Farm|Seed)\b"
)
EVENT = re.compile(
    r"^(?:World Expo|Summit|Forum|Declaration|Olympics?|Games|Conference|Action|Consensus|Ministerial|Expo|"
    r"Summer|Declaration)\b"
)
COOPERATION_CORPORATION = re.compile(
    r"\b(?:International (?:Economic(?: (?:and|&) Technical)? )?Cooperation|International Econom(?:y|ic)|Corporation for (?:International )?"
    r"(?:Foreign )?Economic|Foreign (?:Economic|Trade)|International Economic|International Corp(?:oration)?\b|"
    r"Overseas Engineering|International Construction|International Engineering|Economic (?:and|&) Technical)"
)
CONSTRUCTION_GROUP = re.compile(
    r"\b(?:Construct(?:ion|ing) Engineering|Construction Group|Communications Construction|"
    r"Hydraulic Engineering|Hydro(?:electric|power) (?:Construction|Engineering)|"
    r"Road and Bridge|Water Conservancy)"
)
PROVINCIAL_NAME = re.compile(r"\b(?:Provincial|Municipal)\b")
NATIONAL_UNIVERSITY = re.compile(r"^(?:China(?:'s)? |Chinese )?\w+(?: [Pp]rovince)? University$")
STATE_OWNED_NEARBY = re.compile(r"state[- ]owned|provincial (?:firm|company|enterprise|SOE)", re.I)


@dataclass
class Mention:
    column: str
    text: str  # the text the rule matched
    name: str  # the actor's name as written
    actor: str  # slug of the resolved actor
    province: str  # slug of its province-level unit
    kind: str  # province, soe or institution
    confidence: float
    rule: str
    role: str | None = None  # for structured fields: implementer, funder, contractor, lender, investor
    label: str | None = None  # for an actor this dataset declares: its label
    new: bool = False  # the dataset declares the actor (not the reference data or the evidence)


@dataclass
class ReviewItem:
    column: str
    text: str
    context: str
    reason: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class Recognition:
    mentions: list[Mention]
    review: list[ReviewItem]

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(m.actor for m in self.mentions))

    @property
    def provinces(self) -> list[str]:
        return list(dict.fromkeys(m.province for m in self.mentions))


def core(name: str) -> str:
    """A firm or institution name reduced to its distinctive words, to compare spellings."""
    s = re.sub(r"\([^()]*\)", " ", name.replace("&", " and "))
    words = key(s).split()
    while words and words[0] in ("china", "chinese", "s"):
        words.pop(0)
    while words and (words[-1] in SUFFIXES or words[-2:] == ["of", "china"]):
        words = words[:-2] if words[-2:] == ["of", "china"] else words[:-1]
    return " ".join(words)


def title_case(core_name: str) -> str:
    small = {"of", "and", "for", "the", "in"}
    return " ".join(w if w in small and i else w.capitalize() for i, w in enumerate(core_name.split()))


def split_tag(entry: str) -> tuple[str, str | None]:
    entry = entry.strip()
    for tag in TAGS:
        if entry.endswith(tag) and entry[: -len(tag)].rstrip().endswith(","):
            return entry[: -len(tag)].rstrip().rstrip(",").strip(), tag
    return entry, None


class Recogniser:
    """Recognises provincial actors in records. `known` are the slugs the graph already declares
    (the evidence's firms only resolve when the graph holds them)."""

    def __init__(self, reference: Reference, known: set[str] = frozenset()):
        self.ref = reference
        self.known = set(known)
        names = {p.label: p.slug for p in reference.provinces.values()} | PROVINCE_ALIASES
        alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
        self.names = names
        self.token = re.compile(rf"(?<![A-Za-z])({alternation})(?![A-Za-z])")
        self.capital = re.compile(
            r"(?<![A-Za-z])(" + "|".join(map(re.escape, CAPITALS)) + r")(?: [Pp]rovince| Health (?:Department|Bureau))"
        )
        self.by_core: dict[str, Firm] = {}
        self.by_abbreviation: dict[str, Firm] = {}
        for firm in reference.firms:
            for n in [firm.label, *firm.names]:
                if re.fullmatch(r"[A-Z][A-Z0-9]{2,}(?: [A-Z0-9]+)?", n):
                    self.by_abbreviation[n] = firm
                else:
                    self.by_core[core(n)] = firm
        plain = [
            n
            for f in reference.firms
            for n in [f.label, *f.names]
            if not self.token.search(n) and not re.fullmatch(r"[A-Z][A-Z0-9]{2,}(?: [A-Z0-9]+)?", n) and len(n) >= 6
        ]
        self.plain_names = (
            re.compile(r"\b(" + "|".join(sorted(map(re.escape, plain), key=len, reverse=True)) + r")\b", re.I)
            if plain
            else None
        )
        self.abbreviations = (
            re.compile(
                r"(?<![A-Za-z0-9])("
                + "|".join(sorted(map(re.escape, self.by_abbreviation), key=len, reverse=True))
                + r")(?![A-Za-z0-9])"
            )
            if self.by_abbreviation
            else None
        )

    # ---- the entry point -------------------------------------------------------------------

    def recognise(self, record: Record) -> Recognition:
        out = Recognition([], [])
        decided: dict[str, Mention | None] = {}  # core of a structured name -> its outcome
        for org in record.organisations:
            mention = self._organisation(org, out)
            decided[core(org.name)] = mention
        for column, text in record.texts:
            self._text(column, text, decided, out)
        return out

    # ---- firms and names ---------------------------------------------------------------------

    def _registry(self, name: str) -> Firm | None:
        firm = self.by_core.get(core(name))
        if firm is None:
            for abbreviation in re.findall(r"\(([A-Z][A-Z0-9 ]{2,})\)", name):
                firm = self.by_abbreviation.get(abbreviation.strip())
                if firm:
                    break
        return firm

    def _from_firm(self, firm: Firm, column, matched, name, role, context, out: Recognition) -> Mention | None:
        """A mention of a reference firm: accepted if provincial, silently excluded otherwise."""
        if firm.ownership == "provincial":
            rule = "registry"
        elif firm.ownership == "evidence" and firm.id in self.known:
            rule = "registry-evidence"
        elif firm.ownership == "evidence":
            out.review.append(
                ReviewItem(
                    column,
                    name,
                    context,
                    f"the graph's firm {firm.id!r} is not in the store (build the store first)",
                    [firm.id],
                )
            )
            return None
        else:
            return None
        named_province = self._leading_province(name)
        if named_province and named_province != firm.province:
            out.review.append(
                ReviewItem(
                    column,
                    name,
                    context,
                    f"the name matches the firm {firm.id!r} of {firm.province}, but names {named_province}",
                    [firm.id, named_province],
                )
            )
            return None
        if firm.same_as_candidates:
            out.review.append(
                ReviewItem(
                    column,
                    name,
                    context,
                    firm.note or "possibly the same firm as another resource of the graph",
                    [firm.id, *firm.same_as_candidates],
                )
            )
        confidence = firm.confidence if firm.confidence is not None else CONFIDENCE[rule]
        mention = Mention(column, matched, name, firm.id, firm.province, firm.kind, confidence, rule, role)
        out.mentions.append(mention)
        return mention

    def _leading_province(self, name: str) -> str | None:
        m = re.match(r"^\s*(?:China(?:'s)? |Chinese )?", name)
        t = self.token.match(name, m.end())
        return self.names[t.group(1)] if t else None

    def _accept(self, column, matched, name, province, kind, rule, role, out) -> Mention:
        """A provincial actor: the unit itself, or a firm or institution this dataset declares."""
        if kind == "province":
            mention = Mention(column, matched, name, province, province, kind, CONFIDENCE[rule], rule, role)
        else:
            c = core(name) or key(name)
            slug = slugify(c, 70)
            if slug in self.ref.provinces or slug in self.ref.states or slug in self.known:
                slug += "-" + ("firm" if kind == "soe" else "institution")
            mention = Mention(
                column, matched, name, slug, province, kind, CONFIDENCE[rule], rule, role, label=title_case(c), new=True
            )
        out.mentions.append(mention)
        return mention

    def _named_actor(self, column, name, province, tag, role, context, decided, out) -> Mention | None:
        """A name that begins with a province-level unit: its body, institution or firm (or an event)."""
        field_entry = role is not None
        rest = name[self.token.search(name).end() :].strip()
        rest_words = re.sub(
            r"^(?:(?:Province|province|Provincial|provincial|Municipal|municipal|Municipality)\b\s*)+", "", rest
        )
        municipal = bool(re.search(r"\b(?:Municipal|Municipality)\b", rest))
        if EVENT.match(rest_words) or tag == "Private Sector":
            return None
        if (
            tag in ("Government Agency", "Political Party")
            or (not rest_words and field_entry)
            or BODY.match(rest_words)
        ):
            if province == "beijing" and not municipal:
                if field_entry:
                    out.review.append(
                        ReviewItem(
                            column,
                            name,
                            context,
                            "'Beijing' may name the central government or the municipality",
                            ["beijing"],
                        )
                    )
                return None
            rule = "field-government" if field_entry else "text-body"
            return self._accept(column, name, name, province, "province", rule, role, out)
        institution = tag == "Academic, Training and Research" or (
            INSTITUTION.search(rest_words) and not re.search(r"\b(?:Company|Corporation|Co|Group)\b", rest_words)
        )
        if institution:
            if (province == "beijing" and not municipal) or NATIONAL_UNIVERSITY.match(name):
                out.review.append(
                    ReviewItem(
                        column,
                        name,
                        context,
                        "an institution named after a place that may be national (central) rather than provincial",
                        [province],
                    )
                )
                return None
            rule = "field-academic" if tag else "name-institution"
            return self._accept(column, name, name, province, "institution", rule, role, out)
        if tag in ("State-Owned Company", "State-owned Company"):
            return self._accept(column, name, name, province, "soe", "field-state-owned", role, out)
        if tag == "Public Private Partnership":
            return self._accept(column, name, name, province, "soe", "field-public-private", role, out)
        if tag is not None:  # NGOs, multilateral bodies, foundations: not provincial actors, but worth a look
            out.review.append(
                ReviewItem(column, name, context, f"named after a province but tagged {tag!r}", [province])
            )
            return None
        c = core(name)
        for other_core, outcome in decided.items():  # the same organisation in this row's structured fields
            if other_core and c and (other_core == c or (" " in c and other_core.startswith(c + " "))):
                if outcome is None:
                    return None
                mention = Mention(
                    column,
                    name,
                    name,
                    outcome.actor,
                    outcome.province,
                    outcome.kind,
                    outcome.confidence,
                    outcome.rule,
                    role,
                    outcome.label,
                    outcome.new,
                )
                out.mentions.append(mention)
                return mention
        for rule, pattern in (
            ("text-state-owned", None),
            ("name-provincial", PROVINCIAL_NAME),
            ("name-cooperation-corporation", COOPERATION_CORPORATION),
            ("name-construction-group", CONSTRUCTION_GROUP),
        ):
            if (
                pattern is None and not field_entry and STATE_OWNED_NEARBY.search(sentence(context, len(context) // 2))
            ) or (pattern is not None and pattern.search(name)):
                if province == "beijing" and rule == "name-provincial" and not municipal:
                    continue
                return self._accept(column, name, name, province, "soe", rule, role, out)
        out.review.append(
            ReviewItem(
                column,
                name,
                context,
                "named after a province-level unit, but neither the row nor the reference data says who owns it",
                [province],
            )
        )
        return None

    # ---- structured fields ---------------------------------------------------------------------

    def _organisation(self, org: Organisation, out: Recognition) -> Mention | None:
        name, column = org.name, org.column
        firm = self._registry(name)
        if firm:
            return self._from_firm(firm, column, name, name, org.role, name, out)
        province = self._leading_province(name)
        if province:
            return self._named_actor(column, name, province, org.tag, org.role, name, {}, out)
        of = re.search(
            r"\b(?:of|for) (?:the )?(" + self.token.pattern + r")(?: [Pp]rovince| Municipality|"
            r" Uygur Autonomous Region| Autonomous Region)?\s*$",
            name,
        )
        if of and org.tag != "Private Sector":
            p = self.names[of.group(1)]
            if p == "beijing":
                return None
            kind, rule = (
                ("province", "field-government")
                if org.tag in ("Government Agency", "Political Party")
                else ("institution", "name-institution")
            )
            return self._accept(column, name, name, p, kind, rule, org.role, out)
        inside = self.token.search(name)
        if inside and re.search(r"\bin (?:China's )?" + re.escape(inside.group(1)), name):
            out.review.append(
                ReviewItem(
                    column,
                    name,
                    name,
                    "a firm located in a province; who owns it is not said",
                    [self.names[inside.group(1)]],
                )
            )
        self._capitals(column, name, out)
        return None

    # ---- free text -------------------------------------------------------------------------------

    def _text(self, column: str, text: str, decided, out: Recognition) -> None:
        consumed: list[tuple[int, int]] = []
        for finder in (self.abbreviations, self.plain_names):
            for m in finder.finditer(text) if finder else ():
                firm = self.by_abbreviation.get(m.group(1)) or self._registry(m.group(1))
                if firm and not self._leading_province(m.group(1)):
                    self._from_firm(firm, column, m.group(1), m.group(1), None, around(text, *m.span()), out)
                    consumed.append(m.span())
        for m in self.token.finditer(text):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            span = self._decide(column, text, m, decided, out)
            consumed.append(span or m.span())
        self._capitals(column, text, out)

    def _decide(self, column, text, m, decided, out) -> tuple[int, int] | None:
        province = self.names[m.group(1)]
        start, end, name, bare = name_at(text, m)
        context = around(text, start, end)
        if bare:  # a name that begins with the province: a firm, a body, an institution, or an event
            firm = self._registry(name)
            if firm:
                self._from_firm(firm, column, name, name, None, context, out)
                return start, end
            if EVENT.match(bare):
                return start, end
            if BODY.match(bare) or INSTITUTION.search(bare) or FIRM.search(bare):
                self._named_actor(column, name, province, None, None, sentence(text, m.start()), decided, out)
                return start, end
        of = INSTITUTION_OF.search(text, max(0, m.start() - 90), m.start())
        if of and province != "beijing" and not bare:  # 'Geological Survey Institute of Henan Province'
            tail = re.match(r" (?:Province|province|Municipality)\b", text[m.end() :])
            name = text[of.start() : m.end() + (tail.end() if tail else 0)]
            self._accept(column, name, name, province, "institution", "name-institution", None, out)
            return of.start(), m.end()
        for rule, pattern in phrases(m.group(1)):  # phrases that make the province an actor
            hit = next(
                (
                    h
                    for h in pattern.finditer(text, max(0, m.start() - 120), min(len(text), m.end() + 160))
                    if h.start("p") == m.start()
                ),
                None,
            )
            if hit and province == "beijing" and not re.search(r"Municipal|City", hit.group(0)):
                hit = None  # 'sent by Beijing', 'Beijing has agreed': the central government by its seat
            if hit:
                if historical(text, hit) or other_programme(text, hit):
                    return hit.span()
                out.mentions.append(
                    Mention(column, hit.group(0), m.group(1), province, province, "province", CONFIDENCE[rule], rule)
                )
                return hit.span()
        if province == "beijing":  # the capital or the central government
            return None
        if PLACE.search(text[max(0, m.start() - 30) : m.start()]):
            return None
        out.review.append(
            ReviewItem(
                column,
                m.group(1),
                around(text, m.start(), m.end()),
                "a province-level unit named in a way no rule settles",
                [province],
            )
        )
        return None

    def _capitals(self, column, text, out) -> None:
        for m in self.capital.finditer(text):
            out.review.append(
                ReviewItem(
                    column,
                    m.group(0),
                    around(text, m.start(), m.end()),
                    "a provincial capital written as if it were a province or its body; "
                    f"probably {CAPITALS[m.group(1)]}",
                    [CAPITALS[m.group(1)]],
                )
            )
