"""The knowledge-base articles and the searches of bench/knowledge_search.py.

Articles are answers of a municipality in Swedish, Norwegian Bokmål and English (about
45/35/20 %), drawn from a generator seeded by the article's number, so every run and both
engines hold the same articles: FAQ-style titles ("Hur ansöker jag om bygglov för altan?",
"Søke barnehageplass i Nordbyen"), a summary of one to three sentences and a Markdown body
of 100–400 words with headings and lists, written with the definite, plural and compound
forms people write (bygglov, bygglovet, bygglovsansökan; kärl, kärlet, sopkärlen;
barnehage, barnehagen, barnehageplassen).

Among them are *anchors*: a few articles written by hand about something no other article
is about (a greenhouse, an allotment, a chimney sweep), whose words the rest of the corpus
mentions now and then in passing. The searches for them use another form of their words
than the articles do ("växthuset" for an article about "växthus"), so the benchmark knows
which article a good search puts first. The articles of kontakt/demo/articles/*.md, if
there are any, are added as they are (read only), in place of generated Swedish ones.

Standard library only (PyYAML, if installed, reads the demo articles' front matter).
"""

# The vocabulary below is sentences, kept whole on their lines (as kontakt/demo/municipality.py).
# ruff: noqa: E501

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from . import corpus

DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "kontakt" / "demo" / "articles"
LANGUAGE_WEIGHTS = (("sv", 45), ("nb", 35), ("en", 20))
BLOCK = 1_000


@dataclass(frozen=True)
class Subject:
    """What a family of articles is about, in one language: its titles, the things it
    applies to (indefinite and definite form), and sentences to write bodies from."""

    key: str
    department: str
    case_type: str | None
    weight: int
    titles: tuple[str, ...]
    objects: tuple[tuple[str, str], ...]
    summaries: tuple[str, ...]
    facts: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """The words of one language that every subject shares."""

    code: str
    districts: tuple[str, ...]
    qualifiers: tuple[str, ...]  # appended to a title: " i {district}", " för företag", …
    headings: tuple[str, ...]
    general: tuple[str, ...]  # sentences any article may have
    rare: tuple[str, ...]  # sentences only a few articles have
    see_also: str  # "Se även {anchor}." with an anchor's word
    eservices: tuple[str, ...]
    subjects: tuple[Subject, ...]


@dataclass(frozen=True)
class ArticleText:
    """One article to load: everything the Article row needs but its ids."""

    number: int
    translation_key: str
    language: str
    title: str
    summary: str
    body: str  # Markdown
    keywords: str
    department: str
    case_type: str | None
    visibility: str
    status: str
    closed_contacts: int
    source: str = "generated"  # or "anchor", "demo"


@dataclass(frozen=True)
class Anchor:
    """A hand-written article that a search is known to be looking for."""

    key: str
    language: str
    department: str
    case_type: str | None
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    keywords: str
    mention: str  # how other articles refer to it in passing


@dataclass(frozen=True)
class Query:
    """A search of the benchmark; `target` is the anchor a good search ranks first."""

    text: str
    language: str
    kind: str  # word, inflected, question, typo, rare, none
    target: str | None = None


# fmt: off
SV = Language(
    code="sv",
    districts=(
        "Norrby", "Söderåsen", "Centrum", "Hamnstaden", "Västerby", "Ekudden", "Kvarnbacken",
        "Lillsjö", "Björkhagen", "Österängen", "Furulund", "Tallåsen",
    ),
    qualifiers=(
        " i {district}", " för privatpersoner", " för företag", " för bostadsrättsföreningar",
        " för fastighetsägare", " – vanliga frågor", " – så gör du", " 2026",
    ),
    headings=(
        "Så ansöker du", "Vad kostar det?", "Handläggningstid", "Bra att veta",
        "Kontakta oss", "Vanliga frågor", "Regler", "Om du inte är nöjd",
    ),
    general=(
        "Kontaktcenter har öppet vardagar klockan 8–17 och nås på {phone}.",
        "Du loggar in i e-tjänsten med BankID eller Freja eID.",
        "Har du frågor kan du också skicka ett meddelande via kommunens webbplats.",
        "Handläggaren kontaktar dig om uppgifter saknas i ärendet.",
        "Beslutet skickas till dig med post eller till din digitala brevlåda.",
        "Du kan överklaga beslutet inom tre veckor från den dag du fick det.",
        "Avgifterna bestäms av kommunfullmäktige och gäller från den 1 januari.",
        "Under sommaren kan svarstiderna vara längre än vanligt.",
        "Behöver du tolk kan du be om det när du kontaktar oss.",
        "Informationen på den här sidan uppdaterades i {month}.",
        "Ärendet registreras och får ett diarienummer som du anger när du kontaktar oss.",
        "Du kan också besöka medborgarkontoret i {district} på {weekday}ar.",
    ),
    rare=(
        "En pergola räknas oftast som en del av uteplatsen.",
        "Tvättstugan i kommunhuset är stängd för renovering.",
        "Vid översvämning i källaren ska du först stänga av strömmen.",
        "Fornlämningar på tomten anmäler du till länsstyrelsen.",
        "Ett vindskydd i naturreservatet kräver dispens.",
        "Kommunens sotare går igenom eldstaden en gång om året.",
    ),
    see_also="Läs också om {anchor} på kommunens webbplats.",
    eservices=("Mina sidor", "Sjöstad Direkt", "Självservice", "Bokningsportalen"),
    subjects=(
        Subject(
            key="bygglov",
            department="stadsbyggnad",
            case_type="bygglov",
            weight=14,
            titles=(
                "Bygglov för {o}",
                "Hur ansöker jag om bygglov för {o}?",
                "Behöver jag bygglov för {o}?",
                "Vad kostar bygglov för {o}?",
                "Handläggningstid för bygglov – {o}",
                "Startbesked och slutbesked för {o}",
                "Komplettera bygglovsansökan för {o}",
                "Regler för {o} i detaljplanen",
            ),
            objects=(
                ("altan", "altanen"), ("carport", "carporten"), ("garage", "garaget"),
                ("plank", "planket"), ("tillbyggnad", "tillbyggnaden"),
                ("fasadändring", "fasadändringen"), ("skärmtak", "skärmtaket"),
                ("pool", "poolen"), ("solceller", "solcellerna"), ("eldstad", "eldstaden"),
                ("mur", "muren"), ("inglasad balkong", "den inglasade balkongen"),
                ("komplementbyggnad", "komplementbyggnaden"), ("skylt", "skylten"),
            ),
            summaries=(
                "Här får du veta när du behöver bygglov för {o}, hur du ansöker och vad det kostar.",
                "Bygglov för {o} söker du i e-tjänsten hos stadsbyggnadsförvaltningen.",
                "Innan du bygger {o} behöver du ofta bygglov eller en anmälan.",
            ),
            facts=(
                "Du ansöker om bygglov i e-tjänsten {eservice}.",
                "Bygglovet gäller i fem år från den dag beslutet vann laga kraft.",
                "Handläggningstiden för ett bygglov är normalt {weeks} veckor från att ansökan är komplett.",
                "Avgiften för bygglovet beräknas enligt taxan och är cirka {amount} kronor för {o}.",
                "Till bygglovsansökan bifogar du situationsplan, fasadritningar och planritning.",
                "Om {od} placeras närmare tomtgränsen än 4,5 meter behöver du grannens medgivande.",
                "Du får inte börja bygga innan du har fått startbesked.",
                "Bygglovsansökan granskas av en bygglovshandläggare som hör av sig om något saknas.",
                "Beslut om bygglov kungörs i Post- och Inrikes Tidningar.",
                "Kontrollplanen ska vara godkänd innan arbetet med {od} påbörjas.",
                "Inom detaljplanerat område krävs oftast bygglov för {o}.",
                "Bygglovshandläggarna har telefontid vardagar klockan 10–12.",
                "Bygglov för {o} kan även behövas utanför detaljplanerat område.",
                "När {od} är klar ansöker du om slutbesked.",
                "Byggnadsnämnden kan ge ett tidsbegränsat bygglov.",
                "Grannarna får tillfälle att yttra sig innan bygglovet beviljas.",
            ),
            keywords=(
                "bygglov", "bygglovsansökan", "startbesked", "slutbesked", "ritningar",
                "detaljplan", "byggnadsnämnden", "bygganmälan",
            ),
        ),
        Subject(
            key="avfall",
            department="avfall-vatten",
            case_type="sophamtning",
            weight=12,
            titles=(
                "Missad sophämtning av {o}",
                "När töms {od}?",
                "Byta storlek på {o}",
                "Hämtdagar för {o}",
                "Sophämtning under helgdagar – {o}",
                "Beställa extra tömning av {o}",
                "Placering av {o} vid tomtgränsen",
            ),
            objects=(
                ("kärl", "kärlet"), ("soptunna", "soptunnan"), ("sopkärl", "sopkärlet"),
                ("matavfallskärl", "matavfallskärlet"), ("kärl för restavfall", "restavfallskärlet"),
                ("fyrfackskärl", "fyrfackskärlet"), ("container", "containern"),
                ("trädgårdsavfall", "trädgårdsavfallet"), ("latrinkärl", "latrinkärlet"),
            ),
            summaries=(
                "Kärlen töms enligt ett fast schema; här ser du vad du gör om hämtningen missades.",
                "Så fungerar hämtningen av {o} och vad du själv behöver tänka på.",
                "Avfall och vatten sköter hämtningen av {o} i hela kommunen.",
            ),
            facts=(
                "Kärlet ska stå vid tomtgränsen senast klockan 06.00 på hämtdagen.",
                "Om kärlet inte har tömts kan du göra en felanmälan senast två arbetsdagar efter hämtdagen.",
                "Sopkärlet ska stå med handtaget utåt mot gatan.",
                "Matavfallet lägger du i papperspåsar i det bruna kärlet.",
                "Soptunnan töms varannan vecka under vintern och varje vecka under sommaren.",
                "Är locket trasigt byter vi det utan kostnad.",
                "Kärlen i {district} töms på {weekday}ar.",
                "Vid storhelger kan hämtningen flyttas en dag.",
                "Grovavfall lämnar du på återvinningscentralen.",
                "Ett större kärl kostar {amount} kronor mer per år.",
                "Sopbilen kan inte tömma {od} om bilar står parkerade framför.",
                "Sophämtningen i {district} sker på {weekday}ar varannan vecka.",
                "Överfulla sopkärl töms inte, eftersom locket måste gå att stänga.",
                "Vill du dela {o} med grannen anmäler ni det gemensamt.",
                "Sopkärlen tillhör kommunen och följer med fastigheten vid försäljning.",
            ),
            keywords=(
                "sophämtning", "soptunna", "sopkärl", "avfallskärl", "tömning", "hämtdag",
                "matavfall", "restavfall",
            ),
        ),
        Subject(
            key="faktura",
            department="ekonomi",
            case_type="faktura",
            weight=9,
            titles=(
                "Frågor om fakturan för {o}",
                "Fel belopp på fakturan för {o}",
                "Betala {o} med autogiro",
                "Påminnelse om obetald faktura för {o}",
                "E-faktura för {o}",
                "Avbetalningsplan för {o}",
            ),
            objects=(
                ("vatten och avlopp", "vatten och avlopp"), ("avfall", "avfallet"),
                ("förskoleavgift", "förskoleavgiften"), ("hemtjänstavgift", "hemtjänstavgiften"),
                ("bygglovsavgift", "bygglovsavgiften"), ("hyra av lokal", "lokalhyran"),
                ("måltidsavgift", "måltidsavgiften"), ("parkeringsavgift", "parkeringsavgiften"),
            ),
            summaries=(
                "Fakturan för {o} skickas ut av ekonomiservice; här läser du hur du betalar och vad du gör om den är fel.",
                "Du kan betala {o} med e-faktura, autogiro eller inbetalningskort.",
                "Tycker du att fakturan är fel, kontakta ekonomiservice innan förfallodagen.",
            ),
            facts=(
                "Fakturan skickas ut varje kvartal.",
                "Du kan få fakturan som e-faktura till din internetbank.",
                "Fakturor med förfallodag på en helgdag kan betalas nästa vardag.",
                "Har du fått en påminnelse tillkommer en avgift på 60 kronor.",
                "Kontakta ekonomiservice om du tycker att fakturan är fel.",
                "Fakturans belopp för {o} baseras på gällande taxa.",
                "Autogiro anmäler du i e-tjänsten {eservice}.",
                "Fakturorna skickas till den som står som betalare i kommunens register.",
                "Obetalda fakturor lämnas till inkasso efter {days} dagar.",
                "En avbetalningsplan kan beviljas om beloppet är större än {amount} kronor.",
                "Fakturan för {o} innehåller en fast och en rörlig del.",
                "Betalar du för sent debiteras dröjsmålsränta.",
                "Kopia av fakturan kan du beställa hos ekonomiservice.",
            ),
            keywords=(
                "faktura", "räkning", "e-faktura", "autogiro", "påminnelse", "betalning",
                "inkasso",
            ),
        ),
        Subject(
            key="forskola",
            department="forskola-skola",
            case_type="forskoleplats",
            weight=10,
            titles=(
                "Ansöka om plats i {o}",
                "Säga upp platsen i {o}",
                "Avgift för {o}",
                "Byta {o}",
                "Kö till {o}",
                "Schema och vistelsetid i {o}",
                "Erbjudande om plats i {o}",
            ),
            objects=(
                ("förskola", "förskolan"), ("pedagogisk omsorg", "den pedagogiska omsorgen"),
                ("fritidshem", "fritidshemmet"), ("förskoleklass", "förskoleklassen"),
                ("öppen förskola", "den öppna förskolan"), ("nattis", "nattiset"),
            ),
            summaries=(
                "Så ansöker du om plats i {o} och så fungerar kön.",
                "Här finns det du behöver veta om {o}: ansökan, avgift och uppsägning.",
                "Förskoleplatsen erbjuds inom fyra månader från att du har ansökt.",
            ),
            facts=(
                "Du ansöker om förskoleplats i e-tjänsten {eservice} tidigast sex månader innan platsen behövs.",
                "Förskoleplatsen erbjuds inom fyra månader från ansökan.",
                "Avgiften för förskolan beräknas på hushållets inkomst enligt maxtaxan.",
                "Uppsägningstiden för förskoleplatsen är två månader.",
                "Barnet har rätt till 15 timmar i veckan om vårdnadshavaren är föräldraledig.",
                "Erbjudandet om plats besvarar du inom 14 dagar.",
                "Förskolorna i {district} har öppet 06.30–18.30.",
                "Schemat för {od} lämnar du i e-tjänsten senast en vecka innan det börjar gälla.",
                "Platsen i {od} sägs upp i e-tjänsten.",
                "Syskon får förtur till samma förskola.",
                "Under sommaren slås förskolorna ihop i {district}.",
                "Förskoleavgiften betalas tolv månader om året.",
                "Ett byte av förskola räknas som en ny ansökan.",
            ),
            keywords=(
                "förskola", "förskoleplats", "dagis", "barnomsorg", "maxtaxa", "kö",
                "fritids",
            ),
        ),
        Subject(
            key="parkering",
            department="trafik",
            case_type="parkeringstillstand",
            weight=8,
            titles=(
                "Parkeringstillstånd för {o}",
                "Förnya parkeringstillståndet för {o}",
                "Ansöka om parkeringstillstånd – {o}",
                "Avgift för parkeringstillstånd – {o}",
                "Regler för parkering – {o}",
            ),
            objects=(
                ("boende", "de boende"), ("rörelsehindrade", "rörelsehindrade"),
                ("hantverkare", "hantverkarna"), ("servicefordon", "servicefordonen"),
                ("elbilar", "elbilarna"), ("husbilar", "husbilarna"),
            ),
            summaries=(
                "Parkeringstillstånd för {o} söker du hos trafikkontoret.",
                "Här står vad som gäller för {o} och hur du ansöker.",
            ),
            facts=(
                "Parkeringstillståndet gäller i zon {zone} och måste synas i vindrutan.",
                "Mitt parkeringstillstånd gick ut, hur förnyar jag det är en vanlig fråga.",
                "Parkeringstillstånden för {o} gäller i ett år.",
                "Avgiften för boendeparkering är {amount} kronor per månad.",
                "Du ansöker om parkeringstillstånd i e-tjänsten {eservice}.",
                "Felparkerade bilar kan få en parkeringsanmärkning.",
                "Tillståndet för {o} är personligt och får inte lånas ut.",
                "Bilen ska vara registrerad på dig eller på ditt företag.",
                "Handläggningen av parkeringstillstånd tar cirka {weeks} veckor.",
                "Ett läkarintyg krävs för parkeringstillstånd för rörelsehindrade.",
            ),
            keywords=(
                "parkering", "parkeringstillstånd", "p-tillstånd", "boendeparkering", "zon",
            ),
        ),
        Subject(
            key="snorojning",
            department="trafik",
            case_type="snorojning",
            weight=6,
            titles=(
                "Snöröjning av {o}",
                "Halka på {od} – vem sandar?",
                "Plogvall vid {od}",
                "När plogas {od}?",
            ),
            objects=(
                ("gångväg", "gångvägen"), ("cykelbana", "cykelbanan"),
                ("busshållplats", "busshållplatsen"), ("gata", "gatan"), ("infart", "infarten"),
                ("trappa", "trappan"), ("parkeringsplats", "parkeringsplatsen"),
            ),
            summaries=(
                "Kommunen plogar och sandar {o} enligt en prioriteringsordning.",
                "Så prioriteras snöröjningen och vad du som fastighetsägare ansvarar för.",
            ),
            facts=(
                "Gång- och cykelvägar plogas först, sedan bussgator och sist lokalgator.",
                "Plogning startar när det har fallit fem centimeter snö.",
                "Fastighetsägaren ansvarar för att snöröja trottoaren utanför fastigheten.",
                "Plogvallen vid infarten ansvarar du själv för att ta bort.",
                "Halkbekämpningen på {od} sker med sand eller salt.",
                "I {district} plogas gatorna oftast inom {hours} timmar efter snöfallet.",
                "Sandlådor finns vid flera backar i {district}.",
                "Snön får inte skottas ut i gatan.",
                "Vi sopar upp sanden när snön har smält under våren.",
            ),
            keywords=("snöröjning", "plogning", "halka", "sandning", "plogvall"),
        ),
        Subject(
            key="hemtjanst",
            department="aldreomsorg",
            case_type="hemtjanst",
            weight=8,
            titles=(
                "Ansöka om {o}",
                "Avgift för {o}",
                "Ändra eller avsluta {o}",
                "Klagomål på {od}",
                "Vad ingår i {od}?",
            ),
            objects=(
                ("hemtjänst", "hemtjänsten"), ("trygghetslarm", "trygghetslarmet"),
                ("matdistribution", "matdistributionen"), ("ledsagning", "ledsagningen"),
                ("avlösning i hemmet", "avlösningen"), ("dagverksamhet", "dagverksamheten"),
                ("korttidsboende", "korttidsboendet"), ("särskilt boende", "det särskilda boendet"),
            ),
            summaries=(
                "Du ansöker om {o} hos biståndshandläggaren i äldreomsorgen.",
                "Här står vad {od} kostar och hur du ansöker.",
                "Hemtjänsten hjälper dig med det du inte längre klarar själv.",
            ),
            facts=(
                "Biståndshandläggaren gör en utredning av dina behov innan beslut.",
                "Avgiften för hemtjänsten beror på din inkomst och är högst {amount} kronor per månad.",
                "Trygghetslarmet installeras inom {days} dagar efter beslutet.",
                "Hemtjänsten kommer på de tider som står i din genomförandeplan.",
                "Vill du ändra tiderna för {od} kontaktar du enhetschefen.",
                "Du kan välja utförare av hemtjänst enligt valfrihetssystemet.",
                "Ansökan om {o} kan göras av en anhörig med fullmakt.",
                "Beslutet om {o} omprövas en gång om året.",
                "Är du missnöjd med hemtjänsten kan du lämna en synpunkt.",
                "Matdistributionen levererar kyld mat två gånger i veckan.",
            ),
            keywords=("hemtjänst", "äldreomsorg", "bistånd", "trygghetslarm", "omsorg"),
        ),
        Subject(
            key="lokal",
            department="kultur-fritid",
            case_type="idrottshall",
            weight=5,
            titles=(
                "Boka {o}",
                "Avboka {o}",
                "Priser för {o}",
                "Öppettider för {od}",
                "Regler vid hyra av {o}",
            ),
            objects=(
                ("idrottshall", "idrottshallen"), ("gymnastiksal", "gymnastiksalen"),
                ("samlingslokal", "samlingslokalen"), ("konstgräsplan", "konstgräsplanen"),
                ("ishall", "ishallen"), ("simhall", "simhallen"), ("festlokal", "festlokalen"),
            ),
            summaries=(
                "Föreningar och privatpersoner kan boka {o} i kommunens bokningssystem.",
                "Så bokar och avbokar du {o} och vad det kostar.",
            ),
            facts=(
                "Du bokar {o} i bokningssystemet {eservice}.",
                "Avbokning ska göras senast {days} dagar innan, annars debiteras hela hyran.",
                "Föreningar med barn- och ungdomsverksamhet får rabatt.",
                "{od} i {district} är öppen {weekday}ar till klockan 22.",
                "Nyckel till {od} hämtas i receptionen.",
                "Priset för {o} är {amount} kronor per timme.",
                "Lokalen ska lämnas städad efter användning.",
                "Säsongsbokningar för hösten görs i {month}.",
            ),
            keywords=("lokalbokning", "hyra", "förening", "idrottshall", "bokning"),
        ),
        Subject(
            key="skolskjuts",
            department="forskola-skola",
            case_type="skolskjuts",
            weight=4,
            titles=(
                "Skolskjuts till {o}",
                "Ansöka om skolskjuts – {o}",
                "Skolbussen till {od} kom inte",
            ),
            objects=(
                ("grundskola", "grundskolan"), ("gymnasieskola", "gymnasieskolan"),
                ("anpassad grundskola", "den anpassade grundskolan"),
                ("fritidshem", "fritidshemmet"),
            ),
            summaries=(
                "Elever som har lång eller farlig skolväg kan få skolskjuts till {o}.",
                "Så ansöker du om skolskjuts och vad du gör om bussen inte kommer.",
            ),
            facts=(
                "Rätten till skolskjuts gäller om avståndet till {od} är längre än {km} kilometer.",
                "Skolskjutsen ansöks om inför varje läsår.",
                "Om skolbussen inte kommer, ring trafikbolaget på {phone}.",
                "Elever i årskurs ett har rätt till skolskjuts vid kortare avstånd.",
                "Beslut om skolskjuts skickas till vårdnadshavaren.",
                "Elever med växelvis boende kan få skolskjuts från båda adresserna.",
            ),
            keywords=("skolskjuts", "skolbuss", "skolväg", "elevresor"),
        ),
        Subject(
            key="allmant",
            department="kommunledning",
            case_type="allman-fraga",
            weight=6,
            titles=(
                "Öppettider för {o}",
                "Kontakta {o}",
                "Lämna synpunkter på {o}",
                "E-tjänster för {o}",
            ),
            objects=(
                ("medborgarkontoret", "medborgarkontoret"), ("kontaktcenter", "kontaktcenter"),
                ("återvinningscentralen", "återvinningscentralen"), ("biblioteket", "biblioteket"),
                ("kommunhuset", "kommunhuset"), ("överförmyndaren", "överförmyndaren"),
            ),
            summaries=(
                "Här hittar du öppettider och kontaktuppgifter för {o}.",
                "Du når {o} på telefon, e-post eller genom att besöka oss.",
            ),
            facts=(
                "{od} har öppet vardagar klockan 8–17 och lördagar 10–14.",
                "Under röda dagar är {od} stängt.",
                "Du kan lämna synpunkter och klagomål i e-tjänsten {eservice}.",
                "Vi svarar på e-post inom två arbetsdagar.",
                "Telefonnumret till {od} är {phone}.",
                "Öppettiderna ändras under sommaren, se webbplatsen.",
            ),
            keywords=("öppettider", "kontakt", "telefon", "e-tjänst", "synpunkter"),
        ),
    ),
)

NB = Language(
    code="nb",
    districts=(
        "Nordbyen", "Sentrum", "Bakkehaugen", "Strandlia", "Vestsiden", "Elvebakken",
        "Haugen", "Solbakken", "Fjellstad", "Østmarka",
    ),
    qualifiers=(
        " i {district}", " for privatpersoner", " for bedrifter", " for borettslag",
        " for huseiere", " – ofte stilte spørsmål", " – slik gjør du det", " 2026",
    ),
    headings=(
        "Slik søker du", "Hva koster det?", "Saksbehandlingstid", "Godt å vite",
        "Kontakt oss", "Ofte stilte spørsmål", "Regler", "Klage",
    ),
    general=(
        "Servicetorget har åpent hverdager klokken 8–16 og kan nås på {phone}.",
        "Du logger inn i e-tjenesten med BankID eller MinID.",
        "Har du spørsmål, kan du sende oss en melding via kommunens nettside.",
        "Saksbehandleren tar kontakt hvis det mangler opplysninger i saken.",
        "Vedtaket sendes til deg i Digipost eller som brev.",
        "Du kan klage på vedtaket innen tre uker etter at du mottok det.",
        "Gebyrene vedtas av kommunestyret og gjelder fra 1. januar.",
        "I sommerferien kan svartiden være lengre enn vanlig.",
        "Trenger du tolk, kan du si fra når du kontakter oss.",
        "Informasjonen på denne siden ble oppdatert i {month}.",
        "Du kan også besøke innbyggertorget i {district} på {weekday}er.",
    ),
    rare=(
        "En pergola regnes vanligvis som en del av uteplassen.",
        "Brøytekanten foran postkassen må du fjerne selv.",
        "Ved oversvømmelse i kjelleren skal du først slå av strømmen.",
        "Kulturminner på tomta meldes til fylkeskommunen.",
        "Gapahuken i friområdet kan ikke reserveres.",
    ),
    see_also="Les også om {anchor} på kommunens nettside.",
    eservices=("Min side", "Innbyggerportalen", "Selvbetjening", "Bookingportalen"),
    subjects=(
        Subject(
            key="byggesak",
            department="stadsbyggnad",
            case_type="bygglov",
            weight=13,
            titles=(
                "Byggesøknad for {o}",
                "Hvordan søker jeg om byggetillatelse for {o}?",
                "Må jeg søke om {o}?",
                "Gebyr for byggesøknad – {o}",
                "Saksbehandlingstid for byggesaker – {o}",
                "Ferdigattest for {o}",
                "Regler for {o} i reguleringsplanen",
            ),
            objects=(
                ("garasje", "garasjen"), ("terrasse", "terrassen"), ("tilbygg", "tilbygget"),
                ("bod", "boden"), ("carport", "carporten"), ("gjerde", "gjerdet"),
                ("støttemur", "støttemuren"), ("veranda", "verandaen"),
                ("solcellepanel", "solcellepanelet"), ("pipe", "pipa"), ("skilt", "skiltet"),
            ),
            summaries=(
                "Her finner du ut om du må søke om {o}, hvordan du søker og hva det koster.",
                "Byggesøknaden for {o} sender du digitalt til byggesaksavdelingen.",
                "Før du bygger {o} må du ofte søke om tillatelse.",
            ),
            facts=(
                "Du sender byggesøknaden digitalt via {eservice}.",
                "Byggetillatelsen gjelder i tre år fra vedtaket.",
                "Saksbehandlingstiden for en byggesøknad er normalt {weeks} uker.",
                "Gebyret for byggesaken beregnes etter kommunens gebyrregulativ og er omtrent {amount} kroner.",
                "Til byggesøknaden legger du ved situasjonsplan, fasadetegninger og plantegninger.",
                "Skal {od} stå nærmere nabogrensen enn fire meter, trenger du naboens samtykke.",
                "Du kan ikke starte arbeidet før du har fått igangsettingstillatelse.",
                "Naboene skal varsles før du sender inn byggesøknaden.",
                "Når {od} er ferdig, søker du om ferdigattest.",
                "Byggesaksbehandlerne har telefontid hverdager klokken 10–12.",
                "Det kan være unntak fra søknadsplikten for {o}.",
                "Søknader om dispensasjon fra reguleringsplanen tar lengre tid.",
                "Byggesakene behandles i den rekkefølgen de kommer inn.",
            ),
            keywords=(
                "byggesak", "byggesøknad", "byggetillatelse", "ferdigattest", "nabovarsel",
                "reguleringsplan",
            ),
        ),
        Subject(
            key="renovasjon",
            department="avfall-vatten",
            case_type="sophamtning",
            weight=11,
            titles=(
                "Glemt tømming av {o}",
                "Når tømmes {od}?",
                "Bytte størrelse på {o}",
                "Tømmekalender for {o}",
                "Renovasjon i høytidene – {o}",
                "Bestille ekstra tømming av {o}",
            ),
            objects=(
                ("søppeldunk", "søppeldunken"), ("avfallsbeholder", "avfallsbeholderen"),
                ("matavfallsdunk", "matavfallsdunken"), ("papirdunk", "papirdunken"),
                ("restavfallsdunk", "restavfallsdunken"), ("container", "containeren"),
                ("hageavfall", "hageavfallet"),
            ),
            summaries=(
                "Avfallsbeholderne tømmes etter en fast tømmekalender; her ser du hva du gjør hvis tømmingen ble glemt.",
                "Slik fungerer renovasjonen av {o} og hva du selv må passe på.",
            ),
            facts=(
                "Søppeldunken må stå ved veien senest klokken 06.00 på tømmedagen.",
                "Hvis dunken ikke er tømt, kan du melde fra innen to virkedager.",
                "Håndtaket på avfallsbeholderen skal vende ut mot veien.",
                "Matavfallet legger du i grønne poser.",
                "Restavfallsdunken tømmes hver andre uke.",
                "Er lokket ødelagt, bytter vi det uten kostnad.",
                "Dunkene i {district} tømmes på {weekday}er.",
                "I høytidene kan tømmingen bli flyttet en dag.",
                "Grovavfall leverer du på gjenvinningsstasjonen.",
                "En større dunk koster {amount} kroner mer i året.",
                "Renovasjonsbilen kan ikke tømme {od} hvis biler står parkert foran.",
                "Overfylte søppeldunker blir ikke tømt.",
                "Renovasjonsgebyret står på den kommunale fakturaen.",
            ),
            keywords=(
                "renovasjon", "søppel", "søppeldunk", "avfallsdunk", "tømming", "tømmedag",
                "matavfall",
            ),
        ),
        Subject(
            key="barnehage",
            department="forskola-skola",
            case_type="forskoleplats",
            weight=11,
            titles=(
                "Søke barnehageplass i {o}",
                "Si opp plassen i {o}",
                "Pris for {o}",
                "Bytte {o}",
                "Opptak til {o}",
                "Redusert foreldrebetaling i {o}",
            ),
            objects=(
                ("barnehage", "barnehagen"), ("kommunal barnehage", "den kommunale barnehagen"),
                ("privat barnehage", "den private barnehagen"), ("SFO", "SFO-en"),
                ("familiebarnehage", "familiebarnehagen"), ("åpen barnehage", "den åpne barnehagen"),
            ),
            summaries=(
                "Slik søker du barnehageplass og slik fungerer opptaket.",
                "Her står det du trenger å vite om {o}: søknad, pris og oppsigelse.",
                "Barn som har rett til barnehageplass, får tilbud i hovedopptaket.",
            ),
            facts=(
                "Du søker barnehageplass i e-tjenesten {eservice} innen 1. mars.",
                "Barnehageplassen tildeles i hovedopptaket om våren.",
                "Prisen for barnehageplassen er {amount} kroner i måneden.",
                "Oppsigelsestiden for barnehageplassen er én måned.",
                "Barn som fyller ett år innen utgangen av november har rett til plass.",
                "Tilbudet om plass i {od} må besvares innen {days} dager.",
                "Barnehagene i {district} har åpent 07.00–17.00.",
                "Søsken får prioritet til samme barnehage.",
                "Du kan søke om redusert foreldrebetaling hvis inntekten er lav.",
                "Plassen i {od} sier du opp i e-tjenesten.",
                "Barnehagen holder stengt fem planleggingsdager i året.",
                "Barnehageplassene i {district} er populære, så søk tidlig.",
            ),
            keywords=(
                "barnehage", "barnehageplass", "opptak", "foreldrebetaling", "SFO",
            ),
        ),
        Subject(
            key="faktura",
            department="ekonomi",
            case_type="faktura",
            weight=8,
            titles=(
                "Spørsmål om fakturaen for {o}",
                "Feil på fakturaen for {o}",
                "Betale {o} med avtalegiro",
                "Purring på ubetalt faktura for {o}",
                "E-faktura for {o}",
                "Betalingsutsettelse for {o}",
            ),
            objects=(
                ("kommunale avgifter", "de kommunale avgiftene"), ("vann og avløp", "vann og avløp"),
                ("renovasjon", "renovasjonen"), ("barnehage", "barnehagen"),
                ("eiendomsskatt", "eiendomsskatten"),
                ("tilknytningsgebyr", "tilknytningsgebyret"),
            ),
            summaries=(
                "Fakturaen for {o} sendes ut av kommunen; her ser du hvordan du betaler og hva du gjør hvis den er feil.",
                "Du kan betale {o} med e-faktura, avtalegiro eller i nettbanken.",
            ),
            facts=(
                "Fakturaen for kommunale avgifter sendes ut fire ganger i året.",
                "Du kan få fakturaen som eFaktura i nettbanken.",
                "Har du fått purring, kommer det et purregebyr på 35 kroner.",
                "Kontakt fakturaavdelingen hvis du mener fakturaen er feil.",
                "Beløpet på fakturaen for {o} bygger på gjeldende gebyrsatser.",
                "Avtalegiro oppretter du i nettbanken.",
                "Fakturaene sendes til den som står som hjemmelshaver.",
                "Ubetalte fakturaer sendes til inkasso etter {days} dager.",
                "Betalingsutsettelse kan innvilges hvis beløpet er over {amount} kroner.",
            ),
            keywords=("faktura", "regning", "efaktura", "avtalegiro", "purring"),
        ),
        Subject(
            key="parkering",
            department="trafik",
            case_type="parkeringstillstand",
            weight=7,
            titles=(
                "Parkeringstillatelse for {o}",
                "Fornye parkeringstillatelsen for {o}",
                "Søke parkeringstillatelse – {o}",
                "Pris for parkeringstillatelse – {o}",
            ),
            objects=(
                ("beboerparkering", "beboerparkeringen"),
                ("forflytningshemmede", "forflytningshemmede"), ("håndverkere", "håndverkerne"),
                ("elbil", "elbilen"), ("næringskjøretøy", "næringskjøretøyet"),
            ),
            summaries=(
                "Parkeringstillatelse for {o} søker du om hos samferdselsetaten.",
                "Her står det hva som gjelder for {o} og hvordan du søker.",
            ),
            facts=(
                "Parkeringstillatelsen gjelder i sone {zone} og må ligge synlig i frontruta.",
                "Parkeringstillatelser for {o} gjelder i ett år.",
                "Beboerparkering koster {amount} kroner i måneden.",
                "Du søker om parkeringstillatelse i e-tjenesten {eservice}.",
                "Feilparkerte biler kan få parkeringsbot.",
                "Tillatelsen er personlig og kan ikke lånes bort.",
                "Bilen må være registrert på deg.",
                "Det kreves legeerklæring for parkeringstillatelse for forflytningshemmede.",
            ),
            keywords=("parkering", "parkeringstillatelse", "beboerparkering", "sone"),
        ),
        Subject(
            key="broyting",
            department="trafik",
            case_type="snorojning",
            weight=5,
            titles=(
                "Brøyting av {o}",
                "Glatt på {od} – hvem strør?",
                "Snø fra brøytingen ved {od}",
                "Når brøytes {od}?",
            ),
            objects=(
                ("gangvei", "gangveien"), ("sykkelvei", "sykkelveien"),
                ("bussholdeplass", "bussholdeplassen"), ("vei", "veien"),
                ("innkjørsel", "innkjørselen"), ("fortau", "fortauet"),
            ),
            summaries=(
                "Kommunen brøyter og strør {o} etter en fast prioritering.",
                "Slik prioriteres brøytingen og dette er ditt ansvar som huseier.",
            ),
            facts=(
                "Gang- og sykkelveier brøytes først, deretter bussveier og til slutt boliggater.",
                "Brøytingen starter når det har kommet fem centimeter snø.",
                "Huseieren har ansvar for å måke fortauet utenfor eiendommen.",
                "Strøingen av {od} gjøres med sand eller salt.",
                "I {district} brøytes veiene vanligvis innen {hours} timer etter snøfallet.",
                "Snøen må ikke måkes ut i veien.",
                "Vi feier opp strøsanden om våren.",
            ),
            keywords=("brøyting", "strøing", "glatte veier", "snø"),
        ),
        Subject(
            key="hjemmetjeneste",
            department="aldreomsorg",
            case_type="hemtjanst",
            weight=7,
            titles=(
                "Søke om {o}",
                "Pris for {o}",
                "Endre eller avslutte {o}",
                "Klage på {od}",
                "Hva inngår i {od}?",
            ),
            objects=(
                ("hjemmetjeneste", "hjemmetjenesten"), ("trygghetsalarm", "trygghetsalarmen"),
                ("middagsombringing", "middagsombringingen"),
                ("praktisk bistand", "den praktiske bistanden"),
                ("korttidsopphold", "korttidsoppholdet"), ("sykehjemsplass", "sykehjemsplassen"),
                ("dagsenter", "dagsenteret"),
            ),
            summaries=(
                "Du søker om {o} hos tildelingskontoret.",
                "Her står det hva {od} koster og hvordan du søker.",
            ),
            facts=(
                "Tildelingskontoret kartlegger behovet ditt før det fattes vedtak.",
                "Egenandelen for hjemmetjenesten avhenger av inntekten og er høyst {amount} kroner i måneden.",
                "Trygghetsalarmen monteres innen {days} dager etter vedtaket.",
                "Hjemmetjenesten kommer til de tidene som står i vedtaket.",
                "Vil du endre tidene for {od}, tar du kontakt med avdelingslederen.",
                "Søknaden om {o} kan sendes av en pårørende med fullmakt.",
                "Vedtaket om {o} vurderes på nytt hvert år.",
            ),
            keywords=("hjemmetjeneste", "eldreomsorg", "pleie", "trygghetsalarm"),
        ),
        Subject(
            key="skoleskyss",
            department="forskola-skola",
            case_type="skolskjuts",
            weight=3,
            titles=(
                "Skoleskyss til {o}",
                "Søke om skoleskyss – {o}",
                "Skolebussen til {od} kom ikke",
            ),
            objects=(
                ("barneskole", "barneskolen"), ("ungdomsskole", "ungdomsskolen"),
                ("videregående skole", "den videregående skolen"),
            ),
            summaries=(
                "Elever med lang eller farlig skolevei har rett til skoleskyss til {o}.",
            ),
            facts=(
                "Retten til skoleskyss gjelder når skoleveien til {od} er lengre enn {km} kilometer.",
                "Du søker om skoleskyss før hvert skoleår.",
                "Kommer ikke skolebussen, ring busselskapet på {phone}.",
                "Elever i første klasse har rett til skyss ved kortere avstand.",
                "Elever med delt bosted kan få skyss fra begge adressene.",
            ),
            keywords=("skoleskyss", "skolebuss", "skolevei"),
        ),
        Subject(
            key="lokaler",
            department="kultur-fritid",
            case_type="idrottshall",
            weight=4,
            titles=(
                "Leie {o}",
                "Avbestille {o}",
                "Priser for {o}",
                "Åpningstider for {od}",
            ),
            objects=(
                ("idrettshall", "idrettshallen"), ("gymsal", "gymsalen"),
                ("kulturhus", "kulturhuset"), ("kunstgressbane", "kunstgressbanen"),
                ("svømmehall", "svømmehallen"), ("selskapslokale", "selskapslokalet"),
            ),
            summaries=(
                "Lag, foreninger og privatpersoner kan leie {o} i kommunens bookingsystem.",
            ),
            facts=(
                "Du booker {o} i bookingsystemet {eservice}.",
                "Avbestilling må skje senest {days} dager før, ellers betaler du full leie.",
                "Lag med barne- og ungdomsaktivitet får rabatt.",
                "Nøkkel til {od} hentes i resepsjonen.",
                "Prisen for {o} er {amount} kroner per time.",
                "Lokalet skal ryddes etter bruk.",
            ),
            keywords=("utleie", "booking", "lokaler", "idrettslag"),
        ),
    ),
)

EN = Language(
    code="en",
    districts=SV.districts,
    qualifiers=(
        " in {district}", " for private persons", " for businesses",
        " for housing associations", " for property owners", " – frequently asked questions",
        " – step by step", " 2026",
    ),
    headings=(
        "How to apply", "What it costs", "How long it takes", "Good to know", "Contact us",
        "Frequently asked questions", "Rules", "If you are not satisfied",
    ),
    general=(
        "The contact centre is open on weekdays from 8 am to 5 pm on {phone}.",
        "You sign in to the e-service with BankID or Freja eID.",
        "If you have questions, you can also send a message through the municipality's website.",
        "The case officer will contact you if information is missing.",
        "The decision is sent to you by post or to your digital mailbox.",
        "You can appeal against the decision within three weeks of receiving it.",
        "The fees are set by the municipal council and apply from 1 January.",
        "Response times may be longer than usual during the summer.",
        "If you need an interpreter, please tell us when you contact us.",
        "The information on this page was updated in {month}.",
        "You can also visit the citizens' office in {district} on {weekday}s.",
    ),
    rare=(
        "A pergola usually counts as part of the patio.",
        "Flooding in the basement: switch off the electricity first.",
        "Ancient remains found on your plot are reported to the county board.",
        "Fly-tipping can be reported through the e-service.",
    ),
    see_also="Read more about {anchor} on the municipality's website.",
    eservices=("My pages", "Sjöstad Direct", "Self-service", "the booking portal"),
    subjects=(
        Subject(
            key="planning",
            department="stadsbyggnad",
            case_type="bygglov",
            weight=12,
            titles=(
                "Planning permission for a {o}",
                "How do I apply for a building permit for a {o}?",
                "Do I need planning permission for a {o}?",
                "Fees for building permits – {o}",
                "How long does a building permit for a {o} take?",
                "Start and completion notices for a {o}",
            ),
            objects=(
                ("deck", "the deck"), ("carport", "the carport"), ("garage", "the garage"),
                ("fence", "the fence"), ("home extension", "the extension"), ("shed", "the shed"),
                ("conservatory", "the conservatory"), ("swimming pool", "the pool"),
                ("solar panel installation", "the solar panels"), ("wood stove", "the stove"),
            ),
            summaries=(
                "Find out when you need planning permission for a {o}, how to apply and what it costs.",
                "You apply for a building permit for a {o} through the e-service of the planning department.",
            ),
            facts=(
                "You apply for a building permit through the e-service {eservice}.",
                "A building permit is valid for five years from the decision.",
                "Building permits normally take {weeks} weeks once the application is complete.",
                "The fee for the permit follows the planning fee schedule and is about SEK {amount} for a {o}.",
                "Attach a site plan, elevation drawings and floor plans to the application.",
                "If {od} is closer than 4.5 metres to the boundary, you need your neighbour's consent.",
                "You may not start building until you have a start notice.",
                "Planning officers take phone calls on weekdays from 10 am to 12 noon.",
                "When {od} is finished, apply for a completion notice.",
                "Neighbours are given the opportunity to comment before permits are granted.",
            ),
            keywords=("planning permission", "building permit", "drawings", "zoning plan"),
        ),
        Subject(
            key="bins",
            department="avfall-vatten",
            case_type="sophamtning",
            weight=9,
            titles=(
                "Missed collection of my {o}",
                "When is {od} emptied?",
                "Changing the size of your {o}",
                "Collection days for the {o}",
                "Bin collection over the holidays – {o}",
            ),
            objects=(
                ("bin", "the bin"), ("food waste bin", "the food waste bin"),
                ("recycling bin", "the recycling bin"), ("garden waste bin", "the garden waste bin"),
                ("container", "the container"), ("four-compartment bin", "the four-compartment bin"),
            ),
            summaries=(
                "Bins are emptied on a fixed schedule; here is what to do if your collection was missed.",
                "How collection of your {o} works and what you need to do yourself.",
            ),
            facts=(
                "Put the bin out by the kerb by 6 am on collection day.",
                "If your bin was not emptied, report it within two working days.",
                "Place the bin with the handle facing the street.",
                "Food waste goes in paper bags in the brown bin.",
                "Bins are emptied every other week in winter and every week in summer.",
                "A broken lid is replaced free of charge.",
                "Bins in {district} are emptied on {weekday}s.",
                "Collections may move by a day over public holidays.",
                "Take bulky waste to the recycling centre.",
                "A larger bin costs SEK {amount} more per year.",
                "Overfilled bins are not emptied, because the lid must close.",
            ),
            keywords=("bins", "waste collection", "recycling", "rubbish"),
        ),
        Subject(
            key="invoice",
            department="ekonomi",
            case_type="faktura",
            weight=6,
            titles=(
                "Questions about your invoice for {o}",
                "Wrong amount on the invoice for {o}",
                "Paying for {o} by direct debit",
                "Reminder of an unpaid invoice for {o}",
            ),
            objects=(
                ("water and sewage", "water and sewage"), ("waste collection", "waste collection"),
                ("preschool fees", "preschool fees"), ("home care", "home care"),
                ("venue hire", "venue hire"),
            ),
            summaries=(
                "Invoices for {o} are sent by the finance service; here is how to pay and what to do if one is wrong.",
            ),
            facts=(
                "Invoices are sent out every quarter.",
                "You can receive the invoice as an e-invoice in your online bank.",
                "A reminder fee of SEK 60 is added to overdue invoices.",
                "Contact the finance service if you think the invoice is wrong.",
                "The amount for {o} is based on the current fee schedule.",
                "Unpaid invoices go to debt collection after {days} days.",
                "You can set up direct debit through the e-service {eservice}.",
            ),
            keywords=("invoice", "bill", "payment", "direct debit"),
        ),
        Subject(
            key="preschool",
            department="forskola-skola",
            case_type="forskoleplats",
            weight=7,
            titles=(
                "Applying for a place at {o}",
                "Giving notice on a place at {o}",
                "Fees for {o}",
                "Queue for {o}",
            ),
            objects=(
                ("preschool", "the preschool"), ("after-school care", "after-school care"),
                ("pedagogical care", "pedagogical care"), ("open preschool", "the open preschool"),
            ),
            summaries=(
                "How to apply for a place at {o} and how the queue works.",
                "Preschool places are offered within four months of applying.",
            ),
            facts=(
                "Apply for a preschool place through the e-service {eservice} up to six months in advance.",
                "A place is offered within four months of your application.",
                "Preschool fees depend on household income and are capped.",
                "The notice period for a preschool place is two months.",
                "Reply to an offer of a place within 14 days.",
                "Preschools in {district} are open from 6.30 am to 6.30 pm.",
                "Siblings are given priority at the same preschool.",
            ),
            keywords=("preschool", "childcare", "nursery", "queue"),
        ),
        Subject(
            key="parking",
            department="trafik",
            case_type="parkeringstillstand",
            weight=5,
            titles=(
                "Parking permits for {o}",
                "Renewing a parking permit for {o}",
                "Applying for a parking permit – {o}",
            ),
            objects=(
                ("residents", "residents"), ("disabled drivers", "disabled drivers"),
                ("tradespeople", "tradespeople"), ("electric cars", "electric cars"),
            ),
            summaries=("Parking permits for {o} are issued by the traffic office.",),
            facts=(
                "The permit is valid in zone {zone} and must be visible in the windscreen.",
                "Parking permits for {o} are valid for one year.",
                "Residents' parking costs SEK {amount} a month.",
                "Apply for a parking permit through the e-service {eservice}.",
                "Wrongly parked cars may receive a parking fine.",
                "A doctor's certificate is required for a disabled parking permit.",
            ),
            keywords=("parking", "parking permit", "residents parking"),
        ),
        Subject(
            key="snow",
            department="trafik",
            case_type="snorojning",
            weight=3,
            titles=("Snow clearing on {o}", "Ice on {od} – who grits?", "When is {od} ploughed?"),
            objects=(
                ("footpaths", "the footpaths"), ("cycle paths", "the cycle paths"),
                ("bus stops", "the bus stop"), ("streets", "the street"),
            ),
            summaries=("The municipality clears snow and grits {o} in a fixed order of priority.",),
            facts=(
                "Footpaths and cycle paths are cleared first, then bus routes, then residential streets.",
                "Ploughing starts after five centimetres of snow.",
                "Property owners must clear the pavement outside their property.",
                "Gritting of {od} is done with sand or salt.",
                "In {district}, streets are usually ploughed within {hours} hours of snowfall.",
            ),
            keywords=("snow clearing", "ploughing", "gritting", "ice"),
        ),
        Subject(
            key="care",
            department="aldreomsorg",
            case_type="hemtjanst",
            weight=5,
            titles=("Applying for {o}", "Fees for {o}", "Changing or ending {o}"),
            objects=(
                ("home care", "home care"), ("a personal alarm", "the personal alarm"),
                ("meals on wheels", "meals on wheels"), ("respite care", "respite care"),
                ("day care for older people", "day care"),
            ),
            summaries=("You apply for {o} through a needs assessor in elderly care.",),
            facts=(
                "A needs assessor looks at your needs before a decision is made.",
                "The fee for home care depends on your income and is at most SEK {amount} a month.",
                "The personal alarm is installed within {days} days of the decision.",
                "An application for {o} can be made by a relative with power of attorney.",
                "The decision on {o} is reviewed once a year.",
            ),
            keywords=("home care", "elderly care", "personal alarm"),
        ),
        Subject(
            key="venues",
            department="kultur-fritid",
            case_type="idrottshall",
            weight=3,
            titles=("Booking a {o}", "Cancelling a {o} booking", "Prices for a {o}"),
            objects=(
                ("sports hall", "the sports hall"), ("gym hall", "the gym hall"),
                ("meeting room", "the meeting room"), ("football pitch", "the pitch"),
            ),
            summaries=("Clubs and private persons can book a {o} in the booking system.",),
            facts=(
                "Book a {o} in the booking system {eservice}.",
                "Cancel at least {days} days in advance, or the full fee is charged.",
                "Clubs with activities for children get a discount.",
                "The price for a {o} is SEK {amount} per hour.",
            ),
            keywords=("booking", "venue hire", "sports hall"),
        ),
    ),
)

LANGUAGES = {language.code: language for language in (SV, NB, EN)}

# The anchors: articles about something no generated article is about. Their text uses the
# base form of their word; the searches for them use another form (see QUERIES).
ANCHORS = (
    Anchor(
        "anchor-vaxthus", "sv", "stadsbyggnad", "bygglov",
        "Bygglov för växthus",
        "Ett litet växthus på tomten kräver oftast inte bygglov. Större växthus nära tomtgränsen kan kräva både bygglov och grannens medgivande.",
        (
            "Ett växthus som är mindre än 15 kvadratmeter räknas som en friggebod och kräver inte bygglov.",
            "Ska ett växthus stå närmare tomtgränsen än 4,5 meter behöver du grannens medgivande.",
            "Växthus med fast grund och el kan behöva en anmälan.",
        ),
        "odling, drivhus, orangeri",
        "växthus",
    ),
    Anchor(
        "anchor-kolonilott", "sv", "kultur-fritid", None,
        "Hyra en kolonilott",
        "Kommunen hyr ut kolonilotter i tre områden. Du ställer dig i kö i e-tjänsten och betalar en årsavgift.",
        (
            "En kolonilott hyrs ut för ett år i taget och förlängs automatiskt.",
            "Kön till en kolonilott är ungefär två år.",
            "På en kolonilott får du odla grönsaker, blommor och bär, men inte bygga.",
        ),
        "odlingslott, koloniträdgård",
        "kolonilott",
    ),
    Anchor(
        "anchor-julgran", "sv", "avfall-vatten", "sophamtning",
        "Hämtning av julgranar efter jul",
        "Avfall och vatten hämtar julgranar vid tomtgränsen i januari. Lägg granen utan pynt och fot vid hämtstället.",
        (
            "Julgranar hämtas vid tomtgränsen under vecka 3 och 4.",
            "Ta bort all glitter och allt pynt från julgran och fot.",
            "Du kan också lämna julgranar på återvinningscentralen utan kostnad.",
        ),
        "gran, jul",
        "julgran",
    ),
    Anchor(
        "anchor-eldningsforbud", "sv", "kommunledning", None,
        "Eldningsförbud och grillning i naturen",
        "Vid stor brandrisk beslutar räddningstjänsten om eldningsförbud. Då får du inte grilla eller elda utomhus.",
        (
            "Eldningsförbud gäller i hela kommunen tills det upphävs.",
            "Under eldningsförbud är det förbjudet att använda engångsgrillar i naturen.",
            "Information om eldningsförbud finns på räddningstjänstens webbplats.",
        ),
        "brandrisk, grilla",
        "eldningsförbud",
    ),
    Anchor(
        "anchor-fardtjanst", "sv", "aldreomsorg", "hemtjanst",
        "Ansöka om färdtjänst",
        "Färdtjänst är för dig som har svårt att resa med buss och tåg. Du ansöker hos kommunen och får ett beslut inom fyra veckor.",
        (
            "Färdtjänst beviljas om du har en funktionsnedsättning som varar längre än sex månader.",
            "Resor med färdtjänst bokas senast en timme innan.",
            "Avgiften för färdtjänst motsvarar ungefär en bussbiljett.",
        ),
        "taxi, resa",
        "färdtjänst",
    ),
    Anchor(
        "anchor-batplats", "sv", "kultur-fritid", None,
        "Hyra båtplats i kommunens hamnar",
        "Kommunen har båtplatser i Hamnstaden och Ekudden. Du ställer dig i kö och betalar avgiften för en säsong i taget.",
        (
            "En båtplats hyrs för en säsong, från april till oktober.",
            "Avgiften för en båtplats beror på båtens bredd.",
            "Du får inte hyra ut din båtplats i andra hand.",
        ),
        "hamn, brygga, båt",
        "båtplats",
    ),
    Anchor(
        "anchor-dodsbo", "sv", "ekonomi", "faktura",
        "Dödsbo och kommunens faktura",
        "När någon har dött skickas kommunens faktura till dödsbo. Ekonomiservice kan skjuta upp betalningen tills bouppteckningen är klar.",
        (
            "Den som sköter dödsbo kan be om anstånd med betalningen av en faktura.",
            "Skicka en kopia av dödsfallsintyget till ekonomiservice.",
            "Avgifter för hemtjänst upphör från dagen efter dödsfallet.",
        ),
        "arvinge, bouppteckning",
        "dödsbo",
    ),
    Anchor(
        "anchor-serveringstillstand", "sv", "kommunledning", None,
        "Ansöka om serveringstillstånd",
        "Restauranger som vill servera alkohol behöver serveringstillstånd från kommunen. Handläggningen tar cirka åtta veckor.",
        (
            "Ansökan om serveringstillstånd görs i e-tjänsten och kostar en avgift.",
            "Den som söker serveringstillstånd ska klara ett kunskapsprov.",
            "Ett tillfälligt serveringstillstånd kan ges för en enskild fest.",
        ),
        "alkohol, restaurang",
        "serveringstillstånd",
    ),
    Anchor(
        "anchor-feiing", "nb", "avfall-vatten", None,
        "Feiing og tilsyn av pipe",
        "Feiervesenet feier pipe og fører tilsyn med ildsteder etter behov. Du får varsel på SMS før feieren kommer.",
        (
            "Feiing skjer normalt hvert fjerde år.",
            "Feieren må komme til pipe fra taket eller loftet.",
            "Gebyret for feiing og tilsyn står på den kommunale fakturaen.",
        ),
        "feier, skorstein, ildsted",
        "feiing",
    ),
    Anchor(
        "anchor-kolonihage", "nb", "kultur-fritid", None,
        "Leie parsell i kolonihage",
        "Kommunen leier ut parseller i to kolonihager. Du søker om parsell i e-tjenesten og betaler årlig leie.",
        (
            "En parsell i kolonihage leies ut for ett år av gangen.",
            "Det er venteliste til parsell i kolonihage.",
            "I en kolonihage kan du dyrke grønnsaker og blomster.",
        ),
        "parsellhage, dyrking",
        "kolonihage",
    ),
    Anchor(
        "anchor-skjenkebevilling", "nb", "kommunledning", None,
        "Søke skjenkebevilling for uteservering",
        "Serveringssteder som vil skjenke alkohol, må ha skjenkebevilling fra kommunen. Saksbehandlingen tar omtrent åtte uker.",
        (
            "Søknad om skjenkebevilling sendes digitalt.",
            "Styrer og stedfortreder må bestå kunnskapsprøven før skjenkebevilling gis.",
            "En skjenkebevilling for en enkelt anledning kan gis for et arrangement.",
        ),
        "alkohol, servering",
        "skjenkebevilling",
    ),
    Anchor(
        "anchor-bobil", "nb", "trafik", "parkeringstillstand",
        "Parkering av bobil og campingvogn",
        "En bobil kan stå parkert på offentlig vei i inntil tre døgn. Lengre parkering krever plass på egen tomt.",
        (
            "En bobil som står lenger enn tre døgn kan bli tauet bort.",
            "Campingvogn uten bil kan ikke stå på offentlig vei.",
            "På utfartsparkeringen kan en bobil stå over natten.",
        ),
        "campingvogn, parkering",
        "bobil",
    ),
    Anchor(
        "anchor-utslipp", "nb", "avfall-vatten", None,
        "Utslippstillatelse for avløp fra hytte",
        "Skal du legge avløp fra en hytte, trenger du utslippstillatelse fra kommunen. Søknaden sendes før du starter arbeidet.",
        (
            "En utslippstillatelse gis for en hytte som ikke kan kobles til kommunalt avløp.",
            "Søknad om utslippstillatelse må lages av en fagkyndig.",
            "Gebyret for utslippstillatelse står i gebyrregulativet.",
        ),
        "avløp, septik, hytte",
        "utslippstillatelse",
    ),
    Anchor(
        "anchor-gravemelding", "nb", "trafik", None,
        "Gravemelding og graving i kommunal vei",
        "Før du graver i kommunal vei må du sende gravemelding. Arbeidet kan starte når gravemelding er godkjent.",
        (
            "Gravemelding sendes minst to uker før arbeidet starter.",
            "Ved akutte brudd kan du grave først og sende gravemelding etterpå.",
            "Veien skal settes i stand etter graving.",
        ),
        "graving, vei",
        "gravemelding",
    ),
    Anchor(
        "anchor-dropped-kerb", "en", "trafik", None,
        "Apply for a dropped kerb",
        "A dropped kerb lets you drive onto your property from the street. You need permission before a kerb is lowered.",
        (
            "Apply for a dropped kerb through the traffic office.",
            "The municipality does the work on the kerb and charges you a fee.",
            "A dropped kerb is not approved close to junctions.",
        ),
        "driveway, crossover",
        "dropped kerb",
    ),
    Anchor(
        "anchor-allotment", "en", "kultur-fritid", None,
        "Renting an allotment",
        "The municipality rents out allotment plots in three areas. Join the queue in the e-service and pay a yearly fee.",
        (
            "An allotment is rented for one year at a time.",
            "The queue for an allotment is about two years.",
            "On an allotment you may grow vegetables, flowers and berries.",
        ),
        "garden plot",
        "allotment",
    ),
    Anchor(
        "anchor-blue-badge", "en", "trafik", "parkeringstillstand",
        "Blue badge for disabled parking",
        "A blue badge lets a disabled driver or passenger park closer to where they are going. Apply with a doctor's certificate.",
        (
            "A blue badge is valid for up to five years.",
            "Show the blue badge in the windscreen when you park.",
            "A blue badge is personal and may only be used when the holder travels.",
        ),
        "disabled parking",
        "blue badge",
    ),
    Anchor(
        "anchor-street-party", "en", "trafik", None,
        "Road closure for a street party",
        "To close a road for a street party, apply to the traffic office at least four weeks before. Closure is free for residents.",
        (
            "A street party closure is only granted for quiet residential roads.",
            "Put up the closure signs the traffic office gives you.",
            "Emergency vehicles must always be able to pass a road closure.",
        ),
        "neighbourhood event",
        "street party",
    ),
    Anchor(
        "anchor-rats", "en", "avfall-vatten", None,
        "Pest control for rats and mice",
        "Rats and mice on public land are dealt with by the municipality. On your own property, contact a pest control company.",
        (
            "Report rats in parks or on streets through the e-service.",
            "Keep food waste in closed bins to avoid mice and rats.",
            "Pest control of rats in a block of flats is the landlord's task.",
        ),
        "vermin, pests",
        "rats",
    ),
)

# The searches: single words, inflected forms, questions, typos, rare words and searches
# that find nothing, in the three languages; the inflected ones with a target are the
# recall@3 set.
QUERIES = (
    # Swedish
    Query("bygglov", "sv", "word"),
    Query("sophämtning", "sv", "word"),
    Query("faktura", "sv", "word"),
    Query("hemtjänst", "sv", "word"),
    Query("förskola", "sv", "word"),
    Query("bygglovet", "sv", "inflected"),
    Query("kärlet", "sv", "inflected"),
    Query("fakturan", "sv", "inflected"),
    Query("soptunnan", "sv", "inflected"),
    Query("parkeringstillståndet", "sv", "inflected"),
    Query("växthuset", "sv", "inflected", "anchor-vaxthus"),
    Query("behöver växthuset bygglov", "sv", "inflected", "anchor-vaxthus"),
    Query("kolonilotterna", "sv", "inflected", "anchor-kolonilott"),
    Query("julgranen", "sv", "inflected", "anchor-julgran"),
    Query("eldningsförbudet", "sv", "inflected", "anchor-eldningsforbud"),
    Query("hur ansöker jag om färdtjänsten", "sv", "inflected", "anchor-fardtjanst"),
    Query("båtplatsen", "sv", "inflected", "anchor-batplats"),
    Query("fakturan till dödsboet", "sv", "inflected", "anchor-dodsbo"),
    Query("serveringstillståndet", "sv", "inflected", "anchor-serveringstillstand"),
    Query("hur ansöker jag om bygglov för altan", "sv", "question"),
    Query("när töms soptunnan", "sv", "question"),
    Query("vad kostar förskoleplatsen", "sv", "question"),
    Query("varför har kärlet inte tömts", "sv", "question"),
    Query("kan jag få fakturan som e-faktura", "sv", "question"),
    Query("handläggningstid för bygglovet", "sv", "question"),
    Query("vem plogar gångvägen", "sv", "question"),
    Query("byggloov", "sv", "typo"),
    Query("sophämting", "sv", "typo"),
    Query("julgarn", "sv", "typo", "anchor-julgran"),
    Query("pergola", "sv", "rare"),
    Query("fornlämningar", "sv", "rare"),
    Query("kryptovaluta", "sv", "none"),
    Query("helikopterplatta för ambulansflyg", "sv", "none"),
    # Norwegian Bokmål
    Query("barnehage", "nb", "word"),
    Query("byggesøknad", "nb", "word"),
    Query("renovasjon", "nb", "word"),
    Query("barnehagen", "nb", "inflected"),
    Query("søppeldunken", "nb", "inflected"),
    Query("fakturaen", "nb", "inflected"),
    Query("feiingen av pipa", "nb", "inflected", "anchor-feiing"),
    Query("kolonihagen", "nb", "inflected", "anchor-kolonihage"),
    Query("skjenkebevillingen", "nb", "inflected", "anchor-skjenkebevilling"),
    Query("bobilen", "nb", "inflected", "anchor-bobil"),
    Query("utslippstillatelsen for hytta", "nb", "inflected", "anchor-utslipp"),
    Query("gravemeldingen", "nb", "inflected", "anchor-gravemelding"),
    Query("søke barnehageplass", "nb", "question"),
    Query("hvordan søker jeg om byggetillatelse for garasje", "nb", "question"),
    Query("når tømmes søppeldunken", "nb", "question"),
    Query("hva koster barnehageplassen", "nb", "question"),
    Query("barnehagplass", "nb", "typo"),
    Query("skjenkebevilning", "nb", "typo", "anchor-skjenkebevilling"),
    Query("brøytekanten", "nb", "rare"),
    Query("romskip", "nb", "none"),
    # English
    Query("invoice", "en", "word"),
    Query("recycling", "en", "word"),
    Query("permits", "en", "inflected"),
    Query("dropped kerbs", "en", "inflected", "anchor-dropped-kerb"),
    Query("allotments", "en", "inflected", "anchor-allotment"),
    Query("blue badges", "en", "inflected", "anchor-blue-badge"),
    Query("street parties road closures", "en", "inflected", "anchor-street-party"),
    Query("rat in the garden", "en", "inflected", "anchor-rats"),
    Query("how do I apply for planning permission for a garage", "en", "question"),
    Query("my bin was not emptied", "en", "question"),
    Query("recyling", "en", "typo"),
    Query("allotmnet", "en", "typo", "anchor-allotment"),
    Query("fly-tipping", "en", "rare"),
    Query("cryptocurrency mining", "en", "none"),
)

# Searched without a language as well (every language, each with its own stemming), as
# the desktop does when the agent has not chosen one.
ALL_LANGUAGES = ("bygglov", "barnehageplass", "faktura", "julgranen", "recycling", "byggloov")
# fmt: on


# Generation ------------------------------------------------------------------------------


def _pick_language(rng: random.Random) -> str:
    return rng.choices([c for c, _w in LANGUAGE_WEIGHTS], [w for _c, w in LANGUAGE_WEIGHTS])[0]


class _Slots(dict):  # type: ignore[type-arg]
    """Values for a sentence's placeholders, drawn only for those it has."""

    def __init__(self, rng: random.Random, language: Language, obj: tuple[str, str]):
        super().__init__(o=obj[0], od=obj[1])
        self.rng = rng
        self.language = language

    def __missing__(self, key: str) -> object:
        rng = self.rng
        value: object = {
            "district": lambda: rng.choice(self.language.districts),
            "amount": lambda: rng.choice((250, 400, 650, 900, 1200, 1800, 2500, 4800, 9600)),
            "weeks": lambda: rng.randint(2, 10),
            "days": lambda: rng.choice((3, 5, 7, 10, 14, 30)),
            "hours": lambda: rng.randint(4, 24),
            "km": lambda: rng.choice((2, 3, 4, 6)),
            "zone": lambda: rng.choice("ABCDEFG"),
            "weekday": lambda: rng.choice(corpus.WEEKDAYS),
            "month": lambda: rng.choice(corpus.MONTHS),
            "phone": lambda: (
                f"0{rng.randint(10, 99)}-{rng.randint(100, 999)} {rng.randint(10, 99)} 00"
            ),
            "eservice": lambda: rng.choice(self.language.eservices),
        }[key]()
        self[key] = value
        return value


def _fill(template: str, slots: _Slots) -> str:
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


def _title(subject: Subject, language: Language, slots: _Slots, rng: random.Random) -> str:
    title = _fill(rng.choice(subject.titles), slots)
    roll = rng.random()
    if roll < 0.2:
        return title
    qualifier = (
        language.qualifiers[0] if roll < 0.7 else rng.choice(language.qualifiers[1:])
    ).format_map(slots)
    return title[:-1] + qualifier + "?" if title.endswith("?") else title + qualifier


def _body(
    subject: Subject,
    language: Language,
    slots: _Slots,
    rng: random.Random,
    anchors: list[Anchor],
    extra: tuple[str, ...] = (),
    words: tuple[int, int] = (100, 400),
) -> str:
    """Markdown of 100–400 words: paragraphs and lists under headings."""
    target = rng.randint(*words)
    facts = list(extra) + rng.sample(subject.facts, len(subject.facts))
    headings = rng.sample(language.headings, len(language.headings))
    blocks: list[str] = []
    written = 0

    general: list[str] = []

    def sentence() -> str:
        if facts and rng.random() < 0.7:
            return _fill(facts.pop(0), slots)
        for rare in language.rare:
            if rng.random() < 0.004:
                return rare
        if not general:  # each general sentence once before any comes again
            general.extend(rng.sample(language.general, len(language.general)))
        return _fill(general.pop(), slots)

    while written < target:
        if blocks and headings and rng.random() < 0.5:
            blocks.append("## " + headings.pop())
        if rng.random() < 0.25:
            items = [sentence().rstrip(".") for _ in range(rng.randint(2, 4))]
            block = "\n".join(f"- {item}" for item in items)
        else:
            block = " ".join(sentence() for _ in range(rng.randint(2, 4)))
        blocks.append(block)
        written += len(block.split())
    for anchor in anchors:
        if anchor.language == language.code and rng.random() < 0.004:
            blocks.append(language.see_also.format(anchor=anchor.mention))
    return "\n\n".join(blocks) + "\n"


def _summary(subject: Subject, language: Language, slots: _Slots, rng: random.Random) -> str:
    sentences = [_fill(rng.choice(subject.summaries), slots)]
    for _ in range(rng.choices((0, 1, 2), (3, 5, 2))[0]):
        sentences.append(_fill(rng.choice(subject.facts), slots))
    return " ".join(dict.fromkeys(sentences))


def _generated(number: int, rng: random.Random) -> ArticleText:
    language = LANGUAGES[_pick_language(rng)]
    subject = rng.choices(language.subjects, [s.weight for s in language.subjects])[0]
    slots = _Slots(rng, language, rng.choice(subject.objects))
    title = _title(subject, language, slots, rng)
    summary = _summary(subject, language, slots, rng)
    body = _body(subject, language, slots, rng, list(ANCHORS))
    keywords = ", ".join(
        rng.sample(subject.keywords, rng.randint(0, min(4, len(subject.keywords))))
    )
    status = rng.choices(("published", "draft", "archived"), (92, 5, 3))[0]
    return ArticleText(
        number=number,
        translation_key=f"{subject.key}-{number}",
        language=language.code,
        title=title[:200],
        summary=summary[:1000],
        body=body,
        keywords=keywords,
        department=subject.department,
        case_type=subject.case_type,
        visibility="public" if rng.random() < 0.6 else "internal",
        status=status,
        closed_contacts=int(rng.paretovariate(1.5)) - 1,
    )


def _anchor_article(number: int, anchor: Anchor, rng: random.Random) -> ArticleText:
    language = LANGUAGES[anchor.language]
    slots = _Slots(rng, language, (anchor.mention, anchor.mention))
    # Its own sentences, then general ones only: another subject's would name other things.
    own = Subject(anchor.key, anchor.department, anchor.case_type, 1, (), (), (), (), ())
    body = _body(own, language, slots, rng, [], extra=anchor.paragraphs, words=(100, 160))
    return ArticleText(
        number=number,
        translation_key=anchor.key,
        language=anchor.language,
        title=anchor.title,
        summary=anchor.summary,
        body=body,
        keywords=anchor.keywords,
        department=anchor.department,
        case_type=anchor.case_type,
        visibility="public",
        status="published",
        closed_contacts=3,
        source="anchor",
    )


def demo_articles() -> list[ArticleText]:
    """The demo municipality's hand-written articles, if the folder has any (read only)."""
    try:
        import yaml
    except ImportError:
        return []
    found = []
    departments = {code for code, _name in corpus.DEPARTMENTS}
    case_types = {topic.code for topic in corpus.TOPICS}
    for path in sorted(DEMO_ARTICLES.glob("*.md")) if DEMO_ARTICLES.is_dir() else []:
        match = re.match(r"\A---\n(.*?)\n---\n(.*)\Z", path.read_text(encoding="utf-8"), re.S)
        if not match:
            continue
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError:
            continue
        if not isinstance(meta, dict) or not meta.get("title") or not meta.get("summary"):
            continue
        language = str(meta.get("language", "sv"))
        if language not in LANGUAGES:
            continue
        owners = [d for d in meta.get("departments") or [] if d in departments]
        types = [t for t in meta.get("case_types") or [] if t in case_types]
        keywords = meta.get("keywords") or []
        found.append(
            ArticleText(
                number=-1,
                translation_key=str(meta.get("translation_key") or path.stem.split(".")[0])[:80],
                language=language,
                title=str(meta["title"])[:200],
                summary=str(meta["summary"]).strip()[:1000],
                body=match.group(2),
                keywords=", ".join(map(str, keywords)) if isinstance(keywords, list) else "",
                department=owners[0] if owners else "kommunledning",
                case_type=types[0] if types else None,
                visibility="internal" if meta.get("visibility") == "internal" else "public",
                status="published",
                closed_contacts=5,
                source="demo",
            )
        )
    return found


def demo_digest(articles: list[ArticleText]) -> str:
    """A short fingerprint of the demo articles a run used (they are still being written)."""
    digest = hashlib.sha256()
    for article in articles:
        digest.update(f"{article.translation_key}\0{article.title}\0{article.body}\0".encode())
    return digest.hexdigest()[:12]


def write(path: Path, count: int, *, demo: bool, render: Callable[[str], tuple[str, str]]) -> None:
    """The corpus as JSON lines, one article a line with `body_html` and `body_text` from
    `render(markdown)`; written under another name and renamed, so a reader sees all or
    nothing."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for text in articles(count, demo_articles() if demo else []):
            html, plain = render(text.body)
            out.write(json.dumps({**asdict(text), "body_html": html, "body_text": plain}))
            out.write("\n")
    partial.rename(path)


def read(path: Path) -> Iterator[tuple[ArticleText, str, str]]:
    """The articles of a file `write` made, each with its HTML and plain text."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            html, plain = record.pop("body_html"), record.pop("body_text")
            yield ArticleText(**record), html, plain


def articles(count: int, demo: list[ArticleText] | None = None) -> Iterator[ArticleText]:
    """`count` articles: the anchors, the demo articles, and generated ones for the rest.

    Article n of the generated ones is the same in every run whatever `count` is, so a
    quick run holds the first articles of a full one.
    """
    demo = demo or []
    rng = random.Random("kontakt-knowledge-anchors")
    for number, anchor in enumerate(ANCHORS):
        yield _anchor_article(number, anchor, rng)
    number = len(ANCHORS)
    for article in demo:
        yield ArticleText(**{**asdict(article), "number": number})
        number += 1
    generated = count - number
    index = 0
    while index < generated:
        block = random.Random(f"kontakt-knowledge-{index // BLOCK}")
        for _ in range(min(BLOCK, generated - index)):
            yield _generated(number, block)
            number += 1
            index += 1
