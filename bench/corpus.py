"""Generate one benchmark corpus as three equivalent sites: topicsite, Hugo and Pelican.

Everything is drawn from random.Random(seed), so the same arguments give the same
files byte for byte. Usage: python bench/corpus.py --n 10000 --topics 40 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

TIMEZONE = "America/New_York"
BASE_URL = "https://bench.example.gov/"
SITE_TITLE = "Training and technical assistance requests"
PER_PAGE = 10
FEED_ITEMS = 10
FIRST_DAY = datetime(2019, 1, 1)
DAYS = 5 * 365 + 1  # 2019-01-01 to 2023-12-31: five years, one leap day
MIN_WORDS, MAX_WORDS = 40, 400

TOPIC_TITLES = (
    "Community / police relations and public trust", "Crisis intervention and mental health",
    "De-escalation training", "Officer safety & wellness", "Recruitment and retention",
    "Body-worn cameras", "Use of force policy", "Data collection and analysis", "Youth engagement",
    "Domestic violence response", "Opioids & substance use", "School safety", "Victim services",
    "Technology and equipment", "Grant writing assistance", "Leadership development",
    "Problem-oriented policing", "Rural policing", "Tribal law enforcement", "Homelessness outreach",
    "Traffic safety", "Hate crimes", "Human trafficking", "Gun violence reduction", "Accreditation",
    "Early intervention systems", "Procedural justice", "Language access", "Reentry programs",
    "Cybercrime", "Evidence-based practices", "Internal affairs & accountability", "Civilian oversight",
    "Field training officers", "Dispatch and 911 operations", "Emergency management", "Crime analysis",
    "Peer support programs", "Community policing: strategies that work", "Children's advocacy centers",
    "Policía y comunidad", "Elder abuse", "Juvenile justice", "Search and rescue", "Forensic science",
)
PREFIXES = ("", "", "", "", "Mr. ", "Ms. ", "Mrs. ", "Dr. ", "Chief ", "Sgt. ", "Lt. ", "Capt. ")
FIRST_NAMES = (
    "Jeffery", "Matthew", "erin", "Ben", "Brandon", "Daniel", "Maria", "José", "Zoë", "Siobhán",
    "Renée", "Aisha", "Kenji", "Olga", "Tomás", "Patricia", "Darnell", "Mei", "Chloé", "Sean",
    "Priya", "Ángel", "Linda", "Robert", "Nkechi", "Francesca", "Hyun-woo", "Emily", "Carlos", "Ines",
)
MIDDLE_NAMES = ("George", "Ann", "Lee", "Marie", "J.", "R.", "Elena", "Ray")
LAST_NAMES = (
    "Evans", "Rodger", "mclaughlin", "Lummis", "Paugh", "O'Brien", "D'Angelo", "Núñez", "García",
    "Nguyen", "Kowalski", "Washington", "Okafor", "Müller", "Peña", "Smith", "Johnson", "Yamamoto",
    "Rodríguez-Hernández", "Abernathy-Whitfield", "Lefèvre", "O'Neill", "Brown", "Patel", "Kim",
)
TOWNS = (
    "Stratford", "Springfield", "Española", "Coeur d'Alene", "Cañon City", "Fairview", "Riverside",
    "La Cañada Flintridge", "Greenville", "Salem", "Franklin", "Bristol", "Clinton", "Madison",
    "Georgetown", "Arlington", "Ashland", "Dover", "Milford", "Oxford",
)
AGENCY_KINDS = ("Police Department", "Sheriff's Office", "Public Safety Department", "Police Bureau")
PROGRAMS = (
    "Police 2 Peace", "Crisis Intervention Team (CIT)", "Police Activities League (PAL)",
    "Coffee with a Cop", "Citizens Police Academy", "Game Changer", "co-responder", "ride-along",
    "peer support", "body-worn camera", "early warning", "community ambassador",
)
THINGS = ("community policing", "training", "data", "grants", "wellness", "recruiting", "outreach")
QUOTES = ("more officers on foot", "a seat at the table", "respuesta rápida", "someone who listens",
          "fewer traffic stops, more conversations")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
SENTENCES = (
    "The {agency} is requesting assistance to expand its {program} program, which serves {n} residents.",
    "Our department has {n} sworn officers and {n2} civilian staff.",
    "We are requesting TTA assistance in procuring grant funding for training that builds trust and legitimacy.",
    "Communities expect more from their police departments in terms of trust, de-escalation & critical thinking.",
    "Since {year}, calls for service involving mental illness have risen by {pct}%.",
    "In {pct}% of those calls the response time was < {small} minutes; in the rest it was > {small2} minutes.",
    "Residents of {town} have told us they want “{quote}”.",
    "The program is a hybrid of the {program} program and a locally developed effort, now in its {small}th year.",
    "Pre and post perception surveys are completed by each participant to generate data.",
    "We would like *technical assistance* with the design of an evaluation plan.",
    "This is **urgent**: our current {thing} agreement expires in {month}.",
    "The café on Main Street has hosted {n} community meetings since {year}.",
    "Meetings are held in English and Spanish (reuniones en español) at the Peña community center.",
    "Funding is needed to obtain enough licenses for the {program} program to cover the entire agency.",
    "The {agency} partners with {small} schools, {small2} faith-based groups & several non-profits.",
    "Dinner and event tickets are provided to participants.",
    "We are currently evaluating the need for an embedded mental health clinician within our agency.",
    "Officers completed {n} hours of training in {year}, compared with {n2} hours the year before.",
    "The budget for this effort is ${n},000, of which {pct}% is already committed.",
    "A “ride-along” program began in {month} {year} and has had {n} participants.",
    "Our goal is to reduce repeat calls to the same addresses by {pct}% within two years.",
    "We need help writing policies that are *clear*, *fair* and consistent with state law.",
    "Any guidance on best practices, model policies or peer agencies would be very welcome.",
    "The community advisory board meets monthly, and its minutes are public.",
    "Attendance at our last town hall was {n}, the highest since {year}.",
    "Staffing is our biggest challenge: {small} positions are vacant out of {n} authorized.",
    "The Stratford PD also intervenes to provide support when social services are unavailable.",
    "Our records system dates from {year} and cannot report the figures the state now asks for.",
    "Each class is limited to {small} participants so that everyone gets **hands-on** practice.",
    "We have seen what works elsewhere — in {town}, for example — and want to adapt it here.",
)
LIST_INTROS = ("Specifically, we are asking for help with the following:", "Our priorities are:",
               "The request covers:")
LIST_ITEMS = (
    "Training for field training officers", "A review of our use-of-force policy",
    "Data dashboards for the public", "A peer exchange with a similar agency",
    "Curriculum for *youth* academies", "Translating materials into Spanish & Portuguese",
    "Software licenses (< 50 seats)", "An after-action review of a major incident",
    "Wellness checks for dispatchers", "A community survey in English and español",
)
FIGURE_LABELS = ("Sworn officers", "Police leaders", "Civilian staff", "Elected officials",
                 "Dispatchers", "School resource officers", "Police Associates/Representatives")
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 12, 13, 13, 12, 10, 8, 7, 6, 5, 4, 3)
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{ end }}</head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>Submitted by {{ .Params.author }} on {{ .Date.Format "Mon, 01/02/2006 - 15:04" }}</p>
{{ .Content }}
<p>Topics: {{ range .GetTerms "topics" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
</article>{{ end }}
""",
    "_default/term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ range (.Paginate .Pages).Pages }}<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>Submitted by {{ .Params.author }} on {{ .Date.Format "Mon, 01/02/2006 - 15:04" }}</p>
{{ .Content }}
</article>
{{ end }}{{ template "_internal/pagination.html" . }}
{{ with .OutputFormats.Get "rss" }}<p><a href="{{ .RelPermalink }}">Subscribe to {{ $.Title }}</a></p>{{ end }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>Topics</h1>
{{ partial "topic-list.html" . }}{{ end }}
""",
    "partials/topic-list.html": """<ul>
{{ range .Site.Taxonomies.topics.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<h2>Topics</h2>
{{ partial "topic-list.html" . }}
<h2>Recent submissions</h2>
<ul>
{{ range first 10 (where .Site.RegularPages "Section" "submissions") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>, submitted by {{ .Params.author }} on {{ .Date.Format "Mon, 01/02/2006 - 15:04" }}</li>
{{ end }}</ul>
{{ end }}
""",
    "404.html": """{{ define "main" }}<h1>Page not found</h1>
<p><a href="{{ .Site.Home.RelPermalink }}">Go to the home page</a></p>{{ end }}
""",
}
# Hugo before 0.146 (Debian's 0.111) finds the list of topics only as _default/taxonomy.html. Hugo 0.146's
# template system, given that file, renders every topic's own pages with it too (no submissions, no
# pagination), so for it the file sits at the top of layouts/.
LEGACY_HUGO_LAYOUTS = {("_default/" + name if name == "taxonomy.html" else name): text for name, text in HUGO_LAYOUTS.items()}
NEW_TEMPLATES = (0, 146, 0)
PELICAN_CONF = '''"""Pelican settings for the benchmark corpus, written by bench/corpus.py."""

SITENAME = {title!r}
SITEURL = {site_url!r}
RELATIVE_URLS = False
PATH = "content"
TIMEZONE = {timezone!r}
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {per_page}
SUMMARY_MAX_LENGTH = None  # topic (tag) pages show each submission's full text, as topicsite's do
FEED_MAX_ITEMS = {feed_items}
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/topics/{{slug}}.atom.xml"
TAG_FEED_RSS = "feeds/topics/{{slug}}.rss.xml"

# Work topicsite does not do: category and author pages and feeds, archives, and a
# paginated index of every submission. The home page is the list of topics (tags).
# The default theme shows each article's category, so all get one; its page is not written.
DEFAULT_METADATA = {{"category": "requests"}}
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DIRECT_TEMPLATES = ["tags"]
TAGS_SAVE_AS = "index.html"
PAGINATED_TEMPLATES = {{"tag": None}}
'''


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic: its slug, title and optional description paragraph."""

    slug: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Submission:
    """One submission: portal id, local submission time, submitter, topic slugs and Markdown body."""

    id: str
    date: datetime
    submitted_by: str
    topics: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """The generated content and the parameters it came from."""

    seed: int
    topics: tuple[Topic, ...]
    submissions: tuple[Submission, ...]

    def stats(self) -> dict[str, int]:
        """Parameters and sizes, as recorded in corpus.json and in the benchmark report."""
        per_topic = [sum(t.slug in s.topics for s in self.submissions) for t in self.topics]
        return {
            "submissions": len(self.submissions),
            "topics": len(self.topics),
            "seed": self.seed,
            "words": sum(len(s.body.split()) for s in self.submissions),
            "topic_assignments": sum(per_topic),
            "largest_topic": max(per_topic),
            "smallest_topic": min(per_topic),
        }


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def yaml_str(value: str) -> str:
    """The string as a YAML scalar: plain when that is safe, double-quoted otherwise."""
    plain = re.fullmatch(r"[^\W\d_][\w .,/()-]*", value)
    if plain and value.lower() not in {"yes", "no", "on", "off", "true", "false", "null"}:
        return value
    return json.dumps(value, ensure_ascii=False)


def make_topics(rng: Random, count: int) -> tuple[Topic, ...]:
    """Topics in order of popularity, the first being the most popular."""
    titles = list(TOPIC_TITLES[:count]) + [f"Topic {i + 1}" for i in range(len(TOPIC_TITLES), count)]
    rng.shuffle(titles)
    return tuple(Topic(slugify(title), title, topic_description(rng, title)) for title in titles)


def topic_description(rng: Random, title: str) -> str:
    """A description paragraph for about half the topics, empty for the rest."""
    if rng.random() < 0.5:
        return ""
    return (f"Requests about *{title.lower()}*: training, technical assistance & peer exchange. "
            f"The program office reviews new submissions every {rng.choice(('week', 'month', 'quarter'))}.")


def zipf_weights(count: int) -> list[float]:
    """Weights 1/rank^1.1, so a few topics are far more popular than the rest."""
    return [1 / (rank**1.1) for rank in range(1, count + 1)]


def pick_topics(rng: Random, topics: Sequence[Topic], weights: Sequence[float]) -> tuple[str, ...]:
    """One to three distinct topic slugs, drawn by popularity."""
    wanted = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    chosen: list[str] = []
    while len(chosen) < min(wanted, len(topics)):
        slug = rng.choices(topics, weights=weights)[0].slug
        if slug not in chosen:
            chosen.append(slug)
    return tuple(chosen)


def random_time(rng: Random, zone: ZoneInfo) -> datetime:
    """A local wall-clock time in the five years, skipping times that a DST change removes."""
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    round_trip = local.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
    return local if round_trip == local else local + timedelta(hours=1)


def submission_id(when: datetime, suffix: int) -> str:
    """The portal's id shape YYYYMMDD-HMMSS-NN: the hour is not zero-padded (08:23:32 -> 82332)."""
    return f"{when:%Y%m%d}-{when.hour}{when:%M%S}-{suffix:02d}"


def portal_id(rng: Random, when: datetime, taken: set[str]) -> str:
    """A new id in the portal's shape, its suffix random and not yet taken."""
    candidate = submission_id(when, rng.randrange(100))
    while candidate in taken:
        candidate = submission_id(when, rng.randrange(100))
    taken.add(candidate)
    return candidate


def person_name(rng: Random) -> str:
    """A submitter's name, sometimes with a title or a middle name, sometimes long."""
    middle = f"{rng.choice(MIDDLE_NAMES)} " if rng.random() < 0.2 else ""
    return f"{rng.choice(PREFIXES)}{rng.choice(FIRST_NAMES)} {middle}{rng.choice(LAST_NAMES)}"


def sentence(rng: Random, template: str) -> str:
    """One sentence from the template with its slots filled."""
    town = rng.choice(TOWNS)
    return template.format(
        agency=f"{town} {rng.choice(AGENCY_KINDS)}", town=town, program=rng.choice(PROGRAMS),
        thing=rng.choice(THINGS), quote=rng.choice(QUOTES), month=rng.choice(MONTHS),
        year=rng.randrange(2005, 2023), n=rng.randrange(20, 900), n2=rng.randrange(20, 900),
        pct=rng.randrange(3, 70), small=rng.randrange(4, 15), small2=rng.randrange(15, 40),
    )


def link_sentence(rng: Random) -> str:
    """A sentence with an https link whose query string has an ampersand."""
    town = rng.choice(TOWNS)
    thing = rng.choice(THINGS)
    url = f"https://www.{slugify(town)}.example.org/{slugify(thing)}?year={rng.randrange(2019, 2024)}&ref=tta"
    return f"More information is on [the {town} {thing} page]({url})."


def bullet_list(rng: Random) -> str:
    """An introduced bullet or numbered list of two to five items."""
    items = rng.sample(LIST_ITEMS, rng.randrange(2, 6))
    markers = [rng.choice(("-", "*"))] * len(items) if rng.random() < 0.7 else [f"{i}." for i in range(1, len(items) + 1)]
    lines = "\n".join(f"{marker} {item}" for marker, item in zip(markers, items))
    return f"{rng.choice(LIST_INTROS)}\n\n{lines}"


def figures(rng: Random) -> str:
    """Counts one per line, then their total, as in the portal's license requests."""
    labels = rng.sample(FIGURE_LABELS, rng.randrange(2, 5))
    counts = [rng.randrange(3, 120) for _ in labels]
    lines = "\n".join(f"{label}: {count}" for label, count in zip(labels, counts))
    return f"The breakdown of the licenses needed is as follows:\n\n{lines}\n\nTotal licenses: {sum(counts)}"


def body(rng: Random) -> str:
    """Markdown body of 40 to 400 words in several paragraphs, with occasional lists, links and figures."""
    target = MIN_WORDS + int((MAX_WORDS - MIN_WORDS) * rng.random() ** 1.5)
    blocks = [block(rng) for block in extra_blocks(rng)]
    words = sum(len(b.split()) for b in blocks)
    paragraphs: list[str] = []
    while words < target:
        paragraph = " ".join(sentence(rng, template) for template in rng.sample(SENTENCES, rng.randrange(1, 5)))
        if words + len(paragraph.split()) > MAX_WORDS:
            break
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    for extra in blocks:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1) if paragraphs else 0, extra)
    return "\n\n".join(paragraphs)


def extra_blocks(rng: Random) -> list[Callable[[Random], str]]:
    """The optional blocks that this body gets: a link, a list, a block of figures."""
    chances = ((link_sentence, 0.4), (bullet_list, 0.25), (figures, 0.12))
    return [make for make, chance in chances if rng.random() < chance]


def make_corpus(n: int, topic_count: int, seed: int) -> Corpus:
    """The whole corpus, deterministic from the seed."""
    rng = Random(seed)
    zone = ZoneInfo(TIMEZONE)
    topics = make_topics(rng, topic_count)
    weights = zipf_weights(len(topics))
    taken: set[str] = set()
    submissions = []
    for _ in range(n):
        when = random_time(rng, zone)
        submissions.append(Submission(portal_id(rng, when, taken), when, person_name(rng),
                                      pick_topics(rng, topics, weights), body(rng)))
    return Corpus(seed, topics, tuple(submissions))


def write(path: Path, text: str) -> None:
    """Write UTF-8 text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def topicsite_submission(sub: Submission) -> str:
    """A submission file in topicsite's format."""
    return (f"---\nsubmitted_by: {yaml_str(sub.submitted_by)}\ndate: {sub.date:%Y-%m-%d %H:%M:%S}\n"
            f"topics: [{', '.join(sub.topics)}]\n---\n{sub.body}\n")


def write_topicsite_submission(site: Path, sub: Submission) -> Path:
    """Write one submission into a topicsite site and return its path."""
    path = site / "content" / "submissions" / f"{sub.date:%Y}" / f"{sub.id}.md"
    write(path, topicsite_submission(sub))
    return path


def write_topicsite(corpus: Corpus, site: Path) -> None:
    """The topicsite site: site.toml, topic files and submission files."""
    write(site / "site.toml", f'title = "{SITE_TITLE}"\nbase_url = "{BASE_URL}"\ntimezone = "{TIMEZONE}"\n'
                              f"per_page = {PER_PAGE}\nfeed_items = {FEED_ITEMS}\n")
    for topic in corpus.topics:
        description = f"{topic.description}\n" if topic.description else ""
        write(site / "content" / "topics" / f"{topic.slug}.md", f"---\ntitle: {yaml_str(topic.title)}\n---\n{description}")
    for sub in corpus.submissions:
        write_topicsite_submission(site, sub)


def hugo_version(exe: str) -> tuple[int, int, int] | None:
    """A Hugo executable's version, or None when it does not say."""
    done = subprocess.run([exe, "version"], capture_output=True, text=True)
    found = re.search(r"v(\d+)\.(\d+)\.(\d+)", done.stdout)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def hugo_config(version: tuple[int, int, int] | None) -> str:
    """config.toml; the pagination key moved to [pagination] pagerSize in Hugo 0.128."""
    # Top-level keys first: in TOML everything after a [table] header belongs to that table.
    pagination = f"paginate = {PER_PAGE}\n" if version and version < (0, 128, 0) else f"[pagination]\npagerSize = {PER_PAGE}\n"
    return (f'baseURL = "{BASE_URL}"\ntitle = "{SITE_TITLE}"\nlanguageCode = "en-us"\ntimeZone = "{TIMEZONE}"\n'
            '# No paginated list of every submission: topicsite makes none.\n'
            'disableKinds = ["section"]\n'
            f"{pagination}[taxonomies]\ntopic = \"topics\"\n[services.rss]\nlimit = {FEED_ITEMS}\n")


def hugo_submission(sub: Submission) -> str:
    """A Hugo content file with YAML front matter; the date carries its UTC offset."""
    stamp = sub.date.replace(tzinfo=ZoneInfo(TIMEZONE)).isoformat()
    return (f'---\ntitle: "{sub.id}"\ndate: {stamp}\ntopics: [{", ".join(sub.topics)}]\n'
            f"author: {yaml_str(sub.submitted_by)}\n---\n{sub.body}\n")


def write_hugo_settings(site: Path, version: tuple[int, int, int] | None) -> None:
    """config.toml and layouts/ for a Hugo version (None: the current one), replacing any there."""
    write(site / "config.toml", hugo_config(version))
    shutil.rmtree(site / "layouts", ignore_errors=True)
    layouts = LEGACY_HUGO_LAYOUTS if version and version < NEW_TEMPLATES else HUGO_LAYOUTS
    for name, template in layouts.items():
        write(site / "layouts" / name, template)


def write_hugo(corpus: Corpus, site: Path) -> None:
    """The Hugo site for the current Hugo: config, minimal layouts, term pages with titles, one page per submission."""
    write_hugo_settings(site, None)
    for topic in corpus.topics:
        write(site / "content" / "topics" / topic.slug / "_index.md",
              f"---\ntitle: {yaml_str(topic.title)}\n---\n{topic.description}\n")
    for sub in corpus.submissions:
        write(site / "content" / "submissions" / f"{sub.id}.md", hugo_submission(sub))


def pelican_article(sub: Submission) -> str:
    """A Pelican Markdown article: topics become tags."""
    return (f"Title: {sub.id}\nDate: {sub.date:%Y-%m-%d %H:%M:%S}\nTags: {', '.join(sub.topics)}\n"
            f"Author: {sub.submitted_by}\n\n{sub.body}\n")


def write_pelican(corpus: Corpus, site: Path) -> None:
    """The Pelican site: pelicanconf.py and one article per submission; default theme."""
    write(site / "pelicanconf.py", PELICAN_CONF.format(
        title=SITE_TITLE, site_url=BASE_URL.rstrip("/"), timezone=TIMEZONE, per_page=PER_PAGE, feed_items=FEED_ITEMS))
    for sub in corpus.submissions:
        write(site / "content" / f"{sub.id}.md", pelican_article(sub))


def write_all(corpus: Corpus, out: Path) -> None:
    """Write OUT/topicsite, OUT/hugo, OUT/pelican and OUT/corpus.json (last, marking completion)."""
    write_topicsite(corpus, out / "topicsite")
    write_hugo(corpus, out / "hugo")
    write_pelican(corpus, out / "pelican")
    write(out / "corpus.json", json.dumps(corpus.stats(), indent=2) + "\n")


def main() -> None:
    """Command line: generate a corpus into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of submissions")
    parser.add_argument("--topics", type=int, default=40, help="number of topics")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the three sites into")
    args = parser.parse_args()
    write_all(make_corpus(args.n, args.topics, args.seed), args.out)


if __name__ == "__main__":
    main()
