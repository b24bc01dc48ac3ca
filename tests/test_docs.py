"""README.md documents every command and option of the command line, and its examples run.

The commands and options are read from the click group, the examples from the README's ```sh blocks:
a command or option added without documentation, or documented without existing, fails here by name.
Then the examples run, against the installed `ari-desktop`, each on a temporary database, and each must
exit 0, or the code its comment gives (`# exits 2: ...`, a documented refusal).

How the README's notation is read:
- a `\\` at the end of a line continues the command; `#` starts a comment; `&&` separates commands;
- `[...]` is optional: every option in it must exist; it runs unless it holds a placeholder written in
  capitals (DATE, TEXT, NAME, N, MG...);
- `a|b` is a choice: every option named must exist; the first choice runs; `--[no-]x` is `--x` and `--no-x`;
- `printf '%s\\n' A B | ari-desktop ...` gives the command the lines A and B on standard input (passwords).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from ari_desktop.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
PROGRAM = "ari-desktop"

# The examples that cannot run in a test, keyed by their command as the README writes it, with why.
NOT_RUN = {
    "ari-desktop": "opens the window and waits for its user; the --screenshot example starts the window and exits",
    # Team mode: the README's server is the unit's; tests/test_team_mode.py runs these on a test server.
    "ari-desktop --db postgresql://nurse@ward-server/ari_unit --user nurse": "opens the window, on a server",
    "ari-desktop --db postgresql://nurse@ward-server/ari_unit patient list": "needs the unit's server",
    "ari-desktop migrate --from unit.db --to postgresql://ari@ward-server/ari_unit --user ana --password-stdin":
        "needs the unit's server; tests/test_move_to_server.py moves a file to a test server",
}

# The examples that register patients run first (after the set-up): every other example names them, in
# whatever section. The demo goes only into a new database: its examples share one of their own.
REGISTERS = ("patient", "add")
DEMO = ("demo",)

PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*")
EXITS = re.compile(r"\bexits (?:with code )?(\d+)")
SET_UP = re.compile(r"^\s*set-up\b")


@dataclass
class Example:
    """One `ari-desktop` command of the README."""

    line: str
    words: list[str]  # after the program name, as the shell splits them
    env: dict[str, str] = field(default_factory=dict)
    exit_code: int = 0
    stdin: str | None = None
    set_up: bool = False  # `# set-up` in its comment: it runs before all others (accounts come first)

    @property
    def command(self) -> str:
        return " ".join([PROGRAM, *self.words])


def _split_comment(line: str) -> tuple[str, str]:
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1:]
    return line, ""


def _and_list(words: list[str]) -> list[list[str]]:
    """The commands of a shell line, split at `&&`."""
    commands = [[]]
    for word in words:
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def readme_examples() -> list[Example]:
    examples = []
    for block in re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", README.read_text("utf-8"), re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            code, comment = _split_comment(line)
            exits = EXITS.search(comment)
            for words in _and_list(shlex.split(code)):
                env, stdin = {}, None
                if words[:1] == ["printf"] and "|" in words:
                    fmt, *lines = words[1:words.index("|")]
                    stdin = "".join(fmt.replace("\\n", "\n") % line for line in lines)
                    words = words[words.index("|") + 1:]
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                    name, _, value = words.pop(0).partition("=")
                    env[name] = value
                if words and Path(words[0]).name == PROGRAM:
                    examples.append(Example(" ".join(line.split()), words[1:], env,
                                            int(exits.group(1)) if exits else 0, stdin,
                                            SET_UP.search(comment) is not None))
    return examples


def _option_names(word: str) -> list[str]:
    """The option names a README word spells: `--[no-]x` is `--x` and `--no-x`; `--a|--b` is both."""
    names = []
    for choice in word.split("|"):
        if choice.startswith("--[no-]"):
            names += ["--" + choice[len("--[no-]"):], "--no-" + choice[len("--[no-]"):]]
        else:
            names.append(choice)
    return names


def _is_option(word: str) -> bool:
    return re.match(r"-{1,2}[A-Za-z\[]", word) is not None


def _option(command: click.Command, name: str) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and name in p.opts + p.secondary_opts),
                None)


@dataclass
class Reading:
    """What an example names: the command path, the options it gives, and what does not exist."""

    path: tuple[str, ...] = ()
    options: set[tuple[tuple[str, ...], str]] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)


def read(example: Example) -> Reading:
    reading, command = Reading(), cli
    words = [word.strip("[]") for word in example.words]
    skip_value = False
    for word in words:
        if skip_value:
            skip_value = False
        elif _is_option(word):
            for name in _option_names(word):
                option = _option(command, name)
                if option is None:
                    reading.unknown.append(f"{' '.join([PROGRAM, *reading.path])} has no option {name}")
                else:
                    reading.options.add((reading.path, option.name))
                    skip_value = not (option.is_flag or option.count)
        elif isinstance(command, click.Group):
            if word not in command.commands:
                reading.unknown.append(f"{' '.join([PROGRAM, *reading.path])} has no command {word}")
                break
            command = command.commands[word]
            reading.path += (word,)
    if isinstance(command, click.Group) and not command.invoke_without_command:  # `audit` alone lists
        reading.unknown.append(f"{' '.join([PROGRAM, *reading.path])} needs a command")
    return reading


def every_command(command: click.Command = cli, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from every_command(sub, (*path, name))


EXAMPLES = readme_examples()
READINGS = [read(example) for example in EXAMPLES]
DOCUMENTED_COMMANDS = {reading.path[:n] for reading in READINGS for n in range(len(reading.path) + 1)}
DOCUMENTED_OPTIONS = set().union(*(reading.options for reading in READINGS))
OPTIONS = [(path, option) for path, command in every_command() for option in command.params
           if isinstance(option, click.Option)]


def _name(path: tuple[str, ...], option: click.Option | None = None) -> str:
    return " ".join([PROGRAM, *path, *(["/".join(option.opts + option.secondary_opts)] if option else [])])


@pytest.mark.parametrize("path", [path for path, _ in every_command()], ids=lambda path: _name(path))
def test_every_command_is_documented_in_the_readme(path):
    assert path in DOCUMENTED_COMMANDS, f"README.md has no example of `{_name(path)}`"


# Options every command shares with the group (--db, given before or after the command): documented
# once before a command and once after one, not for each command.
SHARED = {option.name for option in cli.params if isinstance(option, click.Option)} & {
    option.name for path, command in every_command() if path and not isinstance(command, click.Group)
    for option in command.params}


@pytest.mark.parametrize(("path", "option"), OPTIONS, ids=[_name(path, option) for path, option in OPTIONS])
def test_every_option_is_documented_in_the_readme(path, option):
    if path and option.name in SHARED:
        assert any(p and name == option.name for p, name in DOCUMENTED_OPTIONS), \
            f"README.md shows no example of `{_name((), option)}` after a command"
        return
    assert (path, option.name) in DOCUMENTED_OPTIONS, f"README.md shows no example of `{_name(path, option)}`"


@pytest.mark.parametrize(("example", "reading"), list(zip(EXAMPLES, READINGS, strict=True)),
                         ids=[example.command for example in EXAMPLES])
def test_every_command_and_option_the_readme_shows_exists(example, reading):
    assert not reading.unknown, f"README.md: {example.line}: " + "; ".join(reading.unknown)


def test_the_examples_that_cannot_run_are_still_in_the_readme():
    assert set(NOT_RUN) <= {example.command for example in EXAMPLES}


def runnable(words: list[str]) -> list[str]:
    """The words that run: optional parts without placeholders kept, the first of each choice."""
    kept, group, depth = [], [], 0
    for word in words:
        if depth == 0 and word.startswith("["):
            group = []
        if depth or word.startswith("["):
            depth += word.count("[") - word.count("]")
            group.append(word)
            if depth == 0:
                group[0] = group[0][1:]
                group[-1] = group[-1][:-1]
                choices = [word.replace("[no-]", "").split("|")[0] for word in group]
                if not any(PLACEHOLDER.fullmatch(choice) for choice in choices):
                    kept += choices
        else:
            kept.append(word.split("|")[0])
    return kept


def test_the_readme_examples_run(tmp_path):
    """Every example runs, the set-up first, then the registrations, then in README order, on one database (or
    on the one it names with --db, a fresh file in the same folder)."""
    program = shutil.which(PROGRAM, path=str(Path(sys.executable).parent))
    if program is None:
        if os.environ.get("ARI_DESKTOP_TEST_INSTALLED"):
            pytest.fail(f"{PROGRAM} is not installed beside {sys.executable}")
        pytest.skip(f"{PROGRAM} is not installed beside {sys.executable}")
    env = {name: value for name, value in os.environ.items() if name != "ARI_DESKTOP_TOKEN"}  # `login`'s, below
    env = {**env, "ARI_DESKTOP_USER": "readme", "ARI_DESKTOP_SETTINGS": str(tmp_path / "settings.ini"),
           "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    database = ["--db", str(tmp_path / "readme.db")]
    order = sorted((pair for pair in zip(EXAMPLES, READINGS, strict=True) if pair[0].command not in NOT_RUN),
                   key=lambda pair: (not pair[0].set_up, pair[1].path != REGISTERS))
    failures = []
    for example, _ in order:
        words = runnable(example.words)
        own = ["--db", str(tmp_path / "demo.db")] if READINGS[EXAMPLES.index(example)].path == DEMO else database
        args = [program, *([] if "--db" in words else own), *words]
        done = subprocess.run(args, cwd=tmp_path, env={**env, **example.env}, capture_output=True, text=True,
                              timeout=120, input=example.stdin)
        if done.returncode != example.exit_code:
            failures.append(f"{example.line}\n  ran: {shlex.join([PROGRAM, *args[1:]])}\n"
                            f"  exit {done.returncode}, expected {example.exit_code}: {done.stderr.strip()}")
    assert not failures, "README examples that failed:\n" + "\n".join(failures)
