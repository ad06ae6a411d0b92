"""Synthetic news posts for benchmarks and tests, built from the seed posts' vocabulary.

    from bench.corpus import generate_posts, write_posts
    posts = generate_posts(1000, seed=0)          # list[Post], nothing written
    paths = write_posts(folder, 1000, seed=0)     # the same posts as content files

Posts look like the NGO's news: English (about 75%) and Serbian (Latin and Cyrillic), 150-700 words,
titles, tags from a shared pool, dates over 2015-2026 (about 5% undated), some with a url or a summary.
Sentences are the seed posts' own (content/posts/*.md, with names, places and numbers swapped) mixed with
templated ones, plus rare generated names so the vocabulary grows with the corpus as real news does.

Deterministic: post i depends only on (seed, i, the seed posts), so `generate_posts(n + 1)` is
`generate_posts(n)` plus one post. A generated `Post` equals what `load_posts` reads back from its file
(except `path`), hash included.

Self-check: `python bench/corpus.py --check`; write a folder: `python bench/corpus.py DIR -n 1000`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from random import Random

import cyrtranslit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from index.posts import Post, load_posts, parse_post  # noqa: E402

SEED_POSTS = ROOT / "content" / "posts"
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2026, 11, 1)

# fmt: off
PEOPLE = [
    "Milutin Milošević", "Nebojša Đurasović", "Žana Glavendekić", "Goran Radisavljević", "Milan Pekić",
    "Vesna Tomić", "Gorica Popović", "Marios Atzemis", "Fariba Soltani", "Christina Gamboa-Riano",
    "Thomas Clausen", "Volker Türk", "Tlaleng Mofokeng", "Ivana Jovanović", "Dragan Petrović",
    "Jelena Nikolić", "Aleksandar Stojanović", "Marija Đorđević", "Nikola Kovačević", "Ana Marković",
    "Stefan Ilić", "Milica Pavlović", "Vladimir Živković", "Tijana Savić", "Branka Čolić",
    "Denis Hadžić", "Amra Begović", "Ardit Hoxha", "Elena Stojanovska", "Maja Šarić", "Petra Horvat",
    "Luka Novak", "Ioana Popescu", "Georgi Dimitrov", "Katerina Papadopoulou", "Olena Kovalenko",
    "João Goulão", "Anna Schmidt", "Pierre Dubois", "Sarah O'Connor",
]
FIRST_NAMES = [
    "Milica", "Jovana", "Dragana", "Snežana", "Zoran", "Miloš", "Đorđe", "Bojan", "Nemanja", "Dušan",
    "Ljiljana", "Vuk", "Nataša", "Željko", "Sanja", "Mirjana", "Lazar", "Teodora", "Jasmina", "Predrag",
]
SURNAME_PARTS = [
    "vuk", "mil", "rad", "dra", "bog", "stan", "slav", "bran", "mir", "ljub", "zor", "dob", "vel", "jak",
    "gor", "nen", "pav", "tod", "đur", "čed", "šar", "kov", "dim", "ran", "lek", "pet", "sim", "ob",
]
ROLES = [
    "Executive Director", "President", "Board Member", "Project Officer", "Programme Coordinator",
    "Director", "Advocacy Officer", "Head of Unit", "Regional Adviser", "researcher", "peer worker",
]
ORGS = [
    "DPNSEE", "UNODC", "EMCDDA", "the EU Drugs Agency", "the Commission on Narcotic Drugs", "the CSFD",
    "the Vienna NGO Committee on Drugs", "the World Health Organisation", "UNAIDS", "the Global Fund",
    "Harm Reduction International", "the European Commission", "the Ministry of Health of Serbia",
    "the Office for Combating Drugs", "the Institute for Public Health", "the Coalition prEUgovor",
    "Izlazak", "the Timok Youth Centre", "Re Generation", "Prevent", "Juventas", "Margina",
    "Healthy Options Project Skopje", "Aksion Plus", "Terra", "Stigma",
    "the Eurasian Harm Reduction Association",
    "Correlation European Harm Reduction Network", "the International Drug Policy Consortium", "Europol",
]
CITIES = [
    "Belgrade", "Novi Sad", "Niš", "Podgorica", "Sarajevo", "Banja Luka", "Skopje", "Tirana", "Pristina",
    "Zagreb", "Ljubljana", "Sofia", "Bucharest", "Athens", "Chisinau", "Kyiv", "Lisbon", "Vienna",
    "Brussels", "Geneva", "Budva", "Ohrid", "Zaječar",
]
COUNTRIES = [
    "Serbia", "Montenegro", "Bosnia and Herzegovina", "North Macedonia", "Albania", "Kosovo", "Croatia",
    "Slovenia", "Bulgaria", "Romania", "Greece", "Moldova", "Ukraine", "Portugal", "Austria",
]
TOPICS = [
    ("harm reduction", "harm reduction"), ("drug policy", "drug policy"),
    ("opioid substitution therapy", "ost"), ("drug use disorder treatment", "treatment"),
    ("drug trafficking", "drug trafficking"), ("money laundering", "money laundering"),
    ("human rights", "human rights"), ("decriminalisation of drug use", "decriminalisation"),
    ("cannabis regulation", "cannabis"), ("HIV prevention", "hiv"), ("hepatitis C testing", "hepatitis"),
    ("needle and syringe programmes", "harm reduction"), ("naloxone distribution", "naloxone"),
    ("health in prisons", "prisons"), ("prevention among young people", "youth"),
    ("drug checking services", "drug checking"), ("community responses", "community"),
    ("stigma and discrimination", "stigma"), ("quality assurance of treatment", "quality assurance"),
    ("civil society participation", "civil society"), ("new psychoactive substances", "nps"),
    ("cocaine markets", "cocaine"), ("EU accession negotiations", "european union"),
    ("Chapter 24 of the accession talks", "chapter 24"), ("alternatives to incarceration", "alternatives"),
    ("gender and drug use", "gender"), ("sustainable funding for harm reduction", "funding"),
    ("peer-led services", "peers"), ("overdose prevention", "overdose"), ("mental health", "mental health"),
]
EVENTS = [
    "regional consultation", "annual assembly", "expert meeting", "conference", "training", "roundtable",
    "side event", "thematic discussion", "study visit", "webinar", "working group meeting", "public hearing",
    "summer school", "press conference", "intersessional meeting",
]
DOCS = ["report", "strategy", "action plan", "policy brief", "survey", "law", "toolkit", "resolution"]
TAGS = [
    "cnd", "unodc", "emcdda", "csfd", "vngoc", "ecosoc", "vienna", "belgrade", "lisbon", "serbia",
    "montenegro", "western balkans", "ukraine", "refugees", "project", "media", "k1 tv", "espad",
    "working group", "european commission", "european union", "preugovor", "ministry of health", "assembly",
    "advocacy",
    "research", "training", "conference", "statement", "campaign", "support don't punish", "membership",
]
SR_TOPICS = [
    ("smanjenje štete", "harm reduction"), ("politika prema drogama", "drug policy"),
    ("supstituciona terapija opioidima", "ost"), ("lečenje zavisnosti", "treatment"),
    ("trgovina drogom", "drug trafficking"), ("pranje novca", "money laundering"),
    ("ljudska prava", "human rights"), ("dekriminalizacija upotrebe droga", "decriminalisation"),
    ("prevencija HIV-a", "hiv"), ("testiranje na hepatitis C", "hepatitis"), ("nalokson", "naloxone"),
    ("zdravlje u zatvorima", "prisons"), ("prevencija među mladima", "youth"),
    ("stigma i diskriminacija", "stigma"), ("mentalno zdravlje", "mental health"),
    ("predoziranje", "overdose"), ("nove psihoaktivne supstance", "nps"), ("kanabis", "cannabis"),
    ("pristupni pregovori sa Evropskom unijom", "european union"), ("Poglavlje 24", "chapter 24"),
]
SR_CITIES = [
    ("Beograd", "Beogradu"), ("Novi Sad", "Novom Sadu"), ("Niš", "Nišu"), ("Podgorica", "Podgorici"),
    ("Sarajevo", "Sarajevu"), ("Banjaluka", "Banjaluci"), ("Skoplje", "Skoplju"), ("Zagreb", "Zagrebu"),
    ("Ljubljana", "Ljubljani"), ("Beč", "Beču"), ("Brisel", "Briselu"), ("Lisabon", "Lisabonu"),
    ("Ženeva", "Ženevi"), ("Zaječar", "Zaječaru"), ("Kragujevac", "Kragujevcu"),
]
SR_EVENTS = [
    "regionalna konsultacija", "godišnja skupština", "stručni sastanak", "konferencija", "obuka",
    "okrugli sto", "javna rasprava", "studijska poseta", "vebinar", "sastanak radne grupe",
]
SR_ROLES = ["izvršni direktor", "predsednik", "član upravnog odbora", "koordinatorka projekta", "istraživač"]
SR_ORGS = [
    "DPNSEE", "UNODC", "Ministarstva zdravlja", "Kancelarije za borbu protiv droga",
    "Instituta za javno zdravlje", "Koalicije prEUgovor", "Izlaska", "Omladinskog centra Timok",
    "Evropske komisije", "Svetske zdravstvene organizacije",
]
SR_MONTHS = [
    "januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta", "septembra", "oktobra",
    "novembra", "decembra",
]
SR_TAGS = ["smanjenje štete", "droga", "skupština", "mladi", "zatvori"]

EN_TEMPLATES = [
    "{person}, {role} of {org}, spoke at the {event} on {topic} in {city} on {date}.",
    "The {event} in {city} brought together {num} participants from {num2} countries to discuss {topic}.",
    "{org} presented its new {doc} on {topic}, prepared with the support of {org2}.",
    "Participants agreed that {topic} remains a priority for {country} and the wider region.",
    "{person} highlighted the lack of funding for {topic} and called for a long-term approach.",
    "During the {event}, {org} and {org2} shared experiences about {topic} in {country}.",
    "The {doc} shows that {pct}% of respondents in {country} support better access to {topic}.",
    "DPNSEE members from {country} and {country2} took part in the {event} organised by {org}.",
    "A record of the discussions on {topic} is available on the website of {org}.",
    "{gen_person} from the {gen_org} presented the results of the {gen_project} project.",
    "The meeting was held in hybrid format, with participants joining online and in person in {city}.",
    "The {event} focused on {topic} and on {topic2}, with a special session on {country}.",
    "{person} was elected {role} of {org} at the {event} held in {city}.",
    "Our {role} {person} gave an interview to {media} about {topic} in {country}.",
    "Statements of civil society representatives at the {event} are available following this link>>>.",
    "The project {gen_project} will run until {year} in {city}, {country2} and {gen_place}.",
    "In {month} {year}, {org} published its {doc} about {topic} and {topic2}.",
    "Who decides on {topic} in {country}? {person} answered the question at the {event}.",
    "The recording of the {event} is available (in Serbian) below.",
]
SR_TEMPLATES = [
    "{person}, {role} {org}, govorio je na skupu „{topic}“ održanom u {city} {date}.",
    "Na sastanku u {city} razgovaralo se o temi „{topic}“ i o saradnji organizacija civilnog društva.",
    "Skupština mreže usvojila je godišnji izveštaj i plan rada za {year}. godinu.",
    "Više od {num} učesnika iz {num2} zemalja učestvovalo je na događaju „{event}“ o temi „{topic}“.",
    "{person} je naglasio da je potreban dugoročan i sistemski pristup problemu droga.",
    "Istraživanje je pokazalo da {pct}% učenika srednjih škola ima iskustvo sa drogom.",
    "Organizacija {gen_org} predstavila je rezultate projekta {gen_project} u {city}.",
    "Predstavnici mreže sastali su se sa predstavnicima {org} i razgovarali o temi „{topic}“.",
    "Snimak razgovora dostupan je na srpskom jeziku na ovom linku>>>.",
    "Tema događaja bila je „{topic}“, a posebna pažnja posvećena je temi „{topic2}“.",
    "{person} je izabran za novog predsednika mreže na sednici skupštine održanoj {date}.",
    "Mreža poziva donosioce odluka da obezbede stabilno finansiranje programa za {topic_tag}.",
    "{gen_person} iz organizacije {gen_org} govorio je o iskustvima iz {gen_place}.",
    "Obuka je bila namenjena zdravstvenim radnicima, socijalnim radnicima i predstavnicima civilnog društva.",
    "{person} je učestvovao u jutarnjem programu televizije {media} i govorio o temi „{topic}“.",
    "Cilj projekta {gen_project} je da unapredi pristup uslugama za ljude koji koriste droge.",
    "Predstavljen je prevod Međunarodnih standarda za lečenje poremećaja upotrebe droga.",
    "Učesnici su se složili da situacija nije dobra i da je potrebna bolja saradnja institucija i udruženja.",
    "Komisija za opojne droge (CND) održala je {num2}. sednicu u Beču, a mreža je bila tu kao ECOSOC član.",
    "Forum civilnog društva o drogama (CSFD) izabrao je {person} za predsedavajućeg radne grupe {num2}.",
    "Ministarstvo zdravlja pozvalo je udruženja da dostave predloge za novu strategiju o drogama.",
    "Predstavnici mreže posetili su kancelariju UNODC u {city} o pomoći izbeglicama iz Ukrajine.",
    "Prema podacima Instituta za javno zdravlje, prema ESPAD metodologiji, mladi ređe koriste droge.",
    "U izveštaju koalicije prEUgovor po prvi put se nalazi poglavlje o drogama, koje je pripremio {person}.",
    "Sledeća sednica skupštine mreže biće održana u {city} {date}.",
]
EN_TITLES = [
    "{org_t} {event} on {topic}", "{topic_c} in {country}: what has changed?",
    "Our contribution to the {event}",
    "{person} at the {event} in {city}", "What does the new {doc} say about {topic}?",
    "A visit to {org_t} office in {city}", "{num}th session of the {event} in {city}",
    "{topic_c} and {topic2}: a {doc} from {country}", "Is {topic} a priority in {country}?",
    "{event_c} in {city}", "The {gen_project} project starts in {country}",
]
SR_TITLES = [
    "{event_c} u {city}", "Poseta kancelariji {org} u {city}", "Da li je „{topic}“ prioritet?",
    "Izveštaj: {topic}", "{person} o temi „{topic}“", "Projekat {gen_project} u {city}", "Održana {event}",
]
MEDIA = ["K1 TV", "Radio Belgrade", "N1", "RTS", "Danas", "the BBC", "Euronews"]
SR_MEDIA = ["K1", "N1", "RTS", "Nova S", "Radio Beograd"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]
# fmt: on


def generate_posts(n: int, seed: int = 0) -> list[Post]:
    """`n` synthetic posts; post `i` is the same whatever `n` is."""
    seeds = _seed_sentences()
    return [_make_post(i, seed, seeds) for i in range(n)]


def write_posts(folder: str | Path, n: int, seed: int = 0) -> list[Path]:
    """Write `generate_posts(n, seed)` as `<id>.md` content files into `folder`; return their paths."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for post in generate_posts(n, seed):
        path = root / f"{post.id}.md"
        path.write_bytes(render_post(post).encode("utf-8"))
        paths.append(path)
    return paths


def fill_random_vectors(posts: Sequence[Post], path: Path) -> int:
    """Give the posts that have no passage vectors in the store at `path` random unit vectors (as many
    as their passages): a stand-in for benchmarks of memory and speed at sizes that would take hours to
    embed. Answers by meaning are then meaningless. Returns how many posts were filled."""
    import numpy as np

    from index import load_embedder, vectors_id
    from index.passages import passages
    from index.vectorstore import VectorStore

    embedder = load_embedder()
    store = VectorStore(path, vectors_id(embedder), embedder.dim)
    have = store.hashes()
    rng = np.random.default_rng(0)
    filled = 0
    for post in posts:
        if post.hash not in have:
            pieces = passages(post)
            vectors = rng.standard_normal((len(pieces), embedder.dim)).astype(np.float32)
            store.put(post.hash, [p.span for p in pieces], vectors / np.linalg.norm(vectors, axis=1)[:, None])
            filled += 1
    store.close()
    return filled


def render_post(post: Post) -> str:
    """The content file text for `post` (YAML front matter, then the body)."""
    lines = [f"title: {_yaml(post.title)}"]
    if post.date is not None:
        lines.append(f"date: {post.date.isoformat()}")
    if post.url:
        lines.append(f"url: {_yaml(post.url)}")
    if post.tags:
        lines.append(f"tags: [{', '.join(_yaml(tag) for tag in post.tags)}]")
    lines.append(f"lang: {post.lang}")
    if post.summary:
        lines.append(f"summary: {_yaml(post.summary)}")
    return "---\n{}\n---\n{}\n".format("\n".join(lines), post.body)


_PLAIN_YAML = re.compile(r"[^\W\d_](?:[^:#\n\"'\[\]{},&*!|>%@`\\]|:(?=\S))*(?<![ :])")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def _yaml(text: str) -> str:
    """`text` as a YAML scalar: plain where that reads back unchanged, else double-quoted (JSON is YAML)."""
    if _PLAIN_YAML.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


@functools.cache
def _seed_sentences() -> tuple[str, ...]:
    """Sentences of the seed posts (content/posts), long enough to read as prose."""
    posts_log = logging.getLogger("index.posts")
    level = posts_log.level
    posts_log.setLevel(logging.ERROR)  # the seed's undated post is expected, not news
    try:
        seed_posts = load_posts(SEED_POSTS).posts
    finally:
        posts_log.setLevel(level)
    sentences = []
    for post in sorted(seed_posts, key=lambda p: p.id):
        for line in post.body.splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip(" •\t")):
                if len(sentence.split()) >= 6:
                    sentences.append(sentence)
    return tuple(sentences)


def _make_post(i: int, seed: int, seeds: Sequence[str]) -> Post:
    rng = Random(f"newsbot-corpus:{seed}:{i}")
    lang_roll = rng.random()
    lang, cyrillic = ("en", False) if lang_roll < 0.75 else ("sr", lang_roll > 0.88)
    days = rng.randrange((LAST_DAY - FIRST_DAY).days)
    date = None if rng.random() < 0.05 else FIRST_DAY + dt.timedelta(days)
    rare = _Rare(rng)
    fill = functools.partial(_fill_sr if lang == "sr" else _fill_en, rng, rare, date)
    title = fill(rng.choice(SR_TITLES if lang == "sr" else EN_TITLES))
    body = _body(rng, fill, seeds if lang == "en" else (), rare)
    topic_tags = [tag for _, tag in (rare.topics_sr if lang == "sr" else rare.topics_en)]
    extra = rng.sample(TAGS, rng.randint(0, 3)) + (rng.sample(SR_TAGS, 1) if lang == "sr" else [])
    tags = tuple(dict.fromkeys(t for t in topic_tags[:2] + extra))[: rng.randint(1, 5)]
    if cyrillic:
        title, body = _to_cyrillic(title), _to_cyrillic(body)
    slug = _slug(cyrtranslit.to_latin(title, "sr") if cyrillic else title)
    post_id = f"{date.isoformat() if date else 'undated'}-{slug}-{i}"
    url = f"https://news.example.org/{post_id}/" if rng.random() < 0.3 else None
    summary = _first_sentence(body) if rng.random() < 0.2 else None
    post = Post(id=post_id, title=title, body=body, date=date, url=url, tags=tags, lang=lang, summary=summary)
    raw = render_post(post).encode("utf-8")
    return dataclasses.replace(post, hash=hashlib.sha256(raw).hexdigest())


class _Rare:
    """Per-post generated names (people, organisations, projects, places) and the topics used."""

    def __init__(self, rng: Random) -> None:
        def word(parts: int = 2) -> str:
            return "".join(rng.sample(SURNAME_PARTS, parts)).capitalize()

        self.person = f"{rng.choice(FIRST_NAMES)} {word()}{rng.choice(['ić', 'ović', 'ević', 'ski'])}"
        self.org = word() + rng.choice([" Association", " Centre"])
        self.project = word(3).upper()
        self.place = word() + rng.choice(["ovo", "ac", "ica", "grad"])
        self.topics_en = rng.sample(TOPICS, 3)
        self.topics_sr = rng.sample(SR_TOPICS, 3)


def _fill_en(rng: Random, rare: _Rare, date: dt.date | None, template: str) -> str:
    return _capitalised(_format_en(rng, rare, date, template))


def _fill_sr(rng: Random, rare: _Rare, date: dt.date | None, template: str) -> str:
    return _capitalised(_format_sr(rng, rare, date, template))


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def _format_en(rng: Random, rare: _Rare, date: dt.date | None, template: str) -> str:
    topic, topic2 = rng.sample(rare.topics_en[:2] if rng.random() < 0.8 else TOPICS, 2)
    day = date or FIRST_DAY + dt.timedelta(rng.randrange(4000))
    org = rng.choice(ORGS)
    return template.format(
        person=rng.choice(PEOPLE),
        role=rng.choice(ROLES),
        org=org,
        org2=rng.choice(ORGS),
        org_t=org.removeprefix("the "),
        event=rng.choice(EVENTS),
        event_c=rng.choice(EVENTS).capitalize(),
        topic=topic[0],
        topic_c=topic[0][0].upper() + topic[0][1:],
        topic2=topic2[0],
        city=rng.choice(CITIES),
        country=rng.choice(COUNTRIES),
        country2=rng.choice(COUNTRIES),
        doc=rng.choice(DOCS),
        date=f"{day.day} {MONTHS[day.month - 1]} {day.year}",
        month=MONTHS[day.month - 1],
        year=day.year,
        num=rng.randint(12, 600),
        num2=rng.randint(2, 40),
        pct=f"{rng.uniform(2, 60):.1f}",
        media=rng.choice(MEDIA),
        gen_person=rare.person,
        gen_org=rare.org,
        gen_project=rare.project,
        gen_place=rare.place,
    )


def _format_sr(rng: Random, rare: _Rare, date: dt.date | None, template: str) -> str:
    topic, topic2 = rng.sample(rare.topics_sr[:2] if rng.random() < 0.8 else SR_TOPICS, 2)
    day = date or FIRST_DAY + dt.timedelta(rng.randrange(4000))
    event = rng.choice(SR_EVENTS)
    return template.format(
        person=rng.choice(PEOPLE),
        role=rng.choice(SR_ROLES),
        org=rng.choice(SR_ORGS),
        event=event,
        event_c=event.capitalize(),
        topic=topic[0],
        topic2=topic2[0],
        topic_tag=topic[0],
        city=rng.choice(SR_CITIES)[1],
        media=rng.choice(SR_MEDIA),
        date=f"{day.day}. {SR_MONTHS[day.month - 1]} {day.year}. godine",
        year=day.year,
        num=rng.randint(12, 600),
        num2=rng.randint(2, 40),
        pct=f"{rng.uniform(2, 60):.1f}",
        gen_person=rare.person,
        gen_org=rare.org,
        gen_project=rare.project,
        gen_place=rare.place,
    )


def _body(rng: Random, fill, seeds: Sequence[str], rare: _Rare) -> str:
    """Paragraphs of 1-5 sentences until the target length (150-700 words) is reached."""
    target = int(rng.triangular(150, 700, 300))
    template = _dealer(rng, SR_TEMPLATES if not seeds else EN_TEMPLATES)
    seed_sentence = _dealer(rng, seeds)
    paragraphs: list[str] = []
    words = 0
    while words < target:
        if seeds and rng.random() < 0.08:
            items = [f"  • {fill(rng.choice(EN_TITLES))}" for _ in range(rng.randint(2, 4))]
            paragraph = "\n".join(items)
        else:
            sentences = []
            for _ in range(rng.randint(1, 5)):
                if seeds and rng.random() < 0.4:
                    sentences.append(_swap_entities(rng, seed_sentence(), rare))
                else:
                    sentences.append(fill(template()))
            paragraph = " ".join(sentences)
        size = len(paragraph.split())
        if words + size > 700 and words >= 150:
            break
        paragraphs.append(paragraph)
        words += size
    return "\n\n".join(paragraphs)


def _dealer(rng: Random, pool: Sequence[str]):
    """Deal items of `pool` in random order, reshuffling when all are used (few repeats in a post)."""
    deck: list[str] = []

    def deal() -> str:
        if not deck:
            deck.extend(rng.sample(pool, len(pool)))
        return deck.pop()

    return deal


_SEED_NAMES = re.compile(r"Milutin Milošević|Nebojša (?:Đ|Dj)urasović|Žana Glavendekić|Goran Radisavljević")
_SEED_PLACES = re.compile(r"\b(?:Belgrade|Lisbon|Vienna|Serbia|Ukraine)\b")
_NUMBER = re.compile(r"\b\d{2,3}\b")


def _swap_entities(rng: Random, sentence: str, rare: _Rare) -> str:
    """A seed sentence with its people, places and small numbers sometimes replaced."""
    if rng.random() < 0.5:
        sentence = _SEED_NAMES.sub(lambda _: rng.choice([*PEOPLE, rare.person]), sentence)
    if rng.random() < 0.5:
        sentence = _SEED_PLACES.sub(lambda m: rng.choice(CITIES if m[0][0] in "BLV" else COUNTRIES), sentence)
    if rng.random() < 0.5:
        sentence = _NUMBER.sub(lambda _: str(rng.randint(10, 600)), sentence)
    return sentence


_LATIN_WORD = re.compile(r"\b(?:[A-Z0-9][A-Za-z0-9]*[A-Z0-9]|[A-Za-z]*\d[A-Za-z0-9]*|prEUgovor)\b")


def _to_cyrillic(text: str) -> str:
    """Serbian Latin to Cyrillic, keeping acronyms, codes and link markers in Latin script."""
    out, last = [], 0
    for match in _LATIN_WORD.finditer(text):
        out += [cyrtranslit.to_cyrillic(text[last : match.start()], "sr"), match[0]]
        last = match.end()
    out.append(cyrtranslit.to_cyrillic(text[last:], "sr"))
    return "".join(out)


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title.replace("đ", "dj").replace("Đ", "Dj"))
    ascii_title = ascii_title.encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title))[:60].rstrip("-") or "post"


def _first_sentence(body: str) -> str:
    first = re.split(r"(?<=[.!?])\s+", body.split("\n", 1)[0].strip(" •"), maxsplit=1)[0]
    return first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "…"


def _check(n: int = 300) -> None:
    """Generated posts round-trip through files and `load_posts`, and look like the spec says."""
    import tempfile

    logging.getLogger("index.posts").setLevel(logging.ERROR)

    posts = generate_posts(n, seed=7)
    assert posts == generate_posts(n, seed=7), "not deterministic"
    assert generate_posts(n + 1, seed=7)[:n] == posts, "post i depends on n"
    assert generate_posts(20, seed=8) != posts[:20], "seed is ignored"
    assert len({p.id for p in posts}) == n, "ids are not unique"
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_posts(tmp, n, seed=7)
        loaded = load_posts(tmp)
        assert not loaded.errors, loaded.errors[:3]
        by_id = {p.id: dataclasses.replace(p, path=None) for p in loaded.posts}
        assert by_id == {p.id: p for p in posts}, "files do not read back as the generated posts"
        assert parse_post(paths[0].read_bytes(), paths[0]).hash == posts[0].hash
    words = [len(p.body.split()) for p in posts]
    assert min(words) >= 150 and max(words) <= 700, (min(words), max(words))
    langs = [p.lang for p in posts]
    cyrillic = sum(bool(re.search("[а-яђшчћжљњџ]", p.body)) for p in posts)
    undated = sum(p.date is None for p in posts)
    assert 0.6 < langs.count("en") / n < 0.9 and cyrillic > 0 and 0 < undated < n * 0.15
    vocabulary = {w.lower() for p in posts for w in re.findall(r"\w+", p.body)}
    years = {p.date.year for p in posts if p.date}
    assert min(years) == 2015 and max(years) == 2026, years
    assert all(1 <= len(p.tags) <= 5 for p in posts)
    print(
        f"ok: {n} posts, words {min(words)}-{max(words)} (mean {sum(words) / n:.0f}), "
        f"en {langs.count('en')}, sr {langs.count('sr')} (cyrillic {cyrillic}), undated {undated}, "
        f"with url {sum(bool(p.url) for p in posts)}, vocabulary {len(vocabulary)} words"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="write the posts here as .md files")
    parser.add_argument("-n", type=int, default=1000, help="number of posts (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="self-check the generator")
    args = parser.parse_args(argv)
    if args.check:
        _check()
    elif args.folder:
        print(f"wrote {len(write_posts(args.folder, args.n, args.seed))} posts to {args.folder}")
    else:
        parser.error("give a folder or --check")


if __name__ == "__main__":
    main()
