"""Find the actors an article names: persons with their titles and posts, organizations, states, places.

Pure Python and a small gazetteer shipped here (well-known states, organizations, news outlets and a few office
holders usually named by surname alone). Ids are the kebab case of the full name, or the id another annotation
already gives the same name or alias (``known`` actors read from sibling article folders), so that the same actor
gets the same IRI across articles.

The approach is deliberately conservative (precision before recall): a run of capitalised words becomes a person
only with evidence (a title before it, a role such as "ACLU attorney", a known first name, a speech verb after
it, a byline); a single capitalised word is only ever a reference to an actor already found or known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# ----------------------------------------------------------------------------------------------------------------
# Ids
# ----------------------------------------------------------------------------------------------------------------


def kebab(text: str) -> str:
    """Kebab case: 'Marco Rubio' -> 'marco-rubio', "Immigrants' Rights Project" -> 'immigrants-rights-project'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’.]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "x"


# ----------------------------------------------------------------------------------------------------------------
# The gazetteer
# ----------------------------------------------------------------------------------------------------------------

# id, type, name, aliases (exact, case-sensitive words as news text writes them), extra fields
KNOWN_ACTORS: list[tuple[str, str, str, list[str], dict]] = [
    # states usually written otherwise than their plain name
    ("united-states", "State", "United States",
     ["U.S.", "US", "USA", "U.S.A.", "United States of America", "the United States", "America"], {}),
    ("united-kingdom", "State", "United Kingdom", ["U.K.", "UK", "Britain", "Great Britain"], {}),
    ("el-salvador", "State", "El Salvador", [], {}),
    # US institutions
    ("trump-administration", "Government", "Trump administration", ["the Trump administration"],
     {"part_of": "united-states"}),
    ("us-congress", "Organization", "United States Congress", ["Congress", "U.S. Congress"], {"part_of": "united-states"}),
    ("us-senate", "Organization", "United States Senate", ["Senate", "U.S. Senate"], {"part_of": "us-congress"}),
    ("us-house-of-representatives", "Organization", "United States House of Representatives",
     ["House of Representatives", "U.S. House"], {"part_of": "us-congress"}),
    ("us-supreme-court", "Organization", "Supreme Court of the United States",
     ["Supreme Court", "U.S. Supreme Court", "the Supreme Court", "United States Supreme Court", "US Supreme Court"],
     {"part_of": "united-states"}),
    ("white-house", "Organization", "White House", ["the White House"], {"part_of": "united-states"}),
    ("us-department-of-justice", "Organization", "United States Department of Justice",
     ["Justice Department", "Department of Justice", "DOJ", "U.S. Department of Justice", "U.S. Justice Department"],
     {"part_of": "united-states"}),
    ("us-department-of-homeland-security", "Organization", "United States Department of Homeland Security",
     ["Department of Homeland Security", "Homeland Security Department", "DHS", "U.S. Department of Homeland Security"],
     {"part_of": "united-states"}),
    ("us-department-of-state", "Organization", "United States Department of State",
     ["State Department", "Department of State"], {"part_of": "united-states"}),
    ("ice", "Organization", "U.S. Immigration and Customs Enforcement",
     ["ICE", "Immigration and Customs Enforcement"], {"part_of": "us-department-of-homeland-security"}),
    ("cbp", "Organization", "U.S. Customs and Border Protection", ["CBP", "Customs and Border Protection"],
     {"part_of": "us-department-of-homeland-security"}),
    ("fbi", "Organization", "Federal Bureau of Investigation", ["FBI"], {"part_of": "us-department-of-justice"}),
    ("pentagon", "Organization", "United States Department of Defense",
     ["Pentagon", "Defense Department", "Department of Defense"], {"part_of": "united-states"}),
    ("us-bureau-of-prisons", "Organization", "Federal Bureau of Prisons", ["Bureau of Prisons"],
     {"part_of": "us-department-of-justice"}),
    # advocacy groups and international bodies
    ("aclu", "Organization", "American Civil Liberties Union", ["ACLU", "American Civil Liberties Union"], {}),
    ("human-rights-watch", "Organization", "Human Rights Watch", [], {}),
    ("amnesty-international", "Organization", "Amnesty International", ["Amnesty"], {}),
    ("united-nations", "Organization", "United Nations", ["UN", "U.N."], {}),
    ("unhcr", "Organization", "UN Refugee Agency", ["UNHCR"], {}),
    ("european-union", "Organization", "European Union", ["EU", "E.U."], {}),
    ("nato", "Organization", "NATO", [], {}),
    # news outlets and picture agencies
    ("npr", "Organization", "NPR", ["National Public Radio"], {"publisher": True}),
    ("associated-press", "Organization", "Associated Press", ["AP", "The Associated Press"], {"publisher": True}),
    ("reuters", "Organization", "Reuters", [], {"publisher": True}),
    ("afp", "Organization", "Agence France-Presse", ["AFP"], {"publisher": True}),
    ("getty-images", "Organization", "Getty Images", [], {}),
    ("bbc", "Organization", "BBC", ["BBC News"], {"publisher": True}),
    ("cnn", "Organization", "CNN", [], {"publisher": True}),
    ("new-york-times", "Organization", "The New York Times", ["New York Times", "NYT"], {"publisher": True}),
    ("washington-post", "Organization", "The Washington Post", ["Washington Post"], {"publisher": True}),
    ("wall-street-journal", "Organization", "The Wall Street Journal", ["Wall Street Journal", "WSJ"],
     {"publisher": True}),
    ("the-guardian", "Organization", "The Guardian", ["Guardian"], {"publisher": True}),
    ("bloomberg", "Organization", "Bloomberg", ["Bloomberg News"], {"publisher": True}),
    ("politico", "Organization", "Politico", ["POLITICO"], {"publisher": True}),
    ("axios", "Organization", "Axios", [], {"publisher": True}),
    ("fox-news", "Organization", "Fox News", [], {"publisher": True}),
    ("nbc-news", "Organization", "NBC News", ["NBC"], {"publisher": True}),
    ("cbs-news", "Organization", "CBS News", ["CBS"], {"publisher": True}),
    ("abc-news", "Organization", "ABC News", ["ABC"], {"publisher": True}),
    ("pbs", "Organization", "PBS", ["PBS NewsHour"], {"publisher": True}),
    ("al-jazeera", "Organization", "Al Jazeera", [], {"publisher": True}),
    ("usa-today", "Organization", "USA Today", ["USA TODAY"], {"publisher": True}),
    ("los-angeles-times", "Organization", "Los Angeles Times", ["LA Times"], {"publisher": True}),
    ("upi", "Organization", "United Press International", ["UPI"], {"publisher": True}),
    ("dpa", "Organization", "Deutsche Presse-Agentur", ["dpa"], {"publisher": True}),
    ("efe", "Organization", "EFE", [], {"publisher": True}),
    # office holders news text often names by surname and title alone ("President Trump")
    ("donald-trump", "Person", "Donald Trump", ["Trump", "Donald J. Trump", "President Trump"],
     {"gender": "m", "post": ("president-of-the-united-states", "President of the United States", "united-states"),
      "country": "united-states"}),
    ("joe-biden", "Person", "Joe Biden", ["Biden", "Joseph R. Biden", "President Biden"],
     {"gender": "m", "country": "united-states"}),
    ("barack-obama", "Person", "Barack Obama", ["Obama"], {"gender": "m", "country": "united-states"}),
    ("marco-rubio", "Person", "Marco Rubio", ["Rubio", "Secretary Rubio"],
     {"gender": "m", "post": ("us-secretary-of-state", "Secretary of State of the United States", "united-states"),
      "country": "united-states"}),
    ("kristi-noem", "Person", "Kristi Noem", ["Noem", "Secretary Noem"],
     {"gender": "f", "post": ("us-secretary-of-homeland-security", "Secretary of Homeland Security of the United "
                              "States", "united-states"), "country": "united-states"}),
    ("pam-bondi", "Person", "Pam Bondi", ["Bondi", "Attorney General Bondi"],
     {"gender": "f", "post": ("us-attorney-general", "Attorney General of the United States", "united-states"),
      "country": "united-states"}),
    ("jd-vance", "Person", "JD Vance", ["Vance", "J.D. Vance"], {"gender": "m", "country": "united-states"}),
    ("nayib-bukele", "Person", "Nayib Bukele", ["Bukele"],
     {"gender": "m", "post": ("president-of-el-salvador", "President of El Salvador", "el-salvador"),
      "country": "el-salvador"}),
    ("vladimir-putin", "Person", "Vladimir Putin", ["Putin"], {"gender": "m", "country": "russia"}),
    ("volodymyr-zelenskyy", "Person", "Volodymyr Zelenskyy", ["Zelenskyy", "Zelensky"], {"gender": "m",
                                                                                        "country": "ukraine"}),
    ("xi-jinping", "Person", "Xi Jinping", ["Xi"], {"gender": "m", "country": "china"}),
    ("benjamin-netanyahu", "Person", "Benjamin Netanyahu", ["Netanyahu"], {"gender": "m", "country": "israel"}),
    ("claudia-sheinbaum", "Person", "Claudia Sheinbaum", ["Sheinbaum"], {"gender": "f", "country": "mexico"}),
]

KNOWN_PLACES: list[tuple[str, str, str, list[str], dict]] = [
    ("oval-office", "Place", "Oval Office", ["the Oval Office"], {"located_in": "united-states"}),
    ("guantanamo-bay", "Facility", "Guantanamo Bay Naval Base", ["Guantanamo Bay", "Guantanamo", "Guantánamo"],
     {"operated_by": "united-states"}),
]

# Sovereign states by their usual English names ("El Salvador" and the like are above with their aliases).
COUNTRIES = """Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|
Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|
Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Central African Republic|
Chad|Chile|China|Colombia|Comoros|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Denmark|Djibouti|Dominica|
Dominican Republic|Ecuador|Egypt|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|
Gambia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|
Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|
Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|
Maldives|Mali|Malta|Mauritania|Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|
Namibia|Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|
Pakistan|Palau|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|
Saint Lucia|Samoa|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|
Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|
Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine|
United Arab Emirates|Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe"""
COUNTRY_NAMES = [name.strip() for name in COUNTRIES.replace("\n", "").split("|") if name.strip()]

FIRST_NAMES_M = set("""Aaron Abdul Adam Adrian Ahmed Alan Albert Alejandro Alex Alexander Ali Andrew Andrés Angel
Anthony Antonio Arthur Ben Benjamin Bernie Bill Bob Brad Brandon Brian Bruce Carl Carlos Charles Chris Christopher
Chuck Colin Craig Dan Daniel Danny Darren David Dennis Diego Don Donald Doug Douglas Edward Eduardo Elon Emmanuel
Eric Ernesto Frank Fernando Francisco Gabriel Gary George Gerald Greg Gregory Gustavo Harold Harry Hector Henry Hugo
Ian Ivan Jack Jacob Jake James Jason Javier Jeff Jeffrey Jerry Jesse Jesús Jim Joe Joel John Jonathan Jorge José
Joseph Josh Joshua Juan Julian Justin Karl Keith Ken Kenneth Kevin Kyle Larry Lee Leo Leonard Louis Luis Manuel
Marco Marcus Mario Mark Martin Matt Matthew Michael Miguel Mike Nathan Nayib Neil Nicholas Nick Omar Oscar Pablo
Patrick Paul Pedro Peter Philip Rafael Ralph Ramón Randy Raymond Ricardo Richard Rick Robert Roberto Ron Ronald Ryan
Sam Samuel Scott Sean Sergio Stephen Steve Steven Stuart Ted Thomas Tim Timothy Todd Tom Tony Victor Vincent Walter
Wayne William Xavier""".split())
FIRST_NAMES_F = set("""Alexandra Alice Alicia Amanda Amy Ana Andrea Angela Ann Anna Anne Barbara Beatriz Betty Beth
Carmen Carol Caroline Catherine Cecilia Charlotte Christina Christine Claire Claudia Cynthia Deborah Diana Diane
Donna Dorothy Elena Elizabeth Ellen Emily Emma Erin Eva Fatima Frances Gabriela Grace Hannah Heather Helen Ilhan
Irene Isabel Jane Janet Jennifer Jessica Jill Joan Josefina Joy Judith Judy Julia Julie Karen Kamala Karina Kate
Katherine Kathleen Kathy Kelly Kimberly Kristi Laura Lauren Linda Lisa Lucia Lucy Margaret Maria María Marie Marisol
Martha Mary Megan Melania Melissa Michelle Monica Nancy Natalia Nicole Olivia Pam Pamela Patricia Paula Rachel
Rebecca Rosa Ruth Sandra Sara Sarah Sharon Shirley Silvia Sofia Sonia Sophia Stephanie Susan Teresa Tracy Valentina
Valerie Victoria Virginia Wendy Yolanda""".split())

#: after a country's name and 's: a body of that state that can speak for it ("Guatemala's foreign ministry said")
STATE_BODY_RE = re.compile(r"['’]s\s+((?:[a-z]+\s+){0,2}(?:ministry|embassy|consulate|armed\s+forces|army|navy|"
                           r"military|police|foreign\s+office|interior\s+ministry))\b(?!['’])")
# Title words written before a name ("Secretary of State Marco Rubio", "El Salvador President Nayib Bukele").
TITLE_WORDS = {
    "president", "vice", "secretary", "secretary-general", "judge", "justice", "senator", "sen", "representative",
    "rep", "governor", "gov", "mayor", "minister", "premier", "chancellor", "ambassador", "general", "gen",
    "director", "commissioner", "chief", "speaker", "leader", "king", "queen", "prince", "princess", "pope", "dr",
    "mr", "mrs", "ms", "rev", "prof", "professor", "lt", "col", "sgt", "capt", "adm", "sheriff", "congressman",
    "congresswoman", "councilman", "councilwoman", "councilmember", "chairman", "chairwoman", "chair",
    "spokesperson", "spokesman", "spokeswoman", "czar", "magistrate", "prosecutor", "counsel", "administrator",
    "superintendent", "attorney", "lawyer", "officer", "envoy", "cardinal", "archbishop", "bishop", "pastor",
    "father", "rabbi", "imam", "reverend", "resident", "councillor", "alderman", "trustee", "dean", "president-elect",
}
TITLE_MODIFIERS = {"vice", "deputy", "acting", "former", "interim", "assistant", "associate", "senior", "chief",
                   "district", "circuit", "federal", "state", "foreign", "prime", "press", "border", "white",
                   "house", "attorney", "solicitor", "surgeon", "inspector", "majority", "minority", "supreme",
                   "court", "immigration", "homeland", "security", "defense", "defence", "interior", "justice",
                   "treasury", "health", "labor", "education", "energy", "commerce", "transportation",
                   "agriculture", "u.s.", "us", "magistrate", "bankruptcy", "appeals", "senate", "general"}
DEPARTMENTS = {"State", "Defense", "Homeland", "Security", "Justice", "the", "Treasury", "Health", "and", "Human",
               "Services", "Labor", "Education", "Energy", "Commerce", "Transportation", "Agriculture", "Interior",
               "Veterans", "Affairs", "Housing", "Urban", "Development", "House", "Navy", "Army", "Air", "Force",
               "War"}
ABBREVIATIONS = {"Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Sgt", "Capt", "Adm", "St",
                 "Jr", "Sr", "Prof", "Rev", "Hon", "Gens", "Sens", "Reps", "Ft", "Mt"}
HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "congressman": "m", "congresswoman": "f",
                    "spokesman": "m", "spokeswoman": "f", "chairman": "m", "chairwoman": "f", "king": "m",
                    "queen": "f", "prince": "m", "princess": "f", "councilman": "m", "councilwoman": "f"}
# Lower-case role nouns before a name: "ACLU attorney Lee Gelernt", "immigration lawyer Jane Doe".
ROLE_NOUNS = ("attorney|lawyer|spokesperson|spokesman|spokeswoman|official|director|professor|analyst|researcher|"
              "economist|expert|activist|advocate|executive|adviser|advisor|aide|scholar|historian|reporter|"
              "correspondent|photographer|prosecutor|judge|senator|lawmaker|official|organizer|organiser|"
              "president|chair|chairman|chairwoman|founder|co-founder|leader|member|fellow|counsel|officer|"
              "commissioner|secretary|minister|ambassador|administrator|deputy|manager|partner|colleague|"
              "candidate|nominee|mayor|governor|sheriff|chief|head|agent|investigator|economist|writer|author")
ORG_HEADS = {
    "Department", "Ministry", "Court", "Union", "Project", "Council", "Commission", "Agency", "Administration",
    "Association", "Party", "Committee", "Congress", "Senate", "Office", "Service", "Services", "Bureau",
    "Institute", "Foundation", "Center", "Centre", "University", "College", "Corporation", "Corp", "Inc", "Company",
    "Co", "Group", "Network", "Times", "Post", "Journal", "News", "Press", "Organization", "Organisation",
    "Coalition", "Alliance", "Federation", "Fund", "Bank", "Police", "Army", "Navy", "Force", "Guard", "Patrol",
    "Board", "Authority", "Tribunal", "Parliament", "Assembly", "Cabinet", "Government", "Watch", "International",
    "Clinic", "Society", "Caucus", "Initiative", "Campaign", "Trust", "Council", "Movement", "Network",
    "Commission", "Conference", "Forum", "Program", "Programme", "Secretariat", "Registry", "Prosecutors",
}
# the last word of a law, a treaty or a clause ("the Alien Enemies Act", "the 14th Amendment"): never an actor,
# whatever apposition follows it ("the Alien Enemies Act, a 1798 wartime law"); doctrines are found apart
LAW_HEADS = {"Act", "Acts", "Law", "Code", "Constitution", "Amendment", "Treaty", "Clause", "Statute",
             "Protocol", "Accord", "Accords", "Directive", "Regulation", "Ordinance"}
# names of U.S. institutions in the gazetteer that other countries' institutions share (ActorFinder._fits_story)
SHARED_INSTITUTION_NAMES = {"Supreme Court", "Senate", "Congress", "House of Representatives", "Justice Department",
                            "Department of Justice", "Department of State", "Bureau of Prisons"}
# the heads whose names go on with "to" and a verb ("Committee to Protect Journalists"); not "moved the Office to
# Texas"
ORG_HEADS_TO = {"Committee", "Campaign", "Coalition", "Alliance", "Movement", "Initiative", "Fund", "Project"}
FACILITY_HEADS = {"Prison", "Jail", "Penitentiary", "Detention", "Confinement", "Correctional", "Processing",
                  "Base", "Camp", "Station", "Airport", "Facility", "Stockade", "Gaol"}
PLACE_STOP = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
              "English", "Spanish", "French", "Arabic", "Chinese", "Russian", "Portuguese", "German", "Christmas",
              "Easter", "Ramadan", "Congress", "Court", "Parliament", "Senate", "Office", "Washington's", "Time"}
COMMON_CAPS = set("""A About According Across After Afterward Again Against Ahead All Along Also Although Among An
And Another Any Anyone As Asked At Back Because Before Being Both But By Despite During Each Earlier Either Even
Ever Every Experts Few First Following For Former From Further Given He Her Here His How However I If In Inside
Instead It Its Just Last Late Later Like Many Meanwhile More Most Much My Neither Never New Next No None Nor Not
Now Of Officials Often On Once One Only Or Other Others Our Over Part People Perhaps Prior Rather Since So Some
Still Such That The Their Then There These They This Those Though Through Thus To Today Tomorrow Under Unlike Until
Up Upon We What When Where Whether Which While Who Why With Within Without Yes Yesterday Yet You Your Read Listen
Watch Share Sign Related Photo Photos Video Updated Published Posted Breaking Exclusive Opinion Analysis Two Three
Four Five Six Seven Eight Nine Ten Dozens Hundreds Thousands""".split())
COMMON_CAPS |= {w for w in PLACE_STOP if w.endswith("day") or w in (
    "January", "February", "March", "April", "June", "July", "August", "September", "October", "November",
    "December")}
CONNECTORS = {"of", "de", "del", "la", "las", "los", "da", "do", "dos", "das", "van", "von", "der", "den", "bin",
              "al", "y", "for", "the", "le", "du", "di"}
# first words of place names ("San Vicente", "Puerto Barrios", "Fort Bliss"): such a run is a person only with a
# title or role before it, never on the strength of a speech verb after it
PLACE_PREFIXES = {"San", "Santa", "Santo", "São", "Saint", "Sainte", "Port", "Puerto", "Porto", "Fort", "Mount",
                  "Lake", "Ciudad", "Nueva", "Nuevo", "Villa", "Bahía", "Cabo", "Isla", "El", "Los", "Las"}
NAME_PARTICLES = {"de", "del", "la", "da", "dos", "van", "von", "der", "den", "bin", "al", "le", "du", "di"}
SPEECH_VERBS_FOR_NAMES = (r"said|says|told|tells|added|adds|asked|wrote|writes|noted|argued|stressed|insisted|"
                          r"warned|explained|declared|stated|replied|responded|called|urged|announced|testified|"
                          r"reiterated|acknowledged|countered|recalled|ruled|contended|maintained|posted|tweeted|"
                          r"pointed out|pressed")
# a person's kin, or an age in apposition ("Kilmar Abrego Garcia, 29,"): a name is a person's when the text says
# either anywhere of it, or of its last two words ("Abrego Garcia's wife"), whatever its first name
KIN_NOUNS = (r"wife|husband|widow|widower|son|sons|daughter|daughters|mother|father|parents|brother|brothers|"
             r"sister|sisters|children|family|fiancée|fiancé|grandmother|grandfather")


# ----------------------------------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Actor:
    id: str
    type: str                                   # Person | Organization | State | Government | CollectiveActor | ...
    name: str
    aliases: list[str] = field(default_factory=list)
    member_of: list[str] = field(default_factory=list)
    part_of: str | None = None
    gender: str | None = None
    titles: list[str] = field(default_factory=list)    # lower-case titles the text gives ("secretary of state")
    evidence: tuple[int, int] | None = None             # first mention, with its title
    description: str | None = None
    known: bool = False
    place: bool = False                                 # goes to `places:` (a Place or Facility)
    located_in: str | None = None
    operated_by: str | None = None
    country: str | None = None
    post: tuple[str, str, str] | None = None           # (id, label, organization id) from the gazetteer

    def add_alias(self, alias: str):
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)


@dataclass
class Post:
    id: str
    label: str
    organization: str
    holder: str
    evidence: tuple[int, int] | None = None


@dataclass
class Mention:
    start: int           # the name itself
    end: int
    actor: str
    phrase_start: int    # with the title or role before the name ("Secretary of State Marco Rubio")
    in_quote: bool
    para: int


@dataclass
class Registry:
    actors: dict[str, Actor] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)     # exact words -> actor id
    notes: list[str] = field(default_factory=list)

    def persons(self):
        return [a for a in self.actors.values() if a.type == "Person"]

    def add(self, actor: Actor) -> Actor:
        existing = self.actors.get(actor.id)
        if existing:
            return existing
        self.actors[actor.id] = actor
        for alias in [actor.name, *actor.aliases]:
            self.aliases.setdefault(alias, actor.id)
        return actor

    def alias(self, actor_id: str, words: str):
        actor = self.actors[actor_id]
        if words != actor.name:
            actor.add_alias(words)
        self.aliases.setdefault(words, actor_id)


@dataclass
class Known:
    """Actors known before reading the article: the gazetteer and other annotations' actors."""

    by_alias: dict[str, tuple[str, str, str, dict]] = field(default_factory=dict)   # words -> (id, type, name, extra)
    by_id: dict[str, tuple[str, str, str, dict]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def add(self, actor_id, actor_type, name, aliases, extra, override=False):
        if actor_id in self.by_id:
            extra = {**self.by_id[actor_id][3], **extra}     # an annotation keeps what the gazetteer knows
        entry = (actor_id, actor_type, name, extra)
        if override or actor_id not in self.by_id:
            self.by_id[actor_id] = entry
        for words in [name, *aliases]:
            words = str(words).strip()
            if not words or not _proper(words):
                continue
            if override or words not in self.by_alias:
                self.by_alias[words] = entry
            if words.startswith("The ") and words[4:] not in self.by_alias:
                self.by_alias[words[4:]] = entry


def _proper(words: str) -> bool:
    """A name, not a description: 'Rubio', 'U.S.', 'ACLU' yes; 'the secretary', 'the administration' no."""
    return bool(words) and words[0].isupper() and not words.lower().startswith("the ") or words.startswith("The ")


def load_known(article_dirs: list[Path] | None = None, exclude: Path | None = None) -> Known:
    """The gazetteer, then the actors and places of the given article folders' annotations (they win)."""
    known = Known()
    for actor_id, actor_type, name, aliases, extra in KNOWN_ACTORS + KNOWN_PLACES:
        known.add(actor_id, actor_type, name, aliases, extra)
    for name in COUNTRY_NAMES:
        known.add(kebab(name), "State", name, [], {})
    for directory in article_dirs or []:
        path = Path(directory) / "annotation.yaml"
        if exclude is not None and Path(directory).resolve() == Path(exclude).resolve():
            continue
        if not path.is_file():
            continue
        try:
            import yaml

            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except Exception:  # another folder's broken annotation is not this article's problem  # noqa: BLE001
            continue
        if not isinstance(data, dict):
            continue
        for section in ("actors", "places"):
            for item in data.get(section) or []:
                if not isinstance(item, dict) or not item.get("id") or not (item.get("name") or item.get("label")):
                    continue
                kind = str(item.get("type") or ("Person" if section == "actors" else "Place"))
                aliases = [str(a) for a in item.get("aliases") or [] if isinstance(a, (str, int))]
                extra = {"place": section == "places"}
                if item.get("part_of"):
                    extra["part_of"] = str(item["part_of"])
                known.add(str(item["id"]), kind, str(item.get("name") or item.get("label")), aliases, extra,
                          override=True)
        known.sources.append(str(directory))
    return known


def known_publisher(words: str) -> tuple[str, str, str, dict] | None:
    """The gazetteer entry of a news outlet named by these words (for bylines and datelines)."""
    words = words.strip()
    for actor_id, actor_type, name, aliases, extra in KNOWN_ACTORS:
        if extra.get("publisher") and (words == name or words in aliases or words.lower() == name.lower()
                                       or words.lower() in (a.lower() for a in aliases)):
            return actor_id, actor_type, name, extra
    return None


# ----------------------------------------------------------------------------------------------------------------
# Tokens and runs of capitalised words
# ----------------------------------------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’\-]*\w)?|\d[\d,.]*")


@dataclass
class Token:
    start: int
    end: int
    text: str

    @property
    def base(self) -> str:
        """Without a possessive 's."""
        if self.text.endswith(("'s", "’s")) and len(self.text) > 2:
            return self.text[:-2]
        return self.text

    @property
    def possessive(self) -> bool:
        return self.text.endswith(("'s", "’s")) and len(self.text) > 2

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, start, end)]


def _joins(text: str, left: Token, right: Token) -> bool:
    """Whether two tokens are adjacent words of one name ("Marco Rubio", "Sen. Jane Doe", "Immigrants' Rights")."""
    gap = text[left.end:right.start]
    if gap == " ":
        return True
    if gap == ". " and (left.text in ABBREVIATIONS or (len(left.text) == 1 and left.text.isupper())):
        return True
    if gap in ("' ", "’ ") and left.text.endswith("s") and right.cap:
        return True
    return False


def cap_runs(text: str, toks: list[Token]) -> list[list[Token]]:
    """Runs of capitalised tokens, allowing lower-case connectors between them ("Department of Justice")."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    skip = 0
    for index, tok in enumerate(toks):
        if skip:
            skip -= 1
            continue
        joined = bool(current) and _joins(text, current[-1], tok) and not current[-1].possessive
        if joined and ((tok.text == "for" and current[-1].base in ORG_HEADS)
                       or (tok.text == "to" and current[-1].base in ORG_HEADS_TO)):
            # an organization's name goes on: "Center for Constitutional Rights", "U.S. District Court for the
            # District of Columbia", "Committee to Protect Journalists"
            follow = toks[index + 1:index + 3]
            if follow and follow[0].text == "the" and tok.text == "for":
                follow = follow[1:] if _joins(text, tok, follow[0]) else []
                lead = [tok, toks[index + 1]]
            else:
                lead = [tok]
            if follow and follow[0].cap and _joins(text, lead[-1], follow[0]):
                current.extend(lead)
                skip = len(lead) - 1
                continue
        if tok.cap and not tok.text[0].isdigit():
            if current and not joined:
                runs.append(_trim(current))
                current = []
            current.append(tok)
        elif tok.text in CONNECTORS and current and joined:
            nxt = toks[index + 1] if index + 1 < len(toks) else None
            if nxt is not None and nxt.cap and _joins(text, tok, nxt):
                current.append(tok)
            else:
                runs.append(_trim(current))
                current = []
        else:
            if current:
                runs.append(_trim(current))
                current = []
    if current:
        runs.append(_trim(current))
    return [r for r in runs if r]


def _trim(run: list[Token]) -> list[Token]:
    while run and not run[-1].cap:
        run = run[:-1]
    return run


def _sentence_initial(text: str, pos: int, para_start: int) -> bool:
    """Whether pos begins a sentence (after a full stop, a colon, an opening quotation mark, or the paragraph)."""
    before = text[para_start:pos].rstrip()
    if not before:
        return True
    if before[-1] in ".!?:;(“‘—":
        return True
    if before[-1] in "\"”’'":
        inner = before[:-1].rstrip()
        return not inner or inner[-1] in ".!?" or before[-1] == "\"" and (inner[-1:] in (" ", "") or not inner)
    return False


# ----------------------------------------------------------------------------------------------------------------
# Finding the actors
# ----------------------------------------------------------------------------------------------------------------


class ActorFinder:
    """Two passes over the article: find the actors (and their posts), then every mention of them."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], in_quote, known: Known, slug: str,
                 skip_paragraphs: set[int] | None = None):
        self.text = text
        self.paragraphs = paragraphs
        self.in_quote = in_quote           # callable(pos) -> bool
        self.known = known
        self.slug = slug
        self.skip = skip_paragraphs or set()   # paragraphs where no new person is discovered (the headline)
        # (person id, title) given once with a qualifier not understood ("Texas Attorney General Ken Paxton"): the
        # bare title later ("Attorney General Paxton") is not the national office
        self.qualified_titles: set[tuple[str, str]] = set()
        self.reg = Registry()
        self._elsewhere: dict[tuple, str | None] = {}  # _person_elsewhere: a name recurs, the text is searched once
        self.lowercase_words = set(w.lower() for w in re.findall(r"\b[a-z][a-z'-]+\b", text[:MAX_SCAN]))
        self.us_context = bool(re.search(r"\bU\.S\.|\bUnited States\b|\bAmerican\b|\bWashington\b|\bCongress\b",
                                         text[:MAX_SCAN]))

    # -- registering ---------------------------------------------------------------------------------------------
    def known_actor(self, words: str) -> Actor | None:
        """The registry's or the gazetteer's actor named exactly by these words, registered on first use."""
        actor_id = self.reg.aliases.get(words)
        if actor_id:
            return self.reg.actors[actor_id]
        entry = self.known.by_alias.get(words)
        if entry is None and words.startswith("the "):
            entry = self.known.by_alias.get(words[4:])
        if entry is None or not self._fits_story(entry, words):
            return None
        return self.register_known(entry, words)

    def _fits_story(self, entry, words: str) -> bool:
        """A U.S. institution by a name other countries' share ("the Supreme Court", "Congress", "the Senate", "the
        Justice Department") only in a story about the United States: in a British story "the Supreme Court" is the
        UK's, not the gazetteer's. "Department of Homeland Security", "ICE" or "the Pentagon" are the U.S.'s."""
        bare = words[4:] if words.startswith("the ") else words
        return self.us_context or bare not in SHARED_INSTITUTION_NAMES

    def register_known(self, entry, words=None) -> Actor:
        actor_id, actor_type, name, extra = entry
        if actor_id in self.reg.actors:
            actor = self.reg.actors[actor_id]
        else:
            place = extra.get("place", False) or actor_type in ("Place", "Facility")
            actor = Actor(actor_id, actor_type, name, known=True, place=place, gender=extra.get("gender"),
                          part_of=extra.get("part_of"), located_in=extra.get("located_in"),
                          operated_by=extra.get("operated_by"), country=extra.get("country"), post=extra.get("post"))
            self.reg.add(actor)
        if words and words != actor.name:
            self.reg.alias(actor.id, words)
        return actor

    def new_actor(self, actor_type: str, name: str, **fields) -> Actor:
        entry = self.known.by_alias.get(name)
        if entry is not None and self._fits_story(entry, name):
            return self.register_known(entry, name)
        actor_id = kebab(name)
        if actor_id in self.reg.actors and self.reg.actors[actor_id].name != name:
            existing = self.reg.actors[actor_id]
            if existing.type == actor_type:
                existing.add_alias(name)
                self.reg.aliases.setdefault(name, actor_id)
                return existing
            actor_id = f"{actor_id}-{kebab(actor_type)}"
        if actor_id in self.reg.actors:
            return self.reg.actors[actor_id]
        if actor_id in self.known.by_id:
            # an id another annotation uses for another name: keep ours apart
            other = self.known.by_id[actor_id]
            if other[2] != name:
                actor_id = f"{actor_id}-{self.slug}"[:120].rstrip("-")
        return self.reg.add(Actor(actor_id, actor_type, name, **fields))

    # -- pass 1: discovery ---------------------------------------------------------------------------------------
    def discover(self):
        text = self.text
        for para_index, (p_start, p_end) in enumerate(self.paragraphs):
            toks = tokens(text, p_start, p_end)
            primed = self.prime_known(toks)
            for run in cap_runs(text, toks):
                if any(s <= run[0].start < e or s < run[-1].end <= e for s, e in primed):
                    outside = [t for t in run if not any(s <= t.start < e for s, e in primed)]
                    if not outside or len(outside) == len(run):
                        continue
                    run = _trim(outside) if outside[0].start > run[0].start else outside
                    if not run or any(not _joins(text, a, b) for a, b in zip(run, run[1:])):
                        continue
                self.classify(run, para_index, p_start)
        self.acronyms()
        self.administrations()

    def prime_known(self, toks: list[Token]) -> list[tuple[int, int]]:
        """Register the known actors whose multi-word names occur here ("Immigration and Customs Enforcement")."""
        spans = []
        index = 0
        while index < len(toks):
            matched = None
            for parts, entry in self.known_table.get(toks[index].text, []):
                if self._matches(toks, index, parts) and self._fits_story(entry, " ".join(parts)):
                    matched = (parts, entry)
                    break
            if matched is None:
                index += 1
                continue
            parts, entry = matched
            self.register_known(entry, " ".join(parts) if " ".join(parts) != entry[2] else None)
            spans.append((toks[index].start, toks[index + len(parts) - 1].end))
            index += len(parts)
        return spans

    @property
    def known_table(self):
        if self._known_table is None:
            table: dict[str, list] = {}
            for words, entry in self.known.by_alias.items():
                parts = tuple(t.text for t in tokens(words))
                if len(parts) >= 2 and any(not p[:1].isupper() for p in parts):
                    table.setdefault(parts[0], []).append((parts, entry))
            for entries in table.values():
                entries.sort(key=lambda e: -len(e[0]))
            self._known_table = table
        return self._known_table

    _known_table = None

    def classify(self, run: list[Token], para_index: int, p_start: int):
        text = self.text
        start = run[0].start
        in_quote = self.in_quote(start)
        # drop sentence-initial common words ("Asked", "The", "Following")
        while run and _sentence_initial(text, run[0].start, p_start) and not self._known_words(run[0].text) and (
                run[0].text in COMMON_CAPS or (run[0].text.lower() in self.lowercase_words
                                               and run[0].text.lower().rstrip(".") not in TITLE_WORDS
                                               and run[0].text not in FIRST_NAMES_M | FIRST_NAMES_F
                                               and not self._known_words(run[0].text))):
            if run[0].text == "The" and len(run) > 1 and self._known_words(_words(text, run)):
                break
            run = run[1:]
            while run and run[0].text in CONNECTORS:
                run = run[1:]
        if not run:
            return
        # the longest known prefix ("El Salvador", "ACLU", "U.S.") and known runs
        words = _words(text, run)
        actor = self._known_words(words[:-2] if run[-1].possessive else words)
        if actor:
            if actor.type == "Person" and not in_quote:
                self.person_role(run, actor)
            elif actor.type == "Facility" and not in_quote:
                self.facility(run)
            return
        for cut, tok in enumerate(run):
            if tok.text in ("of", "for") and cut > 1 and self.split_title(run[:cut]):
                self.classify(run[:cut], para_index, p_start)
                rest = run[cut + 1:]
                while rest and rest[0].text in CONNECTORS:
                    rest = rest[1:]
                if rest:
                    self._known_words(_words(text, rest))
                return
        split = self.split_title(run)
        if split:
            # not in the headline, whose capitals make "Federal Judge Says Trump's Use ..." a judge named Says Trump
            if para_index not in self.skip:
                qualifier, title, name = split
                self.person_with_title(qualifier, title, name, para_index, in_quote)
            return
        # a law, never an actor; a president's administration, capitalised or not, is a government (administrations);
        # then organization, facility, country by their head words
        if len(run) >= 2 and run[-1].base in LAW_HEADS:
            return
        if len(run) == 2 and run[1].base == "Administration" and self._president(run[0].base):
            return
        # "(Secretary of the) Department of Homeland Security Alejandro Mayorkas": an organization, then a person
        # whose first name is known, in one run of capitals
        for k in range(len(run) - 3, 0, -1):
            name = run[k + 1:]
            if (run[k].base in ORG_HEADS or run[k].text in DEPARTMENTS) and 2 <= len(name) <= 3 \
                    and name[0].text in FIRST_NAMES_M | FIRST_NAMES_F and self._valid_name(name) and not in_quote:
                self.classify(run[:k + 1], para_index, p_start)
                organization = self._known_words(_words(text, run[:k + 1]))
                if organization is not None and organization.evidence is None:
                    organization.evidence = (run[0].start, run[k].end)
                person = self.person(_words(text, name), name, in_quote)
                if person is not None and person.evidence is None:
                    person.evidence = (name[0].start, name[-1].end - (2 if name[-1].possessive else 0))
                return
        heads = {t.base for t in run}
        if run[-1].base in FACILITY_HEADS or (heads & FACILITY_HEADS and run[-1].base in ("Centre", "Center", "Unit")):
            if not in_quote:
                self.facility(run)
            return
        if (run[-1].base in ORG_HEADS or (run[0].base in ORG_HEADS and len(run) > 2 and run[1].text == "of")
                or any(t.base in ORG_HEADS and n.text in ("for", "to") for t, n in zip(run, run[1:]))) \
                and len(run) >= 2 and not in_quote:
            self.organization(run)
            return
        if 2 <= len([t for t in run if t.text not in NAME_PARTICLES]) <= 4 and not in_quote \
                and para_index not in self.skip:
            self.maybe_person(run, para_index)
            return
        if len(run) <= 3 and not in_quote and para_index not in self.skip:
            self.maybe_place(run)

    def _known_words(self, words: str) -> Actor | None:
        if words in self.reg.aliases or words in self.known.by_alias:
            return self.known_actor(words)
        return None

    def split_title(self, run: list[Token]):
        """(qualifier tokens, title tokens, name tokens) when the run is a title followed by a name."""
        n = len(run)
        for k in range(1, n):
            prefix, name = run[:k], run[k:]
            if not self._valid_name(name):
                continue
            title_start = self._title_start(prefix)
            if title_start is None:
                continue
            return prefix[:title_start], prefix[title_start:], name
        return None

    def _title_start(self, prefix: list[Token]) -> int | None:
        """Where the title begins in the prefix, or None when the prefix does not end with a title."""
        last = prefix[-1].base.lower().rstrip(".")
        ends_with_title = last in TITLE_WORDS or (
            last == "general" and len(prefix) > 1 and prefix[-2].base.lower() in ("attorney", "solicitor", "surgeon",
                                                                                   "inspector", "secretary"))
        of_index = next((i for i, t in enumerate(prefix) if t.text == "of"), None)
        if not ends_with_title and of_index is not None and of_index > 0:
            head = prefix[of_index - 1].base.lower()
            rest = prefix[of_index + 1:]
            if head in TITLE_WORDS and rest and all(t.text in DEPARTMENTS for t in rest):
                ends_with_title = True
                return self._title_begin(prefix[:of_index])
        if not ends_with_title:
            return None
        return self._title_begin(prefix)

    def _title_begin(self, prefix: list[Token]) -> int:
        index = len(prefix) - 1
        while index > 0:
            word = prefix[index - 1].base.lower().rstrip(".")
            if word in TITLE_WORDS or word in TITLE_MODIFIERS or prefix[index - 1].text in DEPARTMENTS:
                # stop at a known qualifier such as "U.S." or "El Salvador"
                if self._known_words(prefix[index - 1].text) and prefix[index - 1].text not in ("State", "House"):
                    break
                index -= 1
            else:
                break
        return index

    def _valid_name(self, name: list[Token]) -> bool:
        words = [t for t in name if t.text not in NAME_PARTICLES]
        if not 1 <= len(words) <= 4:
            return False
        if name[0].text in NAME_PARTICLES:
            return False
        for tok in words:
            base = tok.base
            if base.lower().rstrip(".") in TITLE_WORDS or base in ORG_HEADS or base in FACILITY_HEADS:
                return False
            if base in COMMON_CAPS or base in DEPARTMENTS:
                return False
            if len(base) > 1 and base.isupper() and "." not in base:
                return False
        if any(t.possessive for t in name[:-1]):
            return False
        return True

    def person_with_title(self, qualifier, title, name, para_index, in_quote):
        text = self.text
        name_words = _words(text, name)
        title_words = _words(text, title)
        qualifier_words = _words(text, qualifier) if qualifier else ""
        org = None
        if qualifier_words:
            org = self._known_words(qualifier_words)
            if org is None and qualifier[-1].possessive:
                org = self._known_words(qualifier[-1].base)
        person = self.person(name_words, name, in_quote)
        if person is None:
            return
        title_lower = title_words.lower().replace(".", "")
        if title_lower not in person.titles:
            person.titles.append(title_lower)
        gender = HONORIFIC_GENDER.get(title[-1].base.lower().rstrip("."))
        if gender and not person.gender:
            person.gender = gender
        phrase_start = (qualifier[0] if qualifier else title[0]).start
        if person.evidence is None or person.evidence[0] > phrase_start:
            if not in_quote:
                person.evidence = (phrase_start, name[-1].end if not name[-1].possessive else name[-1].end - 2)
        if title[-1].base.lower().rstrip(".") in ("mr", "mrs", "ms", "dr", "miss", "rev", "prof"):
            return
        if qualifier_words and org is None:
            self.qualified_titles.add((person.id, title_lower))
        if org is None and not qualifier_words:
            org_id = None if (person.id, title_lower) in self.qualified_titles \
                else self._default_organization(title_lower, person)
        else:
            org_id = org.id if org else None
        if org_id:
            self.post(person, title_words, org_id, phrase_start)
            if org and org.type not in ("State",) and not org.place and org.id not in person.member_of:
                person.member_of.append(org.id)

    def _default_organization(self, title_lower: str, person: Actor) -> str | None:
        national = ("secretary of state", "attorney general", "vice president", "speaker of the house",
                    "secretary of defense", "secretary of homeland security", "homeland security secretary",
                    "defense secretary", "press secretary", "white house press secretary", "border czar",
                    "secretary of the treasury", "treasury secretary")
        if person.post:
            # a known office holder: the post the gazetteer gives, when the title is that office ("Secretary of
            # State Marco Rubio"), not "President Trump" again
            national_post = person.post[2] == "united-states" and title_lower in national
            return self._ensure("united-states") if self.us_context and national_post else None
        if self.us_context and title_lower in national:
            return self._ensure("united-states")
        if self.us_context and title_lower in ("president",) and person.country == "united-states":
            return self._ensure("united-states")
        return None

    def _ensure(self, actor_id: str) -> str:
        if actor_id not in self.reg.actors and actor_id in self.known.by_id:
            self.register_known(self.known.by_id[actor_id])
        return actor_id

    def post(self, person: Actor, title_words: str, org_id: str, phrase_start: int):
        org = self.reg.actors.get(org_id)
        if org is None or org.place or org.type == "Person":
            return                  # "Tecoluca Mayor Ana Flores": a post of a town is not one the draft can hold
        title_clean = " ".join(title_words.split())
        generic = title_clean.lower() in ("attorney", "lawyer", "spokesperson", "spokesman", "spokeswoman",
                                          "official", "director", "member", "adviser", "advisor", "aide",
                                          "professor", "analyst", "researcher", "fellow", "counsel", "officer",
                                          "agent", "reporter", "correspondent", "photographer", "staff attorney",
                                          "senior fellow", "executive", "partner", "manager")
        if org.type == "State":
            label = f"{_cap_first(title_clean)} of {('the ' if org.name in ('United States', 'United Kingdom') else '')}{org.name}"
            post_id = kebab(f"{title_clean} of {org.name}")
            if org.id == "united-states":
                post_id = {"president": "president-of-the-united-states"}.get(title_clean.lower(), f"us-{kebab(title_clean)}")
        else:
            short = min([org.name, *[a for a in org.aliases if _proper(a)]], key=len)
            label = f"{short} {title_clean}" if title_clean[0].islower() else f"{title_clean}, {org.name}"
            post_id = kebab(f"{org.id} {title_clean}")
        if generic:
            post_id = f"{post_id}-{person.id}"
        if post_id in self.reg.posts:
            return
        self.reg.posts[post_id] = Post(post_id, label, org.id, person.id, (phrase_start, None))

    def person(self, name_words: str, name_tokens: list[Token], in_quote: bool) -> Actor | None:
        """The person these name words refer to: known, found earlier (surname), or new."""
        if name_tokens[-1].possessive:
            name_words = name_words[:-2]
        actor = self._known_words(name_words)
        if actor is not None:
            return actor if actor.type == "Person" else None
        if len(name_tokens) == 1:
            surname_match = self.by_surname(name_words)
            if surname_match:
                return surname_match
            if in_quote:
                return None
        first = name_tokens[0].text
        gender = "m" if first in FIRST_NAMES_M else "f" if first in FIRST_NAMES_F else None
        actor = self.new_actor("Person", name_words, gender=gender)
        if actor.type != "Person":
            return None
        surname = self._surname(name_tokens)
        if surname and surname != name_words:
            self.reg.aliases.setdefault(surname, actor.id)
        bases = [t.base for t in name_tokens if t.base not in ("Jr", "Sr", "II", "III", "IV")]
        if len(bases) >= 3 and bases[-2].lower() not in NAME_PARTICLES:
            # "Kilmar Abrego Garcia", then "Abrego Garcia": the last two words name the same person again
            self.reg.aliases.setdefault(" ".join(bases[-2:]), actor.id)
        return actor

    def _surname(self, name_tokens: list[Token]) -> str | None:
        words = [t.base for t in name_tokens if t.base not in ("Jr", "Sr", "II", "III", "IV")]
        if len(words) < 2:
            return None
        last = words[-1]
        if len(words) >= 3 and words[-2].lower() in NAME_PARTICLES:
            return " ".join(words[-2:])
        return last

    def by_surname(self, word: str) -> Actor | None:
        actor_id = self.reg.aliases.get(word)
        if actor_id and self.reg.actors[actor_id].type == "Person":
            return self.reg.actors[actor_id]
        return None

    def maybe_person(self, run: list[Token], para_index: int):
        text = self.text
        name_tokens = run
        if name_tokens[-1].possessive and len(name_tokens) == 1:
            return
        words = _words(text, name_tokens)
        if name_tokens[-1].possessive:
            words = words[:-2]
        if any(t.base in COUNTRY_NAMES or t.base in PLACE_STOP for t in name_tokens):
            return
        if not self._valid_name(name_tokens):
            return
        evidence = None
        first = name_tokens[0].text
        if first in FIRST_NAMES_M or first in FIRST_NAMES_F:
            evidence = "first name"
        before = text[max(0, run[0].start - 80):run[0].start]
        role = re.search(r"(?:\b((?:[A-Z][\w.&'’-]*)(?:\s+[A-Z][\w.&'’-]*){0,3})\s+)?\b((?:" + ROLE_NOUNS
                         + r")(?:\s+(?:" + ROLE_NOUNS + r"))?)\s+$", before)
        if role:
            evidence = "role"
        after = text[run[-1].end:run[-1].end + 240]
        if re.match(r"(?:,\s*[^,\"“”\n]{1,200},)?\s+(?:" + SPEECH_VERBS_FOR_NAMES + r")\b", after):
            evidence = evidence or "speech verb"
        head = re.search(r"(?:^|\n|[.!?;][\"”’)]*\s|,\s)([^,.;!?\n]{1,120}),\s+$", before)
        if re.match(r",\s+(?:" + SPEECH_VERBS_FOR_NAMES + r")\b", after) and head:
            # "the minister, Tariq Malik, said" (a person); "the company that runs it, Westland Corrections, said";
            # the head's last word decides first: "A Justice Department lawyer, Martin Hale, said" is a person
            roles = r"\b(?:" + ROLE_NOUNS + r"|" + "|".join(sorted(TITLE_WORDS)) + r")"
            if re.search(roles + r"s?\s*$", head.group(1), re.I):
                evidence = evidence or "apposition before a speech verb"
            elif re.search(r"\b(?:company|firm|group|organi[sz]ation|agency|department|contractor|operator|"
                         r"nonprofit|charity|union|party|network|outlet|newspaper|website|university|court)\b",
                         head.group(1), re.I):
                organization = self.new_actor("Organization", words)
                if organization.evidence is None:
                    organization.evidence = (run[0].start, run[-1].end)
                return
            elif re.search(roles + r"\b", head.group(1), re.I):
                evidence = evidence or "apposition before a speech verb"
        if re.search(r"\b(?:" + ROLE_NOUNS + r"),\s+$", before):
            evidence = evidence or "apposition after a role"
        if re.match(r",\s+(?:who|whose|a|an|the)\s", after) and len(name_tokens) >= 2:
            evidence = evidence or "apposition"
        if re.search(r"(?:^|\n)By\s+$|\bBy\s+(?:[A-Z][\w.'-]+\s+){1,3}and\s+$|\b(?:said|says|told|added)\s+$",
                     text[max(0, run[0].start - 40):run[0].start]):
            evidence = evidence or "byline or inverted attribution"
        if not name_tokens[-1].possessive and (
                (evidence in (None, "first name", "speech verb")
                 and re.search(r"\b(?:in|at|near|outside|inside|across|throughout)\s+$", before))
                or (evidence in (None, "speech verb") and first in PLACE_PREFIXES)):
            # "a teacher in San Vicente said", "Santa Ana said": a place, whatever verb follows it
            self.maybe_place(run)
            return
        if evidence is None:
            evidence = self._person_elsewhere(name_tokens)
        if evidence is None:
            return
        person = self.person(words, name_tokens, False)
        if person is None:
            return
        self.person_role(run, person)

    def _person_elsewhere(self, name_tokens: list[Token]) -> str | None:
        """Evidence anywhere in the text that these words name a person whose first name we do not know: an age
        in apposition to them ("Kilmar Abrego Garcia, 29,") or kin of theirs ("Abrego Garcia's wife", the last two
        words of a longer name, as news copy names someone again)."""
        words = tuple(t.base for t in name_tokens)
        if len(words) < 2:
            return None
        if words not in self._elsewhere:
            self._elsewhere[words] = self._search_person_evidence(words)
        return self._elsewhere[words]

    def _search_person_evidence(self, words: tuple) -> str | None:
        forms = [" ".join(words)] + ([" ".join(words[-2:])] if len(words) >= 3 else [])
        names = "|".join(re.escape(form) for form in forms)
        if re.search(r"(?<![\w-])(?:" + names + r"),\s+(?:aged?\s+)?\d{1,3},", self.text):
            return "age in apposition"
        if re.search(r"(?<![\w-])(?:" + names + r")['’]s?\s+(?:" + KIN_NOUNS + r")\b", self.text):
            return "kin"
        return None

    def person_role(self, run: list[Token], person: Actor):
        """A role before the name ("ACLU attorney Lee Gelernt"): the post, the organization, the evidence."""
        text = self.text
        before = text[max(0, run[0].start - 80):run[0].start]
        role = re.search(r"(?:\b((?:[A-Z][\w.&'’-]*)(?:\s+[A-Z][\w.&'’-]*){0,3})\s+)?\b((?:" + ROLE_NOUNS
                         + r")(?:\s+(?:" + ROLE_NOUNS + r"))?)\s+$", before)
        if person.evidence is None:
            start = run[0].start - (len(before) - role.start()) if role else run[0].start
            person.evidence = (start, run[-1].end - (2 if run[-1].possessive else 0))
        if role:
            self.role_post(person, role.group(1), role.group(2), person.evidence[0])

    def role_post(self, person: Actor, org_words: str | None, role: str, phrase_start: int):
        if role.lower() not in person.titles:
            person.titles.append(role.lower())
        if HONORIFIC_GENDER.get(role.lower()) and not person.gender:
            person.gender = HONORIFIC_GENDER[role.lower()]
        if not org_words:
            return
        org = self._known_words(org_words)
        if org is None and org_words.endswith(("'s", "’s")):
            org = self._known_words(org_words[:-2])
        if org is None or org.type == "Person" or org.place:
            return
        if org.type != "State" and org.id not in person.member_of:
            person.member_of.append(org.id)
        self.post(person, role, org.id, phrase_start)

    def organization(self, run: list[Token]):
        text = self.text
        if run[0].text == "The":
            run = run[1:]
        if not run:
            return
        words = _words(text, run)
        if run[-1].possessive:
            words = words[:-2]
        before = text[max(0, run[0].start - 40):run[0].start]
        known = self._known_words(words)
        if known:
            if known.evidence is None:
                owner = re.search(r"\b(?:the\s+\w+|its)['’]?s?\s+$", before)
                start = run[0].start - (len(before) - owner.start()) if owner else run[0].start
                known.evidence = (start, run[-1].end - (2 if run[-1].possessive else 0))
            return
        owner = re.search(r"\b(?:the\s+(group|organization|organisation|union|agency|department|ministry)|its)['’]?s?\s+$",
                          before, re.I)
        part_of = None
        name = words
        if owner:
            parent = self.last_organization(run[0].start)
            if parent is not None:
                part_of = parent.id
                short = min([parent.name, *[a for a in parent.aliases if _proper(a) and not a.startswith("The ")]],
                            key=len)
                name = f"{short} {words}"
        actor = self.new_actor("Organization", name, part_of=part_of)
        if name != words:
            self.reg.alias(actor.id, words)
        if actor.evidence is None:
            start = run[0].start - (len(before) - owner.start()) if owner else run[0].start
            actor.evidence = (start, run[-1].end - (2 if run[-1].possessive else 0))

    def last_organization(self, pos: int) -> Actor | None:
        best = None
        for mention in self._quick_mentions(pos):
            actor = self.reg.actors.get(mention[2])
            if actor and actor.type in ("Organization",) and not actor.place:
                best = actor
        return best

    def _quick_mentions(self, pos: int):
        """Known names before pos, in order (used while discovering, before the mention pass)."""
        found = []
        for words, actor_id in self.reg.aliases.items():
            if not words or not words[0].isupper():
                continue
            at = self.text.rfind(words, 0, pos)
            if at != -1:
                found.append((at, at + len(words), actor_id))
        return sorted(found)

    def facility(self, run: list[Token]):
        text = self.text
        name_run = run
        owner = None
        if run[0].possessive:
            owner = self._known_words(run[0].base) or self._known_words(_words(text, run[:1])[:-2])
            name_run = run[1:]
        else:
            for cut in range(1, len(run)):
                if run[cut - 1].possessive:
                    owner = self._known_words(_words(text, run[:cut])[:-2])
                    name_run = run[cut:]
                    break
        if not name_run:
            return
        if owner is None:
            possessive = re.search(r"([A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})['’]s\s+$",
                                   text[max(0, name_run[0].start - 60):name_run[0].start])
            if possessive:
                owner = self._known_words(possessive.group(1))
                if owner is not None:
                    run = [Token(name_run[0].start - len(possessive.group()), name_run[0].start, possessive.group())] \
                        + list(name_run)
        words = _words(text, name_run)
        acronym = re.match(r"\s*\(([A-Z][A-Z0-9]{1,9})\)", text[name_run[-1].end:name_run[-1].end + 14])
        fields = {}
        if owner is not None and owner.type in ("State", "Organization", "Government"):
            fields["operated_by"] = owner.id
            if owner.type == "State":
                fields["located_in"] = owner.id
        actor = self._known_words(words) or (self._known_words(acronym.group(1)) if acronym else None)
        if actor:
            actor.operated_by = actor.operated_by or fields.get("operated_by")
            actor.located_in = actor.located_in or fields.get("located_in")
            if actor.evidence is None:
                end = name_run[-1].end + (acronym.end() if acronym else 0)
                actor.evidence = ((run[0].start if owner else name_run[0].start), end)
            if acronym:
                self.reg.alias(actor.id, acronym.group(1))
            return
        name = words + (f" ({acronym.group(1)})" if acronym else "")
        if acronym:
            entry = self.known.by_alias.get(acronym.group(1))
            if entry is not None:
                self.register_known(entry, words)
                return
            actor = self.reg.add(Actor(kebab(acronym.group(1)), "Facility", name, aliases=[acronym.group(1), words],
                                       place=True, **fields))
            self.reg.alias(actor.id, acronym.group(1))
            self.reg.alias(actor.id, words)
        else:
            actor = self.new_actor("Facility", words, place=True, **fields)
        if actor.evidence is None:
            end = name_run[-1].end + (acronym.end() if acronym else 0)
            actor.evidence = ((run[0].start if owner else name_run[0].start), end)

    def maybe_place(self, run: list[Token]):
        text = self.text
        before = text[max(0, run[0].start - 8):run[0].start]
        if not re.search(r"\b(?:in|at|near)\s+$", before):
            return
        following = text[run[-1].end:run[-1].end + 12]
        if not re.match(r"\s*(?:[,.;:!?)—–]|$|(?:in|on|at|and|or|to|for|with|where|which|last|this|near|after|"
                        r"before|during|since|from|by|when|while|" + SPEECH_VERBS_FOR_NAMES + r")\b)", following):
            return                       # "in American prisons": an adjective, not a place
        words = _words(text, run)
        if run[-1].possessive:
            return
        if any(t.text in PLACE_STOP or t.text in COMMON_CAPS or t.text in FIRST_NAMES_M | FIRST_NAMES_F
               for t in run):
            return
        if any(len(t.text) > 1 and t.text.isupper() for t in run):
            return
        if self._known_words(words) or self.by_surname(words):
            return
        actor = self.new_actor("Place", words, place=True)
        if actor.evidence is None and actor.type == "Place":
            actor.evidence = (run[0].start, run[-1].end)

    def acronyms(self):
        """'Counter-Terrorism Confinement Centre (CECOT)' makes CECOT an alias; an unknown org gets its acronym."""
        for match in re.finditer(r"\(([A-Z][A-Z0-9]{1,9})\)", self.text[:MAX_SCAN]):
            acronym = match.group(1)
            if acronym in self.reg.aliases:
                continue
            before = self.text[max(0, match.start() - 120):match.start()].rstrip()
            for actor in list(self.reg.actors.values()):
                for words in [actor.name, *actor.aliases]:
                    if words and before.endswith(words):
                        self.reg.alias(actor.id, acronym)
                        break

    def _president(self, word: str) -> Actor | None:
        person = self.by_surname(word) or self._known_words(word)
        return person if person is not None and person.type == "Person" else None

    def administrations(self):
        for match in re.finditer(r"\b(?:[Tt]he\s+)?([A-Z][\w'’-]+)\s+([Aa])dministration\b", self.text[:MAX_SCAN]):
            person = self._president(match.group(1))
            if person is None:
                continue
            name = f"{match.group(1)} administration"
            actor = self._known_words(name)
            if actor is None:
                actor = self.new_actor("Government", name, part_of=person.country)
                if person.country:
                    self._ensure(person.country)
            if match.group(2) == "A":       # "the Trump Administration", as some outlets write it
                self.reg.alias(actor.id, f"{match.group(1)} Administration")
            if actor.evidence is None:
                actor.evidence = (match.start(), match.end())

    # -- pass 2: mentions ----------------------------------------------------------------------------------------
    def find_mentions(self):
        text = self.text
        table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for words, actor_id in self.reg.aliases.items():
            if not words or not (words[0].isupper() or words[0].isdigit()):
                continue
            parts = tuple(t.text for t in tokens(words))
            if parts:
                table.setdefault(parts[0], []).append((parts, actor_id))
        for entries in table.values():
            entries.sort(key=lambda e: -len(e[0]))
        for para_index, (p_start, p_end) in enumerate(self.paragraphs):
            toks = tokens(text, p_start, p_end)
            index = 0
            while index < len(toks):
                tok = toks[index]
                matched = None
                for key in (tok.text, tok.base):
                    for parts, actor_id in table.get(key, []):
                        if self._matches(toks, index, parts):
                            matched = (parts, actor_id)
                            break
                    if matched:
                        break
                if not matched:
                    index += 1
                    continue
                parts, actor_id = matched
                last = toks[index + len(parts) - 1]
                end = last.end - (2 if last.possessive and not parts[-1].endswith(("'s", "’s")) else 0)
                phrase_start = self._phrase_start(toks, index, p_start)
                self.reg.mentions.append(Mention(tok.start, end, actor_id, phrase_start, self.in_quote(tok.start),
                                                 para_index))
                actor = self.reg.actors[actor_id]
                if actor.evidence is None:
                    actor.evidence = (phrase_start, end)
                words = text[tok.start:end]
                if words != actor.name and not self.in_quote(tok.start):
                    actor.add_alias(words)
                index += len(parts)
        self.governments()

    def governments(self):
        """A country speaks only through its government or one of its bodies: "El Salvador's government", "the
        government of Mexico" and "the U.S. government" make a `Government` (part of the state), "Guatemala's
        foreign ministry" an `Organization` part of it (STATE_BODY_RE), and the mention becomes theirs. The bare
        name of a country ("El Salvador said") is never a speaker (graph/extract_quotes.py)."""
        text = self.text
        for number, mention in enumerate(self.reg.mentions):
            state = self.reg.actors.get(mention.actor)
            if state is None or state.type != "State" or state.place:
                continue
            start, end = mention.start, mention.end
            after = re.match(r"(?:['’]s)?\s+government\b", text[end:end + 20])
            before = re.search(r"\b[Tt]he\s+government\s+of\s+(?:the\s+)?$", text[max(0, start - 30):start])
            state_body = STATE_BODY_RE.match(text, end, min(len(text), end + 60))
            the = "the " if state.name.startswith("United ") else ""
            if after:
                end += after.end()
                kind, name = "Government", f"Government of {the}{state.name}"
            elif before:
                start -= len(before.group())
                kind, name = "Government", f"Government of {the}{state.name}"
            elif state_body:
                # "Guatemala's foreign ministry said": the ministry speaks, an organization of the state's own
                end = state_body.end()
                body_words = " ".join(state_body.group(1).split())
                kind, name = "Organization", f"{body_words.title()} of {the}{state.name}"
            else:
                continue
            body = self.new_actor(kind, name, part_of=state.id)
            if body.type != kind:
                continue
            words = text[start:end]
            if not mention.in_quote:
                body.add_alias(words)
                if body.evidence is None:
                    body.evidence = (start, end)
            self.reg.mentions[number] = Mention(start, end, body.id, min(start, mention.phrase_start),
                                                mention.in_quote, mention.para)

    def _matches(self, toks: list[Token], index: int, parts: tuple[str, ...]) -> bool:
        if index + len(parts) > len(toks):
            return False
        for offset, part in enumerate(parts):
            tok = toks[index + offset]
            if tok.text != part and not (offset == len(parts) - 1 and tok.base == part):
                return False
            if offset and not _joins(self.text, toks[index + offset - 1], tok):
                return False
        # a longer capitalised run that is another name ("Jordan" in "Jordan Lee", "Trump" in "Eric Trump") is not
        # this actor; a title after it ("U.S. District Judge") or before it ("President Trump") is fine
        nxt = index + len(parts)
        last = toks[nxt - 1]
        if nxt < len(toks) and toks[nxt].cap and _joins(self.text, last, toks[nxt]) and not last.possessive \
                and not _title_word(toks[nxt].base) and toks[nxt].text not in COMMON_CAPS \
                and toks[nxt].text not in DEPARTMENTS:
            return False
        if index > 0:
            prev = toks[index - 1]
            if prev.cap and _joins(self.text, prev, toks[index]) and not prev.possessive \
                    and not _title_word(prev.base) and prev.text not in COMMON_CAPS and prev.text not in DEPARTMENTS \
                    and not self._known_words(prev.text) and prev.text not in ABBREVIATIONS:
                return False
        return True

    def _phrase_start(self, toks: list[Token], index: int, p_start: int) -> int:
        """Extend a name back over its title ("Secretary of State", "ACLU attorney", "El Salvador President")."""
        start = toks[index].start
        j = index - 1
        while j >= 0 and _joins(self.text, toks[j], toks[j + 1]) or (j >= 0 and toks[j].text in CONNECTORS
                                                                     and self.text[toks[j].end:toks[j + 1].start] == " "):
            word = toks[j].base.lower().rstrip(".")
            if toks[j].text == "and" and not (j > 0 and toks[j - 1].text in DEPARTMENTS):
                break           # "Mayor Jane Doe and Governor John Roe": Roe's title starts at "Governor"
            if word in TITLE_WORDS or word in TITLE_MODIFIERS or toks[j].text in DEPARTMENTS \
                    or toks[j].text in ("of",) or (toks[j].cap and self._known_words(toks[j].text)):
                start = toks[j].start
                j -= 1
            elif re.fullmatch(ROLE_NOUNS, word):
                start = toks[j].start
                j -= 1
            elif toks[j].cap and j + 1 < len(toks) and (toks[j + 1].base.lower() in TITLE_WORDS
                                                         or re.fullmatch(ROLE_NOUNS, toks[j + 1].base.lower())):
                start = toks[j].start   # a qualifier before a title: "ACLU attorney", "El Salvador President"
                j -= 1
            else:
                break
        # a multi-word qualifier such as "El Salvador" before "President"
        return start

    def run(self) -> Registry:
        self.discover()
        self.find_mentions()
        return self.reg


MAX_SCAN = 1_000_000


def _title_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in TITLE_WORDS or low in TITLE_MODIFIERS


def _words(text: str, run: list[Token]) -> str:
    return text[run[0].start:run[-1].end]


def _cap_first(words: str) -> str:
    return words[:1].upper() + words[1:]
