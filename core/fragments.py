"""Keys for page fragments cached with `{% cache %}`, made of the data the fragment shows.

A dashboard still reads its figures on every visit (they are never stale), but drawing them
(the heat map's cells, the chart, the tables) costs more than reading them. The view hands the
template a key per fragment, the digest of exactly what the fragment shows; `{% cache %}` keeps
the drawn HTML under it. The same rows give the same key and so the same HTML; any changed value
gives a new key and a fresh drawing. There is nothing to invalidate: a fragment drawn from old
data is simply never asked for again, and expires.

The digest also covers the portal's own code and templates (read once per process), so a new
release never serves a fragment drawn by the previous one.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings

# Long enough to serve a busy morning from one drawing; a fragment nobody asks for again is
# dropped by then.
FRAGMENT_SECONDS = 60 * 60


def fragment_key(*data) -> str:
    """The digest of `data` (rows, model instances, dates, numbers: anything picklable) and of
    the portal's code and templates.

    Model instances pickle with their field values and the related rows selected with them, so a
    list of the fragment's records is its own key. Equal data pickles equally within a process; a
    difference elsewhere only costs a fresh drawing, never a wrong one.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_code_digest())
    digest.update(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """The digest of the portal's Python modules and templates (its apps and the project-wide
    template directories), which decide how data is drawn."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(directory) for engine in settings.TEMPLATES for directory in engine.get("DIRS", [])]
    roots += [Path(config.path) for config in apps.get_app_configs() if _is_own(Path(config.path), base)]
    digest = hashlib.blake2b(digest_size=16)
    for root in sorted(set(roots)):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".svg") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.digest()


def _is_own(path: Path, base: Path) -> bool:
    path = path.resolve()
    return path.is_relative_to(base) and not any(
        part.startswith(".") for part in path.relative_to(base).parts
    )
