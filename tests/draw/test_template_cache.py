"""The compiled-template cache: where it lives, that it changes no byte of a figure, and that a
missing, unusable or damaged cache only means compiling again."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cellviz

render_module = sys.modules["cellviz.draw.render"]

pytestmark = pytest.mark.dot


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A new Jinja2 environment for the test (it reads the cache setting once), and another
    after it."""
    render_module.environment.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    render_module.environment.cache_clear()


def figure() -> str:
    return cellviz.render(cellviz.load("gru", input_size=3, hidden_size=2))


@pytest.fixture(scope="module")
def reference() -> str:
    render_module.environment.cache_clear()
    return figure()


def test_cold_and_warm_cache_give_the_same_bytes(fresh: pytest.MonkeyPatch, tmp_path: Path,
                                                   reference: str) -> None:
    cache = tmp_path / "deep" / "cache"
    fresh.setenv("CELLVIZ_CACHE_DIR", str(cache))
    assert figure() == reference  # compiled, then stored
    stored = sorted(p.name for p in cache.iterdir())
    assert len(stored) == 1 and stored[0].startswith("template-jinja")
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)
    render_module.environment.cache_clear()
    assert figure() == reference  # loaded from the cache
    assert sorted(p.name for p in cache.iterdir()) == stored


def test_a_damaged_cache_file_is_compiled_again(fresh: pytest.MonkeyPatch, tmp_path: Path,
                                                  reference: str) -> None:
    fresh.setenv("CELLVIZ_CACHE_DIR", str(tmp_path))
    figure()
    (stored,) = tmp_path.iterdir()
    good = stored.read_bytes()
    for damage in (good[:20], good[:8] + b"\x80\x05garbage", b"", good[:-40]):
        stored.write_bytes(damage)
        render_module.environment.cache_clear()
        assert figure() == reference


@pytest.mark.parametrize("where", ["a-file", "below-a-file"])
def test_an_unusable_cache_directory_is_ignored(fresh: pytest.MonkeyPatch, tmp_path: Path,
                                                reference: str, where: str) -> None:
    (tmp_path / "f").write_text("not a directory")
    target = tmp_path / "f" if where == "a-file" else tmp_path / "f" / "cache"
    fresh.setenv("CELLVIZ_CACHE_DIR", str(target))
    assert figure() == reference
    render_module.environment.cache_clear()
    assert figure() == reference
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_an_empty_setting_keeps_no_cache(fresh: pytest.MonkeyPatch, tmp_path: Path,
                                         reference: str) -> None:
    fresh.setenv("CELLVIZ_CACHE_DIR", "")
    fresh.setenv("HOME", str(tmp_path))
    fresh.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert render_module.cache_dir() is None
    assert figure() == reference
    assert list(tmp_path.iterdir()) == []


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CELLVIZ_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert render_module.cache_dir() == tmp_path / "xdg" / "cellviz"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # as the XDG specification says
    assert render_module.cache_dir() == tmp_path / ".cache" / "cellviz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert render_module.cache_dir() == tmp_path / ".cache" / "cellviz"


@pytest.mark.parametrize("kind", ["shared", "symlink"])
def test_a_cache_directory_others_could_write_is_not_used(
        fresh: pytest.MonkeyPatch, tmp_path: Path, reference: str, kind: str) -> None:
    """Compiled templates are code: a directory another user could write to (or a link,
    which could be pointed anywhere) would let them run code as whoever renders next."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    if kind == "shared":
        target = tmp_path / "shared"
        target.mkdir()
        target.chmod(0o777)
    else:
        target = tmp_path / "link"
        target.symlink_to(private, target_is_directory=True)
    fresh.setenv("CELLVIZ_CACHE_DIR", str(target))
    assert render_module.cache_dir() == target
    assert figure() == reference
    assert list(target.iterdir()) == [] and list(private.iterdir()) == []


def test_the_cache_file_names_the_jinja2_version_and_the_settings(
        fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import hashlib

    import jinja2

    fresh.setenv("CELLVIZ_CACHE_DIR", str(tmp_path))
    figure()
    settings = hashlib.sha1(Path(render_module.__file__).read_bytes()).hexdigest()[:12]
    (stored,) = tmp_path.iterdir()
    assert stored.name.startswith(f"template-jinja{jinja2.__version__}-{settings}-")
