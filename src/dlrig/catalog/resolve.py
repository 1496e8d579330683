"""The one part resolver: ids, names, list and store rows, selectors, suggestions.

Every place that turns text into catalog parts asks a ``Resolver`` (one per
``Catalog``, ``Catalog.resolver``): build files and PCPartPicker lists, the
pc-part-dataset and store price importers, ``--require/--exclude``, ``catalog
show`` and ``prices history``, the web. Its rule is that **identifying facts
must agree** or it is not a match:

* the words that name a product (model numbers with their suffixes -
  5600/5600X/5600G, 7800X3D/9800X3D, 14700K/14700KF; lines - 990 PRO/990
  EVO Plus, Vengeance/Vengeance RGB) must all be in the part's name, and in
  the categories where a sibling product differs by one word (CPU, memory,
  storage, PSU, motherboard) the part may not have identifying words the row
  lacks either;
* the specs the row states (GPU chip and VRAM, capacity, DDR generation,
  speed, modules, cores, wattage, socket, form factor...) must equal the
  part's fields;
* a row that agrees with no part is *unmatched*, one that agrees with
  several different products *ambiguous*: never the nearest different one.

Each answer says how sure it is (``exact``: id or same name; ``spec``: every
word and stated spec agrees and the part says nothing more; ``fuzzy``: it
agrees but the part also says something the row does not, e.g. a board's
'OC'; ``chip``: a GPU priced or checked as any board of its chip) and why.

A curated (built-in) part and an imported part that both agree are one
product read twice: the built-in one wins. Indexes are built per category
on first use, so a CPU price list never reads the 4,000 GPU boards.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from ..errors import UnknownPartError
from ..parts import AnyPart, Category
from . import selectors
from . import words as W
from .agree import checks_of, disagree, implied_words, row_specs
from .agree import confirmed as confirmed_specs
from .selectors import PartSet

if TYPE_CHECKING:
    from . import Catalog

GENERIC_PREFIX = "gpu/generic-"  # chip-level GPU entries (``opendb.generic_gpus``)
IMPORTED = frozenset({"opendb"})  # part sources written by importers, not curated by hand
EXACT, SPEC, FUZZY, CHIP = "exact", "spec", "fuzzy", "chip"

# Categories where a part's identifying word the row lacks makes it another product
# (990 PRO vs 990 PRO Heatsink, Vengeance vs Vengeance RGB, B550-F vs B550-F WIFI).
STRICT = frozenset({Category.cpu, Category.memory, Category.storage, Category.psu,
                    Category.motherboard})
# Words a part may carry that a row leaves out without naming another product (they
# still rank: of two parts that agree, the one saying less beyond the row wins).
SOFT: dict[Category, frozenset[str]] = {
    Category.cpu: frozenset({"core", "ryzen", "i3", "i5", "i7", "i9", "ultra", "3", "5", "7", "9",
                             "oem", "tray"}),
    Category.motherboard: frozenset({"mag", "mpg", "meg", "rog", "phantom", "gaming"}),
    # open-db adds 'Registered' to server modules whose line or part number already says so
    Category.memory: frozenset({"registered", "ecc", "rdimm"}),
    Category.storage: frozenset({"caviar"}),  # WD dropped 'Caviar' from Caviar Blue/Black
}
# Where extra words only rank (GPU boards, cases, coolers), these still name a sibling.
SIBLING = frozenset({"se", "plus", "pro", "max", "ultra", "evo", "elite", "digital", "mini", "lite",
                     "xl", "rgb", "argb", "ii", "iii", "iv", "v2", "v3", "g2", "redux", "performance",
                     "compact", "silent", "flow", "airflow", "mesh", "lcd", "rs", "white"})


@dataclass(frozen=True)
class Match:
    """The resolver's answer for one row or reference.

    ``candidates``: for ``ambiguous``, the parts that agree equally; for
    ``unmatched``, the nearest parts by meaning (suggestions, never a match).
    """

    status: str  # 'matched', 'ambiguous', 'unmatched'
    part_id: str | None = None
    confidence: str | None = None  # EXACT, SPEC, FUZZY, CHIP when matched
    reason: str = ""
    candidates: tuple[str, ...] = ()
    category: Category | None = None

    @property
    def how(self) -> str:
        """A short key for counting: 'chip', 'name', or why not."""
        if self.status == "matched":
            return "chip" if self.confidence == CHIP else "name"
        return self.reason or self.status


# Categories where a year in a name marks a revision ('Corsair RM850x (2021)', 'NZXT H5 Flow
# (2024)'): a part without one in its name is of its release year.
_REVISED = frozenset({Category.psu, Category.case, Category.cooler})


def imported(p: AnyPart) -> bool:
    return (p.source or "") in IMPORTED


class _Entry:
    __slots__ = ("part", "words", "sig", "opt", "soft", "maker", "year", "year_slack", "chip",
                 "imported")

    def __init__(self, part: AnyPart, words: frozenset[str], sig: frozenset[str],
                 opt: frozenset[str], chip: tuple[str, ...] | None,
                 soft: frozenset[str] = frozenset(), maker: frozenset[str] = frozenset()):
        self.part = part
        self.words = words  # every word a row's word may be found in
        self.sig = sig  # words that identify: left out by the row, they may name a sibling
        self.opt = opt  # words in parentheses: '(2024)', '(WD10EZEX)'
        self.soft = soft  # identifying words whose absence from a row names no sibling
        self.maker = maker  # the brand's words
        self.year = _year(part.name)
        self.year_slack = 0  # a year from the release date may trail a list's revision label
        if self.year is None and part.category in _REVISED and part.released:
            self.year, self.year_slack = part.released.year, 1
        self.chip = chip
        self.imported = imported(part)


def _year(name: str) -> int | None:
    m = re.search(r"\(((?:19|20)\d\d)\)", name)
    return int(m.group(1)) if m else None


class _Index:
    def __init__(self, entries: list[_Entry]):
        self.entries = entries
        self.by_id = {e.part.id: e for e in entries}
        self.by_word: dict[str, set[int]] = defaultdict(set)
        self.by_chip: dict[tuple[str, ...], list[int]] = defaultdict(list)
        # chip -> {VRAM: chip-level entry ids}
        self.generic: dict[tuple[str, ...], dict[float, list[str]]] = defaultdict(dict)
        for i, e in enumerate(entries):
            for w in e.words:
                self.by_word[w].add(i)
            if e.chip is not None:
                if e.part.id.startswith(GENERIC_PREFIX):
                    self.generic[e.chip].setdefault(float(e.part.vram_gb), []).append(e.part.id)
                self.by_chip[e.chip].append(i)
        self.starts = W.chip_starts(self.by_chip)
        self.field_chips: dict[str, tuple[tuple[str, ...] | None, float | None]] = {}


class Resolver:
    """Text to parts for one catalog; see the module docstring for the rules."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._idx: dict[Category, _Index] = {}
        self._names: dict[Category, dict[str, list[str]]] = {}

    # -- indexes ---------------------------------------------------------------------
    def index(self, category: Category) -> _Index:
        """The category's word index, built on first use."""
        if category not in self._idx:
            parts = self.catalog.parts(category)
            read = W.part_words_many([p.name for p in parts], category)
            makers = sorted({p.brand or "" for p in parts})
            maker_words = dict(zip(makers, W.part_words_many(makers, category), strict=True))
            brands = [maker_words[p.brand or ""] for p in parts]
            soft = SOFT.get(category, frozenset())
            chips: dict[str, tuple[str, ...]] = {}
            board_soft: dict[str, frozenset[str]] = {}
            entries = []
            for p, (seq, opt), (bseq, _) in zip(parts, read, brands, strict=True):
                own = set(seq)
                chip = None
                drop = set(bseq)  # the maker: a row may leave it out
                own_soft = soft
                if category == Category.gpu:
                    chip = chips.get(p.chipset)
                    if chip is None:
                        chip = chips.setdefault(p.chipset, W.chip_key(p.chipset))
                    drop |= set(chip) | W.GPU_VENDOR
                elif category == Category.motherboard:  # open-db repeats the chipset: 'Asus B660 TUF...'
                    own_soft = board_soft.get(p.chipset) or board_soft.setdefault(
                        p.chipset, soft | frozenset(W.fold(p.chipset).split()) | {"amd", "intel"})
                entries.append(_Entry(p, frozenset(own | opt | set(bseq)), frozenset(own - drop),
                                      opt, chip, own_soft, frozenset(bseq)))
            self._idx[category] = _Index(entries)
        return self._idx[category]

    def _exact_names(self, category: Category) -> dict[str, list[str]]:
        """Normalised name -> ids, per category (built on first use, like the index)."""
        if category not in self._names:
            idx: dict[str, list[str]] = {}
            parts = self.catalog.parts(category)
            for p, key in zip(parts, normalize_names(p.name for p in parts), strict=True):
                idx.setdefault(key, []).append(p.id)
            self._names[category] = idx
        return self._names[category]

    # -- ids and exact names -----------------------------------------------------------
    def exact(self, ref: str, category: Category | None = None) -> list[AnyPart]:
        """Parts whose id is ``ref``, else whose normalised name equals it;
        a built-in part hides its imported twins of the same name."""
        from . import normalize_name

        cat = self.catalog
        if ref in cat and (category is None or cat.get(ref).category == category):
            return [cat.get(ref)]
        key = normalize_name(ref)
        hits = [cat.get(i) for c in ([category] if category else list(Category))
                for i in self._exact_names(c).get(key, [])]
        curated = [p for p in hits if not imported(p)]
        return curated if len(curated) == 1 else hits

    def resolve(self, ref: str, category: Category | str | None = None, where: str = "") -> AnyPart:
        """A part by exact id or name (build files): unknown or ambiguous
        references raise ``UnknownPartError`` with suggestions by meaning."""
        cat = Category(category) if category else None
        prefix = ref.split("/", 1)[0] if "/" in ref else None
        if cat is None and prefix in {c.value for c in Category}:
            cat = Category(prefix)  # 'cpu/...' can only mean a CPU: suggest CPUs
        hits = self.exact(ref, cat)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise UnknownPartError(ref, [p.id for p in hits], ambiguous=True, where=where)
        raise UnknownPartError(ref, self.suggest(ref, cat), where=where)

    # -- free text -----------------------------------------------------------------------
    def match(self, text: str, category: Category | str, *, specs: dict[str, Any] | None = None,
              chipset: str | None = None, keep: Callable[[AnyPart], bool] | None = None,
              loose: bool = False) -> Match:
        """The part a row names, in one category.

        ``specs``: what the row states in fields (pc-part-dataset), with the
        keys ``words.read_text`` uses; ``chipset``: a GPU row's chip field;
        ``keep``: a further filter; ``loose``: words of a name (``find``):
        every part holding them counts, however much more its name says.
        """
        category = Category(category)
        facts = W.read_text(text, category, specs)
        idx = self.index(category)
        same = [idx.by_id[p.id] for p in self.exact(text, category)] if text.strip() else []
        if same:
            checks = checks_of(facts.specs)
            same = [e for e in same if (keep is None or keep(e.part)) and not disagree(e, checks)]
        if same:
            return self._decide(facts, same, None, idx, loose=True, exact_names=True)
        chip = None
        if category == Category.gpu:
            chip = self._chip_of(facts, chipset, idx)
            if chip is None and chipset:
                return Match("unmatched", reason=f"no GPU in the catalog has the chip '{chipset}'",
                             category=category)
        pool, why = self._pool(facts, chip, idx)
        if keep is not None:
            pool = [e for e in pool if keep(e.part)]
        return self._decide(facts, pool, chip, idx, loose, why=why)

    def _chip_of(self, facts: W.Facts, chipset: str | None, idx: _Index):
        """The GPU chip a row names (in its chip field or its text), taken out of its words."""
        seq = [w for w in facts.seq if w not in W.GPU_VENDOR]
        if chipset:
            if chipset not in idx.field_chips:
                f = W.read_text(chipset, Category.gpu)
                found = W.find_chip([w for w in f.seq if w not in W.GPU_VENDOR], idx.starts)
                idx.field_chips[chipset] = (found[0] if found else None, f.specs.get("vram_gb"))
            key, vram = idx.field_chips[chipset]
            if vram and "vram_gb" not in facts.specs:
                facts.specs["vram_gb"] = vram
        else:
            found = W.find_chip(seq, idx.starts)
            key = found[0] if found else None
            if found:
                seq = seq[:found[1]] + seq[found[1] + len(found[0]):]
        if key is not None:
            facts.seq = seq
            facts.words = set(seq)
        return key

    def _pool(self, facts: W.Facts, chip, idx: _Index) -> tuple[list[_Entry], str | None]:
        """Entries that hold every word of the row (and its chip); or, when none
        does, why not in words."""
        cat = facts.category.value
        what = f"{' '.join(chip).upper()} board" if chip is not None else cat
        ids: set[int] | None = set(idx.by_chip.get(chip, ())) if chip is not None else None
        seen: list[str] = []
        # (the word itself breaks ties: the same row gives the same reason in every process)
        for w in sorted(facts.words, key=lambda w: (len(idx.by_word.get(w, ())), w)):
            have = idx.by_word.get(w)
            if not have:
                return [], f"no {cat} in the catalog says '{w}'"
            seen.append(w)
            ids = set(have) if ids is None else ids & have
            if not ids:
                said = f"all of '{' '.join(sorted(seen))}'" if len(seen) > 1 else f"'{w}'"
                return [], f"no {what} in the catalog says {said}"
        if ids is None:
            return list(idx.entries), None
        return [idx.entries[i] for i in sorted(ids)], None

    def _decide(self, facts: W.Facts, pool: list[_Entry], chip, idx: _Index, loose: bool,
                exact_names: bool = False, why: str | None = None) -> Match:
        cat = facts.category
        said = facts.words | facts.optional | implied_words(facts.specs)
        longer = [w for w in facts.words if any(ch.isdigit() for ch in w)]
        confirmed = confirmed_specs(facts.specs)
        checks = checks_of(facts.specs)
        ok: list[tuple[tuple, _Entry, list[str], list[str]]] = []
        why_not: str | None = why
        for e in pool:
            if not facts.words <= e.words and not exact_names:
                continue
            bad = disagree(e, checks)
            if bad:
                why_not = why_not or f"{e.part.name}: {bad}"
                continue
            extra = [w for w in e.sig - said
                     if not (any(ch.isdigit() for ch in w) and any(x.startswith(w) for x in longer))]
            # A row that names only the maker and specs ('Kingston 2 x 8 GB DDR4-2400') names
            # no line a sibling could differ from: the part's line words then only rank.
            if not loose and facts.words - e.maker:
                blocking = [w for w in extra if _blocks(cat, w) and w not in e.soft]
                if blocking:
                    why_not = why_not or f"{e.part.name} also says '{' '.join(sorted(blocking))}'"
                    continue
            opt = sorted(e.opt - said)
            # a part that states the row's year beats one that states none
            undated = "year" in facts.specs and e.year is None
            ok.append((((0, 0) if loose else (len(extra), undated), e.imported, len(opt), len(e.sig),
                        e.part.id), e, sorted(extra), opt))
        generic = None
        if cat == Category.gpu and chip is not None:
            v = facts.specs.get("vram_gb")
            sizes = {k: ids for k, ids in idx.generic.get(chip, {}).items()
                     if v is None or k == float(v)}
            if len(sizes) == 1 and len(next(iter(sizes.values()))) == 1:
                generic = next(iter(sizes.values()))[0]
            if not facts.words:  # the row names only the chip
                if generic:
                    return Match("matched", generic, CHIP, "the row names only the chip: any board "
                                 "of it", category=cat)
                if sizes:
                    return Match("ambiguous", candidates=tuple(g for ids in sizes.values() for g in ids),
                                 reason="the row names the chip but not its memory size", category=cat)
                boards = [x[1].part.id for x in ok]
                if len(boards) != 1:
                    return Match("ambiguous" if boards else "unmatched", candidates=tuple(boards[:8]),
                                 reason="the row names only the chip, not which board", category=cat)
            ok = [x for x in ok if not x[1].part.id.startswith(GENERIC_PREFIX)]
        if loose and cat == Category.gpu:  # words of a name: a chip-level entry before its boards
            ok = [x for x in ok if x[1].part.id.startswith(GENERIC_PREFIX)] or ok
        if not ok:
            if generic:
                return Match("matched", generic, CHIP, "no board of the catalog is "
                             f"'{' '.join(facts.seq)}': any board of the chip", category=cat)
            return Match("unmatched", reason=why_not or "no part agrees with the row", category=cat)
        ok.sort(key=lambda x: x[0])
        group = [x for x in ok if x[0][0] == ok[0][0][0]]
        pick, note = _tie(group, exact_names)
        if pick is None:
            if generic and not loose:
                return Match("matched", generic, CHIP, f"{len(group)} boards fit equally: any board "
                             "of the chip", category=cat)
            return Match("ambiguous", candidates=tuple(x[1].part.id for x in group[:8]),
                         reason="several parts with different specs agree", category=cat)
        _, e, extra, opt = pick
        if exact_names:
            return Match("matched", e.part.id, EXACT, "same name" + note, category=cat)
        doubts = []
        if extra or opt:
            doubts.append("the part also says '" + " ".join(extra + [f"({w})" for w in opt]) + "'")
        if "year" in facts.specs and e.year is None:
            doubts.append(f"the part states no year, the row says {facts.specs['year']}")
        if doubts:
            return Match("matched", e.part.id, FUZZY, "agrees; " + "; ".join(doubts) + note,
                         category=cat)
        what = f"words and {', '.join(confirmed)} agree" if confirmed else "every word agrees"
        return Match("matched", e.part.id, SPEC, what + note, category=cat)

    # -- rows of the importers -------------------------------------------------------------
    def match_row(self, category: Category, row: dict[str, Any]) -> Match:
        """A pc-part-dataset row: its name, checked against the specs its fields state."""
        name = str(row.get("name") or "").strip()
        specs = row_specs(category, row)
        chipset = str(row.get("chipset") or "") if category == Category.gpu else None
        return self.match(name, category, specs=specs, chipset=chipset or None)

    def match_any(self, text: str, category: Category | None = None) -> Match:
        """A store row: in its category when it says one (a column, or words such
        as 'Placa de Video', 'Procesador'), else in every category, where it must
        agree with parts of exactly one."""
        cat = category or W.guess_category(text)
        if cat is not None:
            return self.match(text, cat)
        hits = [self.match(text, c) for c in Category]
        found = [h for h in hits if h.status != "unmatched"]
        if len(found) == 1:
            return found[0]
        if found:
            ids = tuple(x for h in found for x in (h.candidates or (h.part_id,)) if x)
            return Match("ambiguous", candidates=ids[:5], reason="agrees with parts of "
                         + ", ".join(h.category.value for h in found if h.category))
        return Match("unmatched", reason="no part agrees with the row")

    # -- words of a name (catalog show, prices history) ------------------------------------
    def find(self, ref: str, category: Category | str | None = None) -> AnyPart:
        """A part the way people type it: an id, a name, or a few words of one.

        Words that name only a GPU chip mean its chip-level entry ('RTX 3060
        12GB'); otherwise the parts holding every word and agreeing with every
        stated spec: one is the answer, several an error listing them.
        """
        cat = Category(category) if category else None
        hits = self.exact(ref, cat)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise UnknownPartError(ref, [p.id for p in hits], ambiguous=True)
        found: list[str] = []
        for c in ([cat] if cat else list(Category)):
            m = self.match(ref, c, loose=True)
            if m.status == "matched" and m.part_id:
                found.append(m.part_id)
            elif m.status == "ambiguous":
                found.extend(m.candidates)
        if len(found) == 1:
            return self.catalog.get(found[0])
        if found:
            raise UnknownPartError(ref, found, ambiguous=True)
        raise UnknownPartError(ref, self.suggest(ref, cat))
    # -- --require / --exclude (``selectors.py``) ------------------------------------------
    def selector(self, ref: str, where: str = "") -> PartSet:
        """A part, a GPU chip or a maker as a set of parts with a label (``selectors``)."""
        return selectors.selector(self, ref, where)

    def chip_set(self, ref: str) -> PartSet | None:
        return selectors.chip_set(self, ref)

    # -- suggestions --------------------------------------------------------------------------
    def suggest(self, ref: str, category: Category | None = None, limit: int = 5) -> list[str]:
        """The nearest parts by meaning, as 'Name [id]': shared model numbers
        weigh three times a word, a shared GPU chip counts, a typo in a
        model number ('g4650' for 'g4560') gets partial credit."""
        scored: list[tuple[float, bool, str]] = []
        for c in ([category] if category else list(Category)):
            facts = W.read_text(ref, c)
            idx = self.index(c)
            chip = self._chip_of(facts, None, idx) if c == Category.gpu else None
            pool: set[int] = set(idx.by_chip.get(chip, ())) if chip else set()
            for w in facts.words:
                pool |= idx.by_word.get(w, set())
            if len(pool) > 3000:
                pool = set(sorted(pool)[:3000])
            for i in pool:
                e = idx.entries[i]
                s = _closeness(facts, e, chip)
                if s > 0:
                    scored.append((round(s, 6), e.imported, e.part.id))
        if not scored:
            from . import normalize_name

            parts = self.catalog.parts(category) if category else self.catalog.parts()
            names = {p.id: normalize_name(p.name) for p in parts}
            hits = process.extract(normalize_name(ref), names, scorer=fuzz.WRatio, limit=limit)
            return [f"{self.catalog.get(k).name} [{k}]" for _, _, k in hits]
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))  # built-in parts first among equals
        out = []
        for _, _, pid in scored:
            label = f"{self.catalog.get(pid).name} [{pid}]"
            if label not in out:
                out.append(label)
            if len(out) == limit:
                break
        return out


# -- helpers ------------------------------------------------------------------------------
def normalize_names(names: Iterable[str]) -> list[str]:
    """``catalog.normalize_name`` of many names in one pass of each substitution over
    all of them joined (a 25,000-part catalog pays three regex passes, not 75,000)."""
    names = list(names)
    if not names:
        return []
    s = W.SEP.join(n.replace(W.SEP, " ") for n in names).lower().replace("™", "").replace("®", "")
    s = re.sub(r"(\d)\s*(gb|tb|mhz|w)\b", r"\1\2", s)
    s = re.sub(r"[^a-z0-9.\x00]+", " ", s)
    return [" ".join(piece.split()) for piece in s.split(W.SEP)]


def _tie(group: list, exact_names: bool):
    """One of several equally good parts: the only built-in one, or the first of
    twins - parts that differ from each other only in what does not tell
    products apart (colour, packaging, the words a listing adds) and agree
    on the category's key specs; None when they are different products."""
    if len(group) == 1:
        return group[0], ""
    curated = [x for x in group if not x[1].imported]
    if len(curated) == 1:
        return curated[0], f" (built-in part; {len(group) - 1} imported read the same)"
    keys = {(frozenset(x[2]), x[1].year if not x[1].year_slack else None, _key_specs(x[1].part))
            for x in group}  # a year a name states tells revisions apart; a release date does not
    if exact_names or len(keys) == 1:
        pick = min(group, key=lambda x: (x[1].imported, len(x[3]), len(x[1].sig), x[1].part.id))
        return pick, f" ({len(group)} listings of one product)"
    return None, ""


_KEY_SPECS = {
    Category.cpu: ("socket", "cores"), Category.gpu: ("chipset", "vram_gb"),
    Category.memory: ("memory_type", "speed_mts", "modules", "module_gb", "cas_latency",
                      "registered"),
    Category.motherboard: ("socket", "chipset", "form_factor", "memory_type"),
    Category.storage: ("kind", "interface", "capacity_gb", "form_factor"),
    Category.psu: ("wattage_w", "form_factor"), Category.case: ("form_factors",),
    Category.cooler: ("kind", "radiator_mm"),
}


def _key_specs(p: Any) -> tuple:
    return tuple(getattr(p, k, None) for k in _KEY_SPECS[p.category])


def _blocks(cat: Category, word: str) -> bool:
    if cat in STRICT:
        return True
    if cat == Category.gpu:
        return False
    return word in SIBLING or any(ch.isdigit() for ch in word)


def _closeness(facts: W.Facts, e: _Entry, chip) -> float:
    """How much of what ``facts`` says a part shares (for suggestions only)."""
    s = 0.0
    total = 0.0
    digits = [t for t in e.words if any(ch.isdigit() for ch in t)]
    for w in facts.words:
        weight = 3.0 if any(ch.isdigit() for ch in w) else 1.0
        total += weight
        if w in e.words:
            s += weight
        elif weight > 1 and digits:
            best = max(fuzz.ratio(w, t) for t in digits)
            if best >= 75:
                s += weight * best / 100
        elif len(w) > 3:
            best = max((fuzz.ratio(w, t) for t in e.words), default=0)
            if best >= 80:
                s += weight * best / 100 * 0.8
    if chip is not None:
        total += 4
        if e.chip == chip:
            s += 4
            v = facts.specs.get("vram_gb")
            if v and float(e.part.vram_gb) == float(v):  # type: ignore[union-attr]
                s += 1
    if not total:
        return 0.0
    bad = disagree(e, checks_of(facts.specs))
    return s / total - (0.3 if bad else 0) - 0.02 * len(e.sig - facts.words)
