"""Which of Swedish, Norwegian (bokmål) and English a short text is written in.

Good enough to route a resident's e-mail to an agent who reads its language: each
language scores the words of the text that are stop words of that language only (the
Snowball lists in `stopwords/`; "och" is Swedish, "og" Norwegian, "the" English, and the
many words Swedish and Norwegian share count for neither), and the letters only one of
the Scandinavian languages writes (ä, ö against æ, ø) add to its score. A text with no
such evidence has no guess.
"""

from collections import Counter
from functools import cache

from .text_search import stopwords, words

LANGUAGES = ("sv", "nb", "en")
# ä/ö are Swedish, æ/ø Norwegian; å is both and says nothing.
_LETTERS = {"sv": frozenset("äö"), "nb": frozenset("æø")}
# A text is judged by its first words: enough for a guess, cheap for a long mail.
MAX_WORDS = 400


@cache
def _own_words() -> dict[str, frozenset[str]]:
    """Each language's stop words that none of the others has."""
    lists = {language: stopwords(language) for language in LANGUAGES}
    return {
        language: frozenset(
            lists[language].difference(*(lists[other] for other in LANGUAGES if other != language))
        )
        for language in LANGUAGES
    }


def language_guess(text: str) -> str:
    """ "sv", "nb" or "en" for the language the text seems written in, "" if it cannot tell."""
    own = _own_words()
    scores: Counter[str] = Counter()
    for word in words(text)[:MAX_WORDS]:
        for language in LANGUAGES:
            if word in own[language]:
                scores[language] += 1
        for language, letters in _LETTERS.items():
            scores[language] += sum(1 for letter in word if letter in letters)
    if not scores:
        return ""
    ranked = scores.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return ""
    return ranked[0][0]
