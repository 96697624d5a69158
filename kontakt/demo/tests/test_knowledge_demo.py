"""The demo's knowledge base answers what residents ask, in Swedish and in Norwegian, in the
first three hits: the check of an agent typing the resident's question."""

import pytest
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.demo.seed import seed_configuration, seed_knowledge, seed_staff
from kontakt.knowledge import selectors
from kontakt.knowledge.models import Article, ArticleFlag, SearchGap

QUESTIONS = [
    ("sv", "Soptunnan har inte tömts", "sophamtning-missad"),
    ("sv", "behöver jag bygglov för min altan", "altan"),
    ("sv", "hur byter jag till ett mindre kärl", "avfallskarl-byta"),
    ("sv", "när har återvinningscentralen öppet", "atervinningscentral-oppettider"),
    ("sv", "ansöka om förskoleplats", "forskoleplats-ansokan"),
    ("sv", "vatten läcker på gatan", "vattenlacka"),
    ("sv", "vem skottar trottoaren", "snoskottning-fastighetsagare"),
    ("sv", "parkeringstillstånd för rörelsehindrad", "parkeringstillstand-rorelsehindrad"),
    ("sv", "fakturan är fel", "faktura-fragor"),
    ("sv", "ansökan om hemtjänst", "hemtjanst-ansokan"),
    ("sv", "hur lång tid tar bygglovet", "bygglov-handlaggningstid-avgift"),
    ("sv", "friggebod nära tomtgränsen", "friggebod"),
    ("sv", "klaga på kommunen", "synpunkter-klagomal"),
    ("nb", "søke barnehageplass", "forskoleplats-ansokan"),
    ("nb", "søppeldunken ble ikke tømt", "sophamtning-missad"),
    ("nb", "trenger jeg byggesøknad for terrasse", "altan"),
    ("nb", "trygghetsalarm", "trygghetslarm"),
    ("nb", "brøyting av veien", "snorojning-ansvar"),
    ("nb", "regningen er feil", "faktura-fragor"),
    ("nb", "vannlekkasje", "vattenlacka"),
    ("nb", "søknad om hjemmetjeneste", "hemtjanst-ansokan"),
    ("en", "missed bin collection", "sophamtning-missad"),
]


@pytest.fixture
def demo_knowledge(db) -> User:
    seed_configuration()
    seed_staff()
    seed_knowledge(now=timezone.now(), progress=False)
    return User.objects.get(username="agent1")


@pytest.mark.parametrize(("language", "question", "key"), QUESTIONS)
def test_a_typed_question_finds_its_answer_in_the_first_three(
    demo_knowledge, language, question, key
):
    result = selectors.article_search(user=demo_knowledge, query=question, language=language)
    assert key in [hit.article.translation_key for hit in result.hits[:3]]


def test_the_demo_knowledge_base_is_seeded_once(demo_knowledge):
    counts = (Article.objects.count(), ArticleFlag.objects.count(), SearchGap.objects.count())
    assert counts[0] >= 100 and counts[1] > 0 and counts[2] > 0
    report = seed_knowledge(now=timezone.now(), progress=False)
    assert (report.created, report.updated) == (0, 0)
    assert (
        Article.objects.count(),
        ArticleFlag.objects.count(),
        SearchGap.objects.count(),
    ) == counts
