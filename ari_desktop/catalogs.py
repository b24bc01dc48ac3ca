"""The maintainer's commands for the catalogs (Babel, a test/maintainer dependency, not a run-time one):

    python -m ari_desktop.catalogs update   # extract the marked strings, update es and ca, compile the .mo files
    python -m ari_desktop.catalogs check    # list what is untranslated or fuzzy (exit 1 if anything is)

`update` reads every `_()`, `N_()`, `Nn_()`, `ngettext()` and `pgettext()` of ari_desktop/**.py and every translatable
`<string>` of ui/*.ui into resources/locale/ari_desktop.pot, merges it into each language's .po (new entries
empty, obsolete ones dropped), writes them sorted and without line numbers (so two branches that add strings
rarely conflict), and compiles each .mo beside its .po. Run from a source checkout: it writes the repository.
"""

from __future__ import annotations

import sys
import xml.parsers.expat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE
from .paths import shipped

PACKAGE = Path(__file__).resolve().parent
# The catalogs and the forms where the app reads them: the repository's top-level folders in a source checkout,
# inside the package once installed (pyproject.toml), so that the tests check an installed package too.
LOCALE = Path(str(shipped("resources"))) / "locale"
UI = Path(str(shipped("ui")))
POT = LOCALE / f"{DOMAIN}.pot"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
# Babel's CLDR rule gives Spanish and Catalan a third form for millions; gettext tools and translators
# expect the classic two (singular for 1, plural otherwise), which is all the app's counts need.
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);", "ca": "nplurals=2; plural=(n != 1);"}
KEYWORDS = parse_keywords(["_", "N_", "Nn_:1,2", "ngettext:1,2", "pgettext:1c,2"])
COMMENT_TAGS = ["Translators:"]
PROJECT = "ARI Desktop"
VERSION = "0.1"
BUGS = "the ARI0002h trial unit"


def _header(language: str) -> str:
    return (f"# ARI Desktop's messages: {language}.\n"
            "# Written in English in the sources; resources/locale/glossary.md has the clinical terms.\n"
            "# Keep {fields} and mark-up such as <b> exactly as they are.\n#")


def _new_catalog(lang: str | None, created: datetime | None) -> Catalog:
    language = LANGUAGES[lang] if lang else "the template every language is translated from"
    return Catalog(locale=lang, domain=DOMAIN, header_comment=_header(language), project=PROJECT, version=VERSION,
                   copyright_holder=PROJECT, msgid_bugs_address=BUGS, creation_date=created, revision_date=created,
                   last_translator=f"{PROJECT} unit" if lang else None,
                   language_team=f"{language} ({PROJECT})" if lang else None, fuzzy=False, charset="utf-8")


def extract_ui(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for Qt Designer forms: each `<string>` not marked notr="true", with its `comment`
    (Qt's disambiguation) as the message context and its `extracomment` for the translator."""
    found: list[tuple] = []
    open_string: dict | None = None

    def start(name, attributes):
        nonlocal open_string
        if name == "string" and attributes.get("notr") != "true":
            open_string = {"line": parser.CurrentLineNumber, "attributes": attributes, "text": []}

    def text(data):
        if open_string is not None:
            open_string["text"].append(data)

    def end(name):
        nonlocal open_string
        if name == "string" and open_string is not None:
            message = "".join(open_string["text"])
            attributes = open_string["attributes"]
            if message.strip():
                comments = [attributes["extracomment"]] if "extracomment" in attributes else []
                if "comment" in attributes:
                    found.append((open_string["line"], "pgettext", (attributes["comment"], message), comments))
                else:
                    found.append((open_string["line"], "_", message, comments))
            open_string = None

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end
    parser.ParseFile(fileobj)
    yield from found


def extract() -> Catalog:
    """Every marked message of the sources and forms, as a template."""
    template = _new_catalog(None, None)
    sources = [("python", path, path.relative_to(PACKAGE.parent).as_posix()) for path in sorted(PACKAGE.rglob("*.py"))]
    sources += [(extract_ui, path, f"ui/{path.name}") for path in sorted(UI.glob("*.ui"))]
    for method, path, where in sources:
        for line, message, comments, context in extract_from_file(method, path, KEYWORDS, COMMENT_TAGS,
                                                                  strip_comment_tags=True):
            template.add(message, None, [(where, line)], auto_comments=comments, context=context)
    return template


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=120, sort_output=True, ignore_obsolete=True, include_lineno=False)


def compiled(catalog: Catalog) -> bytes:
    """The .mo of `catalog` (untranslated and fuzzy entries left out: gettext then shows the English)."""
    import io

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    template = extract()
    # The dates stay put unless the messages change, so an update without news changes no file.
    created = datetime.now().astimezone()
    if POT.exists():
        old = read(POT)
        if [(m.id, m.context) for m in old if m.id] == [(m.id, m.context) for m in template if m.id]:
            created = old.creation_date
    template.creation_date = template.revision_date = created
    _write(template, POT)
    for lang in TRANSLATED:
        path = po_path(lang)
        if path.exists():
            catalog = read(path, lang)
            catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        else:
            catalog = _new_catalog(lang, template.creation_date)
            catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.mime_headers = [(name, PLURAL_FORMS[lang] if name == "Plural-Forms" else value)
                                for name, value in catalog.mime_headers]
        _write(catalog, path)
        path.with_suffix(".mo").write_bytes(compiled(read(path, lang)))


def problems(lang: str) -> list[tuple[str, str]]:
    """(message, why) for each entry of `lang` that is not ready: untranslated, fuzzy, or not in the catalog
    at all (the sources mark it but `update` was not run)."""
    catalog = read(po_path(lang), lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append((_singular(message), "fuzzy"))
        elif not all(translations):
            found.append((_singular(message), "untranslated"))
    known = {(m.id, m.context) for m in catalog}
    for message in extract():
        if message.id and (message.id, message.context) not in known:
            found.append((_singular(message), "not in the catalog (run: python -m ari_desktop.catalogs update)"))
    return found


def _singular(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def check() -> int:
    failed = False
    for lang in TRANSLATED:
        listed = problems(lang)
        failed = failed or bool(listed)
        print(f"{lang}: {len(listed)} entries not ready" if listed else f"{lang}: complete")
        for text, why in listed:
            print(f"  {why}: {text!r}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["update"]:
        update()
        return 0
    if argv == ["check"]:
        return check()
    print("usage: python -m ari_desktop.catalogs update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
