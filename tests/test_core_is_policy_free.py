"""No jurisdiction's name, number or rule lives under core/: policy belongs in plugins/ and tenants/."""
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"
NAMES = ["共和新路", "晋江", "海园", "普陀", "静安", "泉州", "gonghexinlu", "jinjiang", "haiyuan", "putuo", "jingan"]


def test_core_names_no_jurisdiction():
    offenders = []
    for path in CORE.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".html", ".txt", ".md", ".js", ".css", ".yaml", ".json"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(CORE.parent)}: {n}" for n in NAMES if n.lower() in text.lower()]
    assert offenders == []


def test_the_check_would_notice_a_name(tmp_path):
    # Guard against a check that cannot fail: the same scan finds a planted name.
    planted = tmp_path / "x.py"
    planted.write_text("# 共和新路\n", encoding="utf-8")
    assert any(n in planted.read_text(encoding="utf-8") for n in NAMES)
