"""Files uploaded on the data page: checked, written into the inbox whole (a run never sees
half a file), audited; the next pipeline run loads them like any file in the inbox."""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.ingest.read import SUPPORTED_SUFFIXES
from pipelines.ops import accounts
from pipelines.settings import Settings


@dataclass(frozen=True)
class Upload:
    name: str
    size: int
    error_zh: str | None = None
    error_en: str | None = None


def safe_name(name: str) -> str:
    """The file's own name only (no folders), without control characters, not hidden."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f]", "", base).strip().lstrip(".~$")
    return base[:150]


def save_upload(
    settings: Settings,
    name: str,
    data_url: str,
    by: str,
    ip: str | None = None,
    *,
    reapply: bool = False,
) -> Upload:
    """Decode a browser upload (a data: URL) and put it into the inbox under a name no other
    waiting file has (a second 报表.xlsx is kept as 报表_2.xlsx). A refused upload is audited
    with its reason. With `reapply` the run loads it even if identical content was loaded
    before (the request is audited as reapply)."""
    result = _checked(settings, name, data_url)
    if isinstance(result, Upload):
        accounts.audit(settings, by, "upload_refused", result.name, result.error_en, ip)
        return result
    clean, content = result
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    tmp = settings.inbox_dir / f".upload-{os.getpid()}-{clean}"
    tmp.write_bytes(content)
    stem, suffix = Path(clean).stem, Path(clean).suffix
    for n in itertools.count(1):
        target = settings.inbox_dir / (clean if n == 1 else f"{stem}_{n}{suffix}")
        if target.exists():
            continue
        if reapply:  # listed before the file appears: a run never sees it without the request
            _append(settings.inbox_dir / REAPPLY, target.name)
        try:  # a hard link never replaces an existing file: the first free name wins
            os.link(tmp, target)
            break
        except FileExistsError:
            continue
    tmp.unlink()
    _append(settings.inbox_dir / MANIFEST, target.name)
    accounts.audit(settings, by, "upload", target.name, f"bytes={len(content)}", ip)
    if reapply:
        accounts.audit(settings, by, "reapply", target.name, "upload", ip)
    return Upload(target.name, len(content))


# The inbox's list of files that came through the data page (hidden: not read as data), and
# of those an administrator asked to re-apply.
MANIFEST = ".uploads"
REAPPLY = ".reapply"


def reapply_requested(inbox: Path) -> frozenset[str]:
    """Names of the inbox's files to load even if identical content was loaded before."""
    try:
        return frozenset(n for n in (inbox / REAPPLY).read_text(encoding="utf-8").splitlines() if n)
    except FileNotFoundError:
        return frozenset()


def clear_processed(settings: Settings, processed: list[str]) -> list[str]:
    """Remove the uploaded files a run has processed (loaded, skipped or refused with its
    reason in the report) from the inbox: deleted, or with REHAB_MONITOR_KEEP_UPLOADS=1 moved
    to DATA_DIR/uploads. Files put into the inbox by other means stay. Returns the names."""
    manifest = settings.inbox_dir / MANIFEST
    if not manifest.exists():
        return []
    uploaded = [n for n in manifest.read_text(encoding="utf-8").splitlines() if n]
    done = [n for n in dict.fromkeys(uploaded) if n in set(processed)]
    for name in done:
        path = settings.inbox_dir / name
        if not path.exists():
            continue
        if settings.keep_uploads:
            kept = settings.data_dir / "uploads"
            kept.mkdir(mode=0o700, exist_ok=True)
            os.replace(path, kept / f"{datetime.now():%Y%m%d-%H%M%S}-{name}")
        else:
            path.unlink()
    _keep_only(manifest, [n for n in uploaded if n not in set(done)])
    again = settings.inbox_dir / REAPPLY
    if again.exists():
        _keep_only(again, sorted(reapply_requested(settings.inbox_dir) - set(processed)))
    return done


def _append(manifest: Path, name: str) -> None:
    with manifest.open("a", encoding="utf-8") as f:
        f.write(name + "\n")


def _keep_only(manifest: Path, names: list[str]) -> None:
    tmp = manifest.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    os.replace(tmp, manifest)


def _checked(settings: Settings, name: str, data_url: str) -> tuple[str, bytes] | Upload:
    """(safe name, content) of an acceptable upload, or the refused Upload with its reason."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if not clean or suffix not in SUPPORTED_SUFFIXES:
        return Upload(clean or str(name)[:150], 0, "不支持的文件类型，请上传 CSV、Excel 或 Parquet 文件",
                      "unsupported file type: upload CSV, Excel or Parquet files")  # fmt: skip
    try:
        content = base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        return Upload(clean, 0, "文件内容无法读取", "the file content could not be read")
    limit = settings.upload_mb * 1024 * 1024
    if len(content) > limit:
        return Upload(clean, len(content), f"文件超过{settings.upload_mb}MB上限",
                      f"the file exceeds the {settings.upload_mb} MB limit")  # fmt: skip
    if not content:
        return Upload(clean, 0, "文件为空", "the file is empty")
    return clean, content
