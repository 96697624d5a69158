"""The cases both sides are seeded with: Swedish and Norwegian matters of a municipality.

Row `i` is the same on both sides: it is drawn from a generator seeded by its block number,
so Kontakt's cases and helpdesk's tickets have the same subjects, descriptions, statuses and
times. Standard library only: it runs in Kontakt's venv and in the peer's.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

BLOCK = 10_000
# Every seeded case is created within two years before this instant.
EPOCH = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600

# (code, name): the departments of Kontakt, the queues of helpdesk.
DEPARTMENTS = [
    ("stadsbyggnad", "Stadsbyggnadsförvaltningen"),
    ("trafik", "Trafikkontoret"),
    ("avfall-vatten", "Avfall och vatten"),
    ("forskola-skola", "Förskola och skola"),
    ("aldreomsorg", "Äldreomsorgen"),
    ("ekonomi", "Ekonomiservice"),
    ("kommunledning", "Kommunledningskontoret"),
    ("kultur-fritid", "Kultur och fritid"),
]


@dataclass(frozen=True)
class Topic:
    """A case type with the subjects residents give it and what they tell about it."""

    code: str
    name: str
    department: str
    weight: int
    subjects: tuple[str, ...]
    sentences: tuple[str, ...]


TOPICS = [
    Topic(
        "bygglov",
        "Bygglov",
        "stadsbyggnad",
        8,
        (
            "Bygglov altan",
            "Bygglov för carport",
            "Fråga om bygglov för attefallshus",
            "Bygglov tillbyggnad av villa",
            "Byggesøknad for garasje",
            "Komplettering av bygglovsansökan",
        ),
        (
            "Jag har skickat in en ansökan om bygglov men har inte fått något besked.",
            "Vi vill bygga en altan på baksidan av huset på {street} {number}.",
            "Handläggaren bad om nya ritningar och jag undrar vart jag ska skicka dem.",
            "Grannen har fått bygglov för en carport som skymmer vår utsikt.",
            "Vi søkte om byggetillatelse for en garasje i {month} og har ikke hørt noe.",
            "Fastighetsbeteckningen är {estate} och ärendet gäller ett attefallshus.",
        ),
    ),
    Topic(
        "parkeringstillstand",
        "Parkeringstillstånd boende",
        "trafik",
        9,
        (
            "Parkeringstillstånd för boende",
            "Förnya parkeringstillstånd",
            "Fråga om boendeparkering",
            "Parkeringstillstånd för rörelsehindrad",
            "Beboerparkering søknad",
        ),
        (
            "Mitt parkeringstillstånd gick ut förra veckan och e-tjänsten fungerar inte.",
            "Jag har flyttat till {street} {number} och behöver boendeparkering i zon {zone}.",
            "Bilen har registreringsnummer {plate} och står på gatan utanför porten.",
            "Jeg har fått parkeringsbot selv om jeg har gyldig beboerparkering.",
            "Min mamma behöver parkeringstillstånd för rörelsehindrade nära vårdcentralen.",
        ),
    ),
    Topic(
        "felparkering",
        "Felparkering",
        "trafik",
        4,
        (
            "Felparkerad bil blockerar infart",
            "Bil parkerad på cykelbana",
            "Övergivet fordon på gatan",
            "Feilparkert bil i innkjørselen",
        ),
        (
            "En bil med registreringsnummer {plate} har stått på {street} i {days} dagar.",
            "Infarten till fastigheten blockeras varje morgon av samma bil.",
            "Bilen står på cykelbanan och barnen måste cykla ut i gatan.",
            "Det står en bil uten skilter ved {street} {number} som ser forlatt ut.",
        ),
    ),
    Topic(
        "snorojning",
        "Snöröjning och halka",
        "trafik",
        6,
        (
            "Snöröjning saknas på gångväg",
            "Halka vid busshållplats",
            "Plogvallen blockerar infarten",
            "Brøyting av vei mangler",
        ),
        (
            "Gångvägen mellan {street} och skolan har inte plogats sedan i {weekday}s.",
            "Det är mycket halt vid busshållplatsen och en äldre dam ramlade i morse.",
            "Plogbilen lämnade en hög vall som blockerar vår infart på {street} {number}.",
            "Veien opp til {street} er ikke brøytet og bussen kommer ikke frem.",
            "Sanda gärna backen vid {street}, det är isigt hela vägen ner till torget.",
        ),
    ),
    Topic(
        "gatubelysning",
        "Trasig gatubelysning",
        "trafik",
        3,
        (
            "Trasig gatlykta",
            "Gatubelysningen släckt på hela gatan",
            "Gatelys ute av drift",
            "Blinkande gatlykta vid övergångsställe",
        ),
        (
            "Gatlyktan med stolpnummer {pole} utanför {street} {number} är trasig.",
            "Hela {street} är mörk sedan i {weekday}s och det känns otryggt att gå hem.",
            "Lampan vid övergångsstället blinkar och lyser ibland inte alls.",
            "Gatelyset ved {street} har vært slukket i {days} dager.",
        ),
    ),
    Topic(
        "sophamtning",
        "Missad sophämtning",
        "avfall-vatten",
        10,
        (
            "Missad sophämtning",
            "Soptunnan inte tömd",
            "Missad hämtning av matavfall",
            "Glemt søppeltømming",
            "Trasigt sopkärl efter tömning",
        ),
        (
            "Sophämtningen missade vårt kärl på {street} {number} i {weekday}s.",
            "Kärlet stod ute vid tomtgränsen i god tid före klockan sex.",
            "Det är tredje gången i år som matavfallet inte hämtas hos oss.",
            "Søppeldunken vår ble ikke tømt denne uken og det lukter vondt.",
            "Locket på sopkärlet gick sönder när bilen tömde det.",
        ),
    ),
    Topic(
        "avfallsabonnemang",
        "Avfallsabonnemang",
        "avfall-vatten",
        5,
        (
            "Byte av kärlstorlek",
            "Delat sopkärl med grannen",
            "Fråga om avfallsabonnemang",
            "Endre renovasjonsabonnement",
        ),
        (
            "Vi vill byta till ett mindre kärl eftersom vi komposterar själva.",
            "Grannen på {street} {number} och vi vill dela sopkärl.",
            "Abonnemanget står fortfarande på förra ägaren av fastigheten {estate}.",
            "Vi ønsker å endre abonnementet til henting annenhver uke.",
        ),
    ),
    Topic(
        "vattenlacka",
        "Vattenläcka",
        "avfall-vatten",
        2,
        (
            "Vattenläcka i gatan",
            "Inget vatten i kranen",
            "Lågt vattentryck",
            "Vannlekkasje i veien",
        ),
        (
            "Det forsar vatten upp ur asfalten vid {street} {number}.",
            "Vi har inget vatten i kranen sedan klockan {hour} i morse.",
            "Vattentrycket är mycket lågt i hela huset sedan i {weekday}s.",
            "Det renner vann fra en kum midt i veien ved {street}.",
        ),
    ),
    Topic(
        "forskoleplats",
        "Förskoleplats",
        "forskola-skola",
        7,
        (
            "Ansökan om förskoleplats",
            "Byte av förskola",
            "Besked om förskoleplats",
            "Søknad om barnehageplass",
        ),
        (
            "Vi ansökte om förskoleplats i {month} men har inte fått något erbjudande.",
            "Vår dotter behöver plats från och med {month} när föräldraledigheten tar slut.",
            "Vi vill byta till förskolan på {street} som ligger närmare vårt nya hem.",
            "Vi har søkt barnehageplass for sønnen vår og lurer på når vi får svar.",
        ),
    ),
    Topic(
        "skolskjuts",
        "Skolskjuts",
        "forskola-skola",
        3,
        (
            "Ansökan om skolskjuts",
            "Skolbussen kom inte",
            "Skolskyss for elev",
        ),
        (
            "Skolbussen kom inte till hållplatsen vid {street} i morse.",
            "Vår son börjar årskurs ett och har {km} kilometer till skolan.",
            "Eleven trenger skolskyss etter at familien flyttet til {street}.",
        ),
    ),
    Topic(
        "hemtjanst",
        "Hemtjänst",
        "aldreomsorg",
        5,
        (
            "Ansökan om hemtjänst",
            "Hemtjänsten kom inte",
            "Ändrade tider i hemtjänsten",
            "Søknad om hjemmetjeneste",
        ),
        (
            "Min pappa som bor på {street} {number} behöver hjälp med dusch och inköp.",
            "Hemtjänsten kom inte i morse och mamma fick inte sin medicin.",
            "Vi vill ändra tiderna för hemtjänstens besök till efter klockan {hour}.",
            "Moren min trenger hjemmetjeneste etter at hun kom hjem fra sykehuset.",
        ),
    ),
    Topic(
        "faktura",
        "Faktura",
        "ekonomi",
        6,
        (
            "Fråga om faktura",
            "Fel belopp på vattenfakturan",
            "Avbetalningsplan för faktura",
            "Spørsmål om faktura",
        ),
        (
            "Fakturan med nummer {invoice} har fel belopp jämfört med förra kvartalet.",
            "Jag har redan betalat fakturan men fått en påminnelse.",
            "Kan jag få dela upp betalningen av fakturan på tre månader?",
            "Jeg har fått en faktura for {month} som jeg ikke forstår.",
        ),
    ),
    Topic(
        "synpunkt",
        "Synpunkter och klagomål",
        "kommunledning",
        4,
        (
            "Klagomål på bemötande",
            "Synpunkt på lekplatsen",
            "Klage på støy fra byggeplass",
            "Beröm till personalen",
        ),
        (
            "Jag vill lämna en synpunkt på hur jag blev bemött i receptionen.",
            "Lekplatsen vid {street} har trasiga gungor sedan i {month}.",
            "Det er mye støy fra byggeplassen ved {street} tidlig om morgenen.",
            "Personalen på biblioteket var mycket hjälpsam och det vill jag berömma.",
        ),
    ),
    Topic(
        "allman-fraga",
        "Allmän fråga",
        "kommunledning",
        10,
        (
            "Allmän fråga om kommunen",
            "Öppettider återvinningscentral",
            "Fråga om e-tjänst",
            "Generelt spørsmål til kommunen",
        ),
        (
            "Vilka öppettider har återvinningscentralen under helgen?",
            "Jag kommer inte in i e-tjänsten med mitt bank-id.",
            "Vem ska jag kontakta om ett träd som hänger över gångvägen vid {street}?",
            "Hvor kan jeg finne informasjon om kommunens åpningstider i jula?",
        ),
    ),
    Topic(
        "idrottshall",
        "Bokning av lokal",
        "kultur-fritid",
        3,
        (
            "Bokning av idrottshall",
            "Avboka lokal",
            "Booking av gymsal",
        ),
        (
            "Vår förening vill boka idrottshallen på {street} på {weekday}ar.",
            "Vi behöver avboka lokalen som vi hade bokat den {day} {month}.",
            "Idrettslaget ønsker å booke gymsalen hver {weekday}.",
        ),
    ),
]

FILLER = (
    "Tacka för hjälpen.",
    "Ring mig gärna på eftermiddagen.",
    "Jag har försökt ringa flera gånger utan att komma fram.",
    "Svara gärna via e-post.",
    "Det är bråttom eftersom vi reser bort om en vecka.",
    "Ta gjerne kontakt på telefon.",
    "Jeg håper dere kan se på dette snart.",
    "Min granne har samma problem.",
    "Ärendet gäller fastigheten {estate}.",
)
STREETS = (
    "Storgatan", "Kyrkogatan", "Drottninggatan", "Björkvägen", "Sjövägen", "Skolgatan",
    "Ringvägen", "Tallstigen", "Åsvägen", "Kvarnbacken", "Strandvegen", "Kirkegata",
    "Bjørkeveien", "Hamngatan", "Järnvägsgatan", "Lönnvägen", "Parkgatan", "Ekbacken",
)  # fmt: skip
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")

# The keyword searches of the benchmark: frequent and rare words, Swedish and Norwegian.
SEARCH_WORDS = (
    "sophämtning",
    "bygglov",
    "parkeringstillstånd",
    "gatlykta",
    "vattenläcka",
    "förskoleplats",
    "hemtjänst",
    "faktura",
    "carport",
    "barnehageplass",
    "Kvarnbacken",
    "plogbilen",
)

# Of 100 seeded cases, how many are in each status; most have long been closed.
STATUS_WEIGHTS = (("closed", 85), ("new", 6), ("open", 4), ("waiting", 3), ("forwarded", 2))


@dataclass(frozen=True)
class Row:
    """One seeded case (Kontakt) or ticket (helpdesk)."""

    index: int
    topic: int
    subject: str
    description: str
    status: str
    priority: int
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    assigned: bool


class _Slots(dict):
    """Values for a sentence's placeholders, drawn only for the placeholders it has."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> object:
        rng = self.rng
        draw = {
            "street": lambda: rng.choice(STREETS),
            "number": lambda: rng.randint(1, 120),
            "month": lambda: rng.choice(MONTHS),
            "weekday": lambda: rng.choice(WEEKDAYS),
            "day": lambda: rng.randint(1, 28),
            "days": lambda: rng.randint(2, 14),
            "hour": lambda: rng.randint(6, 11),
            "km": lambda: rng.randint(2, 9),
            "zone": lambda: rng.choice("ABCDEFG"),
            "plate": lambda: (
                "".join(rng.choices("ABCDEFGHJKLMNPRSTUWXYZ", k=3)) + f" {rng.randint(10, 999):03d}"
            ),
            "pole": lambda: rng.randint(1000, 99999),
            "estate": lambda: (
                f"Sjöstad {rng.choice(ESTATES)} {rng.randint(1, 40)}:{rng.randint(1, 30)}"
            ),
            "invoice": lambda: rng.randint(100000, 999999),
        }[key]
        value = draw()
        self[key] = value
        return value


ESTATES = ("Eken", "Linden", "Måsen", "Ankaret")


def _fill(template: str, rng: random.Random) -> str:
    if "{" not in template:
        return template
    return template.format_map(_Slots(rng))


def _description(topic: Topic, rng: random.Random) -> str:
    """Twenty to sixty words: what the resident told, then a closing line or two."""
    target = rng.randint(20, 60)
    sentences = list(topic.sentences)
    rng.shuffle(sentences)
    words: list[str] = []
    for sentence in sentences:
        words.extend(_fill(sentence, rng).split())
        if len(words) >= target:
            break
    while len(words) < 20:
        words.extend(_fill(rng.choice(FILLER), rng).split())
    if len(words) < target:
        words.extend(_fill(rng.choice(FILLER), rng).split())
    return " ".join(words[:60])


_TOPIC_WEIGHTS = [t.weight for t in TOPICS]
_STATUSES = [s for s, _w in STATUS_WEIGHTS]
_STATUS_WEIGHTS = [w for _s, w in STATUS_WEIGHTS]


def rows(start: int, count: int) -> Iterator[Row]:
    """Rows start … start+count-1, identical on every call and on both sides."""
    index = start
    end = start + count
    while index < end:
        block = index // BLOCK
        rng = random.Random(f"kontakt-bench-{block}")
        # Skip to `index` inside its block so that row i never depends on `start`.
        block_rows = [_row(block * BLOCK + k, rng) for k in range(BLOCK)]
        for row in block_rows[index - block * BLOCK : min(BLOCK, end - block * BLOCK)]:
            yield row
            index += 1


def _row(index: int, rng: random.Random) -> Row:
    topic_no = rng.choices(range(len(TOPICS)), weights=_TOPIC_WEIGHTS)[0]
    topic = TOPICS[topic_no]
    status = rng.choices(_STATUSES, weights=_STATUS_WEIGHTS)[0]
    # Later rows are newer cases (the million-row table spans two years), so the table's
    # physical order follows creation time, as a real one's does.
    created = EPOCH - timedelta(seconds=SPAN_SECONDS * (1 - (index + rng.random()) / 1_000_000))
    if status == "closed":
        closed_at = created + timedelta(hours=rng.uniform(0.1, 400))
        due_at = created + timedelta(hours=rng.uniform(8, 120))
    else:
        closed_at = None
        due_at = None if status == "waiting" else EPOCH + timedelta(hours=rng.uniform(-72, 120))
    return Row(
        index=index,
        topic=topic_no,
        subject=rng.choice(topic.subjects),
        description=_description(topic, rng),
        status=status,
        priority=rng.choices((1, 2, 3, 4), weights=(10, 70, 15, 5))[0],
        created_at=created,
        due_at=due_at,
        closed_at=closed_at,
        assigned=status in ("open", "waiting") or rng.random() < 0.3,
    )
