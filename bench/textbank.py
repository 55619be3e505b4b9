"""Words the benchmark generator composes into names, notes, tags and themes.

The text only has to look and weigh like the real thing: notes of a few sentences in the voice of
students, families and staff, so row widths, index sizes and search vocabularies are realistic.
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaliyah Abdi Adriana Ahmed Aiden Alejandro Amara Amina Ana Andre Angel Anh Aria Ava Bao Benjamin Bianca "
    "Camila Carlos Chen Chloe Daniel David Deja Diego Dmitri Elena Elijah Emily Emma Esperanza Fatima Gabriel "
    "Grace Hana Hassan Hiba Hugo Ibrahim Isabella Jada Jamal Jasmine Javier Jayden Jin Jose Josefina Kai Kalani "
    "Karina Keanu Khadija Kim Layla Leila Liam Linh Lucas Luis Maria Mateo Maya Mei Miguel Mohamed Nadia Naomi "
    "Nguyen Noah Nia Olivia Omar Pablo Priya Rafael Rosa Samir Sara Sofia Tamika Thanh Tomas Valeria Wei Xavier "
    "Yasmin Yusuf Zainab Zoe"
)

LAST_NAMES = _words(
    "Abdullahi Adams Ahmed Ali Alvarez Bautista Brown Castillo Chavez Chen Clark Cruz Davis Diaz Duong Flores "
    "Garcia Gomez Gonzalez Gutierrez Hernandez Hassan Ibrahim Jackson Johnson Jones Kim Lee Lopez Martin "
    "Martinez Mohamed Moore Morales Nguyen Ortiz Patel Perez Pham Ramirez Reyes Rivera Robinson Rodriguez "
    "Sanchez Singh Smith Taylor Thomas Torres Tran Vasquez Vu Walker Warsame White Williams Wilson Yang Young"
)

SCHOOLS = (
    "Lincoln Elementary",
    "Roosevelt Elementary",
    "Cesar Chavez Elementary",
    "Maple Grove Elementary",
    "Riverside Elementary",
    "Washington Middle School",
    "Harriet Tubman Middle School",
    "Eastside Middle School",
    "Central High School",
    "Northview High School",
    "Southside High School",
    "Westbrook Alternative High School",
)

GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")

# Quotes: the participant's own words, first person.
QUOTE_OPENERS = (
    "Honestly,",
    "The thing is,",
    "Last winter",
    "Most mornings",
    "When my daughter was in third grade,",
    "I remember that",
    "Every time",
    "To be honest with you,",
    "Before the policy changed,",
    "On the days it snows,",
    "Sometimes",
    "My son told me that",
)
QUOTE_SUBJECTS = (
    "the bus",
    "my little brother",
    "the attendance office",
    "my manager",
    "the front desk",
    "my mom",
    "the teacher",
    "the letter from school",
    "the automated call",
    "the counselor",
    "my grandmother",
    "the nurse",
)
QUOTE_VERBS = (
    "never came on time",
    "called us about the absences",
    "did not speak Spanish",
    "made me feel like a bad parent",
    "asked why he was late again",
    "had no idea what was going on at home",
    "sent a warning about truancy court",
    "helped more than anyone else",
    "stopped picking us up at the corner",
    "said the doctor's note did not count",
    "was the only one who listened",
    "just marked her absent without asking",
)
QUOTE_ENDINGS = (
    "and I did not know who to call.",
    "so we stopped trying.",
    "because I had to work the early shift.",
    "and that was embarrassing in front of everyone.",
    "but nobody asked us what happened.",
    "which made things worse, not better.",
    "and I felt like they gave up on us.",
    "so she missed the whole first period.",
    "and the letters kept coming anyway.",
    "because we share one car between four jobs.",
    "and it took three weeks to sort out.",
    "so now I just keep him home when he is sick.",
)

OBSERVATIONS = (
    "Participant paused for a long time before answering.",
    "Spoke quickly and with energy about the bus route.",
    "Looked at their parent before answering the question about school.",
    "Became visibly upset when describing the letters from the district.",
    "Laughed when asked about the attendance app.",
    "Lowered their voice when talking about the counselor.",
    "Repeated the phrase about feeling judged three times.",
    "Described a detailed routine for getting siblings to school.",
    "Mentioned working nights twice without being asked.",
    "Seemed relieved to be asked about their own experience.",
)

FOLLOW_UPS = (
    "Why?",
    "Tell me more about that morning.",
    "What was that like for you?",
    "Who did you talk to first?",
    "What happened next?",
    "How did that make you feel?",
)

SUMMARIES = (
    "Transportation is the main barrier; the family feels judged by automated absence calls.",
    "Strong relationship with one teacher keeps the student coming; other staff seen as distant.",
    "Language access gaps: letters and calls only in English, the family relies on the older child.",
    "Health needs and doctor's note rules collide; the parent cannot take unpaid time off.",
    "Student cares for younger siblings in the morning; first-period absences follow.",
    "Housing moves broke the bus eligibility; nobody explained the new route.",
)

TAG_HEADS = (
    "transportation",
    "language access",
    "belonging",
    "family work schedules",
    "health",
    "housing",
    "communication",
    "discipline",
    "trust",
    "caregiving",
    "safety",
    "technology",
    "mental health",
    "teacher relationships",
    "school climate",
    "paperwork",
    "weather",
    "money",
    "peer pressure",
    "motivation",
)
TAG_TAILS = (
    "barrier",
    "bright spot",
    "fear",
    "workaround",
    "confusion",
    "shame",
    "request",
    "policy gap",
    "success story",
    "missed signal",
    "delay",
    "cost",
    "rule conflict",
    "first impression",
    "turning point",
    "wish",
    "frustration",
)

THEME_STATEMENTS = (
    "Families read attendance letters as accusations, not offers of help",
    "Getting to school depends on one fragile link: the bus, a car, a sibling",
    "Students who feel known by one adult keep coming",
    "Language barriers turn routine notices into crises",
    "Work schedules, not attitudes, drive first-period absences",
    "Health rules do not fit families without paid leave",
    "Housing moves break every system at once",
    "Automated calls feel impersonal and are ignored",
    "Students carry adult responsibilities at home",
    "Trust is lost when nobody asks what happened",
)

WHY_STEPS = (
    "Students miss first period",
    "They arrive late after dropping off siblings",
    "Parents start work before school opens",
    "Before-school care is full or costs money",
    "The district funds care only at some schools",
    "Absence letters use legal language",
    "The template was written for compliance, not families",
    "Nobody who reads it helped write it",
    "The bus route was cut",
    "The route was drawn on enrollment from five years ago",
)

PROMPTS = (
    ("opening", "Tell me a little about yourself and your connection to our schools."),
    ("core", "Tell me about the last time that you or your child missed a school day."),
    ("core", "What was the morning like on a day when getting to school was hard?"),
    ("core", "What is most important to you about how the school talks with you about attendance?"),
    ("core", "What feelings came up when you last received a message about absences?"),
    ("core", "Tell me about someone at school who made a difference for you."),
    ("core", "What gets in the way of being at school on time?"),
    ("core", "Describe the last time the school asked for your opinion."),
    ("follow_up", "Tell me more about that."),
    ("follow_up", "What was that like for you?"),
    ("closing", "What advice would you give someone else about getting to school every day?"),
    ("closing", "Is there anything else you want us to know?"),
)

PREDICTIONS = (
    "Families will say transportation is the biggest barrier.",
    "Students will not mention the attendance letters at all.",
    "Teachers will blame parents for late arrivals.",
    "Spanish-speaking families will not know whom to call.",
    "Older students will talk about jobs and caring for siblings.",
)
