"""Korean is the default language, English is one click (or one header) away, and the
Korean catalogue is complete."""

from __future__ import annotations

import fcntl
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed

HANGUL = re.compile("[\uac00-\ud7a3]")
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sd]|%[sd]|<[^>]+>")


def _catalogue(language: str, suffix: str = "po") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"django.{suffix}"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the .mo files if they are missing or older than the .po files.

    `make test` compiles them beforehand; this keeps the module runnable on its own.
    The lock keeps parallel pytest-xdist workers from compiling at the same time.
    """

    def stale() -> bool:
        for language in ("ko", "en"):
            po, mo = _catalogue(language), _catalogue(language, "mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                return True
        return False

    if not stale():
        return
    lock_path = tmp_path_factory.getbasetemp().parent / "hybridmd-compilemessages.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if stale():
                call_command("compilemessages", ignore_patterns=[".venv", "var"], verbosity=0)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    # Forget any catalogue loaded before the .mo files existed.
    translation_file_changed(sender=None, file_path=_catalogue("ko", "mo"))


# --- a small .po reader (polib is not a dependency) -----------------------------------


@dataclass
class Entry:
    """One message: its strings by keyword (msgctxt, msgid, msgid_plural, msgstr[n])."""

    line: int
    strings: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def msgid(self) -> str:
        return self.strings.get("msgid", "")

    @property
    def msgid_plural(self) -> str | None:
        return self.strings.get("msgid_plural")

    @property
    def msgctxt(self) -> str | None:
        return self.strings.get("msgctxt")

    @property
    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.strings.items() if k.startswith("msgstr")}

    @property
    def translations(self) -> list[str]:
        return list(self.msgstrs.values())

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def _unquote(literal: str) -> str:
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ValueError(f"not a quoted string: {literal!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: str | None = None  # the keyword the last string line belonged to

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        match = _KEYWORD.match(line)
        starts_entry = line.startswith("#") or bool(match and match[1] in ("msgctxt", "msgid"))
        # An entry ends at a blank line or where the next one starts after its msgstr.
        if not line or (starts_entry and key is not None and key.startswith("msgstr")):
            if current is not None and key is not None:
                entries.append(current)
            current, key = None, None
        if not line:
            continue
        current = current or Entry(line=number)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue
        elif match:
            key = match[1]
            current.strings[key] = _unquote(match[2])
        elif key is not None and line.startswith('"'):
            current.strings[key] += _unquote(line)
        else:
            raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
    if current is not None and key is not None:
        entries.append(current)
    return entries


def test_po_parser_handles_multiline_plural_and_context(tmp_path: Path) -> None:
    po = tmp_path / "sample.po"
    po.write_text(
        "\n".join(
            [
                "#, fuzzy",
                'msgid ""',
                'msgstr ""',
                '"Language: ko\\n"',
                "#: a.py:1",
                "#, python-format",
                'msgid ""',
                '"first part "',
                '"second \\"part\\""',
                'msgstr "번역"',
                'msgctxt "menu"',
                'msgid "one file"',
                'msgid_plural "%(n)s files"',
                'msgstr[0] ""',
                "",
                '#~ msgid "gone"',
                '#~ msgstr "사라짐"',
            ]
        ),
        encoding="utf-8",
    )
    header, multi, plural = parse_po(po)
    assert header.is_header
    assert "fuzzy" in header.flags
    assert multi.msgid == 'first part second "part"'
    assert multi.flags == {"python-format"}
    assert multi.translations == ["번역"]
    assert plural.msgctxt == "menu"
    assert plural.msgid_plural == "%(n)s files"
    assert plural.msgstrs == {"msgstr[0]": ""}


# --- the catalogues ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def korean_entries() -> list[Entry]:
    entries = [entry for entry in parse_po(_catalogue("ko")) if not entry.is_header]
    assert len(entries) > 100, "the Korean catalogue looks truncated"
    return entries


def test_korean_catalogue_has_no_untranslated_entries(korean_entries: list[Entry]) -> None:
    untranslated = [
        entry.msgid
        for entry in korean_entries
        if not entry.translations or not all(text.strip() for text in entry.translations)
    ]
    assert untranslated == []


def test_korean_catalogue_has_no_fuzzy_entries() -> None:
    fuzzy = [
        entry.msgid or "(header)" for entry in parse_po(_catalogue("ko")) if "fuzzy" in entry.flags
    ]
    assert fuzzy == []


def test_korean_translations_keep_placeholders_and_markup(korean_entries: list[Entry]) -> None:
    broken = [
        entry.msgid
        for entry in korean_entries
        for text in entry.translations
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert broken == []


def test_english_catalogue_translates_korean_source_strings() -> None:
    missing = [
        entry.msgid
        for entry in parse_po(_catalogue("en"))
        if not entry.is_header
        and HANGUL.search(entry.msgid)
        and not all(text.strip() for text in entry.translations)
    ]
    assert missing == []


# --- the pages ------------------------------------------------------------------------


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_landing_page_is_korean_by_default(client, db) -> None:
    html = _html(client.get("/"))
    assert '<html lang="ko">' in html
    assert "AI가 판독하고, 의사가 한 번 더 확인합니다." in html
    assert "로그인" in html
    assert "Sign in" not in html


def test_landing_page_follows_accept_language(client, db) -> None:
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in html
    assert "AI reads. Physicians double-check." in html
    assert "Sign in" in html
    assert "로그인" not in html


def test_language_switch_is_remembered(client, db) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    html = _html(client.get("/"))
    assert '<html lang="en">' in html
    assert "Join as a physician" in html

    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="ko">' in html, "the chosen language outranks the browser's"
    assert "의사 회원 가입" in html


def test_signup_page_has_korean_labels_by_default(client, db) -> None:
    html = _html(client.get("/accounts/signup/"))
    assert '<html lang="ko">' in html
    for label in (
        "의사 면허번호",
        "면허 증빙",
        "성명 (실명)",
        "일반의 (전문과목 없음)",
        "인증 신청",
    ):
        assert label in html
    assert "Medical licence number" not in html
    assert "Proof of licence" not in html
