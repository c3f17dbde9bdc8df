"""python-hcl2's grammar, run by a lean LALR loop: the tree lark would build, about 3x sooner.

``hcl2.api.parses_to_tree`` spends most of its time in lark's general machinery: a chain of
wrapper objects called on every reduction, ``Meta`` objects for ``propagate_positions``, and
rule objects hashed in Python on every step. armlint needs none of that generality, so lark
still compiles hcl2's grammar file (its LALR tables and its contextual lexer's per-state
regexes, kept in a cache file under armlint's cache folder) and this module only *runs* those
tables, building the same tree lark would: same rule names, same children, same positions
(a node spans its first to its last positioned child, exactly what ``propagate_positions``
computes), as ``SyntaxTree`` / ``SyntaxToken``. hcl2's own postlexer sits between lexer and
parser as it does in hcl2.

A syntax error, or tables that do not fit the assumptions checked in ``_reduction`` (a newer
grammar or lark), raise ``FastPathUnavailable``: the caller then parses with hcl2 itself,
which also gives the error message and position users see. lark and hcl2 are imported
only when the first file is parsed.
"""

from __future__ import annotations

import _thread
import sys
from pathlib import Path
from typing import Any, NamedTuple

from armlint.datacache import cache_dir
from armlint.terraform.hclsyntax import FastPathUnavailable, SyntaxToken, SyntaxTree

END_TYPE = "$END"


class Reduction(NamedTuple):
    """What reducing one grammar rule does (a tuple: the parse loop unpacks it in one step)."""

    kind: int  # UNIT, SPLICE or NODE
    size: int  # how many stack entries the rule pops
    origin: str  # the rule's symbol, for the goto
    name: str  # the tree's name: the rule's alias, else its symbol
    inlined: frozenset  # positions of children whose own children replace them (_rules)


# A ?rule with one child is that child (lark's ExpandSingleChild): only the state changes.
UNIT = 0
# A _rule (and lark's generated __x_star rules) is a list its parent splices in.
SPLICE = 1
NODE = 2


class StateLexer(NamedTuple):
    """The contextual lexer of one parser state, as lark compiled it."""

    patterns: tuple  # compiled alternations; the first match wins, as in lark's Scanner
    newline_types: frozenset  # terminals whose text may hold a newline (the only ones counted)
    ignore_types: frozenset
    keywords: dict  # NAME -> patterns retyping a keyword (lark's UnlessCallback)


class Tables(NamedTuple):
    actions: dict  # state -> {symbol: shift state (int) | Reduction}
    lexers: dict  # state -> StateLexer
    start_state: int
    end_state: int
    postlexer: Any  # hcl2's PostLexer
    unit_chains: dict  # (state below, state, lookahead) -> state after the chain of UNITs


def parse_tree(text: str) -> SyntaxTree:
    """The tree of ``start`` for HCL text, or ``FastPathUnavailable``."""
    tables = _tables()
    try:
        # hcl2 appends a newline too: its grammar needs one after the last attribute.
        return _run(tables, text + "\n")
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
        # A table entry missing where lark would have one: a surprise, never a wrong tree.
        raise FastPathUnavailable(f"fast parse stopped: {type(error).__name__}") from None


def from_lark(item) -> SyntaxTree | SyntaxToken:
    """The same tree from lark's own parse (the fallback path), so one converter reads both."""
    if hasattr(item, "data"):
        meta = item.meta
        children = [from_lark(child) for child in item.children]
        if meta.empty:
            return SyntaxTree(str(item.data), children, None, None, None, None)
        return SyntaxTree(
            str(item.data), children, meta.line, meta.column, meta.end_line, meta.end_column
        )
    return SyntaxToken(item.type, str(item), item.line, item.column, item.end_line, item.end_column)


# --- the parse loop --------------------------------------------------------------------------


def _run(tables: Tables, text: str) -> SyntaxTree:
    """Shift and reduce until ``start`` is complete (lark's ``ParserState.feed_token``).

    One loop on purpose: shifts and reductions run about 800,000 times for the corpus, so the
    common steps stay inline; a run of ``?rule`` reductions (``expression`` down to
    ``expr_term``, eight deep) is looked up once per (state below, state, lookahead).
    """
    actions, unit_chains, end_state = tables.actions, tables.unit_chains, tables.end_state
    states = [tables.start_state]
    values: list = []
    stream = tables.postlexer.process(_tokens(tables.lexers, text, states))
    for token in _with_end(stream):
        lookahead = token.type
        while True:
            action = actions[states[-1]][lookahead]
            if action.__class__ is int:
                states.append(action)
                values.append(token)
                break
            kind, size, origin, name, inlined = action
            if kind == UNIT:
                key = (states[-2], states[-1], lookahead)
                target = unit_chains.get(key)
                if target is None:
                    target = unit_chains[key] = _unit_chain_end(
                        actions, states[-2], origin, lookahead
                    )
                states[-1] = target
                continue
            if size:
                children = values[-size:]
                del states[-size:]
                del values[-size:]
            else:
                children = []
            if inlined:
                children = _splice(children, inlined)
            # Any: a spliced rule's children (a list) or its node; the start rule is a node.
            value: Any = children if kind == SPLICE else _node(name, children)
            target = actions[states[-1]][origin]
            if target == end_state:
                return value
            states.append(target)
            values.append(value)
    raise FastPathUnavailable("the input ended before the grammar's start rule")


def _tokens(lexers: dict, text: str, states: list):
    """lark's ContextualLexer: the terminals allowed in the parser's state when asked.

    ``states`` is the parser's live stack: each token is matched with the lexer of the state
    the parser is in when the token is pulled, which hcl2's postlexer delays by one token
    after a newline, exactly as in lark.
    """
    size = len(text)
    pos, line, column, line_start = 0, 1, 1, 0
    while pos < size:
        patterns, newline_types, ignore_types, keywords = lexers[states[-1]]
        for pattern in patterns:
            match = pattern.match(text, pos)
            if match:
                break
        else:
            raise FastPathUnavailable(f"no terminal matches at offset {pos}")
        value, token_type = match.group(), match.lastgroup
        start_line, start_column = line, column
        if token_type in newline_types:
            newlines = value.count("\n")
            if newlines:
                line += newlines
                line_start = pos + value.rindex("\n") + 1
        pos += len(value)
        column = pos - line_start + 1
        if token_type in ignore_types:
            continue
        if token_type in keywords:
            token_type = _keyword(keywords[token_type], value) or token_type
        yield SyntaxToken(token_type, value, start_line, start_column, line, column)


def _keyword(patterns: tuple, value: str) -> str | None:
    for pattern in patterns:
        match = pattern.fullmatch(value)
        if match:
            return match.lastgroup
    return None


def _with_end(stream):
    yield from stream
    yield SyntaxToken(END_TYPE, "", None, None, None, None)


def _unit_chain_end(actions: dict, below: int, origin: str, lookahead: str) -> int:
    """The state after a run of UNIT reductions: it depends only on the state below them."""
    while True:
        state = actions[below][origin]
        following = actions[state].get(lookahead)
        if following is None or following.__class__ is int or following.kind != UNIT:
            return state
        origin = following.origin


def _splice(children: list, inlined: frozenset) -> list:
    """Put the children of inlined _rules in their place (lark's ChildFilterLALR)."""
    spliced = None
    for position, child in enumerate(children):
        if position in inlined:
            if spliced is None:
                spliced = child  # reuse the left-recursive list, as lark does
            else:
                spliced.extend(child)
        elif spliced is None:
            spliced = [child]
        else:
            spliced.append(child)
    return spliced if spliced is not None else []


def _node(name: str, children: list) -> SyntaxTree:
    """A node spanning its first to its last positioned child (lark's PropagatePositions)."""
    for first in children:
        if first.line is not None:
            for last in reversed(children):
                if last.line is not None:
                    return SyntaxTree(
                        name, children, first.line, first.column, last.end_line, last.end_column
                    )
    return SyntaxTree(name, children, None, None, None, None)


# --- the tables --------------------------------------------------------------------------------

# threading.Lock() itself; the low-level module spares valid files' start-up threading's import.
_lock = _thread.allocate_lock()
_built: list = []  # [Tables] or [None] once tried: a failed build is not retried per file


def _tables() -> Tables:
    with _lock:
        if not _built:
            _built.append(_build_or_none())
    if _built[0] is None:
        raise FastPathUnavailable("the grammar tables could not be prepared")
    return _built[0]


def _build_or_none() -> Tables | None:
    try:
        return _build_tables()
    except Exception:  # lark internals differ: every file takes hcl2's own path instead
        return None


def _build_tables() -> Tables:
    lark_parser = _lark()
    frontend = lark_parser.parser
    parse_table = frontend.parser.parser.parse_table
    contextual = getattr(frontend.lexer, "lexer", frontend.lexer)  # inside PostLexConnector
    return Tables(
        _actions(parse_table),
        _state_lexers(contextual.lexers),
        parse_table.start_states["start"],
        parse_table.end_states["start"],
        lark_parser.options.postlex,  # the one its contextual lexer was made for
        {},
    )


def _actions(parse_table) -> dict:
    from lark.parsers.lalr_analysis import Shift

    reductions: dict[int, Reduction] = {}
    actions = {}
    for state, row in parse_table.states.items():
        actions[state] = {
            symbol: argument if action is Shift else _cached_reduction(reductions, argument)
            for symbol, (action, argument) in row.items()
        }
    return actions


def _cached_reduction(reductions: dict, rule) -> Reduction:
    found = reductions.get(id(rule))
    if found is None:
        found = reductions[id(rule)] = _reduction(rule)
    return found


def _reduction(rule) -> Reduction:
    """The rule as lark's ParseTreeBuilder would treat it, or FastPathUnavailable."""
    options = rule.options
    if options.empty_indices or options.template_source:
        raise FastPathUnavailable(f"rule {rule} uses placeholders or templates")
    if any(s.is_term and s.filter_out for s in rule.expansion) and not options.keep_all_tokens:
        raise FastPathUnavailable(f"rule {rule} filters tokens out")
    size = len(rule.expansion)
    inlined = frozenset(
        i for i, s in enumerate(rule.expansion) if not s.is_term and s.name.startswith("_")
    )
    origin = rule.origin.name
    if options.expand1 and not rule.alias:
        if size != 1 or inlined:
            raise FastPathUnavailable(f"rule {rule} inlines a child of another size")
        return Reduction(UNIT, size, origin, origin, inlined)
    kind = SPLICE if origin.startswith("_") else NODE
    return Reduction(kind, size, origin, rule.alias or origin, inlined)


def _state_lexers(lexers: dict) -> dict:
    from lark.lexer import UnlessCallback

    shared: dict[int, StateLexer] = {}
    by_state = {}
    for state, lexer in lexers.items():
        if id(lexer) not in shared:
            scanner = lexer.scanner  # compiles the state's regexes (and fills lexer.callback)
            if not all(isinstance(cb, UnlessCallback) for cb in lexer.callback.values()):
                raise FastPathUnavailable("a terminal has a lexer callback")
            keywords = {name: tuple(cb.scanner._mres) for name, cb in lexer.callback.items()}
            shared[id(lexer)] = StateLexer(
                tuple(scanner._mres), lexer.newline_types, lexer.ignore_types, keywords
            )
        by_state[state] = shared[id(lexer)]
    return by_state


def _lark():
    """hcl2's grammar as ``hcl2.parser.parser()`` builds it (LALR, contextual lexer, its
    postlexer; ``propagate_positions`` changes no table), saved compiled in armlint's cache
    folder: hcl2 keeps its own inside site-packages, which may not be writable.

    Saved with ``Lark.save`` (the postlexer included, so a loaded parser's lexers are made for
    it as a built one's are), not with lark's ``cache`` option: lark hashes its options, the
    cache path among them, so a cache written to a temporary name and moved into place never
    validated and every fresh cache folder built the grammar twice.
    """
    import lark
    from hcl2.postlexer import PostLexer

    grammar, target = grammar_and_saved_path()
    saved = _load_saved(lark.Lark, target)
    if saved is not None:
        return saved
    built = lark.Lark(grammar, parser="lalr", lexer="contextual", postlex=PostLexer())
    _save(built, target)
    _remove_legacy_caches(target.parent)
    return built


def grammar_and_saved_path() -> tuple[str, Path]:
    """hcl2's grammar text, and where its compiled parser is saved in armlint's cache folder."""
    import hashlib

    import hcl2
    import lark

    grammar = (Path(hcl2.__file__).parent / "hcl2.lark").read_text(encoding="utf-8")
    # The name changes with the grammar, hcl2, lark and Python, so a stale file is never read.
    hcl2_version = getattr(hcl2, "__version__", "")
    stamp = f"{grammar}|{hcl2_version}|{lark.__version__}|{sys.version_info[:2]}"
    name = f"hcl2-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.parser"
    return grammar, Path(cache_dir()) / "lark" / name


def _remove_legacy_caches(folder: Path) -> None:
    """Delete what lark's own ``cache`` option wrote here before session 9 (``hcl2-*.lark``):
    no armlint reads those files any more, and the cache folder should not keep growing.
    Saved parsers of other versions (``hcl2-*.parser``) stay: another Python or hcl2 sharing
    the folder still reads its own, and deleting it would make the two rebuild in turn."""
    import contextlib

    try:
        legacy = [path for path in folder.iterdir() if _is_legacy_cache(path.name)]
    except OSError:
        return
    for path in legacy:
        # Another process removed it first, or the folder is read-only: only space lost.
        with contextlib.suppress(OSError):
            path.unlink()


def _is_legacy_cache(name: str) -> bool:
    return name.startswith("hcl2-") and name.endswith(".lark")


def _load_saved(lark_class, path: Path):
    """The parser saved at ``path``; None when there is none or it cannot be loaded (a
    truncated or foreign file is built again and replaced, never a traceback)."""
    try:
        with open(path, "rb") as handle:
            return lark_class.load(handle)
    except Exception:  # pickle and lark raise many kinds for a damaged file
        return None


def _save(lark_parser, target: Path) -> None:
    """Written whole beside ``target`` and moved into place (``fileio.write_bytes``): several
    armlint processes may start together and none may read a half-written file."""
    import io

    from armlint.fileio import write_bytes

    buffer = io.BytesIO()
    try:
        lark_parser.save(buffer)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(target, buffer.getvalue())
    except Exception:  # an unwritable folder, a full disk, a pickle that fails: only speed lost
        pass
