"""A municipality's employees with realistic Nordic names, and searches for them as an
operator types them (misspelt, partial, without the Nordic letters, numbers in any
formatting), each with the people it is meant to find.

Pure Python and deterministic for a seed, so both engines load the same people with the
same ids (1…n in order), and a demo can use `employees` too.
"""

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

GIVEN = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Kristina",
    "Emma",
    "Ingrid",
    "Elin",
    "Ida",
    "Malin",
    "Sofia",
    "Linnea",
    "Hanna",
    "Åsa",
    "Marie",
    "Helena",
    "Camilla",
    "Annika",
    "Ulla",
    "Birgitta",
    "Margareta",
    "Elisabeth",
    "Astrid",
    "Siv",
    "Gunilla",
    "Katarina",
    "Jenny",
    "Therese",
    "Maja",
    "Ebba",
    "Frida",
    "Tove",
    "Signe",
    "Solveig",
    "Ragnhild",
    "Sigrid",
    "Kari",
    "Liv",
    "Ingeborg",
    "Randi",
    "Tone",
    "Hege",
    "Marit",
    "Torill",
    "Gro",
    "Nina",
    "Silje",
    "Ane",
    "Synnøve",
    "Bodil",
    "Wenche",
    "Aino",
    "Lars",
    "Anders",
    "Johan",
    "Per",
    "Karl",
    "Nils",
    "Erik",
    "Mikael",
    "Jan",
    "Hans",
    "Peter",
    "Olof",
    "Gustav",
    "Sven",
    "Bengt",
    "Jonas",
    "Mats",
    "Magnus",
    "Fredrik",
    "Daniel",
    "Björn",
    "Ulf",
    "Stefan",
    "Göran",
    "Kjell",
    "Åke",
    "Rolf",
    "Leif",
    "Håkan",
    "Bjørn",
    "Ola",
    "Knut",
    "Arne",
    "Trond",
    "Geir",
    "Tor",
    "Øyvind",
    "Espen",
    "Terje",
    "Rune",
    "Stig",
    "Jørgen",
    "Ove",
    "Pål",
    "Even",
    "Ahmed",
    "Mohammed",
    "Ali",
    "Fatima",
    "Amina",
    "Yusuf",
    "Leila",
    "Omar",
    "Zeynep",
    "Mehmet",
    "Elif",
    "Dragan",
    "Jovana",
    "Mirjam",
    "Jukka",
    "Pekka",
    "Tuula",
    "Päivi",
    "Antti",
    "Juha",
    "Heikki",
]
DOUBLE_GIVEN = [
    "Anna-Karin",
    "Ann-Marie",
    "Per-Olof",
    "Karl-Erik",
    "Lars-Göran",
    "Eva-Lena",
    "Jan-Erik",
    "Britt-Marie",
    "Hans-Petter",
    "Anne-Lise",
    "Kari-Anne",
    "Jon-Erik",
    "Mona-Lisa",
    "Lise-Lotte",
    "Carl-Johan",
]
FAMILY = [
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
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Axelsson",
    "Berg",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Fransson",
    "Bergqvist",
    "Nyström",
    "Holmberg",
    "Arvidsson",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Claesson",
    "Nordström",
    "Mårtensson",
    "Lundström",
    "Viklund",
    "Björklund",
    "Eliasson",
    "Pålsson",
    "Berggren",
    "Sandström",
    "Lund",
    "Nordin",
    "Ström",
    "Åberg",
    "Hermansson",
    "Ekström",
    "Holmgren",
    "Sundberg",
    "Hedlund",
    "Dahlberg",
    "Sjögren",
    "Öberg",
    "Hellström",
    "Abrahamsson",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Kristensen",
    "Fredriksen",
    "Holm",
    "Lien",
    "Hauge",
    "Christensen",
    "Andresen",
    "Nielsen",
    "Knudsen",
    "Evensen",
    "Sæther",
    "Aas",
    "Myhre",
    "Hanssen",
    "Ahmed",
    "Haugland",
    "Thomassen",
    "Sivertsen",
    "Simonsen",
    "Danielsen",
    "Berntsen",
    "Mohammed",
    "Yilmaz",
    "Hussein",
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Petrović",
    "Jovanović",
]
DEPARTMENTS = {
    "Stadsbyggnadsförvaltningen": ("Bygglov", "Detaljplan", "Lantmäteri", "Miljötillsyn"),
    "Gatukontoret": ("Parkering", "Gata och trafik", "Park", "Renhållning", "Vatten och avlopp"),
    "Skolförvaltningen": ("Grundskola", "Gymnasium", "Förskola", "Elevhälsa", "Skolskjuts"),
    "Socialförvaltningen": ("Ekonomiskt bistånd", "Barn och unga", "Hemtjänst", "LSS"),
    "Kulturförvaltningen": ("Bibliotek", "Kulturskola", "Föreningsbidrag", "Museum"),
    "Stadskontoret": ("Ekonomi", "Personal", "IT", "Kommunikation", "Upphandling"),
}
TITLES = [
    "Handläggare",
    "Bygglovshandläggare",
    "Parkeringshandläggare",
    "Socialsekreterare",
    "Lärare",
    "Rektor",
    "Skolsköterska",
    "Enhetschef",
    "Avdelningschef",
    "Controller",
    "Ekonom",
    "Lönehandläggare",
    "Arkitekt",
    "Ingenjör",
    "Inspektör",
    "Miljöinspektör",
    "Projektledare",
    "Bibliotekarie",
    "Kurator",
    "Undersköterska",
    "Biståndshandläggare",
    "Nämndsekreterare",
    "Jurist",
    "Systemförvaltare",
    "Kommunikatör",
    "Planarkitekt",
    "Trafikplanerare",
    "Assistent",
    "Samordnare",
    "Förskollärare",
    "Studie-och-yrkesvägledare",
]
TOPICS = {
    "Bygglov": "bygglov altan attefallshus marklov rivningslov",
    "Detaljplan": "detaljplan översiktsplan planbesked",
    "Lantmäteri": "fastighetsbildning nybyggnadskarta gränsutsättning",
    "Miljötillsyn": "buller enskilt avlopp livsmedelstillsyn",
    "Parkering": "parkering parkeringstillstånd felparkering boendeparkering",
    "Gata och trafik": "gatubelysning snöröjning vägarbete",
    "Park": "lekplats trädfällning parkskötsel",
    "Renhållning": "sophämtning soptunna återvinning grovsopor",
    "Vatten och avlopp": "vattenläcka vattenmätare dagvatten",
    "Grundskola": "skolplacering skolval läxhjälp",
    "Gymnasium": "gymnasieval antagning",
    "Förskola": "förskoleplats barnomsorg",
    "Elevhälsa": "vaccination elevhälsa",
    "Skolskjuts": "skolskjuts skolkort",
    "Ekonomiskt bistånd": "försörjningsstöd nödprövning",
    "Barn och unga": "orosanmälan familjebehandling",
    "Hemtjänst": "hemtjänst trygghetslarm matdistribution",
    "LSS": "personlig assistans ledsagarservice",
    "Bibliotek": "lånekort fjärrlån",
    "Kulturskola": "kulturskola instrument",
    "Föreningsbidrag": "föreningsbidrag lokalbokning",
    "Museum": "utställning visning",
    "Ekonomi": "fakturor leverantörsreskontra",
    "Personal": "lön semester tjänstgöringsintyg",
    "IT": "lösenord behörighet",
    "Kommunikation": "press webbplats",
    "Upphandling": "upphandling avtal",
}


@dataclass
class Person:
    number: int  # 1…n: the id it gets in a fresh database
    given_name: str
    family_name: str
    display_name: str
    title: str
    department: str
    unit: str
    keywords: str
    direct_number: str
    mobile: str
    active: bool = True
    absent_now: bool = False
    phone_state: str = "available"


@dataclass
class Query:
    text: str
    kind: str
    # The numbers of the people it is meant to find (any of them in the top 5 counts).
    relevant: frozenset[int] = field(default_factory=frozenset)


def employees(count: int, *, seed: int = 13) -> list[Person]:
    """`count` employees in units of the departments above, with unique direct numbers."""
    rng = random.Random(seed)
    units = [(dept, unit) for dept, names in DEPARTMENTS.items() for unit in names]
    numbers = rng.sample(range(1_000_000, 9_999_999), count)
    people = []
    for index in range(count):
        if rng.random() < 0.06:
            given = rng.choice(DOUBLE_GIVEN)
        elif rng.random() < 0.08:
            given = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"
        else:
            given = rng.choice(GIVEN)
        family = rng.choice(FAMILY)
        if rng.random() < 0.04:
            family = f"{family} {rng.choice(FAMILY)}"
        dept, unit = units[index % len(units)]
        norwegian = rng.random() < 0.25
        direct = (
            f"+4722{numbers[index] % 1_000_000:06d}{index % 100:02d}"[:11]
            if norwegian
            else f"+46406{numbers[index]:07d}"[:12]
        )
        topics = TOPICS[unit].split()
        keywords = " ".join(rng.sample(topics, k=min(len(topics), rng.randint(0, 2))))
        people.append(
            Person(
                number=index + 1,
                given_name=given,
                family_name=family,
                display_name=f"{given} {family}",
                title=rng.choice(TITLES),
                department=dept,
                unit=unit,
                keywords=keywords,
                direct_number=direct,
                mobile=f"+4670{rng.randrange(10**7):07d}" if rng.random() < 0.5 else "",
                active=rng.random() > 0.02,
                absent_now=rng.random() < 0.08,
                phone_state=rng.choices(["available", "on_call", "dnd"], [85, 12, 3])[0],
            )
        )
    _unique_numbers(people)
    return people


def _unique_numbers(people: list[Person]) -> None:
    seen: set[str] = set()
    for person in people:
        while person.direct_number in seen:
            person.direct_number = person.direct_number[:-1] + str(
                (int(person.direct_number[-1]) + 1) % 10
            )
        seen.add(person.direct_number)


def plain(text: str) -> str:
    """Without the Nordic letters, as typed on a keyboard without them."""
    text = text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(word: str, rng: random.Random) -> str:
    """One letter wrong, missing, doubled, or two neighbours swapped (after the first)."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["wrong", "missing", "extra", "swap"])
    if kind == "wrong":
        letter = rng.choice([c for c in "aeiouyslnrtk" if c != word[i]])
        return word[:i] + letter + word[i + 1 :]
    if kind == "missing":
        return word[:i] + word[i + 1 :]
    if kind == "extra":
        return word[:i] + word[i] + word[i:]
    if word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def formatted(number: str, rng: random.Random) -> str:
    """A Swedish or Norwegian number as people write it."""
    if number.startswith("+46"):
        national = "0" + number[3:]  # 0406xxxxxxx → 040-6xx xx xx
        ways = [
            f"{national[:3]}-{national[3:6]} {national[6:8]} {national[8:]}",
            f"+46 {number[3:5]} {number[5:]}",
            national,
            f"00{number[1:]}",
            number[-7:],
            f"({national[:3]}) {national[3:5]} {national[5:7]} {national[7:]}",
        ]
    else:
        ways = [
            f"{number[3:5]} {number[5:7]} {number[7:9]} {number[9:]}",
            f"+47 {number[3:]}",
            number[3:],
        ]
    return rng.choice(ways)


def queries(people: list[Person], count: int, *, seed: int = 7) -> list[Query]:
    """Searches for active people: every `kind` in turn."""
    rng = random.Random(seed)
    active = [p for p in people if p.active]
    by_name: dict[str, set[int]] = {}
    for person in active:
        by_name.setdefault(plain(person.display_name).lower(), set()).add(person.number)
    kinds = ["exact", "typo", "plain", "partial", "double", "number", "keywords"]
    made: list[Query] = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        made.append(_query(kind, active, by_name, rng))
    return made


def _query(
    kind: str, active: list[Person], by_name: dict[str, set[int]], rng: random.Random
) -> Query:
    def namesakes(person: Person) -> frozenset[int]:
        return frozenset(by_name[plain(person.display_name).lower()])

    while True:
        person = rng.choice(active)
        if kind == "exact":
            return Query(person.display_name, kind, namesakes(person))
        if kind == "typo":
            family = person.family_name.split()[-1]
            misspelt = typo(family, rng)
            if misspelt != family:
                text = f"{person.given_name} {misspelt}"
                return Query(text, kind, namesakes(person))
        if kind == "plain" and plain(person.display_name) != person.display_name:
            return Query(plain(person.display_name), kind, namesakes(person))
        if kind == "partial" and len(person.family_name) >= 6:
            text = f"{person.given_name.split()[0][:3]} {person.family_name[:5]}"
            relevant = frozenset(
                p.number
                for p in active
                if any(
                    w.lower().startswith(text.split()[0].lower())
                    for w in p.given_name.replace("-", " ").split()
                )
                and plain(p.family_name).lower().startswith(plain(text.split()[1]).lower())
            )
            return Query(text, kind, relevant)
        if kind == "double" and ("-" in person.given_name or " " in person.family_name):
            text = person.display_name.replace("-", " ")
            if " " in person.family_name:
                text = f"{person.given_name} {person.family_name.replace(' ', '')}"
            return Query(text, kind, namesakes(person))
        if kind == "number":
            return Query(formatted(person.direct_number, rng), kind, frozenset({person.number}))
        if kind == "keywords" and person.keywords:
            word = rng.choice(person.keywords.split())
            relevant = frozenset(p.number for p in active if word in p.keywords.split())
            return Query(word, kind, relevant)


def batches(people: list[Person], size: int) -> Iterator[list[Person]]:
    for start in range(0, len(people), size):
        yield people[start : start + size]
