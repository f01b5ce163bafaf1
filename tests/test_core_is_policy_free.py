"""No jurisdiction's name, number or rule lives under core/: policy belongs in plugins/ and tenants/."""
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"
NAMES = ["共和新路", "晋江", "海园", "普陀", "静安", "泉州", "gonghexinlu", "jinjiang", "haiyuan", "putuo", "jingan"]
SCANNED = {".py", ".html", ".txt", ".md", ".js", ".css", ".yaml", ".json"}


def jurisdiction_names_in(root: Path) -> list[str]:
    """Every "file: name" where a file under ``root`` names a jurisdiction."""
    offenders = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in SCANNED:
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            offenders += [f"{path.relative_to(root)}: {n}" for n in NAMES if n.lower() in text]
    return offenders


def test_core_names_no_jurisdiction():
    assert jurisdiction_names_in(CORE) == []


def test_the_scan_finds_a_planted_name_in_any_scanned_kind_of_file(tmp_path):
    # Guard against a check that cannot fail: the very scan above, on a tree with planted names.
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "x.py").write_text("LIMIT = 5000  # 共和新路\n", encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>JinJiang</p>\n", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"haiyuan")  # not a scanned kind
    assert jurisdiction_names_in(tmp_path) == ["page.html: jinjiang", "services/x.py: 共和新路"]
