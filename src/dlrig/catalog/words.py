"""Read a part's name, a list row or a store row as facts: words and specs.

PCPartPicker prints "Samsung 990 EVO Plus 2 TB M.2-2280 PCIe 4.0 X4 NVME
Solid State Drive", an Argentine store "Disco Sólido SSD Samsung 990 EVO Plus
2TB M.2 NVMe U$S 149", open-db "Samsung 990 EVO Plus 2TB M.2-2280 SSD PCIe
4.0 x4 NVMe". The resolver (``resolve.py``) can only tell whether two such
texts name the same product once each is split into

* **specs** the text states (capacity, VRAM, cores, wattage, DDR generation
  and speed, modules, socket, form factor...), checked against the part's
  own fields rather than against its name, and
* **words** that name the product ('samsung', '990', 'evo', 'plus'): after
  spec phrases, category descriptors ("Solid State Drive", "Placa de
  Video"), currency marks and colours are removed, every word left is
  identifying.

The same folding runs over catalog names (``part_words_many``, one regex
pass over all names joined) and over the text being matched (``read_text``),
so both sides agree on what a word is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..parts import Category

SEP = "\x00"  # joins many names into one string for the batch passes; never in a name
OPT = "~"  # marks a word written in parentheses: it may be left out ('(2024)', '(WD10EZEX)')

# -- folding -----------------------------------------------------------------------
_ACCENTS = str.maketrans("áéíóúüñàèìòùâêîôûäëïö", "aeiouunaeiouaeiouaeio")


def _r(pattern: str) -> re.Pattern:
    return re.compile(pattern)


# Spellings of one thing folded to one word, on every text (names and rows alike). The
# first item is a piece of text the pattern cannot match without ('' = always try): a
# 'in' test is far cheaper than a regex pass, and most names hold few of these.
_ALIASES: list[tuple[str, re.Pattern, str]] = [
    ("™", _r(r"™"), " "),
    ("®", _r(r"®"), " "),
    ("©", _r(r"©"), " "),
    ("$", _r(r"(?<![a-z0-9])(?:u\$[sd]|us\$|ar\$)(?![a-z0-9])|\$"), " "),  # currency marks
    ("usd", _r(r"(?<![a-z0-9])usd(?![a-z0-9])"), " "),
    ("ars", _r(r"(?<![a-z0-9])ars(?![a-z0-9])"), " "),
    ("iva", _r(r"(?<![a-z0-9])[cs]\s?/\s?iva\b|\+\s?iva\b|\biva incl\w*"), " "),
    ("western", _r(r"\bwestern digital\b"), "wd"),
    ("wd_", _r(r"\bwd_"), "wd "),
    ("skill", _r(r"\bg\.?\s?skill\b"), "gskill"),
    ("team", _r(r"\bteam\s?group\b"), "teamgroup"),
    ("master", _r(r"\bcooler\s?master\b"), "coolermaster"),
    ("quiet", _r(r"\bbe\s?quiet\s?!?"), "bequiet "),
    ("f", _r(r"\bfounders?\s+edition\b|\bfe\b"), "founders"),
    ("fi", _r(r"\bwi[- ]?fi(?:\s?(7|6e|6)\b)?"), r"wifi\1"),
    ("rgb", _r(r"\ba[- ]rgb\b"), "argb"),
    ("dimm", _r(r"\bso[- ]dimm\b"), "sodimm"),
    ("80", _r(r"\b80\s?plus\b|\b80\s?\+"), "80+"),
    ("pci", _r(r"\bpci[- ]?e(?:xpress)?\b|\bpci express\b"), "pcie"),
    ("m2", _r(r"\bm2\b"), "m.2"),
    (",", _r(r"(\d),(\d)"), r"\1.\2"),  # decimal comma in a size: '1,92 TB'
    ("", _r(r"(\d(?:\.\d+)?)\s*(gb|tb|mb|mhz|ghz|w|mm|cfm|rpm|g)\b"), r"\1\2"),
    ("mt/s", _r(r"(\d)\s*mt/s\b"), r"\1mhz"),
]
# GPU names glue the chip's parts: 'RTX4060Ti' -> 'rtx 4060 ti'.
_GPU_SPLIT: list[tuple[re.Pattern, str]] = [
    (_r(r"\b(rtx|gtx|gts|gt|rx|arc)(\d)"), r"\1 \2"),
    (_r(r"\b(\d{3,4})(ti)(super)\b"), r"\1 \2 \3"),
    (_r(r"\b(\d{3,4})(ti|super|xtx|xt|gre)\b"), r"\1 \2"),
]


def fold(text: str, category: Category | None = None) -> str:
    """Lower case, accents and trade marks off, brand and unit spellings folded."""
    s = text.lower().translate(_ACCENTS)
    for key, pat, rep in _ALIASES:
        if key in s:
            s = pat.sub(rep, s)
    if category in (None, Category.gpu):
        for pat, rep in _GPU_SPLIT:
            s = pat.sub(rep, s)
    return s


# -- store and PCPartPicker category words ----------------------------------------
# A leading word that says what a row is ("Placa de Video", "Micro" = a CPU in
# Argentine stores); PCPartPicker's trailing descriptor says the same.
_PREFIXES: list[tuple[re.Pattern, Category]] = [
    (_r(r"^\s*(?:placa|tarjeta)\s+(?:de\s+)?(?:video|grafica)s?\b"), Category.gpu),
    (_r(r"^\s*(?:micro\s*procesador|microprocesador|procesador|micro)\b"), Category.cpu),
    (_r(r"^\s*memoria(?:\s+ram)?\b"), Category.memory),
    (_r(r"^\s*disco\s+(?:solido|ssd|rigido|duro|hdd)\b(?:\s+ssd\b)?|^\s*(?:unidad\s+)?ssd\b"),
     Category.storage),
    (_r(r"^\s*fuente(?:\s+de\s+(?:poder|alimentacion))?\b"), Category.psu),
    (_r(r"^\s*gabinete\b"), Category.case),
    (_r(r"^\s*(?:mother\s*board|motherboard|mother|placa\s+(?:madre|base))\b"),
     Category.motherboard),
    (_r(r"^\s*(?:water\s*cooler|watercooler|refrigeracion\s+liquida|cooler(?:\s+(?:cpu|para\s+cpu))?"
        r"|disipador(?:\s+cpu)?)\b"), Category.cooler),
]
_SUFFIXES: list[tuple[re.Pattern, Category]] = [
    (_r(r"\bvideo card\s*$"), Category.gpu),
    (_r(r"\bprocessor\s*$"), Category.cpu),
    (_r(r"\bcpu cooler\s*$"), Category.cooler),
    (_r(r"\bmemory\s*$"), Category.memory),
    (_r(r"\b(?:solid state drive|internal hard drive)\s*$"), Category.storage),
    (_r(r"\bpower supply\s*$"), Category.psu),
    (_r(r"\bmotherboard\s*$"), Category.motherboard),
    (_r(r"\bcase\s*$"), Category.case),
]


def guess_category(text: str) -> Category | None:
    """The category a store or PCPartPicker row names itself, or None."""
    s = fold(text, Category.cpu)
    for pat, cat in _PREFIXES:
        if pat.search(s):
            return cat
    for pat, cat in _SUFFIXES:
        if pat.search(s):
            return cat
    return None


def strip_prefix(s: str) -> str:
    for pat, _ in _PREFIXES:
        s2 = pat.sub(" ", s, count=1)
        if s2 != s:
            return s2
    return s


# -- spec phrases -------------------------------------------------------------------
Reader = Callable[[re.Match], dict[str, Any]] | None


@dataclass(frozen=True)
class Phrase:
    """A spec phrase: its pattern and what it states (None: a descriptor only)."""

    regex: re.Pattern
    read: Reader = None


def _num(s: str) -> float:
    return float(s)


def _size_gb(v: str, unit: str) -> float:
    return float(v) * (1000 if unit == "tb" else 1)


_CORE_WORDS = {"single": 1, "dual": 2, "triple": 3, "quad": 4, "hexa": 6, "six": 6, "octa": 8,
               "eight": 8, "deca": 10}
_SOCKET_NAMED = r"am[345]|am3\+|str5|strx4|str4|tr4|swrx8|sp[356]|fm2\+?|fm1"


def _socket(m: re.Match) -> dict[str, Any]:
    named, lga = m.group("named"), m.group("lga")
    return {"socket": named.lower() if named else f"lga{lga}"}


_SOCKET = Phrase(_r(rf"\b(?:socket\s?)?(?P<named>{_SOCKET_NAMED})\b|\b(?:socket\s?|lga\s?)"
                    r"(?P<lga>\d{3,4}(?:-[23])?)\b"), _socket)
_BOARD_FF = Phrase(_r(r"\b(?:thin\s)?(?P<ff>e-?atx|xl-?atx|micro[- ]?atx|matx|m-atx|u-?atx"
                      r"|mini[- ]?itx|itx|mini[- ]?dtx|(?:ssi[- ])?(?:eeb|ceb)|atx)\b"),
                   lambda m: {"form_factor": m.group("ff")})
_YEAR = Phrase(_r(r"\((?P<y>(?:19|20)\d\d)\)"), lambda m: {"year": int(m.group("y"))})
_EFFICIENCY = Phrase(_r(r"\b80\+\s?(?P<tier>bronze|silver|gold|platinum|titanium|white|standard)?"
                        r"(?:\s*certified|\s*certificada)?"),
                     lambda m: {"efficiency": (m.group("tier") or "").strip()})

PHRASES: dict[Category, list[Phrase]] = {
    Category.cpu: [
        Phrase(_r(r"\b\d+(?:\.\d+)?ghz(?:\s*turbo)?\b")),
        Phrase(_r(r"\b(?P<c>\d+)[- ]?(?:core|cores|nucleos)\b"), lambda m: {"cores": int(m.group("c"))}),
        Phrase(_r(r"\b(?P<w>single|dual|triple|quad|hexa|six|octa|eight|deca)[- ]?core\b"),
               lambda m: {"cores": _CORE_WORDS[m.group("w")]}),
        Phrase(_r(r"\b(?P<t>\d+)[- ]?(?:threads?|hilos)\b"), lambda m: {"threads": int(m.group("t"))}),
        Phrase(_r(r"\b\d+(?:st|nd|rd|th)\s?gen(?:eration)?\b")),
        Phrase(_r(r"\b(?:bx|cm|100-)[0-9a-z-]{8,}\b")),  # box part numbers: BX8071512400F
        _SOCKET,
    ],
    Category.gpu: [
        Phrase(_r(r"\b(?P<v>\d{1,3})(?:gb|g)\b(?:\s*gddr\d+x?)?"),
               lambda m: {"vram_gb": float(m.group("v"))} if 0 < int(m.group("v")) <= 256 else {}),
        Phrase(_r(r"\bgddr\d+x?\b|\b\d+[- ]?bits?\b|\bpcie\s*\d(?:\.0)?(?:\s*x\s?16)?\b")),
    ],
    Category.memory: [
        Phrase(_r(r"\b(?P<t>\d+)gb\s*\(\s*(?P<m>\d+)\s*x\s*(?P<g>\d+)gb\s*\)"),
               lambda m: {"total_gb": int(m.group("t")), "modules": int(m.group("m")),
                          "module_gb": int(m.group("g"))}),
        Phrase(_r(r"\(?\b(?:kit\s)?(?P<m>\d+)\s?x\s?(?P<g>\d+)gb\b\)?"),
               lambda m: {"modules": int(m.group("m")), "module_gb": int(m.group("g"))}),
        Phrase(_r(r"\b(?P<g>\d+)gb\s?x\s?(?P<m>\d)\b"),
               lambda m: {"modules": int(m.group("m")), "module_gb": int(m.group("g"))}),
        Phrase(_r(r"\bddr(?P<d>\d)[- ]?(?P<s>\d{4})(?:mhz)?\b"),
               lambda m: {"memory_type": f"DDR{m.group('d')}", "speed_mts": int(m.group("s"))}),
        Phrase(_r(r"\bddr(?P<d>\d)\b(?:\s*sdram)?"), lambda m: {"memory_type": f"DDR{m.group('d')}"}),
        Phrase(_r(r"\b(?P<s>\d{4})mhz\b"), lambda m: {"speed_mts": int(m.group("s"))}),
        Phrase(_r(r"\b(?:cl|cas)\s?(?P<c>\d{1,2})\b"), lambda m: {"cas": int(m.group("c"))}),
        Phrase(_r(r"\b(?P<t>\d+)gb\b"), lambda m: {"total_gb": int(m.group("t"))}),
        Phrase(_r(r"\b\d\.\d+v\b|\b288[- ]?pin\b|\b\d{2}(?:-\d{2}){3}\b")),
    ],
    Category.storage: [
        Phrase(_r(r"\b\d+(?:\.\d+)?\s?gb/s\b|\b\d+(?:\.\d+)?\s?gbps\b")),
        Phrase(_r(r"\b(?P<v>\d+(?:\.\d+)?)(?P<u>tb|gb)\b"),
               lambda m: {"capacity_gb": _size_gb(m.group("v"), m.group("u"))}),
        Phrase(_r(r"\bm\.2(?:[- ]?(?:2230|2242|2260|2280|22110))?\b|\b22(?:30|42|80)\b"),
               lambda m: {"storage_form": "M.2"}),
        # the PCIe generation is not compared: listings of one drive disagree on it
        # (Samsung's 990 EVO Plus runs PCIe 4.0 x4 or 5.0 x2)
        Phrase(_r(r"\bpcie\s*(?:gen\s?)?\d(?:\.0)?(?:\s*x\s?\d)?\b|\bgen\s?\d(?:\s*x\s?\d)?\b")),
        Phrase(_r(r"\bnvme\b"), lambda m: {"interface": "NVMe"}),
        Phrase(_r(r"\bsata\s?(?:iii|ii|3|2)?(?![a-z0-9])"), lambda m: {"interface": "SATA"}),
        Phrase(_r(r"(?<![\d.])(?P<ff>2\.5|3\.5)(?:\s?(?:\"|''|″|inch|in\b|pulgadas))?"),
               lambda m: {"storage_form": m.group("ff")}),
        Phrase(_r(r"\b\d{4,5}rpm\b")),
        Phrase(_r(r"\bsolid state drive\b|\bssd\b|\bdisco solido\b"), lambda m: {"kind": "SSD"}),
        Phrase(_r(r"\b(?:internal\s)?hard (?:disk )?drive\b|\bhdd\b|\bdisco (?:rigido|duro)\b"),
               lambda m: {"kind": "HDD"}),
    ],
    Category.psu: [
        Phrase(_r(r"\b(?P<w>\d{3,4})w\b"), lambda m: {"wattage_w": int(m.group("w"))}),
        _EFFICIENCY,
        Phrase(_r(r"\b(?:fully|full|semi|non)[- ]?modular\b|\bmodular\b")),
        Phrase(_r(r"\batx\s?3(?:\.\d)?\b")),
        Phrase(_r(r"\b(?P<ff>sfx-l|sfx|tfx|flex\s?atx|atx)\b"), lambda m: {"psu_form": m.group("ff")}),
        _YEAR,
    ],
    Category.motherboard: [
        _SOCKET,
        Phrase(_r(r"\bddr(?P<d>\d)\b"), lambda m: {"memory_type": f"DDR{m.group('d')}"}),
        _BOARD_FF,
        Phrase(_r(r"\(?\brev\.?\s?\d+(?:\.\d+)?\)?")),
    ],
    Category.case: [
        Phrase(_r(r"\b(?:mid|midi|full|mini|micro|super|ultra)[- ]?tower\b|\btower\b")),
        Phrase(_r(r"\busb\s?\d(?:\.\d)?(?:\s?gen\s?\d(?:x\d)?)?(?:\s?type[- ]?[ac])?")),
        Phrase(_r(r"\btype[- ]c\b")),
        _BOARD_FF,
        _YEAR,
    ],
    Category.cooler: [
        Phrase(_r(r"\b\d+(?:\.\d+)?cfm\b|\b\d{3,4}(?:\s?-\s?\d{3,4})?rpm\b|\b\d+(?:\.\d+)?\s?dba?\b")),
        Phrase(_r(r"\b(?P<mm>\d{2,3})mm\b"), lambda m: {"size_mm": int(m.group("mm"))}),
        Phrase(_r(r"\b(?:liquid|water|aio|watercooler)\b|\brefrigeracion liquida\b"),
               lambda m: {"kind": "liquid"}),
        Phrase(_r(r"\bair\b"), lambda m: {"kind": "air"}),
        _YEAR,
    ],
}

# -- noise: words that describe, never identify -------------------------------------
_STOP = {"with", "and", "the", "for", "de", "del", "la", "el", "los", "las", "con", "para", "y",
         "en", "por", "w/", "nuevo", "new", "original", "oficial", "pc", "incl", "incluye",
         "incluido"}
COLOURS = {"black", "white", "silver", "gray", "grey", "red", "blue", "green", "yellow", "pink",
           "purple", "orange", "brown", "beige", "teal", "matte", "space", "gold", "negro", "negra",
           "blanco", "blanca", "gris", "rojo", "azul", "plateado"}
NOISE: dict[Category, set[str]] = {
    Category.cpu: {"processor", "procesador", "cpu", "desktop", "unlocked", "boxed", "box", "tray",
                   "oem", "wof", "mpk", "cooler", "sin", "turbo", "socket", "wraith", "stealth",
                   "spire", "prism", "graphics", "radeon", "vega", "no", "edition", "extreme"},
    Category.gpu: {"video", "card", "graphics", "grafica", "placa", "tarjeta", "lhr", "dlss",
                   "hdmi", "dp", "displayport", "edition"} | COLOURS,
    Category.memory: {"memory", "memoria", "ram", "desktop", "kit", "dimm", "udimm", "xmp", "expo",
                      "sdram", "pin", "ddr", "intel", "amd", "ready", "certified", "module",
                      "modulo", "x"} | COLOURS,
    Category.storage: {"internal", "solid", "state", "drive", "disco", "solido", "rigido", "duro",
                       "unidad", "interno", "hard", "nas", "3d", "nand", "m.2", "pcie", "x4"},
    Category.psu: {"power", "supply", "fuente", "poder", "alimentacion", "psu", "certified",
                   "certificada", "modular", "fully", "full", "semi", "non", "side", "interface",
                   "watts"} | COLOURS,
    Category.motherboard: {"motherboard", "mother", "placa", "madre", "base", "mainboard", "mobo",
                           "socket"},
    Category.case: {"case", "gabinete", "chassis", "tempered", "glass", "side", "panel", "panels",
                    "window", "windowed", "vidrio", "templado", "front", "fans", "fan", "tg",
                    "gen", "type", "desktop", "htpc", "cube"} | COLOURS,
    Category.cooler: {"cpu", "cooler", "disipador", "refrigeracion", "liquida", "fan", "fans",
                      "ball", "bearing", "sleeve", "rifle", "fluid", "dynamic", "hydraulic",
                      "para"} | COLOURS,
}
# Words of a GPU chip's maker: the chip key says which chip, these add nothing.
GPU_VENDOR = {"nvidia", "geforce", "amd", "radeon", "intel"}

_PAREN = _r(r"\(([^()\x00]*)\)")
_TOKEN_SPLIT = _r(r"[^a-z0-9.+~\x00]+")
_TOKEN = _r(r"~?[a-z0-9](?:[a-z0-9.+]*[a-z0-9])?")  # a word: no leading or trailing '.' or '+'


def _mark_optional(s: str) -> str:
    def opt(m: re.Match) -> str:
        words = (w.strip(".+") for w in _TOKEN_SPLIT.split(m.group(1)))
        return " " + " ".join(OPT + w for w in words if w) + " "
    return _PAREN.sub(opt, s) if "(" in s else s


def _tokens(piece: str) -> list[str]:
    return _TOKEN.findall(piece)


@dataclass
class Facts:
    """What one text says: identifying words, optional words, specs, in order."""

    category: Category
    words: set[str]
    optional: set[str]
    specs: dict[str, Any]
    seq: list[str] = field(default_factory=list)  # the words in order (GPU chip search)
    text: str = ""


def read_text(text: str, category: Category, extra: dict[str, Any] | None = None) -> Facts:
    """The facts a row or a typed name states (``extra``: specs a row gives in fields)."""
    s = strip_prefix(fold(text, category))
    specs: dict[str, Any] = {}

    def take(read: Reader):
        def repl(m: re.Match) -> str:
            if read is not None:
                for k, v in read(m).items():
                    specs.setdefault(k, v)
            return " "
        return repl

    for ph in PHRASES[category]:
        s = ph.regex.sub(take(ph.read), s)
    for k, v in (extra or {}).items():
        if v is not None:
            specs[k] = v
    noise = NOISE[category] | _STOP
    seq, optional = [], set()
    for t in _tokens(_mark_optional(s)):
        if t.startswith(OPT):
            if t[1:] not in noise:
                optional.add(t[1:])
        elif t not in noise:
            seq.append(t)
    return Facts(category, set(seq), optional, specs, seq, text)


def part_words_many(names: list[str], category: Category) -> list[tuple[list[str], frozenset[str]]]:
    """For each catalog name: its words in order (without spec phrases and
    noise) and its optional words, in one pass of each pattern over all
    names joined (about half the time of one call per name)."""
    if not names:
        return []
    s = SEP.join(n.replace(SEP, " ") for n in names)
    s = fold(s, category)
    for ph in PHRASES[category]:
        s = ph.regex.sub(" ", s)
    s = _mark_optional(s)
    noise = NOISE[category] | _STOP
    out = []
    for piece in s.split(SEP):
        seq, opt = [], set()
        for t in _tokens(piece):
            if t.startswith(OPT):
                if t[1:] not in noise:
                    opt.add(t[1:])
            elif t not in noise:
                seq.append(t)
        out.append((seq, frozenset(opt)))
    return out


def chip_key(chipset: str) -> tuple[str, ...]:
    """A GPU chip as words without maker and memory size: 'GeForce RTX 4060 Ti 16GB' ->
    ('rtx', '4060', 'ti'); 'RTX 4000 Ada Generation' -> ('rtx', '4000', 'ada')."""
    s = fold(chipset, Category.gpu)
    s = re.sub(r"\b\d{1,3}gb\b|\bgeneration\b", " ", s)
    return tuple(t for t in _tokens(s) if t not in GPU_VENDOR)


def chip_starts(keys: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Known chip keys by their first word, longest first (for ``find_chip``)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for k in sorted((k for k in keys if k), key=len, reverse=True):
        out.setdefault(k[0], []).append(k)
    return out


def find_chip(seq: list[str], starts: dict[str, list[tuple[str, ...]]]
              ) -> tuple[tuple[str, ...], int] | None:
    """The longest known chip key found as consecutive words of ``seq``, and where
    (``seq`` without the makers' words)."""
    best: tuple[tuple[str, ...], int] | None = None
    for i, w in enumerate(seq):
        for k in starts.get(w, ()):
            if (best is None or len(k) > len(best[0])) and tuple(seq[i:i + len(k)]) == k:
                best = (k, i)
                break
    return best


def socket_key(value: str) -> str:
    """'LGA 1700', 'lga1700', 'Socket AM5' -> 'lga1700', 'am5'."""
    return re.sub(r"[^a-z0-9+]", "", value.lower().removeprefix("socket"))


def board_form(value: str) -> str | None:
    from ..parts import norm_form_factor

    v = value.replace("micro atx", "micro-atx").replace("microatx", "micro-atx")
    v = {"ceb": "ssi-ceb", "eeb": "ssi-eeb"}.get(v.strip(), v)
    try:
        return norm_form_factor(v)
    except ValueError:
        return None


def psu_form(value: str) -> str | None:
    from ..parts import norm_psu_form_factor

    try:
        return norm_psu_form_factor(value.replace("flexatx", "flex atx"))
    except ValueError:
        return None
