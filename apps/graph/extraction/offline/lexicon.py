"""Word lists for the offline extractor.

Small on purpose: they catch the common cases cheaply and deterministically.
Everything is lower case; look words up with `.lower()`.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in text.split("|") if p.strip())


# Capitalised only because they open a sentence (or a heading, a quote, a list item).
SENTENCE_STARTERS = _words(
    """
    a an the this that these those it its he she they we i you his her their our my your
    there here what which who whom whose when where why how whatever whoever
    and but or nor so yet also then thus hence however therefore meanwhile moreover
    furthermore nevertheless nonetheless instead otherwise still besides anyway
    yesterday today tomorrow tonight now later earlier recently currently eventually
    finally first second third next last lastly previously afterwards soon once
    in on at by for from to with without after before during since until while
    although though because if unless as about above below under over between among
    into onto upon through across around near against toward towards per via
    all any each every some many most much more few several both either neither
    no not none nothing something everything someone everyone anyone
    please thanks thank hello hi hey dear yes ok okay sure well oh
    according despite regarding including like unlike
    let lets let's is are was were be been do does did have has had will would can could
    should shall may might must
    meeting notes note summary update overview agenda todo action minutes
    former
    """
)

# Before a name: makes it a Person. Lower case, without a trailing period.
TITLES = _words(
    """
    mr mrs ms mx dr prof sir dame lord lady rev fr
    professor president senator governor mayor judge justice king queen prince princess
    ceo cto cfo coo cio cmo vp chairman chairwoman chairperson chancellor minister
    captain capt lt col gen sen rep gov sgt
    grandpa grandma grandfather grandmother uncle aunt auntie
    """
)

# Strong titles that only ever precede a person's name.
HONORIFICS = _words("mr mrs ms mx dr prof sir dame rev fr grandpa grandma grandfather grandmother uncle aunt auntie")

# Last word of an organisation's name.
ORG_SUFFIXES = _words(
    """
    inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag sa sas
    nv bv oy ab kk pty group holdings holding technologies technology labs laboratories
    systems solutions partners ventures capital industries enterprises associates
    university college institute foundation bank association society agency ministry
    department council committee commission hospital clinic school academy museum
    library laboratory lab studio studios press media network networks bureau authority
    federation union league organization organisation trust fund
    logistics therapeutics pharmaceuticals pharma biotech foods analytics robotics energy
    health healthcare motors airlines airways insurance software games telecom semiconductors
    electronics dynamics consulting publishing entertainment pictures records clinics power
    """
)

# Heads that also open a name: "University of X", "Bank of Y", "Ministry of Z".
ORG_HEADS = _words(
    """
    university college institute bank ministry department school academy museum society
    association bureau office council board church federation union court library
    commission agency organization organisation league centre center faculty hall
    republic kingdom
    """
)

# The last word of an event's name.
EVENT_HEADS = _words(
    """
    conference summit festival expo exhibition olympics games championship championships
    cup forum symposium workshop meetup hackathon convention congress war election
    awards ceremony fair marathon tournament
    """
)

# Allowed inside a person's name: "Ludwig van Beethoven", "Gabriel García de la Cruz".
NAME_PARTICLES = _words("van von der den de del della da di du la le bin ibn al")

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")

# Abbreviations whose period does not end a sentence.
NON_FINAL_ABBREVIATIONS = _words(
    "mr mrs ms mx dr prof sr jr st mt rev fr gen sen rep gov capt lt col sgt vs etc no fig approx"
) | frozenset(MONTHS)

# Abbreviations whose period belongs to the word (it may still end a sentence).
WORD_ABBREVIATIONS = NON_FINAL_ABBREVIATIONS | _words("inc corp co ltd bros")

COUNTRIES = _phrases(
    """
    Afghanistan|Argentina|Australia|Austria|Bangladesh|Belgium|Brazil|Canada|Chile|China|
    Colombia|Czechia|Czech Republic|Denmark|Egypt|Ethiopia|Finland|France|Germany|Ghana|
    Greece|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Japan|Kenya|
    Malaysia|Mexico|Morocco|Netherlands|New Zealand|Nigeria|North Korea|Norway|Pakistan|
    Peru|Philippines|Poland|Portugal|Romania|Russia|Saudi Arabia|Singapore|South Africa|
    South Korea|Korea|Spain|Sweden|Switzerland|Taiwan|Thailand|Turkey|Ukraine|
    United Arab Emirates|UAE|United Kingdom|UK|Britain|Great Britain|England|Scotland|Wales|
    United States|United States of America|USA|US|U.S.|America|Vietnam|Europe|Asia|Africa|
    North America|South America|Latin America|Oceania|Antarctica|Middle East
    """
)

CITIES = _phrases(
    """
    Amsterdam|Athens|Atlanta|Austin|Bangalore|Bengaluru|Bangkok|Barcelona|Beijing|Berlin|
    Bogota|Boston|Brussels|Budapest|Buenos Aires|Cairo|Cape Town|Chicago|Copenhagen|
    Dallas|Delhi|New Delhi|Denver|Dubai|Dublin|Edinburgh|Frankfurt|Geneva|Guangzhou|
    Hamburg|Helsinki|Hong Kong|Houston|Istanbul|Jakarta|Jerusalem|Johannesburg|Kyiv|
    Kiev|Lagos|Lisbon|London|Los Angeles|Madrid|Manchester|Melbourne|Mexico City|Miami|
    Milan|Montreal|Moscow|Mumbai|Munich|Nairobi|New York|New York City|Osaka|Oslo|Paris|
    Philadelphia|Prague|Rome|San Diego|San Francisco|San Jose|Santiago|Sao Paulo|
    São Paulo|Seattle|Seoul|Shanghai|Shenzhen|Stockholm|Sydney|Taipei|Tel Aviv|Tokyo|
    Toronto|Vancouver|Vienna|Warsaw|Washington|Washington D.C.|Zurich|Silicon Valley|
    California|Texas|Florida|Massachusetts|Washington State|Oregon|Bavaria|Ontario
    """
)

LOCATIONS = COUNTRIES | CITIES

# Well-known organisations whose names carry no suffix.
KNOWN_ORGANIZATIONS = _phrases(
    """
    Google|Alphabet|Microsoft|Apple|Amazon|Meta|Facebook|OpenAI|Anthropic|IBM|Intel|
    Nvidia|AMD|Oracle|Netflix|Tesla|SpaceX|Samsung|Sony|Toyota|Siemens|SAP|Spotify|Uber|
    Airbnb|Salesforce|Adobe|Cisco|Twitter|LinkedIn|GitHub|GitLab|Mozilla|Wikipedia|
    NASA|ESA|CERN|UNESCO|UNICEF|WHO|NATO|United Nations|European Union|EU|MIT|Harvard|
    Stanford|Berkeley|Alibaba|Tencent|Baidu|Huawei|Xiaomi|ByteDance|
    TikTok|Reuters|BBC|CNN|Bloomberg|
    Deloitte|PwC|KPMG|Accenture|McKinsey|Goldman Sachs|JPMorgan|Morgan Stanley|Barclays|HSBC|
    Citigroup|Mastercard|PayPal|Stripe|Shopify|Dropbox|Slack|Zoom|Snapchat|Reddit|Walmart|
    Costco|Starbucks|Nike|Adidas|IKEA|Volkswagen|BMW|Mercedes-Benz|Boeing|Airbus|Pfizer|
    Moderna|Novartis|Roche|Unilever|Nestle|Coca-Cola|PepsiCo|Disney|Nintendo|Ubisoft|Canva|
    Revolut|Monzo|Klarna|Expedia|DoorDash|Lyft|Instacart|Deliveroo|Zalando|Bosch|Philips|
    Ericsson|Nokia|ASML|TSMC|Qualcomm|Broadcom|Dell|Lenovo|Xerox|Maersk|Yale|Princeton|
    Columbia University|Cambridge University|Oxford University|ETH Zurich|Sorbonne
    """
)

# First names common in English text (including frequent international ones).
GIVEN_NAMES = _words(
    """
    aaron adam adrian ahmed aisha alan albert alex alexander alexandra alice alicia amanda
    amelia amir amy ana andrea andrew angela anna anne anthony antonio arjun ava barbara ben
    benjamin beth betty bill bob brian carlos carol caroline catherine charles charlie
    charlotte chen chloe chris christina christopher claire daniel david deborah diana
    diego dmitri donald dorothy edward elena elizabeth ella emily emma eric ethan eva
    fatima felix frank gabriel george grace hana hannah harry helen henry hiroshi ian
    isabella jack jacob james jane jason jennifer jessica jim joe john jonathan jose
    joseph joshua juan julia julie karen kate katherine kevin kim laura leo li liam linda
    lisa liu lucas lucy luis maria mark martin mary matthew mei mia michael michelle
    mohammed muhammad nancy natalie nathan nicholas nina noah olivia oliver omar pablo
    patricia paul peter priya rachel rahul raj rebecca richard robert ryan sam samantha
    samuel sandra sara sarah sean sofia sophia stephen steven susan thomas tim timothy tom
    victoria wei william yuki zhang zoe
    """
)

# More first names, from many languages, so that "Marcus Webb" or "Chidi Okeke" read as people.
GIVEN_NAMES |= _words(
    """
    abdul abdullah abigail adele adriana agnes aidan aiko akira alberto aleksandr alessandro
    alfred ali alina allison alvaro amara amit ana anders andre andreas andres angelica anika
    anton antoine aria arthur astrid aurora barry beatriz bernard bianca boris bruno caitlin
    camila carl carla carmen cecilia cesar chidi chiara christian claudia clara colin connor
    cristina dan dana darius dave dennis derek diane dimitri dina dominic doug duncan
    eduardo elias elif elijah ellen elsa emil emilia emma enrique erik erin esther eugene
    fabio farah fernando finn florian francesca francisco franz freya gary gemma georg
    gina giovanni giulia gordon greta guillermo gustav hamza hans harold hassan heidi helena
    hugo hussein igor ilya imran ines ingrid irene isaac isabel ivan jakob jamal jan janet
    javier jean jens jesse joan joanna johan jonas jordan jorge julian julio justin kai
    kamal karim karl katarina keith kenji kenneth khalid klaus kofi kwame lars laila lara
    lauren lea leila lena leon leonardo lily lorenzo louis luca lucia luigi luka magnus
    mai malik manuel marco marcus margaret mariana marie marina mario marta martina mateo
    mathias matteo maya megan miguel mikhail milan mina miriam mohamed monica nadia naomi
    nasser neil nicolas nikolai nils nora nour olga oscar pascal patrick pedro pieter
    rafael ramon raphael rashid renee ricardo rita roberto roger roman rosa ruben ruth
    sabrina salma sami sandro santiago sebastian sergei shira simon simone sonia stefan
    stella sven takeshi tanya teresa theo tobias tomas ursula valentina vera victor
    vikram vincent viktor walter wendy xavier yara yasmin yusuf zara zainab chris kim
    claire carlos ahmed lisa helen jon irina olena dmitry pavel tatiana svetlana natalia oleg andrei
    """
)
# First names that are also everyday words: a lower-case one in a chat is not a name.
COMMON_WORD_NAMES = _words("will mark may june april grace joy hope faith rose lily bill pat sue art ray dawn")

# Adjectives of nationality or region: capitalised, but no name on their own ("the Polish developer").
DEMONYMS = _words(
    """
    american british english scottish welsh irish french german dutch belgian swiss austrian
    italian spanish portuguese polish czech slovak hungarian romanian bulgarian greek turkish
    russian ukrainian swedish norwegian danish finnish icelandic estonian latvian lithuanian
    chinese japanese korean vietnamese thai indonesian malaysian filipino indian pakistani
    bangladeshi iranian iraqi israeli saudi egyptian moroccan nigerian kenyan ghanaian
    ethiopian african european asian canadian mexican brazilian argentine argentinian
    chilean colombian peruvian australian zealander nordic scandinavian latin arab
    western eastern northern southern
    """
)
# "moved there", "lives there": "there" stands for the last place named.
THERE_VERBS = _words(
    "moved move moving moves live lives living lived work works working worked stay staying stayed went"
)
# Before a month, these make it a date: "in May", "since March", "last June".
DATE_PREPOSITIONS = _words("in on since until till by before after during last next this early late mid from of")
# A trip in the sentence makes "in X" a place visited.
TRAVEL_WORDS = _words("trip vacation holiday visit flight journey honeymoon roadtrip")

# Words before a name that make it a place: "in Berlin", "from Kenya".
LOCATION_PREPOSITIONS = _words("in near across throughout outside inside within around")
# "to"/"at" make a place only after movement: "moved to Berlin", but not "sold to Globex".
MOTION_VERBS = _words(
    "moved move moves relocated relocate went go goes flew fly travelled traveled travel "
    "returned return arrived arrive came come headed drove emigrated immigrated moves "
    "trip vacation holiday flight moving flying heading relocating travelling traveling"
)
# A pronoun with its verb in one word: "i'm at deloitte now", "she's from Kenya", "we've lived in oslo".
CONTRACTED_VERBS = {
    **dict.fromkeys("i'm im i’m".split(), "am"),
    **dict.fromkeys("we're we’re you're you’re they're they’re".split(), "are"),
    **dict.fromkeys("she's she’s he's he’s".split(), "is"),
    **dict.fromkeys("i've ive i’ve we've we’ve you've you’ve they've they’ve".split(), "have"),
}
CONTRACTED_COPULAS = frozenset(word for word, verb in CONTRACTED_VERBS.items() if verb != "have")
# "from" makes a place only after these: "moved from Prague", "she is from Kenya", but not "an offer from Hooli".
FROM_PLACE_WORDS = MOTION_VERBS | _words("is am are was were 'm im originally hails hail") | CONTRACTED_COPULAS

PRODUCT_VERBS = _words("launched launches launch released releases release unveiled shipped ships introduced")

# --- Verb phrases between two names -----------------------------------------------

AUXILIARIES = _words(
    "is are was were be been being am 's 're has have had having will would shall should "
    "can could may might must do does did also just"
)
COPULAS = _words("is are was were be been being am 's 're become became becomes remains remained")
DETERMINERS = _words("the a an its his her their our my your this that these those")
RELATIVE_PRONOUNS = _words("who which that whom")
COORDINATORS = _words("and but or")
NEGATIONS = _words("not never no n't neither nor")
PREPOSITIONS = _words("at in on for with to from by of into onto as about under over across")
ADVERBS = _words(
    "recently later then now currently still already formally officially eventually "
    "finally soon previously once first initially originally together again even "
    "back subsequently ultimately only ever"
)

# verb as written -> (edge name, fixed). A fixed name ignores the following
# preposition ("joined as" is still JOINED); otherwise it is appended (WORKS + AT).
VERB_EDGES: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("join", "joins", "joined", "joining"), ("JOINED", True)),
    **dict.fromkeys(("found", "founds", "founded", "co-founded", "cofounded", "co-founds", "established", "establishes"), ("FOUNDED", True)),
    **dict.fromkeys(("located", "based", "headquartered", "situated"), ("LOCATED_IN", True)),
    **dict.fromkeys(("acquire", "acquires", "acquired", "bought", "buy", "buys", "purchased"), ("ACQUIRED", True)),
    # "backed by Index Ventures", "funded by": whoever backs a company has invested in it.
    **dict.fromkeys(("backed", "backs", "funded", "funds", "invested", "invests"), ("INVESTED_IN", True)),
    # Past and present stay apart: a past job does not close the current one (WORKS_AT is exclusive).
    **dict.fromkeys(("work", "works", "working"), ("WORKS", False)),
    **dict.fromkeys(("worked",), ("WORKED", False)),
    **dict.fromkeys(("live", "lives", "living", "resides"), ("LIVES", False)),
    **dict.fromkeys(("lived", "resided"), ("LIVED", False)),
    **dict.fromkeys(("lead", "leads", "led", "heads", "headed", "runs", "ran", "run"), ("LEADS", True)),
    **dict.fromkeys(("manage", "manages", "managed"), ("MANAGES", True)),
    **dict.fromkeys(("report", "reports", "reported"), ("REPORTS", False)),
    **dict.fromkeys(("move", "moves", "moved", "moving", "relocated", "relocates", "relocating", "emigrated", "immigrated"), ("MOVED", False)),
    **dict.fromkeys(("teach", "teaches", "taught"), ("TEACHES", False)),
    **dict.fromkeys(("visit", "visits", "visited", "visiting"), ("VISITED", True)),
    **dict.fromkeys(("born",), ("BORN", False)),
    **dict.fromkeys(("met", "meets", "meet"), ("MET", False)),
    **dict.fromkeys(("married", "marries", "marry", "marrying"), ("MARRIED_TO", True)),
    **dict.fromkeys(("engaged",), ("ENGAGED_TO", True)),
    # "started at Stripe" is a new job (STARTED_AT: WORKS_AT), "started Acme" a founding (STARTED: FOUNDED).
    **dict.fromkeys(("start", "starts", "started", "starting"), ("STARTED", False)),
    **dict.fromkeys(("hired", "hires", "employs", "employed"), ("HIRED", True)),
    **dict.fromkeys(("studied", "studies", "study", "studying"), ("STUDIED", False)),
    **dict.fromkeys(("attended", "attends"), ("ATTENDED", True)),
    **dict.fromkeys(("graduated",), ("GRADUATED", False)),
    # Leaving an employer makes it a past one, leaving a place a former home (extractor._typed).
    **dict.fromkeys(("leave", "leaves", "leaving", "left", "quit", "quits"), ("LEFT", True)),
    **dict.fromkeys(("trained",), ("TRAINED", False)),
}  # fmt: skip

# Verbs that -ed and the table above do not catch.
IRREGULAR_VERBS = _words(
    "met led ran made sold left went became gave took told said wrote built won lost saw "
    "knew began bought brought taught sent spent held kept drew grew "
    "owns uses sells makes builds supports funds partners reports invests visits knows "
    "loves likes teaches advises mentors chairs directs serves writes plays develops "
    "designs maintains sponsors competes collaborates trains oversees "
    "help helps advise mentor visit teach grew got get gets lost spent flew"
)

# Past participles not ending in -ed: "Halvorsen, run by Ingrid Dahl" is passive like "founded by".
IRREGULAR_PARTICIPLES = _words("run led built made written held bought sold taught known drawn grown begun")

# Reporting verbs whose clause carries the fact: "Acme said it had bought Globex".
REPORTING_VERBS = _words("said says announced announces confirmed confirms reported reports stated added noted")
# Subject pronouns that stand for the last person or organisation named.
PERSON_PRONOUNS = _words("he she he'll she'll he's she's he'd she'd he’ll she’ll he’s she’s")
ORGANIZATION_REFERENCES = _words(
    "company firm startup start-up business group maker bank chain retailer developer operator "
    "carrier airline insurer lender manufacturer publisher brand conglomerate supplier provider fund"
)
# Before a name, these make it a person: "the photographer Jonas Weber".
PERSON_NOUNS = _words(
    "photographer engineer doctor nurse lawyer designer writer novelist artist painter teacher researcher "
    "scientist journalist reporter author actor actress singer musician architect entrepreneur investor "
    "banker economist analyst programmer physicist chemist biologist historian poet chef athlete player "
    "coach director producer activist politician brothers sisters twins siblings"
)
# "my roommate jess": in a chat, the lower-case word after these is a name (english._introduced_name)...
CLOSE_PEOPLE = _words(
    "roommate flatmate friend bestie cousin sister brother sis bro mom mum dad mother father wife husband "
    "boyfriend girlfriend fiance fiancee partner colleague coworker boss manager neighbor neighbour son "
    "daughter kid aunt uncle grandma grandpa niece nephew"
)
# ... unless it is one of these everyday words.
NOT_NAMES = _words(
    "just really finally also who that said says lives works is was has had got gets and but or with from "
    "too again always never still here there today yesterday tomorrow lol haha omg"
)
# "MIT graduates Ayesha Khan", "Google engineer Ravi Shah": the organisation describes the people.
AFFILIATION_NOUNS = {
    **dict.fromkeys(("graduate", "graduates", "alumnus", "alumna", "alumni", "student", "students"), "STUDIED_AT"),
    **dict.fromkeys(("engineer", "engineers", "employee", "employees", "researcher", "researchers", "executive", "executives", "staffer", "staffers"), "WORKS_AT"),
}  # fmt: skip
# Words of a title written before a comma and a name: "Its chief executive, Claire Dubois".
TITLE_WORDS = TITLES | _words("chief executive officer founder co-founder director head president chairman")
# The last word of a post written straight before a person's name: "co-founder Mette Holm".
PERSON_POSTS = _words("ceo cto cfo coo executive officer president chairman chairwoman founder co-founder")
# "my job at X", "Alice's manager at X": the owner works there.
JOB_WORDS = _words("job manager boss team office colleagues coworkers co-workers employer internship position role")
SPOUSE_WORDS = _words("husband wife spouse")
# "my sister Beth", "her husband, Erik": the relation between the possessor and the name;
# "~" when the name is the relation's source ("my mother Ann": Ann is the parent).
KIN_WORDS = {
    **dict.fromkeys(("husband", "wife", "spouse", "fiance", "fiancé", "fiancee", "fiancée"), "MARRIED_TO"),
    **dict.fromkeys(("brother", "sister", "sibling", "bro", "sis", "twin"), "SIBLING_OF"),
    **dict.fromkeys(("son", "daughter", "child", "kid", "baby"), "PARENT_OF"),
    **dict.fromkeys(("mother", "father", "mom", "mum", "dad", "mother-in-law", "father-in-law"), "~PARENT_OF"),
    **dict.fromkeys(("colleague", "coworker", "co-worker", "teammate"), "COLLEAGUE_OF"),
    **dict.fromkeys(("manager", "boss", "supervisor"), "REPORTS_TO"),
    **dict.fromkeys(("hometown", "homeland", "country"), "COMES_FROM"),  # "my (home) country, Sweden"
}  # fmt: skip
KIN_TARGET_TYPES = {
    "MARRIED_TO": "Person", "SIBLING_OF": "Person", "PARENT_OF": "Person", "~PARENT_OF": "Person",
    "COLLEAGUE_OF": "Person", "REPORTS_TO": "Person", "COMES_FROM": "Location",
    "PARTNER_OF": "Person", "COUSIN_OF": "Person", "FRIEND_OF": "Person",
}  # fmt: skip
# Only a chat speaker's own "my boyfriend sam", "my cousin sara", "my friend rosa": in prose
# "its partner", "a friend of" are too often something else.
CHAT_KIN_WORDS = {
    **dict.fromkeys(("boyfriend", "girlfriend", "partner", "bf", "gf"), "PARTNER_OF"),
    **dict.fromkeys(("cousin",), "COUSIN_OF"),
    **dict.fromkeys(("friend", "bestie", "roommate", "flatmate", "buddy", "pal"), "FRIEND_OF"),
}  # fmt: skip
# Words between the possessive and the kin word: "my older sister", "her late husband", "my home country".
KIN_MODIFIERS = _words("older younger elder little big baby late new twin oldest youngest eldest home native")

# Names read even in lower case in a chat: known places and organisations, and
# first names that are not also everyday words. Short or ambiguous ones are left out.
LOWERCASE_NAMES = frozenset(
    name
    for name in (LOCATIONS | KNOWN_ORGANIZATIONS | GIVEN_NAMES) - COMMON_WORD_NAMES - SENTENCE_STARTERS
    if " " not in name
    and "." not in name
    and len(name) >= 3
    and name not in {"apple", "meta", "amazon", "wales", "slack", "zoom", "nike", "dell", "roche", "columbia"}
    and name not in {"who", "sap", "esa", "uae", "usa", "bob", "tom", "tim", "sam", "kim", "leo", "kai", "mai", "dan"}
)

# Verbs that give someone a post: "Acme named Hiroshi Tanaka as its new president".
APPOINTING_VERBS = _words("named names appointed appoints hired hires promoted promotes")
# Before a name and a comma or "!", these make it someone spoken to: "Thanks, Melanie!", "Hey Jon,".
ADDRESSING_WORDS = _words(
    "hey hi hello thanks thank thx bye congrats congratulations wow yeah yes yep yup sorry aww cheers dear "
    "morning night"
)
# Words that open a chat line without being its subject: "nope, moved to seattle".
INTERJECTIONS = _words("yes yeah yep yup no nope nah ok okay oh well so lol haha omg btw also and but good great")
