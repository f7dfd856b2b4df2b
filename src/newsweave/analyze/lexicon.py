"""How each language writes the units of a figure: a localisation table (as CLDR's unit names
are), read by plain_quantities.py for texts no installed model analyses.

Each entry is what a speaker of the language writes, not what some page wrote: the words for
percent, percentage points and basis points, the scale words ("Milliarden", "millones"), the
currency names, the words an earthquake's magnitude is given with, the nouns a count of dead,
injured, missing and people is written with, and the qualifiers before a figure ("mindestens":
at least). Patterns are regular-expression fragments matched case-insensitively after (or, for
`*_before`, before) the number; a language that inflects its nouns (Hungarian, Slovenian,
Turkish) lists stems followed by `\\w*`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lexicon:
    percent: tuple[str, ...] = ()
    # Percent written before the number (Turkish "yüzde 2,5", "%2,5").
    percent_before: tuple[str, ...] = ()
    points: tuple[str, ...] = ()  # percentage points
    # Points after a number written as a percent ("yüzde 0,5 puan"): percentage points.
    points_after_percent: tuple[str, ...] = ()
    basis_points: tuple[str, ...] = ()
    scales: dict[str, float] = field(default_factory=dict)
    currencies: dict[str, str] = field(default_factory=dict)  # word pattern → symbol
    magnitude_before: tuple[str, ...] = ()  # "Stärke 6,0", "magnitud de 6,8"
    magnitude_after: tuple[str, ...] = ()  # "6,8 büyüklüğünde", "6,8-es erősségű"
    # Words for an earthquake: a magnitude is read only within reach of one.
    quake: tuple[str, ...] = ()
    counted: dict[str, str] = field(default_factory=dict)  # noun pattern → English unit
    qualifiers: dict[str, str] = field(default_factory=dict)  # phrase → English qualifier
    # Words joining two figures ("2 bis 3 Prozent", "3,40 und 3,65 Prozent"): the second's unit
    # is the first's too, so such a pair is read as a range.
    joins: tuple[str, ...] = ()
    # A rate's change as a share of a point ("einen Viertelprozentpunkt", "een kwart
    # procentpunt", "medio punto"): the share → its value, and the plain word for a point.
    point_shares: dict[str, float] = field(default_factory=dict)
    point: str = ""
    # The word between a scale and what it counts ("40 milhões de euros", "7 miliardi di euro").
    of: str = ""


DEAD, INJURED, MISSING, VICTIMS, PEOPLE = "dead", "injured", "missing", "victims", "people"

# fmt: off
LEXICONS: dict[str, Lexicon] = {
    "de": Lexicon(
        point_shares={"(?:einen?\\s+)?halben?": 0.5, "(?:einen?\\s+)?Viertel": 0.25, "(?:einen?\\s+)?Dreiviertel": 0.75},
        point="Punkt(?:e|en)?",
        joins=("bis", "und", "oder"),
        percent=("Prozent", "v\\.\\s?H\\."),
        points=("Prozentpunkt(?:e|en|es)?", "%-Punkt(?:e|en)?"),
        basis_points=("Basispunkt(?:e|en|es)?",),
        scales={"Tausend": 1e3, "Tsd\\.": 1e3, "Million(?:en)?": 1e6, "Mio\\.?": 1e6,
                "Milliarde(?:n)?": 1e9, "Mrd\\.?": 1e9, "Billion(?:en)?": 1e12},
        currencies={"Euro": "€", "(?:US-)?Dollar": "$", "Pfund Sterling": "£"},
        magnitude_before=("(?:der\\s+)?Stärke(?:\\s+von)?", "Magnitude(?:\\s+von)?"),
        magnitude_after=("auf\\s+der\\s+Richter-?Skala",),
        quake=("(?:Erd|Nach)?[Bb]eben", "Erdstoß"),
        counted={"Tote(?:n)?": DEAD, "Todesopfer(?:n)?": DEAD, "Verletzte(?:n)?": INJURED,
                 "Vermisste(?:n)?": MISSING, "Opfer(?:n)?": VICTIMS, "Menschen": PEOPLE,
                 "Personen": PEOPLE},
        qualifiers={"mindestens": "at least", "wenigstens": "at least", "mehr als": "more than",
                    "über": "over", "rund": "about", "etwa": "about", "ungefähr": "about",
                    "circa": "about", "ca\\.": "about", "fast": "almost", "beinahe": "almost",
                    "knapp": "almost", "bis zu": "up to", "weniger als": "less than",
                    "höchstens": "at most", "nur": "only"},
    ),
    "nl": Lexicon(
        point_shares={"(?:een\\s+)?halve?": 0.5, "(?:een\\s+)?kwart": 0.25, "driekwart": 0.75},
        point="punt",
        joins=("tot", "en", "of"),
        percent=("procent",),
        points=("procentpunt(?:en)?",),
        basis_points=("basispunt(?:en)?",),
        scales={"duizend": 1e3, "miljoen": 1e6, "mln\\.?": 1e6, "miljard": 1e9, "mld\\.?": 1e9},
        currencies={"euro": "€", "dollar": "$", "pond sterling": "£"},
        magnitude_before=("(?:een\\s+)?kracht(?:\\s+van)?", "magnitude(?:\\s+van)?"),
        magnitude_after=("op\\s+de\\s+(?:schaal\\s+van\\s+)?Richter(?:schaal)?",),
        quake=("aardbeving", "beving"),
        counted={"doden": DEAD, "dodelijke slachtoffers": DEAD, "gewonden": INJURED,
                 "vermisten": MISSING, "slachtoffers": VICTIMS, "mensen": PEOPLE,
                 "personen": PEOPLE},
        qualifiers={"minstens": "at least", "ten minste": "at least", "meer dan": "more than",
                    "ruim": "over", "ongeveer": "about", "circa": "about", "zo'n": "about",
                    "bijna": "almost", "tot": "up to", "minder dan": "less than"},
    ),
    "es": Lexicon(
        of="de",
        point_shares={"medio": 0.5, "un cuarto de": 0.25},
        point="punto",
        joins=("a", "y", "o"),
        percent=("por\\s?ciento",),
        points=("puntos? porcentual(?:es)?",),
        basis_points=("puntos? básicos?", "pb"),
        scales={"mil millones": 1e9, "mil": 1e3, "millón": 1e6, "millones": 1e6,
                "billón": 1e12, "billones": 1e12},
        currencies={"euros?": "€", "dólar(?:es)?": "$", "libras? esterlinas?": "£"},
        # "un sismo de 6,8 (grados)": a quake "of" a figure is of that magnitude.
        magnitude_before=("magnitud(?:\\s+de)?", "(?:sismo|terremoto|temblor|se[ií]smo)\\s+de"),
        # "un sismo de 8,1 grados" (Latin America): degrees near a quake, unless of intensity.
        magnitude_after=("(?:grados\\s+)?(?:en|de)\\s+la\\s+escala\\s+(?:de\\s+)?Richter",
                         "grados(?!\\s+(?:Mercalli|de\\s+intensidad|cent[ií]grados|Celsius|bajo\\s+cero))"
                         "(?:\\s+(?:(?:en|de)\\s+la\\s+escala\\s+(?:de\\s+)?)?Richter)?",
                         "Richter"),
        quake=("terremoto", "sismo", "se[ií]smo", "temblor"),
        counted={"muertos": DEAD, "fallecidos": DEAD, "heridos": INJURED,
                 "desaparecidos": MISSING, "víctimas": VICTIMS, "personas": PEOPLE},
        qualifiers={"al menos": "at least", "por lo menos": "at least", "más de": "more than",
                    "unos": "about", "unas": "about", "alrededor de": "about",
                    "cerca de": "close to", "aproximadamente": "about", "casi": "almost",
                    "hasta": "up to", "menos de": "less than"},
    ),
    "pt": Lexicon(
        of="de",
        point_shares={"meio": 0.5, "um quarto de": 0.25},
        point="ponto",
        joins=("a", "e", "ou"),
        percent=("por\\s?cento",),
        points=("pontos? percentua(?:l|is)", "p\\.\\s?p\\."),
        basis_points=("pontos?[\\s-]base", "pontos? básicos?", "pb"),
        scales={"mil milhões": 1e9, "mil": 1e3, "milhão": 1e6, "milhões": 1e6,
                "bilhão": 1e9, "bilhões": 1e9, "bilião": 1e12, "biliões": 1e12},
        currencies={"euros?": "€", "dólar(?:es)?": "$", "libras? esterlinas?": "£"},
        magnitude_before=("magnitude(?:\\s+de)?", "(?:sismo|terremoto|abalo)\\s+de"),
        magnitude_after=("(?:graus\\s+)?na\\s+escala\\s+(?:de\\s+)?Richter",
                         "graus(?!\\s+(?:Mercalli|de\\s+intensidade|cent[ií]grados|Celsius|abaixo\\s+de\\s+zero))"
                         "(?:\\s+(?:na\\s+escala\\s+(?:de\\s+)?)?Richter)?",
                         "Richter"),
        quake=("terremoto", "sismo", "abalo"),
        counted={"mortos": DEAD, "mortes": DEAD, "feridos": INJURED,
                 "desaparecidos": MISSING, "vítimas": VICTIMS, "pessoas": PEOPLE},
        qualifiers={"pelo menos": "at least", "ao menos": "at least", "mais de": "more than",
                    "cerca de": "about", "aproximadamente": "about", "por volta de": "about",
                    "quase": "almost", "até": "up to", "menos de": "less than"},
    ),
    "it": Lexicon(
        of="di",
        point_shares={"mezzo": 0.5, "un quarto di": 0.25},
        point="punto",
        joins=("a", "e", "o"),
        percent=("per\\s?cento",),
        points=("punt[oi] percentual[ei]",),
        basis_points=("punt[oi][\\s-]base", "pb", "bps?"),
        scales={"mila": 1e3, "milion[ei]": 1e6, "mln\\.?": 1e6, "miliard[oi]": 1e9,
                "mld\\.?": 1e9},
        currencies={"euro": "€", "dollar[oi]": "$", "sterlin[ae]": "£"},
        magnitude_before=("magnitudo(?:\\s+(?:di|pari\\s+a))?",),
        magnitude_after=("(?:gradi\\s+)?(?:della|sulla)\\s+scala\\s+Richter",),
        quake=("terremoto", "sisma", "scossa"),
        counted={"morti": DEAD, "vittime": VICTIMS, "feriti": INJURED, "dispersi": MISSING,
                 "persone": PEOPLE},
        qualifiers={"almeno": "at least", "più di": "more than", "oltre": "over",
                    "circa": "about", "quasi": "almost", "fino a": "up to",
                    "meno di": "less than"},
    ),
    "fr": Lexicon(
        of="de|d'",
        point_shares={"(?:un\\s+)?demi": 0.5, "un quart de": 0.25},
        point="point",
        joins=("à", "et", "ou"),
        percent=("pour\\s?cent",),
        points=("points? de pourcentage", "points? de pourcent"),
        basis_points=("points? de base", "pb"),
        scales={"mille": 1e3, "millions?": 1e6, "milliards?": 1e9},
        currencies={"euros?": "€", "dollars?": "$", "livres? sterling": "£"},
        magnitude_before=("magnitude(?:\\s+de)?",),
        magnitude_after=("sur\\s+l'échelle\\s+de\\s+Richter",),
        quake=("séisme", "tremblement", "secousse"),
        counted={"morts": DEAD, "décès": DEAD, "tués": DEAD, "blessés": INJURED,
                 "disparus": MISSING, "victimes": VICTIMS, "personnes": PEOPLE},
        qualifiers={"au moins": "at least", "plus de": "more than", "environ": "about",
                    "près de": "close to", "presque": "almost", "jusqu'à": "up to",
                    "moins de": "less than"},
    ),
    "hu": Lexicon(
        point_shares={"fél": 0.5, "negyed": 0.25},
        point="pont\\w*",
        joins=("és", "vagy"),
        # A stem followed by its suffixes: "százalékra", "százalékos", "bázisponttal".
        percent=("százalék(?!pont)\\w*",),
        points=("százalékpont\\w*",),
        basis_points=("bázispont\\w*",),
        scales={"ezer": 1e3, "millió": 1e6, "milliárd": 1e9, "mrd\\.?": 1e9},
        currencies={"eur[oó]\\w*": "€", "dollár\\w*": "$", "font(?:ot|tal|ra|nyi)?": "£"},
        magnitude_after=("(?:-[aeá]s)?\\s+erősségű", "(?:-[aeá]s)?\\s+magnitúdójú"),
        quake=("földrengés\\w*", "rengés\\w*"),
        counted={"halott\\w*": DEAD, "halálos áldozat\\w*": DEAD, "sérült\\w*": INJURED,
                 "eltűnt\\w*": MISSING, "áldozat\\w*": VICTIMS, "ember\\b|embert": PEOPLE,
                 "személy\\w*": PEOPLE},
        qualifiers={"legalább": "at least", "több mint": "more than", "mintegy": "about",
                    "körülbelül": "about", "nagyjából": "about", "kb\\.": "about",
                    "csaknem": "almost", "majdnem": "almost", "közel": "close to",
                    "akár": "up to"},
    ),
    "sl": Lexicon(
        point_shares={"pol": 0.5, "četrt": 0.25},
        point="točk\\w*",
        joins=("do", "in", "ali"),
        percent=("odstot(?!n)\\w*",),
        points=("odstotn\\w* točk\\w*",),
        basis_points=("bazičn\\w* točk\\w*", "baznih točk"),
        scales={"tisoč": 1e3, "milijon\\w*": 1e6, "mio\\.": 1e6, "milijard\\w*": 1e9,
                "mrd\\.": 1e9},
        currencies={"evr(?:o|a|ov|om|ih)": "€", "dolar(?:jev|ja|ji|jem)?": "$", "funt(?:ov|a|i)?": "£"},
        magnitude_before=("magnitud[eo]", "moči"),
        magnitude_after=("po\\s+Richterjevi\\s+lestvici",),
        quake=("potres\\w*",),
        counted={"mrtvih": DEAD, "mrtvi": DEAD, "smrtn\\w* žrt\\w*": DEAD, "ranjenih": INJURED,
                 "ranjeni": INJURED, "pogrešanih": MISSING, "žrtev": VICTIMS, "ljudi": PEOPLE,
                 "oseb": PEOPLE},
        qualifiers={"vsaj": "at least", "najmanj": "at least", "več kot": "more than",
                    "okoli": "about", "približno": "about", "skoraj": "almost",
                    "do": "up to"},
    ),
    "tr": Lexicon(
        joins=("ile", "ve", "veya"),
        percent_before=("yüzde", "%"),
        points_after_percent=("puan",),
        basis_points=("baz puan\\w*",),
        scales={"bin": 1e3, "milyon": 1e6, "milyar": 1e9, "trilyon": 1e12},
        currencies={"avro\\w*": "€", "euro(?!p)\\w*": "€", "dolar\\w*": "$", "sterlin\\w*": "£"},
        magnitude_after=("büyüklüğünde\\w*", "şiddetinde\\w*"),
        quake=("deprem\\w*", "sarsıntı\\w*"),
        counted={"ölü\\w*": DEAD, "yaralı\\w*": INJURED, "kayıp\\b": MISSING,
                 "kişi\\w*": PEOPLE},
        qualifiers={"en az": "at least", "yaklaşık": "about", "neredeyse": "almost"},
    ),
    # Languages whose rates only are listed (no nouns yet).
    "pl": Lexicon(
        joins=("do", "i", "lub"),
        percent=("proc(?:ent|\\.)\\w*",),
        points=("punkt\\w* procentow\\w*", "pkt\\.? proc\\.?", "p\\.\\s?p\\."),
        basis_points=("punkt\\w* bazow\\w*", "pb"),
    ),
    "cs": Lexicon(
        joins=("až", "a", "nebo"),
        percent=("procent\\w*",),
        points=("procentní\\w* bod\\w*",),
        basis_points=("bazick\\w* bod\\w*",),
    ),
    "sk": Lexicon(
        joins=("až", "a", "alebo"),
        percent=("percent\\w*",),
        points=("percentuáln\\w* bod\\w*",),
        basis_points=("bázick\\w* bod\\w*",),
    ),
    "ro": Lexicon(
        joins=("și", "sau"),
        percent=("la sută", "procente"),
        points=("puncte procentuale", "punct procentual"),
        basis_points=("puncte de bază", "puncte bază"),
    ),
    "hr": Lexicon(
        joins=("do", "i", "ili"),
        percent=("posto", "postot(?!n)\\w*"),
        points=("postotn\\w* bod\\w*",),
        basis_points=("bazn\\w* bod\\w*",),
    ),
    "sv": Lexicon(
        joins=("till", "och", "eller"),
        percent=("procent",),
        points=("procentenhet\\w*",),
        basis_points=("baspunkt\\w*",),
    ),
    "da": Lexicon(
        joins=("til", "og", "eller"),
        percent=("procent",),
        points=("procentpoint\\w*",),
        basis_points=("basispoint\\w*",),
    ),
    "no": Lexicon(
        joins=("til", "og", "eller"),
        percent=("prosent",),
        points=("prosentpoeng\\w*",),
        basis_points=("basispoeng\\w*", "basispunkt\\w*"),
    ),
    "fi": Lexicon(
        joins=("ja", "tai"),
        percent=("prosent(?!tiyk)\\w*",),
        points=("prosenttiyksik\\w*",),
        basis_points=("peruspist\\w*", "korkopist\\w*"),
    ),
}
# fmt: on

# Other names of a language some language-id models give.
LEXICONS["nb"] = LEXICONS["nn"] = LEXICONS["no"]
LEXICONS["bs"] = LEXICONS["sr"] = LEXICONS["hr"]
