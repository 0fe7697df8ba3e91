"""Knowledge-quality figures of the offline extractor on the evaluation set in tests/graph/knowledge_set/.

    .venv/bin/python bench/extraction_quality.py                    # dev and the eight held-out parts
    .venv/bin/python bench/extraction_quality.py --misses           # also list what was missed or extra (dev only)
    .venv/bin/python bench/extraction_quality.py --misses=heldout   # ... of another part

Parts: dev and dev_chat (tuned against), heldout, heldout2 and heldout3 (tuned against in later rounds),
heldout4 (measured before the fifth round, seen since), heldout5 (measured before the sixth round,
seen since the seventh), heldout6 and heldout7 (written by someone who had not read the rules, tuned against since the end of the
seventh round), heldout8 (held out, written the same way).
Prints, per part and language group (en prose, zh prose, chat turns):
relationship pair precision / recall / F1 (direction right), how many found
pairs carry a right relation name, how many are only RELATED_TO, entity F1
and entity type accuracy; then recall per relation.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")
os.environ.setdefault("DEBUG", "true")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from apps.graph.extraction.offline import OfflineExtractor
    from tests.graph.knowledge_set.scoring import PARTS, load, score

    extractor = OfflineExtractor()
    shown = next((a.partition("=")[2] or "dev" for a in argv if a.startswith("--misses")), None)
    for part in PARTS:
        items = load(part)
        started = time.perf_counter()
        totals = score(items, extractor)
        took = time.perf_counter() - started
        print(f"\n== {part}: {len(items)} texts, {took:.2f} s")
        print(
            f"{'group':<6} {'facts':>5} {'P':>5} {'R':>5} {'F1':>5} {'named':>6} {'RELATED_TO':>10} {'ent F1':>6} {'type acc':>8}"
        )
        for group in ("en", "zh", "chat", "all"):
            t = totals.get(group)
            if t is None:
                continue
            print(
                f"{group:<6} {t.gold_pairs:>5} {t.precision:>5.2f} {t.recall:>5.2f} {t.f1:>5.2f} "
                f"{t.type_accuracy:>6.2f} {t.related_to:>10} {t.entity_f1:>6.2f} {t.entity_type_accuracy:>8.2f}"
            )
        relations = totals["all"].by_relation
        print("recall per relation: " + ", ".join(f"{r} {f}/{g}" for r, (f, g) in sorted(relations.items())))
        if part == shown:
            print("\n".join(totals["all"].misses))


if __name__ == "__main__":
    main(sys.argv[1:])
