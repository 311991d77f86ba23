"""`calldeck agent ...`: list, import, export, kb add, ask, chat, test.

app/cli.py registers the parser with `add_agent_parser` and runs `cmd_agent`. Errors are one
line on stderr and exit 1, like the other commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic and the rest load when an agent command runs, not at start-up
    from app.agents.definition import AgentDefinition


class AgentCommandError(ValueError):
    """A problem the user can fix; printed as one line."""


def add_agent_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    agent = subparsers.add_parser(
        "agent", parents=[common], help="agents: import, export, knowledge, ask, chat, test"
    )
    sub = agent.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = sub.add_parser("list", parents=[common], help="agents and their versions")
    lst.add_argument("--json", action="store_true")
    imp = sub.add_parser("import", parents=[common], help="create or update an agent from JSON")
    imp.add_argument("file", type=Path)
    exp = sub.add_parser("export", parents=[common], help="print an agent's definition")
    exp.add_argument("name")
    kb = sub.add_parser("kb", parents=[common], help="the agent's knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_action", metavar="ACTION", required=True)
    kb_add = kb_sub.add_parser(
        "add", parents=[common], help="add documents (.md .txt .pdf .docx .html)"
    )
    kb_add.add_argument("name")
    kb_add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    kb_add.add_argument("--json", action="store_true")
    ask = sub.add_parser("ask", parents=[common], help="answer a question from the knowledge base")
    ask.add_argument("name")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    chat = sub.add_parser("chat", parents=[common], help="talk to the agent; callee lines on stdin")
    chat.add_argument("name")
    _add_run_options(chat)
    test = sub.add_parser("test", parents=[common], help="run scenarios; exit 0 when all pass")
    test.add_argument("name")
    test.add_argument("--scenarios", type=Path, required=True, metavar="FILE")
    test.add_argument("--json", action="store_true")
    _add_llm_option(test)


def _add_llm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm",
        action="store_true",
        help="run with the language model set in Settings (default: deterministic)",
    )


def _llm(args: argparse.Namespace):
    """The configured model when --llm is given (else None: the deterministic agent)."""
    if not args.llm:
        return None
    from app.agents.llm import llm_config

    config = _with_session(args, llm_config)
    if config is None:
        raise AgentCommandError(
            "--llm: no language model is set; give its base URL and model in Settings"
        )
    return config


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--var", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--timezone", help="the contact's time zone (default: the agent's)")
    parser.add_argument("--now", help="the call's start time, ISO 8601 (default: now)")
    parser.add_argument("--json", action="store_true")
    _add_llm_option(parser)


def cmd_agent(args: argparse.Namespace) -> int:
    from app.agents.definition import DefinitionError
    from app.agents.knowledge import KnowledgeError
    from app.agents.library import AgentNotFound
    from app.agents.scenarios import ScenarioError
    from app.agents.script import ScriptError

    try:
        return _ACTIONS[args.action](args)
    except (DefinitionError, AgentNotFound, KnowledgeError, ScriptError, ScenarioError) as exc:
        print(f"calldeck: {'; '.join(str(exc).splitlines())}", file=sys.stderr)
        return 1
    except AgentCommandError as exc:
        print(f"calldeck: {exc}", file=sys.stderr)
        return 1


def _store(args: argparse.Namespace):
    from app.paths import data_home
    from app.store.engine import open_store

    return open_store(data_home(args.home), args.db)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _read_definition(path: Path) -> AgentDefinition:
    from app.agents.definition import DefinitionError, parse_definition

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgentCommandError(f"{path}: {exc.strerror or exc}") from None
    try:
        return parse_definition(text)
    except DefinitionError as exc:
        raise AgentCommandError(f"{path}: {'; '.join(exc.problems)}") from None


def _with_session(args: argparse.Namespace, work):
    store = _store(args)
    try:
        with store.session.begin() as session:
            return work(session)
    finally:
        store.dispose()


def cmd_list(args: argparse.Namespace) -> int:
    from app.agents import library

    listings = _with_session(args, library.list_agents)
    if args.json:
        _print_json([listing.to_json() for listing in listings])
        return 0
    for listing in listings:
        version = (
            f"version {listing.published_version}" if listing.published_version else "unpublished"
        )
        changed = " (draft changed)" if listing.draft_changed and listing.published_version else ""
        note = "" if listing.has_definition else " (no definition)"
        print(f"{listing.name}\t{version}{changed}{note}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app.agents import library

    definition = _read_definition(args.file)
    version = _with_session(args, lambda s: library.import_definition(s, definition))
    print(f"Imported {definition.name!r}: version {version} published.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.agents import library

    _print_json(_with_session(args, lambda s: library.export_definition(s, args.name)))
    return 0


def cmd_kb_add(args: argparse.Namespace) -> int:
    from app.agents import library
    from app.agents.definition import KnowledgeItem
    from app.agents.knowledge import read_document

    items: list[KnowledgeItem] = []
    for path in args.files:
        for passage in read_document(path):
            items.append(
                KnowledgeItem(
                    title=passage.heading or passage.document,
                    text=passage.text,
                    document=passage.document,
                )
            )
    _with_session(args, lambda s: library.add_knowledge(s, args.name, items))
    counts = {"documents": len(args.files), "passages": len(items)}
    if args.json:
        _print_json(counts)
    else:
        print(f"Added {counts['passages']} passages from {counts['documents']} documents.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from app.agents import library
    from app.agents.grounding import answer_question

    definition = _with_session(args, lambda s: library.draft(s, args.name))
    reply = answer_question(definition, args.question)
    if args.json:
        _print_json(reply)
    else:
        print(reply["answer"])
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from app.agents import library
    from app.agents.grounding import knowledge_for
    from app.agents.scenarios import parse_now, parse_vars
    from app.agents.script import run_script

    definition = _with_session(args, lambda s: library.draft(s, args.name))
    result = run_script(
        definition,
        sys.stdin,
        variables=parse_vars(args.var),
        knowledge=knowledge_for(definition),
        now=parse_now(args.now),
        timezone=args.timezone,
        llm=_llm(args),
    )
    if args.json:
        _print_json(result.to_json())
        return 0
    for turn in result.turns:
        print(f"{turn.offset_s:6.1f}s {turn.speaker:>6}: {turn.text}")
    print(f"outcome: {result.outcome}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from app.agents import library
    from app.agents.scenarios import load_scenarios, run_scenarios

    definition = _with_session(args, lambda s: library.draft(s, args.name))
    report = run_scenarios(definition, load_scenarios(args.scenarios), _llm(args))
    if args.json:
        _print_json(report)
    else:
        for outcome in report["scenarios"]:
            status = "PASS" if outcome["passed"] else "FAIL"
            detail = "" if outcome["passed"] else ": " + "; ".join(outcome["problems"])
            print(f"{status} {outcome['name']}{detail}")
        print(f"{report['passed']} passed, {report['failed']} failed")
    return 0 if report["failed"] == 0 else 1


def _kb(args: argparse.Namespace) -> int:
    return {"add": cmd_kb_add}[args.kb_action](args)


_ACTIONS = {
    "list": cmd_list,
    "import": cmd_import,
    "export": cmd_export,
    "kb": _kb,
    "ask": cmd_ask,
    "chat": cmd_chat,
    "test": cmd_test,
}
