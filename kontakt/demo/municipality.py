"""The fictional municipality of the demo: Sjöstad kommun, its departments and case types."""

from datetime import time, timedelta

DEMO_PASSWORD = "kontakt-demo"

# (code, name, auto_assign, units)
DEPARTMENTS = [
    ("stadsbyggnad", "Stadsbyggnadsförvaltningen", False, ["Bygglov", "Lantmäteri"]),
    ("trafik", "Trafikkontoret", True, ["Parkering", "Gata och vinterväghållning"]),
    ("avfall-vatten", "Avfall och vatten", True, ["Avfall", "Vatten och avlopp"]),
    ("forskola-skola", "Förskola och skola", False, ["Förskoleplacering", "Skolskjuts"]),
    ("aldreomsorg", "Äldreomsorgen", True, ["Hemtjänst", "Biståndsbedömning"]),
    ("ekonomi", "Ekonomiservice", False, ["Kundfakturor"]),
    ("kommunledning", "Kommunledningskontoret", False, ["Synpunkter och klagomål"]),
]

# (code, name, language)
ANSWER_GROUPS = [
    ("bygga-bo", "Bygga och bo", ""),
    ("trafik", "Trafik och parkering", ""),
    ("avfall-vatten", "Avfall och vatten", ""),
    ("forskola-skola", "Förskola och skola", ""),
    ("aldreomsorg", "Äldreomsorg", ""),
    ("allmant", "Allmänt", ""),
    ("arabiska", "Arabiska", "ar"),
    ("vaxel", "Växeln", ""),
]

# (code, name, department, answer group, first line may close, SLA hours, routine, weight)
CASE_TYPES = [
    (
        "bygglov-fraga",
        "Bygglov – fråga om ansökan",
        "stadsbyggnad",
        "bygga-bo",
        True,
        16,
        "Fråga efter fastighetsbeteckning. Hänvisa till e-tjänsten Bygglov. Om ärendenummer finns: läs status i ärendet och svara.",
        8,
    ),
    (
        "bygglov-komplettering",
        "Bygglov – komplettering",
        "stadsbyggnad",
        "bygga-bo",
        False,
        24,
        "Ta emot kompletteringen, notera ärendenummer och skicka vidare till handläggaren.",
        3,
    ),
    (
        "parkeringstillstand",
        "Parkeringstillstånd boende",
        "trafik",
        "trafik",
        True,
        8,
        "Boendeparkering söks i e-tjänsten. Kontrollera folkbokföringsadress i området.",
        9,
    ),
    (
        "felparkering",
        "Felparkering och flyttning av fordon",
        "trafik",
        "trafik",
        True,
        8,
        "Akut hinder: ring parkeringsövervakningen. Annars skapa ärende med plats och registreringsnummer.",
        4,
    ),
    (
        "snorojning",
        "Snöröjning och halkbekämpning",
        "trafik",
        "trafik",
        False,
        4,
        "Notera exakt plats. Huvudgator prioriteras; gång- och cykelvägar inom 6 timmar efter snöfall.",
        6,
    ),
    (
        "gatubelysning",
        "Trasig gatlampa",
        "trafik",
        "trafik",
        False,
        24,
        "Be om stolpnummer eller närmaste adress.",
        3,
    ),
    (
        "sophamtning-missad",
        "Missad sophämtning",
        "avfall-vatten",
        "avfall-vatten",
        True,
        8,
        "Kontrollera hämtdag för adressen. Om kärlet stod ute: skapa ärende till entreprenören.",
        10,
    ),
    (
        "avfallsabonnemang",
        "Avfallsabonnemang och kärlbyte",
        "avfall-vatten",
        "avfall-vatten",
        True,
        16,
        "Byte av kärlstorlek görs i e-tjänsten. Delat kärl kräver ansökan från båda fastighetsägarna.",
        5,
    ),
    (
        "vattenlacka",
        "Vattenläcka eller vattenavbrott",
        "avfall-vatten",
        "avfall-vatten",
        False,
        2,
        "Akut: koppla till jouren utanför öppettid. Notera adress och om vatten tränger in i hus.",
        2,
    ),
    (
        "forskoleplats",
        "Förskoleplats – ansökan och besked",
        "forskola-skola",
        "forskola-skola",
        True,
        16,
        "Ansökan görs i e-tjänsten senast fyra månader före önskat startdatum.",
        7,
    ),
    (
        "skolskjuts",
        "Skolskjuts",
        "forskola-skola",
        "forskola-skola",
        False,
        16,
        "Kontrollera avstånd och årskurs. Ansökan om särskilda skäl går till handläggare.",
        3,
    ),
    (
        "hemtjanst",
        "Hemtjänst – ansökan och frågor",
        "aldreomsorg",
        "aldreomsorg",
        False,
        8,
        "Ansökan om hemtjänst går till biståndshandläggare. Fråga om brådskande behov.",
        5,
    ),
    (
        "faktura",
        "Faktura från kommunen",
        "ekonomi",
        "allmant",
        True,
        24,
        "Läs fakturanummer. Anstånd och avbetalning beslutas av Ekonomiservice.",
        6,
    ),
    (
        "synpunkt-klagomal",
        "Synpunkter och klagomål",
        "kommunledning",
        "allmant",
        False,
        40,
        "Registrera synpunkten ordagrant. Fråga om invånaren vill ha svar och hur.",
        4,
    ),
    (
        "allman-fraga",
        "Allmän fråga",
        "kommunledning",
        "allmant",
        True,
        24,
        "Svara med hjälp av kunskapsbanken; hänvisa till rätt förvaltning vid behov.",
        14,
    ),
]

# Mon–Thu 08:00–16:30, Fri 08:00–15:00 (lunch is staffed).
# What residents may file on the web form (and through Open311): group, description for
# residents, what happens next, whether the form asks where, keywords, and the questions
# (code, kind, question, help text, required, choices).
Question = tuple[str, str, str, str, bool, list[tuple[str, str]]]
RESIDENT_CASE_TYPES: dict[str, tuple[str, str, str, bool, str, list[Question]]] = {
    "felparkering": (
        "Gator och trafik",
        "Ett fordon som står felparkerat eller har stått övergivet länge.",
        "Parkeringsövervakningen kontrollerar platsen. Ett fordon som står i vägen för "
        "räddningstjänst eller sophämtning flyttas samma dag.",
        True,
        "parkering,bil,fordon,övergiven",
        [("regnummer", "string", "Fordonets registreringsnummer", "", False, [])],
    ),
    "vattenlacka": (
        "Avfall och vatten",
        "Vatten som läcker ut på gatan eller ett avbrott i vattnet.",
        "VA-jouren gör en bedömning direkt. Tränger vatten in i ett hus: ring kommunen i "
        "stället, dygnet runt.",
        True,
        "vatten,läcka,avbrott",
        [],
    ),
    "gatubelysning": (
        "Gator och trafik",
        "En gatlampa som är släckt, blinkar eller har skadats.",
        "Trafikkontoret tar emot ärendet och skickar det till entreprenören som sköter "
        "belysningen. En släckt lampa lagas oftast inom två veckor; är en hel gata mörk "
        "inom ett dygn.",
        True,
        "gatlampa,belysning,lampa,stolpe",
        [
            (
                "stolpe",
                "string",
                "Stolpens nummer",
                "Står på en skylt på stolpen, om den finns.",
                False,
                [],
            ),
            (
                "fel",
                "singlevaluelist",
                "Vad är fel?",
                "",
                True,
                [
                    ("slackt", "Lampan är släckt"),
                    ("blinkar", "Lampan blinkar"),
                    ("skadad", "Stolpen eller lampan är skadad"),
                ],
            ),
        ],
    ),
    "snorojning": (
        "Gator och trafik",
        "En gata, gång- eller cykelväg som inte är plogad eller sandad.",
        "Huvudgator plogas först; gång- och cykelvägar inom sex timmar efter snöfall. Vi "
        "skickar ärendet till den som plogar i området.",
        True,
        "snö,plogning,halka,sandning",
        [],
    ),
    "sophamtning-missad": (
        "Avfall och vatten",
        "Ditt sopkärl blev inte tömt på hämtdagen.",
        "Vi kontrollerar hämtdagen för adressen och ber entreprenören hämta inom två arbetsdagar.",
        True,
        "sopor,soptunna,kärl,hämtning",
        [
            (
                "karl",
                "singlevaluelist",
                "Vilket kärl?",
                "",
                True,
                [
                    ("mat", "Matavfall"),
                    ("rest", "Restavfall"),
                    ("papper", "Förpackningar och papper"),
                ],
            ),
        ],
    ),
    "synpunkt-klagomal": (
        "",
        "Tyck till om kommunens service, eller lämna ett klagomål.",
        "Synpunkten går till den förvaltning den gäller. Vill du ha svar får du det inom "
        "tre veckor.",
        False,
        "synpunkt,klagomål,beröm",
        [],
    ),
}

OPENING_HOURS = [(day, time(8, 0), time(16, 30)) for day in range(4)] + [
    (4, time(8, 0), time(15, 0))
]

# (username, first name, last name, roles, department code, languages)
STAFF = [
    ("agent1", "Anna", "Lindqvist", ["agent"], None, ["sv", "en"]),
    ("agent2", "Mohammed", "Haddad", ["agent"], None, ["sv", "ar", "en"]),
    ("agent3", "Sara", "Nilsson", ["agent"], None, ["sv", "fi"]),
    ("agent4", "Johan", "Berg", ["agent"], None, ["sv", "nb"]),
    ("agent5", "Amina", "Warsame", ["agent"], None, ["sv", "so", "en"]),
    ("agent6", "Erik", "Holm", ["agent"], None, ["sv"]),
    ("second1", "Lena", "Forsberg", ["second_line"], None, ["sv", "en"]),
    ("second2", "Per", "Ekström", ["second_line"], None, ["sv"]),
    ("switch1", "Karin", "Sjöberg", ["switchboard"], None, ["sv", "en"]),
    ("switch2", "Ali", "Rahimi", ["switchboard"], None, ["sv", "fa"]),
    ("handler.bygg", "Maria", "Eklund", ["handler"], "stadsbyggnad", ["sv"]),
    ("handler.trafik", "Oskar", "Lund", ["handler"], "trafik", ["sv"]),
    ("handler.trafik2", "Fatima", "Yilmaz", ["handler"], "trafik", ["sv", "tr"]),
    ("handler.avfall", "Nils", "Åberg", ["handler"], "avfall-vatten", ["sv"]),
    ("handler.avfall2", "Elin", "Dahl", ["handler"], "avfall-vatten", ["sv"]),
    ("handler.skola", "Sofia", "Strand", ["handler"], "forskola-skola", ["sv", "en"]),
    ("handler.aldre", "Birgitta", "Holmgren", ["handler"], "aldreomsorg", ["sv"]),
    ("handler.ekonomi", "Jonas", "Wikström", ["handler"], "ekonomi", ["sv"]),
    ("handler.kansli", "Ingrid", "Lindberg", ["handler"], "kommunledning", ["sv", "en"]),
    ("contact.avfall", "Henrik", "Sandberg", ["department_contact"], "avfall-vatten", ["sv"]),
    ("contact.bygg", "Eva", "Blom", ["department_contact"], "stadsbyggnad", ["sv"]),
    ("supervisor", "Camilla", "Norén", ["supervisor"], None, ["sv", "en"]),
    ("admin", "Admin", "Kontakt", ["administrator"], None, ["sv", "en"]),
]

FIRST_NAMES = [
    "Astrid",
    "Björn",
    "Cecilia",
    "David",
    "Elsa",
    "Fredrik",
    "Gunilla",
    "Hassan",
    "Ida",
    "Jakob",
    "Kerstin",
    "Lars",
    "Maja",
    "Noah",
    "Olivia",
    "Pia",
    "Rasmus",
    "Saga",
    "Tove",
    "Ulf",
    "Vera",
    "William",
    "Yasmin",
    "Zeynep",
    "Agnes",
    "Bo",
    "Dalia",
    "Emil",
    "Frida",
    "Gustav",
    "Hanna",
    "Isak",
    "Jenny",
    "Karl",
    "Linnea",
    "Magnus",
    "Nora",
    "Omar",
    "Petra",
    "Robin",
    "Signe",
    "Tor",
    "Ebba",
    "Leo",
    "Alva",
    "Hugo",
    "Ingvild",
    "Kristian",
    "Sigrid",
    "Håkon",
]
LAST_NAMES = [
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
    "Ali",
    "Mohamed",
    "Hussein",
    "Haugen",
    "Johansen",
    "Hansen",
    "Olsen",
    "Berntsen",
]
STREETS = [
    "Storgatan",
    "Kyrkogatan",
    "Sjövägen",
    "Skolgatan",
    "Björkvägen",
    "Hamngatan",
    "Torget",
    "Ekbacken",
    "Norra vägen",
    "Strandpromenaden",
    "Tallstigen",
    "Verkstadsgatan",
]
ORGANISATIONS = [
    "Sjöstads Bygg AB",
    "Bostadsrättsföreningen Måsen",
    "Café Hamnen",
    "Sjöstad Taxi AB",
    "Föreningen Sjöstads IF",
    "Ekbackens samfällighet",
    "Hantverkarna i Sjöstad HB",
]

# What residents ask about, per case type: (subject, what the agent writes).
QUESTIONS = {
    "bygglov-fraga": [
        (
            "Behövs bygglov för altan?",
            "Frågar om altan på 25 kvm behöver bygglov. Hänvisad till e-tjänsten och reglerna för attefallsåtgärder.",
        ),
        ("Status på bygglovsansökan", "Vill veta när beslut om bygglov för garage kommer."),
        (
            "Bygglov för plank",
            "Planerar plank mot gatan, 1,8 m högt. Frågar om krav på grannes medgivande.",
        ),
    ],
    "bygglov-komplettering": [
        (
            "Komplettering med ritningar",
            "Har skickat in fasadritningar som komplettering till bygglov för tillbyggnad.",
        ),
        (
            "Nybyggnadskarta saknas",
            "Handläggaren har begärt nybyggnadskarta; invånaren undrar hur den beställs.",
        ),
    ],
    "parkeringstillstand": [
        (
            "Boendeparkering efter flytt",
            "Har flyttat inom zon C och vill flytta sitt boendeparkeringstillstånd.",
        ),
        (
            "Parkeringstillstånd för rörelsehindrad",
            "Frågar hur man ansöker om parkeringstillstånd för rörelsehindrade.",
        ),
    ],
    "felparkering": [
        ("Bil blockerar infart", "Främmande bil står framför garageinfarten sedan i morse."),
        ("Övergivet fordon", "Avställd bil har stått på gatan i över en månad."),
    ],
    "snorojning": [
        ("Ej plogat på gångväg", "Gång- och cykelvägen vid skolan är inte plogad, mycket halt."),
        ("Snövall blockerar utfart", "Plogbilen har lämnat en hög snövall framför utfarten."),
    ],
    "gatubelysning": [
        ("Gatlampa släckt", "Tre gatlampor är släckta på gångvägen mot stationen."),
    ],
    "sophamtning-missad": [
        ("Soptunnan inte tömd", "Kärlet för matavfall stod ute men tömdes inte i tisdags."),
        (
            "Missad hämtning av restavfall",
            "Hela gatan fick ingen hämtning av restavfall denna vecka.",
        ),
    ],
    "avfallsabonnemang": [
        ("Byta till mindre kärl", "Vill byta till 140-liters kärl och glesare hämtning."),
        ("Delat avfallskärl med grannen", "Vill dela kärl med grannen, frågar om blankett."),
    ],
    "vattenlacka": [
        ("Vatten läcker ur brunn", "Vatten strömmar upp ur en brunn i gatan utanför huset."),
        ("Inget vatten i kranen", "Helt vattenlöst i huset sedan en timme."),
    ],
    "forskoleplats": [
        (
            "Ansökan om förskoleplats",
            "Vill ansöka om förskoleplats från augusti för barn född 2024.",
        ),
        (
            "Besked om placering",
            "Har inte fått besked om förskoleplacering, önskat start om tre veckor.",
        ),
    ],
    "skolskjuts": [
        ("Skolskjuts efter flytt", "Har flyttat och undrar om barnet har rätt till skolskjuts."),
    ],
    "hemtjanst": [
        (
            "Ansöka om hemtjänst för mamma",
            "Dottern ringer, mamman behöver hjälp med inköp och städning.",
        ),
        ("Ändrade tider i hemtjänsten", "Hemtjänsten kommer vid andra tider än överenskommet."),
    ],
    "faktura": [
        (
            "Fråga om faktura för barnomsorg",
            "Undrar varför fakturan för förskola är högre denna månad.",
        ),
        ("Anstånd med betalning", "Vill ha anstånd med betalning av vatten- och avloppsfakturan."),
    ],
    "synpunkt-klagomal": [
        ("Klagomål på bemötande", "Missnöjd med bemötande vid besök på återvinningscentralen."),
        ("Förslag om fler papperskorgar", "Föreslår fler papperskorgar längs strandpromenaden."),
    ],
    "allman-fraga": [
        ("Öppettider för simhallen", "Frågar om simhallens öppettider under lovet."),
        ("Var lämnar man grovsopor?", "Hänvisad till återvinningscentralen och dess öppettider."),
        (
            "Hur söker man bostadsanpassning?",
            "Hänvisad till e-tjänsten för bostadsanpassningsbidrag.",
        ),
    ],
}

RESOLUTIONS = [
    "Åtgärdat och invånaren informerad.",
    "Beslut fattat och skickat till invånaren.",
    "Entreprenören har åtgärdat; återkoppling per telefon.",
    "Besvarat per e-post med hänvisning till gällande regler.",
    "Ärendet löst efter kontakt med invånaren.",
]

# Share of a day's calls per hour; calls peak 9–11 (Stockholm's hourly chart in the seeds).
HOURLY_SHARE = {
    8: 0.09,
    9: 0.17,
    10: 0.17,
    11: 0.13,
    12: 0.09,
    13: 0.13,
    14: 0.12,
    15: 0.08,
    16: 0.02,
}
CHANNEL_SHARE = {
    "phone": 0.70,
    "email": 0.12,
    "web_form": 0.08,
    "chat": 0.05,
    "visit": 0.03,
    "sms": 0.01,
    "letter": 0.01,
}
CONTACTS_PER_DAY = 120
DEMO_DAYS = timedelta(days=61)

# Knowledge base: the articles are Markdown files in demo/articles/ (the import format).
# Words residents use for the same thing; a search for one finds the others.
SYNONYMS = [
    ("soptunna, avfallskärl, sopkärl, soptunnan", "sv"),
    ("sopor, avfall, hushållsavfall", "sv"),
    ("dagis, förskola", "sv"),
    ("p-tillstånd, parkeringstillstånd", "sv"),
    ("altan, trädäck, uteplats", "sv"),
    ("barnehage, bhg", "nb"),
    ("søppeldunk, avfallsbeholder, dunk", "nb"),
    ("søppel, avfall, restavfall", "nb"),
    ("bin, wheelie bin, waste container", "en"),
]
# Share of contacts closed at first contact in which the agent used an article of the
# case type (where it has one); the rest show up in the gap list.
ARTICLE_USE_SHARE = 0.7
# Searches agents made that found nothing: (words, case type code or None, times).
SEARCH_GAPS = [
    ("båtplats hamnen", None, 14),
    ("hundlatrin", "sophamtning-missad", 6),
    ("fiskekort sjön", None, 5),
    ("laddstolpe elbil gatan", "parkeringstillstand", 9),
    ("ved eldning tomten", "bygglov-fraga", 4),
    ("trygghetslarm batteri", "hemtjanst", 7),
    ("sommarlovsaktiviteter", "skolskjuts", 3),
]
# Flags agents left on articles: (translation key, language, reason, comment, agent).
ARTICLE_FLAGS = [
    (
        "atervinningscentral-oppettider",
        "sv",
        "outdated",
        "Återvinningscentralen har nya vinteröppettider från december.",
        "agent1",
    ),
    (
        "forskola-avgift-maxtaxa",
        "sv",
        "wrong",
        "Maxtaxan är höjd i år, beloppen stämmer inte.",
        "agent3",
    ),
    (
        "grovavfall",
        "sv",
        "missing",
        "Står inget om hur man bokar hämtning av grovavfall vid dörren.",
        "agent2",
    ),
]

# Telephony: the center's number with one level of tone choice (elderly callers cope best
# with one), the skills each answer group asks for, overflow and callbacks, agents' skills.
CENTER_NUMBER = "+46406280400"  # 040-628 04 00, the number on the residents' pages
GREETING = (
    "Välkommen till Sjöstad kommun. Tryck 1 för bygga och bo, 2 för trafik och parkering, "
    "3 för avfall och vatten, 4 för förskola och skola, 5 för äldreomsorg. "
    "للعربية اضغط 9. Söker du en person: tryck 0 för växeln. Övriga frågor: vänta kvar."
)
CLOSED_MESSAGE = (
    "Kontaktcenter har stängt. Vi har öppet vardagar 8–16. Mycket finns på sjostad.example, "
    "där du också kan göra en felanmälan dygnet runt."
)
MENU = [
    ("1", "Bygga och bo", "bygga-bo"),
    ("2", "Trafik och parkering", "trafik"),
    ("3", "Avfall och vatten", "avfall-vatten"),
    ("4", "Förskola och skola", "forskola-skola"),
    ("5", "Äldreomsorg", "aldreomsorg"),
    ("9", "العربية", "arabiska"),
    ("0", "Växeln", "vaxel"),
]
# How often callers press each digit (the history and the simulated exchange): a fifth of
# the center's calls ask for a person.
DIGIT_WEIGHTS = {"1": 4, "2": 5, "3": 5, "4": 3, "5": 3, "9": 1, "0": 5}
# Answer group -> (skill, callback offered from this estimated wait in seconds).
ROUTING = {
    "bygga-bo": ("bygga-bo", 180),
    "trafik": ("trafik", 180),
    "avfall-vatten": ("avfall-vatten", 180),
    "forskola-skola": ("forskola-skola", 180),
    "aldreomsorg": ("aldreomsorg", 120),
    "allmant": ("allmant", 240),
    "arabiska": ("allmant", 240),  # the general skill, with Arabic
    "vaxel": ("switchboard", 240),  # the switchboard's operators put callers through
}
# After a minute's wait every group is also offered to the general group's agents.
OVERFLOW_SECONDS = 60
# username -> {skill: proficiency 1–5}; languages come from STAFF. agent1, whom a person
# signs in as, is the best at waste and water, so their desktop rings soon after Ready.
SKILLS = {
    "agent1": {"avfall-vatten": 5, "trafik": 4, "allmant": 4},
    "agent2": {"bygga-bo": 3, "allmant": 3, "aldreomsorg": 2},
    "agent3": {"forskola-skola": 4, "allmant": 3},
    "agent4": {"trafik": 4, "avfall-vatten": 3, "allmant": 2},
    "agent5": {"aldreomsorg": 4, "forskola-skola": 3, "allmant": 3},
    "agent6": {"avfall-vatten": 3, "bygga-bo": 2, "allmant": 3},
    "second1": {"bygga-bo": 5, "trafik": 5, "avfall-vatten": 4, "allmant": 4},
    "second2": {"forskola-skola": 5, "aldreomsorg": 5, "allmant": 4},
    "switch1": {"switchboard": 5, "allmant": 3},
    "switch2": {"switchboard": 5, "allmant": 3},
}
# The simulated exchange's agents; agent1 and switch1 are left to whoever signs in and
# presses Ready.
SIMULATED_AGENTS = ["agent2", "agent3", "agent4", "agent5", "agent6", "second1", "switch2"]
# Of the simulated exchange's calls, those to a person's direct number.
DIRECT_CALL_SHARE = 0.15
# Calls a day in the demo's history (about 70 % of the contacts are calls).
CALLS_PER_DAY = 90
CALL_HISTORY_DAYS = 28

# The switchboard: a month of history, calls to employees' direct numbers a day, and Oslo's
# shares (seed 000) of what becomes of a transfer and of a direct call.
SWITCHBOARD_HISTORY_DAYS = 30
DIRECT_CALLS_PER_DAY = 60
TRANSFER_SHARE = 0.85  # of the switchboard's answered calls: the rest are answered there
TRANSFER_OUTCOMES = {"answered": 0.81, "no_answer": 0.11, "busy": 0.08}
DIRECT_OUTCOMES = {"answered": 0.77, "no_answer": 0.11, "busy": 0.03, "absent": 0.09}
# Of returned transfers, how many end with a message (others: another person, the number).
MESSAGE_SHARE = 0.6
# Units whose directory entries are out of date: most "not mine" messages land there.
NOT_MINE_UNITS = ["lantmateri", "hemtjanst-soder"]
RING_SECONDS = 20
