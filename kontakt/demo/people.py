"""Sjöstad's employees, made up: names, titles, numbers, e-mails, languages, "ask me about".

Pure and seeded (no database, no clock): the same seed gives the same people, so the demo's
seed can be run twice and the tests can name who they expect. The units and shared
functions of the directory are listed here too, with each unit's titles and keywords.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time

from kontakt.directory.search import fold

from . import municipality as m

DOMAIN = "sjostad.se"
# Direct numbers are 040-628 xx xx: the center has 04 00, the units and shared functions
# 05 00–05 99, the demo's staff users and named people fixed ones in 12 00–12 99; generated
# people get the rest of 10 00–99 99.
UNIT_NUMBERS = range(500, 600)
RESERVED_NUMBERS = range(1200, 1300)
PERSON_NUMBERS = [n for n in range(1000, 10000) if n not in RESERVED_NUMBERS]


def direct_number(extension: int) -> str:
    """The direct number with the given four last digits, in E.164."""
    return f"+4640628{extension:04d}"


@dataclass(frozen=True)
class UnitPlan:
    """A unit or shared function: its titles (weighted), keywords and hours."""

    key: str  # the external id's tail
    department: str  # department code
    name: str
    kind: str  # "unit" or "function"
    weight: int  # its share of the employees
    titles: tuple[tuple[str, int], ...]
    chief: str  # the title of its head, who is its switchboard contact
    keywords: tuple[str, ...]
    # Shared functions answer the phone at set hours: ((weekday, opens, closes), …).
    phone_hours: tuple[tuple[int, time, time], ...] = ()


def _weekdays(opens: time, closes: time, friday: time | None = None) -> tuple:
    return tuple((day, opens, friday if day == 4 and friday else closes) for day in range(5))


def _every_day(opens: time, closes: time) -> tuple:
    return tuple((day, opens, closes) for day in range(7))


OFFICE = _weekdays(time(8), time(16, 30), time(15))

UNITS = [
    UnitPlan(
        "bygglov",
        "stadsbyggnad",
        "Bygglov",
        "unit",
        40,
        (("bygglovshandläggare", 6), ("bygglovsarkitekt", 2), ("byggnadsinspektör", 2)),
        "enhetschef",
        ("bygglov", "attefallshus", "strandskydd", "slutbesked", "tillbyggnad", "plank"),
    ),
    UnitPlan(
        "lantmateri",
        "stadsbyggnad",
        "Lantmäteri",
        "unit",
        25,
        (("lantmätare", 4), ("kartingenjör", 2), ("GIS-ingenjör", 2)),
        "enhetschef",
        ("fastighetsgräns", "nybyggnadskarta", "adress", "tomtgräns", "kartor"),
    ),
    UnitPlan(
        "planering",
        "stadsbyggnad",
        "Detaljplanering",
        "unit",
        25,
        (("planarkitekt", 4), ("planhandläggare", 2)),
        "planchef",
        ("detaljplan", "samråd", "planbesked", "översiktsplan"),
    ),
    UnitPlan(
        "parkering",
        "trafik",
        "Parkering",
        "unit",
        40,
        (("parkeringsvakt", 5), ("parkeringshandläggare", 3), ("trafikingenjör", 1)),
        "enhetschef",
        ("boendeparkering", "p-tillstånd", "felparkering", "parkeringsavgift", "flyttning"),
    ),
    UnitPlan(
        "gata",
        "trafik",
        "Gata och vinterväghållning",
        "unit",
        70,
        (("gatuingenjör", 2), ("arbetsledare", 2), ("drifttekniker", 5), ("trafikingenjör", 1)),
        "driftchef",
        ("snöröjning", "halka", "gatubelysning", "gropar", "cykelväg", "grävtillstånd"),
    ),
    UnitPlan(
        "avfall",
        "avfall-vatten",
        "Avfall",
        "unit",
        60,
        (("avfallshandläggare", 3), ("renhållningsarbetare", 6), ("kundtjänsthandläggare", 2)),
        "enhetschef",
        ("sophämtning", "kärlbyte", "grovavfall", "återvinningscentral", "slam"),
    ),
    UnitPlan(
        "va",
        "avfall-vatten",
        "Vatten och avlopp",
        "unit",
        60,
        (("VA-ingenjör", 3), ("rörnätstekniker", 5), ("processoperatör", 3)),
        "VA-chef",
        ("vattenläcka", "vattenmätare", "avlopp", "dricksvatten", "anslutning", "dagvatten"),
    ),
    UnitPlan(
        "placering",
        "forskola-skola",
        "Förskoleplacering",
        "unit",
        12,
        (("placeringshandläggare", 4), ("skoladministratör", 1)),
        "enhetschef",
        ("förskoleplats", "kö", "barnomsorgsavgift", "fritids", "omsorg på obekväm tid"),
    ),
    UnitPlan(
        "skolskjuts",
        "forskola-skola",
        "Skolskjuts",
        "unit",
        6,
        (("skolskjutshandläggare", 3), ("trafikplanerare", 1)),
        "enhetschef",
        ("skolskjuts", "busskort", "taxi till skolan", "växelvis boende"),
    ),
    UnitPlan(
        "sjostadsskolan",
        "forskola-skola",
        "Sjöstadsskolan",
        "unit",
        420,
        (
            ("lärare", 30),
            ("förstelärare", 3),
            ("speciallärare", 3),
            ("fritidspedagog", 6),
            ("elevassistent", 5),
            ("skolsköterska", 1),
            ("kurator", 1),
            ("studie- och yrkesvägledare", 1),
        ),
        "rektor",
        ("frånvaro", "skolmat", "elevhälsa", "läxhjälp", "utvecklingssamtal", "idrott"),
    ),
    UnitPlan(
        "hamnskolan",
        "forskola-skola",
        "Hamnskolan",
        "unit",
        360,
        (
            ("lärare", 30),
            ("förstelärare", 3),
            ("speciallärare", 2),
            ("fritidspedagog", 6),
            ("elevassistent", 5),
            ("skolsköterska", 1),
            ("kurator", 1),
        ),
        "rektor",
        ("frånvaro", "skolmat", "elevhälsa", "modersmål", "fritids", "friluftsdag"),
    ),
    UnitPlan(
        "ekbacken",
        "forskola-skola",
        "Ekbackens förskola",
        "unit",
        260,
        (("förskollärare", 5), ("barnskötare", 6), ("kock", 1)),
        "rektor",
        ("inskolning", "lämning och hämtning", "allergi", "sovvila", "utflykt"),
    ),
    UnitPlan(
        "solrosen",
        "forskola-skola",
        "Förskolan Solrosen",
        "unit",
        220,
        (("förskollärare", 5), ("barnskötare", 6), ("kock", 1)),
        "rektor",
        ("inskolning", "lämning och hämtning", "allergi", "föräldramöte"),
    ),
    UnitPlan(
        "skolexpedition",
        "forskola-skola",
        "Sjöstadsskolans expedition",
        "function",
        5,
        (("skoladministratör", 3), ("skolsekreterare", 2)),
        "skoladministratör",
        ("sjukanmälan", "ledighetsansökan", "skolintyg", "adressändring elev"),
        _weekdays(time(7, 30), time(16), time(14)),
    ),
    UnitPlan(
        "hemtjanst",
        "aldreomsorg",
        "Hemtjänst",
        "unit",
        700,
        (("undersköterska", 8), ("vårdbiträde", 4), ("samordnare", 1)),
        "enhetschef",
        ("hemtjänst", "trygghetslarm", "matdistribution", "besökstider", "nycklar"),
    ),
    UnitPlan(
        "hemtjanst-soder",
        "aldreomsorg",
        "Hemtjänst söder",
        "unit",
        650,
        (("undersköterska", 8), ("vårdbiträde", 4), ("samordnare", 1)),
        "enhetschef",
        ("hemtjänst", "trygghetslarm", "matdistribution", "avlösning"),
    ),
    UnitPlan(
        "strandgarden",
        "aldreomsorg",
        "Strandgårdens vård- och omsorgsboende",
        "unit",
        600,
        (("undersköterska", 8), ("sjuksköterska", 2), ("fysioterapeut", 1), ("arbetsterapeut", 1)),
        "enhetschef",
        ("besök", "boendeplats", "demens", "anhörigträff", "matsedel"),
    ),
    UnitPlan(
        "bistand",
        "aldreomsorg",
        "Biståndsbedömning",
        "unit",
        35,
        (("biståndshandläggare", 6), ("LSS-handläggare", 2)),
        "enhetschef",
        ("ansökan om hemtjänst", "särskilt boende", "färdtjänst", "LSS", "avgifter"),
    ),
    UnitPlan(
        "ifo",
        "aldreomsorg",
        "Individ- och familjeomsorg",
        "unit",
        120,
        (("socialsekreterare", 8), ("familjebehandlare", 3), ("budget- och skuldrådgivare", 1)),
        "enhetschef",
        ("ekonomiskt bistånd", "orosanmälan", "familjerådgivning", "skuldrådgivning", "missbruk"),
    ),
    UnitPlan(
        "socialjour",
        "aldreomsorg",
        "Socialjouren",
        "function",
        12,
        (("socialsekreterare", 1),),
        "socialsekreterare",
        ("akut orosanmälan", "jour", "våld i nära relation", "akut boende"),
        _every_day(time(0), time(23, 59)),
    ),
    UnitPlan(
        "kundfakturor",
        "ekonomi",
        "Kundfakturor",
        "unit",
        15,
        (("ekonomiassistent", 3), ("redovisningsekonom", 1)),
        "enhetschef",
        ("faktura", "påminnelse", "avbetalningsplan", "autogiro", "e-faktura"),
    ),
    UnitPlan(
        "lon",
        "ekonomi",
        "Lön och pension",
        "unit",
        20,
        (("lönehandläggare", 4), ("pensionshandläggare", 1)),
        "lönechef",
        ("lön", "lönespecifikation", "pension", "semesterlön", "skatteavdrag"),
    ),
    UnitPlan(
        "upphandling",
        "ekonomi",
        "Upphandling",
        "unit",
        12,
        (("upphandlare", 3), ("avtalscontroller", 1)),
        "upphandlingschef",
        ("upphandling", "anbud", "ramavtal", "leverantör"),
    ),
    UnitPlan(
        "synpunkter",
        "kommunledning",
        "Synpunkter och klagomål",
        "unit",
        8,
        (("kvalitetsutvecklare", 2), ("utredare", 1)),
        "kvalitetschef",
        ("klagomål", "synpunkt", "beröm", "Lex Sarah"),
    ),
    UnitPlan(
        "kansli",
        "kommunledning",
        "Kommunkansliet",
        "unit",
        25,
        (("nämndsekreterare", 3), ("registrator", 2), ("jurist", 1), ("arkivarie", 1)),
        "kanslichef",
        ("allmän handling", "diarium", "sammanträde", "överklagande", "arkiv"),
    ),
    UnitPlan(
        "hr",
        "kommunledning",
        "HR",
        "unit",
        30,
        (("HR-specialist", 3), ("HR-konsult", 2), ("rekryterare", 1)),
        "HR-chef",
        ("anställning", "rekrytering", "sjukfrånvaro", "arbetsmiljö", "vikariat"),
    ),
    UnitPlan(
        "it",
        "kommunledning",
        "IT-service",
        "unit",
        45,
        (("IT-tekniker", 4), ("systemförvaltare", 2), ("IT-säkerhetsspecialist", 1)),
        "IT-chef",
        ("lösenord", "dator", "e-legitimation", "skrivare", "telefoni"),
    ),
    UnitPlan(
        "kommunikation",
        "kommunledning",
        "Kommunikation",
        "unit",
        15,
        (("kommunikatör", 3), ("webbredaktör", 1)),
        "kommunikationschef",
        ("press", "webbplats", "sociala medier", "logotyp"),
    ),
    UnitPlan(
        "reception",
        "kommunledning",
        "Reception Stadshuset",
        "function",
        6,
        (("receptionist", 1),),
        "receptionist",
        ("besökare", "hittegods", "passerkort", "blanketter"),
        _weekdays(time(8), time(16, 30), time(15)),
    ),
]
UNITS_BY_KEY = {unit.key: unit for unit in UNITS}

# Norwegian given names (with Ø/Æ/Å): their bearers speak Norwegian.
NORWEGIAN_GIVEN_NAMES = [
    "Bjørn",
    "Øystein",
    "Ørjan",
    "Sigrid",
    "Ingvild",
    "Kjersti",
    "Solveig",
    "Åse",
    "Hege",
    "Ragnhild",
    "Siri",
    "Torbjørn",
    "Kåre",
    "Bård",
    "Håkon",
    "Ståle",
    "Geir",
    "Trond",
    "Kjetil",
    "Tor-Arne",
    "Mari",
    "Marit",
    "Ane",
    "Kristoffer",
    "Sindre",
    "Ingeborg",
    "Sølvi",
    "Bjørg",
    "Eirik",
]
# Given names: Swedish, Norwegian, double names, and those of newer Swedes.
GIVEN_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Kristina",
    "Lena",
    "Sara",
    "Emma",
    "Elin",
    "Johanna",
    "Sofia",
    "Ida",
    "Linnea",
    "Malin",
    "Hanna",
    "Ingrid",
    "Birgitta",
    "Margareta",
    "Ulla",
    "Helena",
    "Camilla",
    "Therese",
    "Jenny",
    "Frida",
    "Moa",
    "Ebba",
    "Agnes",
    "Saga",
    "Åsa",
    "Märta",
    "Göran",
    "Örjan",
    "Åke",
    "Björn",
    "Lars",
    "Anders",
    "Johan",
    "Per",
    "Karl",
    "Erik",
    "Magnus",
    "Mikael",
    "Niklas",
    "Fredrik",
    "Henrik",
    "Jonas",
    "Oskar",
    "Gustav",
    "Viktor",
    "Emil",
    "Axel",
    "Hugo",
    "Olle",
    "Ulf",
    "Stefan",
    "Mats",
    "Sven",
    "Bo",
    "Anna-Karin",
    "Eva-Lena",
    "Ann-Sofie",
    "Marie-Louise",
    "Lars-Erik",
    "Per-Olof",
    "Jan-Erik",
    "Karl-Johan",
    "Nils-Petter",
    "Ann-Christin",
    *NORWEGIAN_GIVEN_NAMES,
    "Mohammed",
    "Ahmed",
    "Ali",
    "Fatima",
    "Amina",
    "Yasmin",
    "Zeynep",
    "Hassan",
    "Omar",
    "Leyla",
    "Dragana",
    "Milan",
    "Aleksandra",
    "Tomasz",
    "Kasia",
    "Mehmet",
    "Ayşe",
    "Nguyen",
    "Reza",
    "Shirin",
    "Abdi",
    "Hodan",
    "Juha",
    "Päivi",
    "Pirjo",
]
FAMILY_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Lindqvist",
    "Lindgren",
    "Berglund",
    "Axelsson",
    "Lundberg",
    "Lundgren",
    "Mattsson",
    "Holm",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Håkansson",
    "Lundin",
    "Björk",
    "Bergström",
    "Söderberg",
    "Nordström",
    "Åberg",
    "Öberg",
    "Ängström",
    "Sjögren",
    "Ström",
    "Fransson",
    "Löfgren",
    "Hedlund",
    "Strand",
    "Lindholm",
    "Dahlberg",
    "Kristiansen",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Haugen",
    "Bakken",
    "Sæther",
    "Ødegård",
    "Bråten",
    "Løvås",
    "Sæbø",
    "Bækken",
    "Grønvold",
    "Solberg",
    "Østby",
    "Aasen",
    "Hagen",
    "Kvåle",
    "Æsøy",
    "Haddad",
    "Yilmaz",
    "Hussein",
    "Mohamed",
    "Ali",
    "Ahmadi",
    "Warsame",
    "Kowalski",
    "Nowak",
    "Jovanović",
    "Hodžić",
    "Nguyen",
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Rahimi",
    "Demir",
]
# Given names that carry a language beyond Swedish (and English, which many have).
NORWEGIAN = set(NORWEGIAN_GIVEN_NAMES)
FAMILY_LANGUAGE = {
    **dict.fromkeys(
        [
            "Kristiansen",
            "Hansen",
            "Johansen",
            "Olsen",
            "Larsen",
            "Andersen",
            "Pedersen",
            "Nilsen",
            "Haugen",
            "Bakken",
            "Sæther",
            "Ødegård",
            "Bråten",
            "Løvås",
            "Sæbø",
            "Bækken",
            "Grønvold",
            "Solberg",
            "Østby",
            "Aasen",
            "Hagen",
            "Kvåle",
            "Æsøy",
        ],
        "nb",
    ),
    **dict.fromkeys(["Haddad", "Hussein", "Mohamed", "Ahmadi"], "ar"),
    **dict.fromkeys(["Yilmaz", "Demir"], "tr"),
    "Warsame": "so",
    **dict.fromkeys(["Kowalski", "Nowak"], "pl"),
    **dict.fromkeys(["Jovanović", "Hodžić"], "bs"),
    "Nguyen": "vi",
    **dict.fromkeys(["Korhonen", "Virtanen", "Mäkinen"], "fi"),
    "Rahimi": "fa",
}


@dataclass(frozen=True)
class Person:
    """One employee as the directory will hold them."""

    key: str  # the external id: "demo-…"
    unit: str  # a UnitPlan key
    given_name: str
    family_name: str
    title: str
    direct_number: str
    mobile: str
    email: str
    languages: tuple[str, ...]
    keywords: str
    username: str = ""  # the Kontakt user this entry belongs to, if any

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


# People the demo's walk-through names: (key, unit, given, family, title, extension,
# keywords, Kontakt user). Bjørn is away until Monday; Maria (handler.bygg) stands in.
NAMED = [
    (
        "demo-e-bjorn",
        "bygglov",
        "Bjørn",
        "Kristiansen",
        "bygglovshandläggare",
        1201,
        "attefallshus, tillbyggnad, strandskydd",
        "",
    ),
]
# The demo's staff users who work in a department have an entry of their own, so a message
# taken for them shows on their page: username → (unit, title, extension, keywords).
STAFF_ENTRIES = {
    "handler.bygg": ("bygglov", "bygglovshandläggare", 1210, "bygglov, attefallshus, slutbesked"),
    "contact.bygg": ("bygglov", "administratör", 1211, "bygglov, ärendestatus"),
    "handler.trafik": ("parkering", "parkeringshandläggare", 1220, "boendeparkering, p-tillstånd"),
    "handler.trafik2": ("gata", "gatuingenjör", 1221, "snöröjning, gatubelysning"),
    "handler.avfall": ("avfall", "avfallshandläggare", 1230, "sophämtning, kärlbyte"),
    "handler.avfall2": ("va", "VA-ingenjör", 1231, "vattenläcka, vattenmätare"),
    "contact.avfall": ("avfall", "administratör", 1232, "abonnemang, avfallstaxa"),
    "handler.skola": ("placering", "placeringshandläggare", 1240, "förskoleplats, kö"),
    "handler.aldre": ("bistand", "biståndshandläggare", 1250, "ansökan om hemtjänst"),
    "handler.ekonomi": ("kundfakturor", "ekonomiassistent", 1260, "faktura, avbetalningsplan"),
    "handler.kansli": ("kansli", "registrator", 1270, "allmän handling, diarium"),
}
# The walk's substitute, whose phone rings unanswered (the simulated exchange knows).
SUBSTITUTE_USER = "handler.bygg"
NEVER_ANSWERS = (direct_number(STAFF_ENTRIES[SUBSTITUTE_USER][2]),)


def email_local(given: str, family: str) -> str:
    """firstname.lastname in plain letters (Bjørn Sæther → bjorn.saether), hyphens kept."""
    return ".".join("-".join(fold(part).split()) for part in (given, family))


def _languages(rng: random.Random, given: str, family: str) -> tuple[str, ...]:
    languages = ["sv"]
    if given in NORWEGIAN or FAMILY_LANGUAGE.get(family) == "nb":
        languages.append("nb")
    other = FAMILY_LANGUAGE.get(family)
    if other and other not in languages:
        languages.append(other)
    if rng.random() < 0.45:
        languages.append("en")
    if rng.random() < 0.03:
        languages.append(rng.choice(["de", "fr", "es", "da"]))
    return tuple(languages)


def _mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = f"+4670{rng.randint(2000000, 9999999)}"
        if number not in taken:
            taken.add(number)
            return number


def people(count: int = 5000, *, seed: int = 2026) -> list[Person]:
    """About `count` employees over the units by their weights; every unit's first person
    is its head. The named and staff people come first and are not counted."""
    rng = random.Random(seed)
    emails: set[str] = set()
    mobiles: set[str] = set()

    def unique_email(given: str, family: str) -> str:
        local = email_local(given, family)
        address, n = f"{local}@{DOMAIN}", 1
        while address in emails:
            n += 1
            address = f"{local}{n}@{DOMAIN}"
        emails.add(address)
        return address

    made: list[Person] = []
    for key, unit, given, family, title, extension, keywords, username in NAMED:
        made.append(
            Person(
                key,
                unit,
                given,
                family,
                title,
                direct_number(extension),
                _mobile(rng, mobiles),
                unique_email(given, family),
                _languages(rng, given, family),
                keywords,
                username,
            )
        )
    for username, first, last, _roles, _dept, languages in m.STAFF:
        if username not in STAFF_ENTRIES:
            continue
        unit, title, extension, keywords = STAFF_ENTRIES[username]
        made.append(
            Person(
                f"demo-user-{username}",
                unit,
                first,
                last,
                title,
                direct_number(extension),
                _mobile(rng, mobiles),
                unique_email(first, last),
                tuple(languages),
                keywords,
                username,
            )
        )
    total = sum(unit.weight for unit in UNITS)
    sizes = [max(2, round(count * unit.weight / total)) for unit in UNITS]
    extensions = rng.sample(PERSON_NUMBERS, sum(sizes))
    index = 0
    for plan, size in zip(UNITS, sizes, strict=True):
        titles = [t for t, _w in plan.titles]
        weights = [w for _t, w in plan.titles]
        for n in range(size):
            given = rng.choice(GIVEN_NAMES)
            family = rng.choice(FAMILY_NAMES)
            while fold(given)[:3] == "bjo" and family.startswith("Kristians"):
                family = rng.choice(FAMILY_NAMES)  # one Bjørn Kristiansen: the walk's
            if rng.random() < 0.04:  # a double family name
                family = f"{family} {rng.choice(FAMILY_NAMES)}"
            title = plan.chief if n == 0 else rng.choices(titles, weights)[0]
            words = rng.sample(plan.keywords, k=min(len(plan.keywords), rng.randint(1, 3)))
            made.append(
                Person(
                    f"demo-e-{index + 1:05d}",
                    plan.key,
                    given,
                    family,
                    title,
                    direct_number(extensions[index]),
                    _mobile(rng, mobiles) if rng.random() < 0.8 else "",
                    unique_email(given, family.replace(" ", "-")),
                    _languages(rng, given, family),
                    ", ".join(words),
                )
            )
            index += 1
    return made


def unit_phone(unit: UnitPlan) -> str:
    """The unit's own number: 040-628 05 xx, in the order of the list."""
    return direct_number(UNIT_NUMBERS[UNITS.index(unit)])
