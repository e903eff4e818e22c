"""Every command the README and the pages of ``docs/`` give is one its tool accepts.

The commands are collected from inline code spans and from fenced blocks (backslash continuations
joined). Each names a tool that exists (``python -m tools.X`` or ``genzoo X``), every ``--flag`` it
uses is an option of that tool's parser, and a command without placeholders (``NAME``, ``DIR``,
``[...]``, ``...``) parses whole, types and choices included. This does not run the commands: the
long ones are the results pages' training runs; their quick forms run in ``tests/tools``. A flag
renamed or removed in the code, or a typo in a page, fails here.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest

from zoo.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "saved_models" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
INLINE = re.compile(r"`((?:python -m tools\.|genzoo )[^`]+)`")
# A placeholder: an upper-case word (NAME, DIR, FILE.png, M), <angle brackets>, or an ellipsis.
PLACEHOLDER = re.compile(r"(^|[=/])([A-Z][A-Z_]*)(\.[a-z]+)?$|<[^>]+>|\.\.\.")


def doc_commands(page):
    """The tool commands of one Markdown page, as written (continuations joined)."""
    text = page.read_text(encoding="utf-8")
    found = [m.group(1) for m in INLINE.finditer(text)]
    fenced, pending = False, ""
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced, pending = not fenced, ""
            continue
        if not fenced:
            continue
        line = (pending + " " + line.split("  #")[0].strip()).strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1]
        elif line.startswith(("python -m tools.", "genzoo ")):
            found.append(line)
    return [" ".join(c.split()) for c in found]


CASES = [(page.relative_to(ROOT).as_posix(), command) for page in PAGES for command in doc_commands(page)]


def tool_and_args(command):
    """``(cli module name or None for a bare ``genzoo``, argument list)``."""
    words = command.split(maxsplit=3)
    if words[0] == "genzoo":
        if len(words) == 1 or words[1].startswith("-"):
            return None, words[1:]
        name, rest = words[1], command.split(maxsplit=2)[2:]
        assert name in COMMANDS, f"genzoo has no command {name!r} (it has {', '.join(COMMANDS)})"
        return COMMANDS[name][0], shlex.split(rest[0]) if rest else []
    module, rest = words[2][len("tools.") :], command.split(maxsplit=3)[3:]
    return module, shlex.split(rest[0]) if rest else []


def without_optional_groups(args):
    """The arguments with every ``[...]`` group (an optional part of a usage line) taken out."""
    kept, depth = [], 0
    for arg in args:
        depth += arg.count("[")
        if depth == 0:
            kept.append(arg)
        depth -= arg.count("]")
    return kept


def test_the_pages_give_commands():
    assert len(CASES) > 50, CASES


@pytest.mark.parametrize("page, command", CASES, ids=[f"{p}: {c[:60]}" for p, c in CASES])
def test_a_documented_command_is_one_its_tool_accepts(page, command):
    module_name, args = tool_and_args(command)
    if module_name is None:
        assert set(args) <= {"--help", "-h"}, command
        return
    if not re.fullmatch(r"[a-z_0-9]+", module_name):
        return  # a placeholder tool: ``python -m tools.<tool>``, ``tools.NAME``
    assert (ROOT / "tools" / f"{module_name}.py").is_file(), f"{page}: no tools/{module_name}.py"
    try:
        module = importlib.import_module(f"zoo.cli.{module_name}")
    except ModuleNotFoundError:  # a script of tools/ alone (tools.soak)
        module = importlib.import_module(f"tools.{module_name}")
    parser = module.build_parser()
    known = set(parser._option_string_actions)
    flags = {arg.split("=", 1)[0].strip("[]") for arg in args if arg.lstrip("[").startswith("--")}
    for both in [flag for flag in flags if flag.startswith("--[no-]")]:  # ``--[no-]jit``: either
        flags = (flags - {both}) | {"--" + both[len("--[no-]") :], "--no-" + both[len("--[no-]") :]}
    unknown = sorted(flags - known)
    assert not unknown, f"{page}: `{command}` uses {unknown}, which {parser.prog} does not take"
    concrete = without_optional_groups(args)
    if not args or "--help" in args or any(PLACEHOLDER.search(arg) for arg in concrete) or len(concrete) < len(args):
        return  # a usage line or a template: its flags are checked above
    try:
        parser.parse_args(concrete)
    except SystemExit as error:  # argparse's own message is on stderr
        pytest.fail(f"{page}: `{command}` is refused by {parser.prog} (exit {error.code})")
