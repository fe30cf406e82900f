"""Benchmark of `policylang check`'s analysis (issue 4, item 8): a generated policy set of
50 business units with 20 rules each, under a global file of 15 rules.

The set is drawn from one seed: every rule kind (flat and tiered caps over four
windows, spend caps, gaps, blocks, cool-downs, stops) on `marketing`, channels
and topics, conditions over ten attributes, unit segments and global scores,
and two campaigns per unit, so every analysis has work to do (z3 included).
Parsing and resolving are timed apart from the analysis, which is timed on its
first run in the process (z3 imported) and on later ones (each run builds its
own z3 encoding), in wall-clock and CPU time: on a shared machine the CPU time
is what the analysis costs, the wall-clock time what a user waits.

    python bench/bench_analyze.py                       # 50 units x 20 rules
    python bench/bench_analyze.py --units 5 --rules 5   # smoke size
    python bench/bench_analyze.py --write DIR           # also write the generated project

Figures (2 cores, Python 3.11.7, z3-solver 5.4.1, 2026-11-23, machine shared with other
runs at a load average of 4-6): 1,019 rules and 100 campaigns; parse and resolve
0.3 s; analysis 1.2-1.5 s of CPU, 1.8-2.2 s wall-clock, of which 0.06 s is
importing z3; 706 findings (a random set conflicts far more than a real one).
2026-12-05 (issue 15, AMD EPYC, load average 5-8): about 30 % more CPU than the
code before it, timed alternately (1.35 → 1.79 s at load 8); 770 findings. See
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ATTRIBUTES = {"loyalty_tier": "text", "last_purchase_at": "timestamp", "lifecycle_stage": "text",
              "industry": "text", "employees": "integer", "country": "text", "visits": "integer",
              "lifetime_value": "decimal", "app_user": "boolean", "nights": "integer"}
CHANNELS = ("email", "sms", "push", "direct_mail")
TOPICS = ("offers", "newsletter", "service")
WINDOWS = ("1 day", "2 days", "7 days", "30 days")
GLOBAL = """policy global
channels email, sms, push, direct_mail
topics offers, newsletter, service
consent email requires opt_in
consent sms requires opt_in
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
segment high_affinity: loyalty_tier in ("gold", "platinum")
segment dormant: days_since(last_purchase_at) > 365
segment cold_lead: lifecycle_stage = "lead" and score fit < 40
score fit {
  +20 when industry in ("travel", "hospitality")
  +15 when employees >= 100
  -10 when country is null
}
score engagement {
  +5 per email opened within 90 days
  +10 per email clicked within 90 days
  +25 per event "webinar_attended" within 180 days
}
block marketing for cold_lead as no_cold_leads
cap marketing 12 per 7 days as weekly_pressure
cap email per 7 days as email_weekly {
  high_affinity: 8
  dormant: 2
  otherwise: 5
}
cap sms 4 per 7 days as sms_weekly
cap push per 1 day as push_daily {
  app_user = true: 3
  otherwise: 1
}
cap direct_mail spend 25.00 per 365 days as mail_budget
cap marketing 30 per 30 days as monthly_pressure
gap email 1 day
gap sms 2 days
stop email after 8 unopened as email_fatigue
stop marketing after conversion as stop_after_conversion
cooldown marketing 30 days after event "complaint"
cooldown email topic offers 7 days after event "purchase" as quiet_after_purchase
block sms for country is null as sms_needs_country
honor preferences
"""


def condition(rng: random.Random, segments: list[str]) -> str:
    atoms = [
        f'loyalty_tier = "{rng.choice(("gold", "silver", "bronze", "platinum"))}"',
        f"days_since(last_purchase_at) {rng.choice(('>', '<=', '>='))} {rng.choice((30, 90, 180, 365))}",
        f"visits >= {rng.randint(1, 20)}",
        f"nights {rng.choice(('>', '<'))} {rng.randint(0, 30)}",
        f"lifetime_value >= {rng.randint(100, 9000)}.{rng.randint(0, 99):02d}",
        f"app_user = {rng.choice(('true', 'false'))}",
        "country is null", f"score engagement >= {rng.randint(5, 60)}", "score fit < 40",
        *segments, *segments,
    ]
    parts = [rng.choice(atoms) for _ in range(rng.randint(1, 3))]
    text = f" {rng.choice(('and', 'or'))} ".join(parts)
    return f"not ({text})" if rng.random() < 0.15 else text


def selector(rng: random.Random) -> str:
    channel = rng.choice(("marketing",) + CHANNELS)
    return f"{channel} topic {rng.choice(TOPICS)}" if rng.random() < 0.25 else channel


def unit_rule(rng: random.Random, name: str, segments: list[str]) -> str:
    kind = rng.choice(("cap", "cap", "cap", "tiered", "tiered", "spend", "gap", "block", "block", "cooldown", "stop"))
    sel, window = selector(rng), rng.choice(WINDOWS)
    if kind == "cap":
        return f"cap {sel} {rng.randint(1, 6)} per {window} as {name}"
    if kind == "tiered":
        branches = [f"  {condition(rng, segments)}: {rng.randint(1, 6)}" for _ in range(rng.randint(1, 3))]
        branches += [f"  otherwise: {rng.randint(1, 6)}"] if rng.random() < 0.7 else []
        return "\n".join([f"cap {sel} per {window} as {name} {{", *branches, "}"])
    if kind == "spend":
        return f"cap {sel} spend {rng.randint(5, 40)}.00 per {rng.choice(('30 days', '90 days', '365 days'))} as {name}"
    if kind == "gap":
        return f"gap {sel} {window} as {name}"
    if kind == "block":
        return f"block {sel} {rng.choice(('for', 'unless'))} {condition(rng, segments)} as {name}"
    if kind == "cooldown":
        return f'cooldown {sel} {window} after event "{rng.choice(("complaint", "purchase"))}" as {name}'
    return f"stop {sel} after {rng.randint(2, 9)} unopened as {name}"


def unit_file(rng: random.Random, unit: str, rules: int) -> str:
    segments = [f"{unit}_s{i}" for i in range(3)]
    lines = [f"policy business_unit {unit}"]
    lines += [f"segment {name}: {condition(rng, segments[:i])}" for i, name in enumerate(segments)]
    lines += [unit_rule(rng, f"r{i}", segments) for i in range(rules)]
    for c in range(2):
        days = sorted(rng.sample(range(0, 15), rng.randint(2, 4)))
        stages = [f"  stage s{i}: {rng.choice(CHANNELS)} day {day}" for i, day in enumerate(days)]
        lines += [f"campaign c{c} {{", *stages, "}"]
    return "\n".join(lines) + "\n"


def generate(units: int, rules: int, seed: int) -> tuple[dict[str, str], str]:
    """({file name: policy text}, policylang.yaml text)."""
    rng = random.Random(seed)
    names = [f"unit{i:02d}" for i in range(units)]
    texts = {"global.policy": GLOBAL} | {f"{u}.policy": unit_file(rng, u, rules) for u in names}
    config = "policies: .\nbusiness_units: [" + ", ".join(names) + "]\nattributes:\n" + "".join(
        f"  {a}: {t}\n" for a, t in ATTRIBUTES.items())
    return texts, config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--rules", type=int, default=20)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs")
    parser.add_argument("--write", type=Path, help="write the generated project to this folder")
    args = parser.parse_args(argv)

    from policylang.config import Config
    from policylang.project import load_texts

    texts, config_text = generate(args.units, args.rules, args.seed)
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        (args.write / "policylang.yaml").write_text(config_text, encoding="utf-8")
        for name, text in texts.items():
            (args.write / name).write_text(text, encoding="utf-8")
    config = Config(root=Path("."), business_units=tuple(f"unit{i:02d}" for i in range(args.units)),
                    policies=".", attributes=dict(ATTRIBUTES))
    started = time.perf_counter()
    project = load_texts(texts, config)
    loaded = time.perf_counter() - started
    if project.policy is None:
        print("the generated project does not resolve:", *[d.message for d in project.diagnostics[:5]], sep="\n  ")
        return 1
    from policylang.analyze import analyze

    started, cpu = time.perf_counter(), time.process_time()
    findings = analyze(project.policy)
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        analyze(project.policy)
        warm.append(time.perf_counter() - started)
        warm_cpu.append(time.process_time() - cpu)
    rules = len(project.policy.rules)
    print(f"{args.units} units x {args.rules} rules: {rules} resolved rules (consent included), "
          f"{len(project.policy.campaigns)} campaigns")
    print(f"parse and resolve: {loaded:.2f} s")
    print(f"analysis, first run (z3 imported): {cold:.2f} s ({cold_cpu:.2f} s of CPU)")
    print(f"analysis, later runs: median {statistics.median(warm):.2f} s ({statistics.median(warm_cpu):.2f} s of CPU) "
          f"of {args.repeat}")
    print(f"machine load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print("findings:", ", ".join(f"{code} x{n}" for code, n in sorted(Counter(f.code for f in findings).items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
