"""`policylang diff` output: text, markdown (a pull-request summary), GitHub annotations and JSON.

- text: one line per change (what, how, the rule before and after), each
  counter-example and reason below it;
- markdown: a heading, a one-line verdict, a table of changes and the
  counter-examples, for a PR comment or `$GITHUB_STEP_SUMMARY`;
- github: one workflow command per change on the HEAD line of the rule
  (`::warning` for what may loosen contact, `::notice` for the rest; a
  removed rule names BASE's file without a line);
- json: `{"base", "head", "may_loosen", "changes": [...], "renamed": [...],
  "effect": {...} or null}`, documented in docs/diff.md.

With `--data`, text, markdown and JSON add the simulated effect: sends before
and after, gained and lost per business unit and channel and per rule, and the
customers who gain the most contacts.
"""
from __future__ import annotations

import json

from ..render.github import escape_data, escape_property
from .compare import Change, Report
from .describe import rule_text, witness_json, witness_text
from .effect import Effect

def _where(change: Change, report: Report) -> tuple[str, int] | None:
    """(file, line) of the rule in HEAD, else BASE (line 0: a removed rule's line is gone)."""
    if change.head is not None:
        return report.head_path(change.head.span.file), change.head.span.line
    if change.base is not None:
        return report.base_path(change.base.span.file), 0
    return None


def _before_after(change: Change) -> tuple[str, str]:
    if change.detail:
        return ("", change.detail)
    before, after = rule_text(change.base) or "(none)", rule_text(change.head) or "(none)"
    if before == after:  # the rule reads the same: what changed is a segment or score it names
        after += " (a segment or score it uses changed)"
    return before, after


def _witnesses(change: Change, report: Report) -> list[tuple[str, str]]:
    """(what it proves, the witness in words)."""
    return [(proves, witness_text(w, base=f"BASE `{report.base}`", head=f"HEAD `{report.head}`"))
            for proves, w in (("loosens", change.loosening), ("tightens", change.tightening)) if w is not None]


def _verdict(report: Report) -> str:
    risky = [c for c in report.changes if c.may_loosen]
    if not report.changes:
        return "no change in what the policy decides"
    if not risky:
        return f"{len(report.changes)} change(s); none contacts anyone more"
    return (f"{len(risky)} of {len(report.changes)} change(s) may contact customers more "
            "(loosened, or not proved safe)")


def _effect_rows(effect: Effect) -> list[tuple[str, int, int]]:
    """(what, sends gained, sends lost): per business unit and channel, then per rule."""
    places = sorted(set(effect.gained) | set(effect.lost), key=str)
    rules = sorted(set(effect.gained_by_rule) | set(effect.lost_by_rule), key=str)
    return ([(f"{unit} / {channel}", effect.gained[(unit, channel)], effect.lost[(unit, channel)])
             for unit, channel in places]
            + [(f"rule {rule}", effect.gained_by_rule[rule], effect.lost_by_rule[rule]) for rule in rules])


def _effect_title(effect: Effect) -> str:
    change = effect.head_sends - effect.base_sends
    return (f"simulated effect {effect.start} to {effect.end}: {effect.base_sends} sends under BASE, "
            f"{effect.head_sends} under HEAD ({change:+d})")


def _effect_text(effect: Effect) -> list[str]:
    lines = [_effect_title(effect)]
    lines += [f"  {what}: +{gained} -{lost}" for what, gained, lost in _effect_rows(effect)]
    lines += [f"  customer {cid}: {old} -> {new} contacts" for cid, old, new in effect.customers]
    return lines


def _effect_markdown(effect: Effect) -> list[str]:
    lines = ["", f"#### {_cell(_effect_title(effect))}", ""]
    rows = _effect_rows(effect)
    if rows:
        lines += ["| where | sends gained | sends lost |", "| --- | ---: | ---: |"]
        lines += [f"| {_cell(what)} | {gained} | {lost} |" for what, gained, lost in rows]
    if effect.customers:
        lines += ["", "| customer | contacts under BASE | under HEAD |", "| --- | ---: | ---: |"]
        lines += [f"| {_cell(str(cid))} | {old} | {new} |" for cid, old, new in effect.customers]
    return lines


def _effect_json(effect: Effect | None) -> dict | None:
    if effect is None:
        return None
    return {"from": effect.start.isoformat(), "to": effect.end.isoformat(), "base_sends": effect.base_sends,
            "head_sends": effect.head_sends,
            "rows": [{"where": what, "gained": gained, "lost": lost} for what, gained, lost in _effect_rows(effect)],
            "customers": [{"customer_id": cid, "base_sends": old, "head_sends": new}
                          for cid, old, new in effect.customers]}


def render_text(report: Report) -> str:
    lines = [f"policy diff {report.base} -> {report.head}: {_verdict(report)}"]
    for change in report.changes:
        before, after = _before_after(change)
        where = _where(change, report)
        at = f" ({where[0]}:{where[1]})" if where and where[1] else f" ({where[0]})" if where else ""
        lines.append(f"{change.label}: {change.subject}{at}")
        lines.append(f"  {before} -> {after}" if before else f"  {after}")
        lines += [f"  {proves}: {text}" for proves, text in _witnesses(change, report)]
        if change.reason:
            lines.append(f"  not decided: {change.reason}")
    if report.effect is not None:
        lines += _effect_text(report.effect)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    lines = [f"### Policy diff: `{report.base}` → `{report.head}`", "", f"**{_verdict(report)}**", ""]
    if report.changes:
        lines += ["| what | change | before | after |", "| --- | --- | --- | --- |"]
        for change in report.changes:
            before, after = _before_after(change)
            lines.append(f"| `{_cell(change.subject)}` | {change.label} | "
                         f"{'`' + _cell(before) + '`' if before else ''} | `{_cell(after)}` |")
        proofs = [(change, proves, text) for change in report.changes for proves, text in _witnesses(change, report)]
        if proofs:
            lines += ["", "#### Counter-examples (confirmed by the reference interpreter)", ""]
            lines += [f"- `{_cell(change.subject)}` {proves}: {text}" for change, proves, text in proofs]
        undecided = [change for change in report.changes if change.reason]
        if undecided:
            lines += ["", "#### Not decided (a reviewer must judge these)", ""]
            lines += [f"- `{_cell(change.subject)}`: {change.reason}" for change in undecided]
    if report.effect is not None:
        lines += _effect_markdown(report.effect)
    return "\n".join(lines) + "\n"


def render_github(report: Report) -> str:
    out = []
    for change in report.changes:
        props = []
        where = _where(change, report)
        if where:
            props.append(("file", where[0]))
            if where[1]:
                props.append(("line", where[1]))
        props.append(("title", f"policy diff: {change.subject} {change.label}"))
        before, after = _before_after(change)
        text = [f"{change.label}: {before + ' -> ' if before else ''}{after}"]
        text += [f"{proves}: {words}" for proves, words in _witnesses(change, report)]
        text += [f"not decided: {change.reason}"] if change.reason else []
        command = "warning" if change.may_loosen else "notice"
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
        out.append(f"::{command} {joined}::{escape_data(chr(10).join(text))}\n")
    return "".join(out)


def report_json(report: Report) -> dict:
    def side(rule, path):
        if rule is None:
            return None
        return {"id": rule.id, "rule": rule_text(rule), "file": path(rule.span.file), "line": rule.span.line}

    return {
        "base": report.base,
        "head": report.head,
        "may_loosen": report.may_loosen,
        "changes": [{
            "subject": c.subject, "change": c.change, "effect": c.effect, "label": c.label, "may_loosen": c.may_loosen,
            "base": side(c.base, report.base_path), "head": side(c.head, report.head_path), "detail": c.detail,
            "loosening": c.loosening and witness_json(c.loosening),
            "tightening": c.tightening and witness_json(c.tightening), "reason": c.reason,
        } for c in report.changes],
        "renamed": [{"base": p.base.id, "head": p.head.id} for p in report.renamed],
        "effect": _effect_json(report.effect),
    }


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report_json(report), indent=2) + "\n"
    return {"text": render_text, "markdown": render_markdown, "github": render_github}[fmt](report)
