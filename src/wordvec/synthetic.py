"""A synthetic English-like corpus with planted regularities.

The demo and the end-to-end tests need a corpus that is small enough to train
on in seconds, ships with the package (no download), and has known answers:
after training, ``king - man + woman`` should land on ``queen``. This module
writes such a corpus from scratch, deterministically for a seed.

Four families of word pairs are planted:

* ``royalty-gender``: king/queen, man/woman, father/mother, ... (male, female)
* ``capital-country``: paris/france, berlin/germany, ... (capital, country)
* ``plural``: dog/dogs, tree/trees, ... (singular, plural)
* ``past-tense``: walk/walked, eat/ate, ... (present, past)

How the regularities are planted. Word embeddings learn from the words around
a word (a window of about five on each side), so each planted word is put into
sentences whose nearby words carry two independent signals:

* a *topic* shared by both members of its pair (``throne``, ``crown`` for king
  and queen; ``french`` for paris and france; ``leash``, ``bark`` for dog and
  dogs; ``bread``, ``dinner`` for eat and ate), and
* a *marker* of its side of the relation, shared by the whole family (``he``,
  ``his``, ``sir`` against ``she``, ``her``, ``madam``; ``country``,
  ``government`` against ``city``, ``mayor``; ``one``, ``is`` against ``two``,
  ``are``; ``today``, ``usually`` against ``yesterday``, ``ago``).

So ``queen - king`` and ``woman - man`` point the same way (male markers out,
female markers in) while ``queen`` keeps the royal topic: that is exactly
what the analogy test asks for. Both members of a pair use the same sentence
templates, so the only difference between them is the marker.

To keep the task from being trivial, about a quarter of the sentences are
background text built from the same kind of templates out of ~340 ordinary
filler words drawn with Zipf-like frequencies (``the`` is by far the most
common word), and planted sentences are padded with filler too.

Only Python's own :class:`random.Random` is used, whose sequence is stable
across Python versions, so a seed gives the same text everywhere.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from wordvec.errors import ConfigError

__all__ = [
    "DEMO_ANALOGIES",
    "DEMO_WORDS",
    "SECTIONS",
    "analogy_questions",
    "demo_words",
    "generate_sentences",
    "marker_words",
    "planted_pairs",
    "planted_words",
    "write_analogies",
    "write_corpus",
]

# ---------------------------------------------------------------------------
# Planted families. Each pair comes with the topic words both members share.
# ---------------------------------------------------------------------------

# (male, female, domain, topic words)
_GENDER = [
    ("king", "queen", "royalty", ("throne", "crown", "reign", "kingdom")),
    ("prince", "princess", "royalty", ("heir", "castle", "coronation", "knights")),
    ("emperor", "empress", "royalty", ("empire", "imperial", "dynasty", "conquest")),
    ("duke", "duchess", "royalty", ("estate", "manor", "nobility", "title")),
    ("man", "woman", "people", ("adult", "person", "stranger", "tall")),
    ("boy", "girl", "people", ("child", "school", "playground", "toys")),
    ("actor", "actress", "people", ("film", "stage", "role", "theatre")),
    ("waiter", "waitress", "people", ("restaurant", "tips", "menu", "tray")),
    ("groom", "bride", "people", ("wedding", "ceremony", "altar", "vows")),
    ("father", "mother", "family", ("parent", "baby", "raised", "kids")),
    ("brother", "sister", "family", ("sibling", "twin", "older", "younger")),
    ("husband", "wife", "family", ("married", "spouse", "anniversary", "marriage")),
    ("uncle", "aunt", "family", ("relatives", "cousins", "holiday", "visit")),
    ("son", "daughter", "family", ("born", "eldest", "adopted", "teenage")),
    ("nephew", "niece", "family", ("birthday", "favourite", "presents", "christening")),
    ("grandfather", "grandmother", "family", ("grandchildren", "elderly", "stories", "retired")),
]
_DOMAINS = {
    "royalty": ("palace", "court", "royal", "realm"),
    "people": ("town", "crowd", "village", "folk"),
    "family": ("family", "home", "household", "kin"),
}
_GENDER_MARKERS = {
    # subject, possessive, object, reflexive, titles
    "male": ("he", "his", "him", "himself", ("sir", "mr", "lord")),
    "female": ("she", "her", "her", "herself", ("madam", "mrs", "lady")),
}

# (capital, country, people/language adjective, region)
_CAPITALS = [
    ("paris", "france", "french", "europe"),
    ("berlin", "germany", "german", "europe"),
    ("rome", "italy", "italian", "europe"),
    ("madrid", "spain", "spanish", "europe"),
    ("lisbon", "portugal", "portuguese", "europe"),
    ("athens", "greece", "greek", "europe"),
    ("warsaw", "poland", "polish", "europe"),
    ("vienna", "austria", "austrian", "europe"),
    ("dublin", "ireland", "irish", "europe"),
    ("stockholm", "sweden", "swedish", "scandinavia"),
    ("oslo", "norway", "norwegian", "scandinavia"),
    ("helsinki", "finland", "finnish", "scandinavia"),
    ("moscow", "russia", "russian", "eurasia"),
    ("cairo", "egypt", "egyptian", "africa"),
    ("nairobi", "kenya", "kenyan", "africa"),
    ("tokyo", "japan", "japanese", "asia"),
    ("beijing", "china", "chinese", "asia"),
    ("bangkok", "thailand", "thai", "asia"),
    ("ottawa", "canada", "canadian", "america"),
    ("lima", "peru", "peruvian", "america"),
    ("havana", "cuba", "cuban", "caribbean"),
]
_COUNTRY_MARKERS = (
    "country", "nation", "border", "government", "population", "republic", "citizens", "economy",
)
_CITY_MARKERS = (
    "city", "capital", "streets", "mayor", "downtown", "neighbourhood", "suburbs", "skyline",
)

# (singular, plural, topic words)
_PLURALS = [
    ("dog", "dogs", ("bark", "leash", "kennel", "bone")),
    ("cat", "cats", ("whiskers", "purr", "mice", "fur")),
    ("car", "cars", ("engine", "parking", "garage", "tyres")),
    ("house", "houses", ("roof", "rooms", "porch", "chimney")),
    ("tree", "trees", ("leaves", "branches", "forest", "roots")),
    ("book", "books", ("pages", "library", "chapters", "shelf")),
    ("bird", "birds", ("feathers", "nest", "wings", "beak")),
    ("horse", "horses", ("saddle", "stable", "hooves", "mane")),
    ("apple", "apples", ("orchard", "juice", "ripe", "basket")),
    ("flower", "flowers", ("petals", "bloom", "vase", "pollen")),
    ("ship", "ships", ("harbour", "sail", "deck", "anchor")),
    ("bottle", "bottles", ("cork", "label", "glass", "recycling")),
    ("chair", "chairs", ("seat", "cushion", "armrest", "wooden")),
    ("key", "keys", ("lock", "keyring", "pocket", "spare")),
    ("coin", "coins", ("silver", "gold", "mint", "collector")),
    ("candle", "candles", ("wax", "flame", "wick", "candlelight")),
]
_NUMBER_MARKERS = {
    # determiners, forms of "to be", forms of "to have"
    "singular": (("a", "one", "this", "each", "another", "single"), ("is", "was"), ("has",)),
    "plural": (("two", "three", "many", "several", "these", "some", "four"), ("are", "were"),
               ("have",)),
}

# (present, past, topic words)
_VERBS = [
    ("walk", "walked", ("park", "path", "trail", "stroll")),
    ("eat", "ate", ("bread", "dinner", "meal", "breakfast")),
    ("run", "ran", ("race", "marathon", "track", "finish")),
    ("write", "wrote", ("letter", "pen", "poem", "essay")),
    ("sing", "sang", ("song", "choir", "chorus", "melody")),
    ("swim", "swam", ("lake", "pool", "waves", "lifeguard")),
    ("go", "went", ("market", "trip", "journey", "abroad")),
    ("see", "saw", ("view", "sight", "glimpse", "scenery")),
    ("speak", "spoke", ("speech", "microphone", "audience", "words")),
    ("drive", "drove", ("truck", "motorway", "steering", "licence")),
    ("play", "played", ("game", "football", "match", "team")),
    ("cook", "cooked", ("kitchen", "soup", "recipe", "oven")),
    ("paint", "painted", ("canvas", "brush", "portrait", "colours")),
    ("dance", "danced", ("music", "rhythm", "ballroom", "partner")),
    ("buy", "bought", ("shop", "price", "store", "bargain")),
    ("build", "built", ("bridge", "bricks", "hammer", "builders")),
    ("teach", "taught", ("students", "lesson", "class", "classroom")),
    ("sleep", "slept", ("bed", "pillow", "tired", "blanket")),
]
_TENSE_MARKERS = {
    "present": ("today", "now", "usually", "often", "always", "sometimes", "nowadays", "daily",
                "every day", "every morning"),
    "past": ("yesterday", "long ago", "years ago", "last week", "last night", "last year",
             "once", "earlier", "previously", "recently"),
}
_SUBJECTS = ("we", "they", "i", "you", "people", "friends")

# ---------------------------------------------------------------------------
# Background vocabulary, each list roughly in order of decreasing frequency.
# Words that are planted, markers or topic words are removed from these lists
# at import time, so background text never blurs a planted signal.
# ---------------------------------------------------------------------------

_FILLER = {
    "det": "the their our my your its that no any",
    "adj": """good new great old small long large little big important different right high
        early young strong real whole clear free full simple hard easy bright dark quiet green
        cold warm strange happy busy heavy soft red blue open late fine poor rich short wide deep
        main local public common special certain wild gentle careful proud famous ancient modern
        beautiful tiny huge calm sweet fresh plain lucky silent golden narrow distant""",
    "noun": """time way thing work life world hand part place case point problem fact group
        question idea story side end money reason kind head face light paper colour evening
        weather field hill road stone sound box picture plan answer power air fire ground table
        river mountain sea sun moon rain snow wind news door window wall floor corner bag cup
        plate shirt coat hat shoe boat bus train office company bank hospital church farm garden
        island tower machine computer phone radio camera clock map ticket job meeting report
        result change interest health history science art nature ocean desert valley beach
        cloud storm dream memory secret message note number system program order form level
        voice body mind heart eye street door shadow fence gate bell rope box list tool""",
    "verb": """found kept held called liked wanted asked knew felt left brought met turned
        showed heard opened closed carried watched followed noticed remembered moved changed
        loved needed tried used helped started finished missed cleaned fixed checked counted
        described explained reached pulled pushed lifted dropped touched shared sent lost won
        chose caught hid forgot ignored praised admired studied mentioned imagined owned
        borrowed returned protected""",
    "adv": """still also just even only too well here there again soon together alone later
        maybe perhaps really almost never ever finally suddenly clearly quickly quietly gently
        happily carefully rarely simply probably certainly""",
    "prep": """in on at with by from near over into through behind under around across after
        before along beside inside without towards beyond""",
    "pron": "it we they you i people someone everyone nobody",
    "conj": "and but so because while when then or although until since though",
}

# Sentence templates. {name} is a slot; every other token is literal text.
_BACKGROUND_TEMPLATES = (
    "{det} {adj} {noun} {verb} {det} {noun}",
    "{pron} {verb} {det} {noun} {prep} the {noun}",
    "{det} {noun} {verb} {adv} {conj} {pron} {verb} {det} {adj} {noun}",
    "{prep} the {noun} {pron} {adv} {verb} {det} {noun}",
    "{det} {noun} of the {noun} {verb} {det} {noun} {adv}",
    "{pron} {verb} that {det} {noun} {verb} {det} {adj} {noun}",
    "{conj} {pron} {verb} the {adj} {noun} {prep} {det} {noun}",
)
_TAIL_TEMPLATES = (
    "{prep} the {noun}",
    "{conj} {pron} {verb} {det} {noun}",
    "{adv}",
)
_GENDER_TEMPLATES = (
    "the {w} {verb} {poss} {c} {prep} the {d}",
    "{subj} {verb} that the {w} {adv} {verb} the {c}",
    "everyone {verb} the {adj} {w} and {poss} {c}",
    "the {c} of the {w} {verb} {obj} {adv}",
    "the {w} {verb} the {c} by {refl}",
    "{poss} {adj} {c} {verb} the {w} {adv}",
    "the {w} and the {p} {verb} the {c} {prep} the {d}",
    "{subj} is the {w} of the {d} and {subj} {verb} the {c}",
    "the {d} {verb} the {w} because {subj} {verb} {poss} {c}",
    "the {w} was called {title} by the {d}",
    "when the {w} {verb} the {c} {subj} {verb} {obj} {adv}",
)
_COUNTRY_TEMPLATES = (
    "{cap} is the capital of {w}",
    "the {adjc} {cm} of {w} {verb} the {noun}",
    "{w} is a {adj} {cm} in {reg}",
    "the {cm} of {w} {verb} {det} {adjc} {noun} {adv}",
    "{w} {verb} a treaty with {oc}",
    "in {w} the {adjc} {noun} {verb} {adv}",
    "the {adjc} people of {w} {verb} their {cm}",
)
_CAPITAL_TEMPLATES = (
    "{w} is the capital of {ctry}",
    "the {tm} of {w} {verb} {adjc} {noun}",
    "{w} is a {adj} {tm} in {ctry}",
    "we {verb} the {tm} of {w} {prep} the {adjc} {noun}",
    "the {adjc} {tm} of {w} {verb} {adv}",
    "in {w} the {adjc} {noun} {verb} {det} {tm}",
    "the {tm} of {w} {verb} the {noun} of {reg}",
)
_PLURAL_TEMPLATES = (
    "{n} {w} {be} {prep} the {c}",
    "there {be} {n} {w} with {det} {c}",
    "{n} {adj} {w} {verb} the {c}",
    "i {verb} {n} {w} {prep} the {c} {adv}",
    "the {c} of {n} {w} {be} {adj}",
    "{n} {w} {have} {adj} {c}",
    "{pron} {verb} that {n} {w} {be} {adj}",
)
_VERB_TEMPLATES = (
    "{t} {who} {w} {prep} the {c}",
    "{who} {w} {prep} the {c} {t}",
    "{who} {adv} {w} {det} {c} {t}",
    "{t} the {noun} {w} {prep} the {c}",
    "{who} {w} {det} {adj} {c} {t}",
    "{t} {who} {w} and {who} {verb} the {c}",
    "{who} {w} with {det} {c} {t}",
)

SECTIONS = ("royalty-gender", "capital-country", "plural", "past-tense")
"""Names of the planted analogy sections, in the order they are written."""

DEMO_WORDS = ("king", "queen", "woman", "paris", "france", "dogs", "walked", "teach")
"""Words whose nearest neighbours the demo shows: one or two per planted family."""

DEMO_ANALOGIES = (
    ("man", "woman", "king", "queen"),
    ("paris", "france", "berlin", "germany"),
    ("dog", "dogs", "cat", "cats"),
    ("walk", "walked", "swim", "swam"),
)
"""One showcase question per family, ``(a, b, c, d)`` meaning ``a : b :: c : d``,
that is ``b - a + c`` should be nearest to ``d`` (woman - man + king = queen)."""

# Share of background (filler-only) sentences, and of sentences that get a
# trailing filler phrase; weights of the four planted families follow their
# number of words.
_BACKGROUND_SHARE = 0.25
_TAIL_SHARE = 0.35
# Pairs later in each list are somewhat rarer (weight 1 / rank**_PAIR_ZIPF),
# as in real text; kept mild so every planted word still occurs often.
_PAIR_ZIPF = 0.35


def planted_pairs() -> dict[str, list[tuple[str, str]]]:
    """The planted word pairs of each analogy section, in a fixed order.

    The first word of each pair is the male / capital / singular / present
    form, the second the female / country / plural / past form.
    """
    return {
        "royalty-gender": [(m, f) for m, f, _, _ in _GENDER],
        "capital-country": [(cap, ctry) for cap, ctry, _, _ in _CAPITALS],
        "plural": [(s, p) for s, p, _ in _PLURALS],
        "past-tense": [(pres, past) for pres, past, _ in _VERBS],
    }


def planted_words() -> list[str]:
    """Every word of every planted pair, each once, in section order."""
    return [w for pairs in planted_pairs().values() for pair in pairs for w in pair]


def marker_words() -> dict[str, tuple[str, ...]]:
    """The marker words of each side of each relation (``"male"``, ``"female"``,
    ``"country"``, ``"city"``, ``"singular"``, ``"plural"``, ``"present"``,
    ``"past"``): the context words that tell the two members of a pair apart."""
    out: dict[str, tuple[str, ...]] = {}
    for side, (subj, poss, obj, refl, titles) in _GENDER_MARKERS.items():
        out[side] = tuple(dict.fromkeys((subj, poss, obj, refl, *titles)))
    out["country"] = _COUNTRY_MARKERS
    out["city"] = _CITY_MARKERS
    for side, (dets, be, have) in _NUMBER_MARKERS.items():
        out[side] = (*dets, *be, *have)
    for side, phrases in _TENSE_MARKERS.items():
        out[side] = tuple(dict.fromkeys(w for p in phrases for w in p.split()))
    return out


def demo_words() -> list[str]:
    """Words the demo should show nearest neighbours for."""
    return list(DEMO_WORDS)


def analogy_questions() -> dict[str, list[tuple[str, str, str, str]]]:
    """Analogy questions ``(a, b, c, d)`` meaning ``a : b :: c : d``, by section.

    As in the Google analogy set, every ordered pair of distinct pairs of a
    section makes one question, so a section of ``n`` pairs has ``n * (n - 1)``.
    """
    return {
        section: [(a, b, c, d) for (a, b), (c, d) in itertools.permutations(pairs, 2)]
        for section, pairs in planted_pairs().items()
    }


def write_analogies(path: str | Path) -> Path:
    """Write :func:`analogy_questions` in the Google ``questions-words.txt`` format.

    One ``: section`` header line per section, then one ``a b c d`` line per
    question. Returns the path written.
    """
    path = Path(path)
    lines: list[str] = []
    for section, questions in analogy_questions().items():
        lines.append(f": {section}")
        lines.extend(" ".join(q) for q in questions)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generate_sentences(n_words: int = 300_000, seed: int = 0) -> list[list[str]]:
    """Generate the synthetic corpus as a list of tokenised, lower-case sentences.

    Sentences are added until the corpus holds at least ``n_words`` tokens, so
    it overshoots by less than one sentence (about a dozen words). The same
    ``(n_words, seed)`` always gives the same corpus.

    >>> sents = generate_sentences(2_000, seed=1)
    >>> sum(map(len, sents)) >= 2_000
    True
    """
    if isinstance(n_words, bool) or not isinstance(n_words, int) or n_words < 1:
        raise ConfigError(f"n_words must be a positive integer, got {n_words!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    return _Generator(seed).sentences(n_words)


def write_corpus(path: str | Path, n_words: int = 300_000, seed: int = 0) -> Path:
    """Write :func:`generate_sentences` to ``path``, one sentence per line.

    The text is lower case, words separated by single spaces, UTF-8. Returns
    the path written.
    """
    sentences = generate_sentences(n_words=n_words, seed=seed)
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for sentence in sentences:
            f.write(" ".join(sentence))
            f.write("\n")
    return path


# ---------------------------------------------------------------------------
# Implementation
# ---------------------------------------------------------------------------


def _reserved_words() -> set[str]:
    """Planted, marker and topic words: kept out of the background vocabulary."""
    words = set(planted_words())
    for markers in marker_words().values():
        words.update(markers)
    for _, _, domain, topics in _GENDER:
        words.update(topics)
        words.update(_DOMAINS[domain])
    for _, _, adj, region in _CAPITALS:
        words.update((adj, region))
    for *_, topics in _PLURALS + _VERBS:
        words.update(topics)
    return words


def _zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


class _Weighted:
    """A list of items drawn with fixed weights (cumulative weights computed once)."""

    def __init__(self, items: Sequence, weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> object:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _build_filler() -> dict[str, _Weighted]:
    reserved = _reserved_words()
    filler = {}
    for category, text in _FILLER.items():
        words = [w for w in dict.fromkeys(text.split()) if w not in reserved]
        # Zipf with exponent 1 inside each category: the first words dominate.
        filler[category] = _Weighted(words, _zipf_weights(len(words), 1.0))
    return filler


class _Generator:
    """Fills sentence templates; one instance per corpus, holding the random state."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.filler = _build_filler()
        # Each entry: (weight, function producing one sentence)
        makers: list[tuple[float, Callable[[], list[str]]]] = []
        families = (
            (_GENDER, self._gender),
            (_CAPITALS, self._capital),
            (_PLURALS, self._plural),
            (_VERBS, self._verb),
        )
        n_planted = sum(2 * len(items) for items, _ in families)
        for items, maker in families:
            pair_weights = _zipf_weights(len(items), _PAIR_ZIPF)
            total = sum(pair_weights)
            family_weight = (1 - _BACKGROUND_SHARE) * 2 * len(items) / n_planted
            for item, w in zip(items, pair_weights, strict=True):
                for side in (0, 1):
                    weight = family_weight * w / total / 2
                    makers.append((weight, functools.partial(maker, item, side)))
        makers.append((_BACKGROUND_SHARE, self._background))
        self.makers = _Weighted([m for _, m in makers], [w for w, _ in makers])

    def sentences(self, n_words: int) -> list[list[str]]:
        out: list[list[str]] = []
        total = 0
        while total < n_words:
            sentence = self.makers.draw(self.rng)()
            if self.rng.random() < _TAIL_SHARE:
                sentence += self._fill(self.rng.choice(_TAIL_TEMPLATES), {})
            out.append(sentence)
            total += len(sentence)
        return out

    # -- template filling ---------------------------------------------------

    def _fill(self, template: str, slots: dict[str, object]) -> list[str]:
        """Replace each ``{name}`` token by ``slots[name]`` (a string or a tuple
        to pick from uniformly) or by a Zipf-drawn filler word of that category.
        Multi-word values are split into tokens."""
        tokens: list[str] = []
        for token in template.split():
            if token[0] != "{":
                tokens.append(token)
                continue
            name = token[1:-1]
            value = slots.get(name)
            if value is None:
                value = self.filler[name].draw(self.rng)
            elif isinstance(value, tuple):
                value = self.rng.choice(value)
            tokens.extend(str(value).split())
        return tokens

    def _background(self) -> list[str]:
        return self._fill(self.rng.choice(_BACKGROUND_TEMPLATES), {})

    def _gender(self, item: tuple, side: int) -> list[str]:
        male, female, domain, topics = item
        subj, poss, obj, refl, titles = _GENDER_MARKERS["male" if side == 0 else "female"]
        slots = {
            "w": (male, female)[side],
            "p": (female, male)[side],
            "subj": subj,
            "poss": poss,
            "obj": obj,
            "refl": refl,
            "title": titles,
            "c": topics,
            "d": _DOMAINS[domain],
        }
        return self._fill(self.rng.choice(_GENDER_TEMPLATES), slots)

    def _capital(self, item: tuple, side: int) -> list[str]:
        capital, country, adjective, region = item
        if side == 0:
            templates = _CAPITAL_TEMPLATES
            slots: dict[str, object] = {"w": capital, "ctry": country, "tm": _CITY_MARKERS}
        else:
            templates = _COUNTRY_TEMPLATES
            other = self.rng.choice([c for _, c, _, _ in _CAPITALS if c != country])
            slots = {"w": country, "cap": capital, "cm": _COUNTRY_MARKERS, "oc": other}
        slots.update(adjc=adjective, reg=region)
        return self._fill(self.rng.choice(templates), slots)

    def _plural(self, item: tuple, side: int) -> list[str]:
        singular, plural, topics = item
        dets, be, have = _NUMBER_MARKERS["singular" if side == 0 else "plural"]
        slots = {"w": (singular, plural)[side], "n": dets, "be": be, "have": have, "c": topics}
        return self._fill(self.rng.choice(_PLURAL_TEMPLATES), slots)

    def _verb(self, item: tuple, side: int) -> list[str]:
        present, past, topics = item
        slots = {
            "w": (present, past)[side],
            "t": _TENSE_MARKERS["present" if side == 0 else "past"],
            "who": _SUBJECTS,
            "c": topics,
        }
        return self._fill(self.rng.choice(_VERB_TEMPLATES), slots)
