"""`--fix` never loses a file: line endings, BOM, encoding cookie, permissions, symlinks,
read-only files, and nothing but the inserted or replaced lines change.
"""

from __future__ import annotations

import ast
import difflib
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from init_lint.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted((REPO / "fixtures").glob("*.py"))

MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.conv = nn.Conv2d(3, 8, 3, bias=False)

        def forward(self, x):
            return self.fc(x)
    """)


@pytest.fixture
def fix(tmp_path, monkeypatch, capsys):
    """`fix(path, *options)` runs `init-lint check --fix` in this process -> (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def call(path, *options):
        capsys.readouterr()
        code = main(["check", "--fix", "--no-cache", "--jobs", "1", *options, str(path)])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def changes(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes], list[tuple[str, list, list]]]:
    """Removed lines, added lines and the opcodes of a line diff (line endings included)."""
    matcher = difflib.SequenceMatcher(a=lines(before), b=lines(after), autojunk=False)
    removed, added, ops = [], [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed += lines(before)[i1:i2]
        added += lines(after)[j1:j2]
        ops.append((tag, lines(before)[i1:i2], lines(after)[j1:j2]))
    return removed, added, ops


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.startswith(".init-lint-")]


# ------------------------------------------------------------------ line endings and encodings


def test_crlf_stays_crlf(fix, tmp_path):
    path = tmp_path / "crlf.py"
    before = MODEL.replace("\n", "\r\n").encode()
    path.write_bytes(before)
    code, _, _ = fix(path)
    after = path.read_bytes()
    assert after != before and code == 0
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line ends in CRLF
    assert after.count(b"\r\n") > before.count(b"\r\n")
    removed, added, _ = changes(before, after)
    assert removed == []
    assert all(line.endswith(b"\r\n") for line in added)
    ast.parse(after)


def test_lf_stays_lf(fix, tmp_path):
    path = tmp_path / "lf.py"
    path.write_bytes(MODEL.encode())
    fix(path)
    assert b"\r" not in path.read_bytes()


def test_no_trailing_newline(fix, tmp_path):
    path = tmp_path / "m.py"
    before = MODEL.rstrip("\n").replace("        return self.fc(x)", "        return self.fc(x)  # end").encode()
    path.write_bytes(before)
    fix(path)
    after = path.read_bytes()
    removed, _, _ = changes(before, after)
    assert removed == [] or removed == [lines(before)[-1]]
    assert after.rstrip(b"\n").endswith(b"return self.fc(x)  # end")
    ast.parse(after)


def test_utf8_bom_kept(fix, tmp_path):
    path = tmp_path / "bom.py"
    before = b"\xef\xbb\xbf" + MODEL.replace("super().__init__()", "super().__init__()  # caf\xe9").encode("utf-8")
    path.write_bytes(before)
    code, _, _ = fix(path)
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and not after.startswith(b"\xef\xbb\xbf" * 2)
    assert "caf\xe9".encode("utf-8") in after
    # the BOM belongs to the file, not to its first line (`import math` may go above that line)
    removed, _, _ = changes(before[3:], after[3:])
    assert removed == []
    after.decode("utf-8")
    ast.parse(after)
    assert code == 0


def test_latin1_cookie_kept(fix, tmp_path):
    path = tmp_path / "latin.py"
    text = ('# -*- coding: latin-1 -*-\n"""Mod\xe8le \xe0 \xe9t\xe9 \xa9."""\n' + MODEL.replace(
        "self.fc = nn.Linear(3, 4)", "self.fc = nn.Linear(3, 4)  # caf\xe9 \xbd"))
    before = text.encode("latin-1")
    path.write_bytes(before)
    code, _, _ = fix(path)
    after = path.read_bytes()
    assert after != before and code == 0
    with pytest.raises(UnicodeDecodeError):
        after.decode("utf-8")  # still latin-1, not re-encoded to UTF-8
    assert after.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"Mod\xe8le \xe0 \xe9t\xe9 \xa9" in after and b"caf\xe9 \xbd" in after
    removed, added, _ = changes(before, after)
    assert removed == []
    assert all(line.isascii() for line in added)
    ast.parse(after)
    assert "kaiming_uniform_" in after.decode("latin-1")


def test_cp1252_cookie_kept(fix, tmp_path):
    path = tmp_path / "cp.py"
    before = ("# coding=cp1252\n# \u20ac price \u2019quoted\u2019\n" + MODEL).encode("cp1252")
    path.write_bytes(before)
    fix(path)
    after = path.read_bytes()
    assert b"\x80 price \x92quoted\x92" in after
    assert changes(before, after)[0] == []


def test_tab_indentation_kept(fix, tmp_path):
    path = tmp_path / "tabs.py"
    before = MODEL.replace("    ", "\t").encode()
    path.write_bytes(before)
    fix(path)
    after = path.read_bytes()
    removed, added, _ = changes(before, after)
    assert removed == []
    assert all(not line.startswith(b" ") for line in added)
    ast.parse(after)


# ------------------------------------------------------------------ file system


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o755, 0o664])
def test_permissions_kept(fix, tmp_path, mode):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.chmod(path, mode)
    fix(path)
    assert "kaiming_uniform_" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert no_temporary_files(tmp_path)


def test_symlink_target_fixed_link_stays_link(fix, tmp_path):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    target = real_folder / "model.py"
    target.write_text(MODEL)
    os.chmod(target, 0o640)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    code, _, _ = fix(link)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert "kaiming_uniform_" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert no_temporary_files(tmp_path)
    assert code == 0


def test_relative_symlink_in_folder_run(fix, tmp_path):
    (tmp_path / "pkg").mkdir()
    target = tmp_path / "pkg" / "model.py"
    target.write_text(MODEL)
    link = tmp_path / "pkg" / "alias.py"
    link.symlink_to("model.py")
    fix("pkg")
    assert link.is_symlink() and os.readlink(link) == "model.py"
    text = target.read_text()
    assert text.count("nn.init.kaiming_uniform_(self.fc.weight") == 1, text  # fixed once, not twice
    ast.parse(text)


def _drop_file_capabilities():
    """In the child: give up root's power to write any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).

    Dropped from the bounding set before exec, so the new program is root without them and file
    permissions apply to it, as they do to any user.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _permissions_apply() -> bool:
    """Whether a child run with _drop_file_capabilities (or as a normal user) is refused a 0o444 file."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return True
    with tempfile.NamedTemporaryFile() as probe:
        os.chmod(probe.name, 0o444)
        try:
            result = subprocess.run([sys.executable, "-c", "import os, sys; sys.exit(os.access(sys.argv[1], os.W_OK))",
                                     probe.name], preexec_fn=_drop_file_capabilities, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        return result.returncode == 0


PERMISSIONS_APPLY = _permissions_apply()
needs_permissions = pytest.mark.skipif(not PERMISSIONS_APPLY,
                                       reason="running as root and cannot drop CAP_DAC_OVERRIDE for the child")


def _run_restricted(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI, for which file permissions apply even when the tests run as root."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "init_lint", *args], cwd=folder, capture_output=True, timeout=120,
                          env=env, preexec_fn=_drop_file_capabilities if root else None)


@needs_permissions
def test_read_only_file_refused(tmp_path):
    path = tmp_path / "ro.py"
    path.write_text(MODEL)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    result = _run_restricted(tmp_path, "check", "--fix", "--no-cache", "ro.py")
    err = result.stderr.decode()
    assert result.returncode == 2, (result.stdout, err)
    assert "ro.py" in err and "read-only" in err and "nothing was changed" in err
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert no_temporary_files(tmp_path)
    # the findings are still reported
    assert result.stdout.count(b"INI001") == 2


@needs_permissions
def test_read_only_file_among_others(tmp_path):
    (tmp_path / "a.py").write_text(MODEL)
    ro = tmp_path / "ro.py"
    ro.write_text(MODEL)
    os.chmod(ro, 0o444)
    result = _run_restricted(tmp_path, "check", "--fix", "--no-cache", "a.py", "ro.py")
    assert result.returncode == 2
    assert "kaiming_uniform_" in (tmp_path / "a.py").read_text()
    assert ro.read_text() == MODEL


def _fix_in_locked_folder(tmp_path: Path) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "m.py"
    path.write_text(MODEL)
    os.chmod(folder, 0o555)
    try:
        result = _run_restricted(tmp_path, "check", "--fix", "--no-cache", "locked/m.py")
    finally:
        os.chmod(folder, 0o755)
    return result, path


@needs_permissions
def test_read_only_folder_loses_nothing(tmp_path):
    """The file is writable but its folder is not (no temporary file can be made): nothing is lost."""
    result, path = _fix_in_locked_folder(tmp_path)
    assert result.returncode == 2
    assert path.read_text() == MODEL
    assert no_temporary_files(tmp_path)


@needs_permissions
def test_read_only_folder_clear_error(tmp_path):
    result, path = _fix_in_locked_folder(tmp_path)
    err = result.stderr.decode()
    assert "m.py" in err and "nothing was changed" in err, (result.stdout, err)
    assert b"internal error" not in result.stdout
    assert result.stdout.count(b"INI001") == 2


def test_read_only_file_in_process(fix, tmp_path, monkeypatch):
    """The same refusal seen through os.access, whoever runs the tests."""
    path = tmp_path / "ro.py"
    path.write_text(MODEL)
    os.chmod(path, 0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: False if (m & os.W_OK and Path(p).name == "ro.py")
                        else real_access(p, m, **k))
    code, out, err = fix(path)
    assert code == 2
    assert "read-only" in err and "ro.py" in err
    assert path.read_text() == MODEL
    assert out.count("INI001") == 2


def test_diff_never_writes(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.chmod(path, 0o444)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--diff", "--no-cache", "m.py"]) == 1
    assert path.read_text() == MODEL
    assert no_temporary_files(tmp_path)


# ------------------------------------------------------------------ only inserted or replaced lines change


def _only_inserted(before: bytes, after: bytes) -> None:
    removed, added, _ = changes(before, after)
    assert removed == [], b"".join(removed).decode("utf-8", "replace")


def _replaced_lines_are_edits(before: bytes, after: bytes, style: str) -> None:
    """Every removed line was replaced: by its skip_init form, or (unsafe fixes) by a recipe."""
    _, _, ops = changes(before, after)
    for tag, old, new in ops:
        if tag == "insert":
            continue
        assert tag == "replace", (tag, old)
        assert len(new) >= len(old)
        for line in old:
            text = line.decode("utf-8", "replace")
            if style == "skip-init":
                # skip_init, or what it does for the classes it refuses (RNN/LSTM/GRU): meta, then to_empty
                assert any(b"skip_init(" in n or b".to_empty(" in n for n in new), (text, new)
            # the replaced statements are constructors (skip-init) or init calls (unsafe): never a
            # class, def, import or comment line
            stripped = text.strip()
            assert not stripped.startswith(("class ", "def ", "import ", "from ", "#", "return ")), text


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_diff_only_adds_or_replaces(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = path.read_bytes()
    for style, unsafe in (("explicit", False), ("skip-init", False), ("explicit", True)):
        copy = tmp_path / path.name
        copy.write_bytes(before)
        main(["check", "--fix", "--no-cache", "--jobs", "1", "--fix-style", style, str(copy)]
             + (["--unsafe-fixes"] if unsafe else []))
        capsys.readouterr()
        after = copy.read_bytes()
        ast.parse(after)
        if style == "explicit" and not unsafe:
            _only_inserted(before, after)
        else:
            _replaced_lines_are_edits(before, after, style)


# ------------------------------------------------------------------ issue 16: never lose what a user wrote


def _during_fix(monkeypatch, action):
    """Run `action(path)` while the fix of a file is being computed (after the file was read)."""
    from init_lint.fixes import apply

    real = apply.fix_source

    def fix_source(data, path, *args, **kwargs):
        action(Path(path))
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(apply, "fix_source", fix_source)


EDITED = MODEL.replace("self.fc = nn.Linear(3, 4)", "self.fc = nn.Linear(3, 5)  # the user's edit")


def test_an_edit_saved_while_fixing_is_not_overwritten(fix, tmp_path, monkeypatch):
    edited, other = tmp_path / "edited.py", tmp_path / "other.py"
    edited.write_text(MODEL)
    other.write_text(MODEL)
    _during_fix(monkeypatch, lambda p: p.name == "edited.py" and p.write_text(EDITED))
    code, out, err = fix(tmp_path)
    assert code == 2, (out, err)
    assert "edited.py: changed on disk while init-lint ran; fix skipped" in err
    assert edited.read_text() == EDITED
    assert "kaiming_uniform_" in other.read_text()  # the other files go on
    assert no_temporary_files(tmp_path)


def test_an_edit_saved_right_before_the_rename_is_not_overwritten(fix, tmp_path, monkeypatch):
    """The last look is taken after the temporary file is written, right before the rename."""
    from init_lint import files

    path = tmp_path / "m.py"
    path.write_text(MODEL)
    real = files.tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        made = real(*args, **kwargs)
        path.write_text(EDITED)
        return made

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)
    code, out, err = fix(path)
    assert code == 2
    assert "changed on disk" in err
    assert path.read_text() == EDITED
    assert no_temporary_files(tmp_path)


def test_an_edit_with_the_same_size_and_mtime_is_seen_by_its_hash(fix, tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    same_size = MODEL.replace("Linear(3, 4)", "Linear(3, 6)")

    def edit(p):
        info = p.stat()
        p.write_text(same_size)
        os.utime(p, ns=(info.st_atime_ns, info.st_mtime_ns))

    _during_fix(monkeypatch, edit)
    code, _, err = fix(path)
    assert code == 2 and "changed on disk" in err
    assert path.read_text() == same_size


def test_a_file_deleted_during_the_run_is_missing_not_read_only(fix, tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    _during_fix(monkeypatch, lambda p: p.unlink())
    code, _, err = fix(path)
    assert code == 2
    assert "m.py: the file is missing (deleted while init-lint ran)" in err
    assert "read-only" not in err
    assert not path.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="root's os.access says yes to anything")
def test_read_only_by_mode_bits_even_as_root(fix, tmp_path):
    path = tmp_path / "ro.py"
    path.write_text(MODEL)
    os.chmod(path, 0o444)
    assert os.access(path, os.W_OK)  # what the old guard asked, and root is always told yes
    code, out, err = fix(path)
    assert code == 2
    assert "ro.py: cannot write the fix (the file is read-only)" in err
    assert path.read_text() == MODEL
    assert out.count("INI001") == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_owner_and_group_are_kept(fix, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.chown(path, 4321, 8765)
    os.chmod(path, 0o664)
    code, _, err = fix(path)
    assert code == 0, err
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (4321, 8765)
    assert stat.S_IMODE(info.st_mode) == 0o664
    assert "kaiming_uniform_" in path.read_text()


def test_hard_links_stay_one_file(fix, tmp_path):
    """Several names for one file: written in place (after a verified backup), so every name sees the fix."""
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    other = tmp_path / "elsewhere"
    other.mkdir()
    twin = other / "same.py"
    os.link(path, twin)
    inode = path.stat().st_ino
    code, _, err = fix(path)
    assert code == 0, err
    assert path.stat().st_ino == inode == twin.stat().st_ino
    assert path.stat().st_nlink == 2
    assert "kaiming_uniform_" in twin.read_text()
    ast.parse(twin.read_text())
    assert no_temporary_files(tmp_path)


def test_hard_linked_file_edited_meanwhile_is_not_overwritten(fix, tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.link(path, tmp_path / "twin.py.bak")
    _during_fix(monkeypatch, lambda p: p.write_text(EDITED))
    code, _, err = fix(path)
    assert code == 2 and "changed on disk" in err
    assert path.read_text() == EDITED


def test_stale_temporaries_of_a_killed_run_are_removed(fix, tmp_path):
    old = time_now = __import__("time").time()
    stale = tmp_path / ".init-lint-ab12cd_9.tmp"
    fresh = tmp_path / ".init-lint-zz12cd_9.tmp"   # a run going on right now
    backup = tmp_path / ".init-lint-ab12cd_9.backup"  # the only copy left by a killed in-place write
    theirs = tmp_path / ".init-lint-notours.tmp"
    for path in (stale, fresh, backup, theirs):
        path.write_text("partial")
    link = tmp_path / ".init-lint-linkto12.tmp"
    link.symlink_to(tmp_path / "precious.txt")
    (tmp_path / "precious.txt").write_text("keep")
    old = time_now - 2 * 3600
    for path in (stale, backup, theirs):
        os.utime(path, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    (tmp_path / "m.py").write_text(MODEL)
    code, _, err = fix(tmp_path / "m.py")
    assert code == 0, err
    assert not stale.exists()
    assert fresh.exists() and backup.exists() and theirs.exists() and link.is_symlink()
    assert (tmp_path / "precious.txt").read_text() == "keep"


def test_a_symlink_out_of_the_checked_folder_is_not_rewritten(fix, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "model.py"
    target.write_text(MODEL)
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.py").symlink_to(target)
    (project / "own.py").write_text(MODEL)
    code, out, err = fix(project)
    assert code == 2
    assert "link.py: is a symlink to" in err and "outside the checked paths; fix skipped" in err
    assert target.read_text() == MODEL
    assert "kaiming_uniform_" in (project / "own.py").read_text()
    assert sum("link.py:" in line and "INI001" in line for line in out.splitlines()) == 2  # still reported
    # naming the target (or the link itself) is consent: then it is fixed
    code, _, err = fix(project / "link.py")
    assert code == 0, err
    assert "kaiming_uniform_" in target.read_text()


def test_stale_temporaries_are_removed_even_where_nothing_is_fixed(fix, tmp_path):
    """A --fix that reads a file of the folder cleans it, whether or not it writes there."""
    stale = tmp_path / ".init-lint-0123abcd.tmp"
    stale.write_text("partial")
    old = __import__("time").time() - 2 * 3600
    os.utime(stale, (old, old))
    (tmp_path / "clean.py").write_text("import torch\n")
    code, _, err = fix(tmp_path / "clean.py")
    assert code == 0, err
    assert not stale.exists()


def test_a_failed_in_place_write_restores_the_file(fix, tmp_path, monkeypatch):
    from init_lint import files

    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.link(path, tmp_path / "twin.py.keep")
    real_write = os.write
    calls = []

    def failing_write(fd, data):
        if os.fstat(fd).st_ino == path.stat().st_ino and not calls:
            calls.append(fd)
            real_write(fd, bytes(data)[:10])  # a partial write, then the disk is full
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(files.os, "write", failing_write)
    code, _, err = fix(path)
    assert code == 2
    assert "No space left on device" in err and "nothing was changed" in err
    assert path.read_text() == MODEL
    assert no_temporary_files(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_an_owner_that_a_rename_cannot_keep_means_an_in_place_write(fix, tmp_path, monkeypatch):
    """A group-writable file of another user, fixed by someone who may not chown: the fixed file keeps
    its inode, so its owner, instead of becoming the fixer's."""
    from init_lint import files

    path = tmp_path / "m.py"
    path.write_text(MODEL)
    os.chown(path, 4242, 4242)
    os.chmod(path, 0o664)
    inode = path.stat().st_ino

    def fchown(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "fchown", fchown)  # what a user without CAP_CHOWN gets
    code, _, err = fix(path)
    assert code == 0, err
    info = path.stat()
    assert (info.st_ino, info.st_uid, info.st_gid) == (inode, 4242, 4242)
    assert "kaiming_uniform_" in path.read_text()
    assert no_temporary_files(tmp_path)
