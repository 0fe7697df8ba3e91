"""Time per memory of the offline extractor, on the knowledge-quality set's texts.

    .venv/bin/python bench/extraction_speed.py                     # this checkout
    .venv/bin/python bench/extraction_speed.py --tree /tmp/base    # another checkout's extractor, same texts

To compare with a baseline, export the baseline's tree (`git archive <commit> |
tar -x -C /tmp/base`) and run both, alternating, in the same minutes; report
the medians and their ratio. Each text is extracted once to warm up (jieba's
dictionary loads on first use), then `--repeat` times; the figure is the
median over texts of each text's median time, and the total over all texts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parents[1]
SET = HERE / "tests" / "graph" / "knowledge_set"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, default=HERE, help="the checkout whose extractor is timed")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from apps.graph.extraction.offline import OfflineExtractor
    from apps.graph.extraction.types import SchemaSpec

    schema = SchemaSpec.build(["Entity", "Person", "Organization", "Location", "Concept", "Event", "Artifact"])
    items = [
        item
        for part in ("dev", "heldout", "heldout2")
        for item in yaml.safe_load((SET / f"{part}.yaml").read_text(encoding="utf-8"))
    ]
    extractor = OfflineExtractor()
    per_text = []
    for item in items:
        content_type = item.get("content_type", "text")
        extractor.extract(item["text"], content_type=content_type, schema=schema)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            extractor.extract(item["text"], content_type=content_type, schema=schema)
            times.append(time.perf_counter() - started)
        per_text.append(statistics.median(times))
    load = os.getloadavg()[0]
    print(
        f"{args.tree}: {len(items)} texts, median {statistics.median(per_text) * 1000:.2f} ms a text, "
        f"total {sum(per_text) * 1000:.0f} ms, load average {load:.1f}"
    )


if __name__ == "__main__":
    main()
