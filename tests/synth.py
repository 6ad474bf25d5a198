"""Synthetic but valid case sets of any size, for the benchmark and for scale checks.

`python -m tests.synth 10 DIR` writes ten case files into DIR. The companies are invented;
every fact cites the one invented source of its file.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

DIMENSIONS = ("base_weights", "released_weights", "weights_licence", "intermediate_checkpoints",
              "training_code", "inference_code", "architecture", "pretraining_data",
              "posttraining_data", "paper", "model_card", "compute", "access")
GRADES = ("open", "partial", "closed")
CATEGORIES = ("model", "funding", "strategy", "people", "pricing", "partnership", "product")
SYLLABLES = ("zen", "ko", "va", "ri", "lum", "tor", "qi", "nex", "sol", "mar", "da", "pho")
HANZI = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏"


def company(i: int, rng: random.Random) -> str:
    """Return the YAML text of synthetic company number `i`."""
    name = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() + f" {i:02d}"
    slug = f"synth-{i:02d}"
    zh = "".join(rng.choice(HANZI) for _ in range(4))
    year = rng.choice((2021, 2022, 2023))
    cite = "cite: [home], confidence: reported"
    lines = [
        "# yaml-language-server: $schema=../report/schema/case.schema.json",
        "format: 2",
        f"id: {slug}",
        f"name: {{en: {name}, zh: {zh}}}",
        "sources:",
        f"  - {{id: home, title: {name} newsroom, publisher: {name}, kind: primary,"
        f" url: 'https://{slug}.example/news'}}",
        "profile:",
        f"  founded: {{value: {year}-0{rng.randint(1, 9)}, {cite}}}",
        f"  headquarters: {{value: 'City {i}, China', {cite}}}",
        f"  founders: {{value: ['Founder {i}'], {cite}}}",
        "  funding_rounds:",
        f"    - {{id: series-a, date: {year + 1}, status: closed, round: Series A, amount: "
        f"{{amount: {rng.randint(1, 90)}0000000, currency: USD}}, {cite}}}",
        "strategy:",
        f"  positioning: {{value: 'Models for sector {i}', {cite}}}",
        "  business_lines:",
        f"    - {{id: api, name: API, kind: developer_api, launched: {year + 1}, {cite}}}",
        "team:",
        "  people:",
    ]
    for p in range(5):
        joined = f"{year}-0{rng.randint(1, 9)}"
        left = f", left: {year + 2}-0{rng.randint(1, 9)}" if rng.random() < 0.4 else ""
        lines.append(f"    - {{id: p{p}, name: {{en: Person {i}-{p}}}, role: Lead {p},"
                     f" level: {'founder' if p < 2 else 'head'},"
                     f" cofounder: {str(p < 2).lower()}, joined: {joined}{left}, {cite}}}")
    lines.append("pricing:")
    price = rng.uniform(1, 40)
    for k, start in enumerate((f"{year + 1}-03-01", f"{year + 2}-03-01", f"{year + 3}-03-01")):
        until = f", until: {year + 2 + k}-02-28" if k < 2 else ""
        lines.append(f"  - {{id: price-{k}, model: model-{k}, from: {start}{until}, currency: CNY,"
                     f" input: {price:.2f}, output: {price * 2:.2f}, {cite}}}")
        price /= rng.uniform(1.5, 4)
    lines.append("releases:")
    for r in range(2):
        lines += [f"  - id: m{r}", f"    name: {name.split()[0]}-{r + 1}",
                  f"    date: {year + 1 + r}-06", "    kind: chat",
                  f"    parameters: {{total_b: {rng.choice((7, 14, 34, 70))}}}",
                  f"    weights: {rng.choice(('open', 'none'))}", "    cite: [home]",
                  "    confidence: confirmed", "    scorecard:"]
        lines += [f"      {d}: {{grade: {rng.choice(GRADES)}, evidence: synthetic, cite: [home]}}"
                  for d in DIMENSIONS]
    lines.append("timeline:")
    for e in range(8):
        lines.append(f"  - {{id: event-{e}, date: {year + e // 3}-{1 + e % 12:02d}, category: "
                     f"{rng.choice(CATEGORIES)}, title: 'Event {e} of {name}', {cite}}}")
    return "\n".join(lines) + "\n"


RATES = """format: 2
sources:
  - {id: bank, title: Synthetic rates, publisher: Example Bank, kind: primary}
rates:
""" + "".join(f"  - {{id: usd-cny-{y}, period: {y}, base: USD, quote: CNY, rate: 7, "
              f"kind: annual-average, cite: [bank], confidence: confirmed}}\n"
              for y in range(2020, 2030))


def write_cases(n: int, folder: Path, seed: int = 7) -> list[Path]:
    """Write `n` synthetic case files into `folder` (and invented exchange rates); return
    the case files' paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exchange-rates.yaml").write_text(RATES, encoding="utf-8")
    paths = []
    for i in range(1, n + 1):
        path = folder / f"synth-{i:02d}.yaml"
        path.write_text(company(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    for written in write_cases(count, target):
        print(written)
