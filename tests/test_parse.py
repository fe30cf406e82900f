"""The parser: every statement form to its syntax tree, precedence, spans, every
syntax finding (PL100-PL105) at its exact location, recovery after errors, and
no exception on any input."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lark import Lark

from policylang.grammar import GRAMMAR_FILE
from policylang.source import Span
from policylang.syntax import ast
from policylang.syntax.build import MAX_NESTING, AstBuilder
from policylang.syntax.lexer import GrammarLexer
from policylang.syntax.parse import cache_file, parse_bytes, parse_file, reserved_words
from strategies.policies import policy_files, policy_sets
from spec_example import SPEC_CRUISES, SPEC_GLOBAL

DESIGN = Path(__file__).parents[1] / "docs" / "design.md"



BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- helpers: nodes written by hand (spans do not take part in equality) --------

def N(value):
    return ast.Name(value)


def num(text):
    return ast.Number(Decimal(text), text)


def S(value):
    return ast.String(value)


def days(n):
    return ast.Duration(num(str(n)), "day")


EMAIL = ast.Selector(N("email"), None)
MARKETING = ast.Selector(None, None)


def ref(name):
    return ast.SegmentRef(N(name))


def parse_ok(text: str) -> ast.PolicyFile:
    pf, diagnostics = parse_file("t.policy", text)
    assert diagnostics == []
    return pf


def statement(line: str):
    """The one statement of `policy global` followed by `line`."""
    (only,) = parse_ok("policy global\n" + line + "\n").statements
    return only


def cond(text: str):
    return statement(f"segment s: {text}").condition


def errors(text: str) -> list[tuple[str, int, int, int, int, str]]:
    _, diagnostics = parse_file("t.policy", text)
    return [(d.code, d.span.line, d.span.col, d.span.end_line, d.span.end_col, d.message) for d in diagnostics]


def only_error(text: str):
    (found,) = errors(text)
    return found


# --- statements ----------------------------------------------------------------

def test_headers():
    assert parse_ok("policy global\n").header == ast.Header(None)
    assert parse_ok("policy business_unit cruises").header == ast.Header(N("cruises"))


@pytest.mark.parametrize("line, expected", [
    ("channels email, sms, direct_mail", ast.Channels((N("email"), N("sms"), N("direct_mail")))),
    ("topics offers", ast.Topics((N("offers"),))),
    ("consent email requires opt_in", ast.Consent(N("email"), True)),
    ("consent push allowed unless opt_out", ast.Consent(N("push"), False)),
    ("segment gold: tier = \"gold\"", ast.Segment(N("gold"), ast.Compare(N("tier"), "=", S("gold")))),
    ("cap marketing 6 per 7 days", ast.Cap(MARKETING, num("6"), days(7), None)),
    ("cap email topic newsletter 1 per 36 hours",
     ast.Cap(ast.Selector(N("email"), N("newsletter")), num("1"), ast.Duration(num("36"), "hour"), None)),
    ("cap marketing topic offers 2 per 1 week",
     ast.Cap(ast.Selector(None, N("offers")), num("2"), ast.Duration(num("1"), "week"), None)),
    ("cap direct_mail spend 25.00 per 365 days as mail_budget",
     ast.SpendCap(ast.Selector(N("direct_mail"), None), num("25.00"), days(365), N("mail_budget"))),
    ("gap email 2 days", ast.Gap(EMAIL, days(2), None)),
    ("gap sms 1 hour", ast.Gap(ast.Selector(N("sms"), None), ast.Duration(num("1"), "hour"), None)),
    ("block marketing for cold_lead as no_cold_leads", ast.Block(MARKETING, False, ref("cold_lead"), N("no_cold_leads"))),
    ("block sms unless past_cruiser", ast.Block(ast.Selector(N("sms"), None), True, ref("past_cruiser"), None)),
    ("cooldown marketing 30 days after event \"complaint\"", ast.Cooldown(MARKETING, days(30), S("complaint"), None)),
    ("stop email after 8 unopened as email_fatigue", ast.StopUnopened(EMAIL, num("8"), N("email_fatigue"))),
    ("stop marketing after conversion", ast.StopConversion(MARKETING, None)),
    ("honor preferences", ast.HonorPreferences(None)),
    ("honor preferences as prefs", ast.HonorPreferences(N("prefs"))),
])
def test_one_line_statements(line, expected):
    assert statement(line) == expected


def test_score_block_with_every_line_form():
    text = ('score engagement {\n  +20 when vip = true\n  -10 when country is null\n'
            '  +5 per email opened within 90 days\n  +25 per event "webinar_attended" within 2 weeks\n}')
    assert statement(text) == ast.Score(N("engagement"), (
        ast.ScoreWhen(20, ast.Compare(N("vip"), "=", ast.Bool(True))),
        ast.ScoreWhen(-10, ast.IsNull(N("country"), False)),
        ast.ScorePerTouch(5, N("email"), "opened", days(90)),
        ast.ScorePerEvent(25, S("webinar_attended"), ast.Duration(num("2"), "week")),
    ))


@pytest.mark.parametrize("measure", ["sent", "opened", "clicked", "converted"])
def test_score_per_touch_measures(measure):
    score = statement(f"score s {{\n  +1 per sms {measure} within 1 day\n}}")
    assert score.lines == (ast.ScorePerTouch(1, N("sms"), measure, days(1)),)


def test_score_points_without_sign_are_positive():
    assert statement("score s {\n  7 when true\n}").lines == (ast.ScoreWhen(7, ast.Const(True)),)


def test_tiered_cap_with_name_before_the_brace():
    text = "cap email per 7 days as email_weekly {\n  high_affinity: 5\n  dormant: 1\n  otherwise: 3\n}"
    assert statement(text) == ast.TieredCap(EMAIL, days(7), (
        ast.Tier(ref("high_affinity"), num("5")), ast.Tier(ref("dormant"), num("1")), ast.Tier(None, num("3")),
    ), N("email_weekly"))


def test_tiered_cap_without_otherwise():
    text = "cap marketing per 1 day {\n  age > 30 or vip = true: 2\n}"
    assert statement(text) == ast.TieredCap(MARKETING, days(1), (
        ast.Tier(ast.Or((ast.Compare(N("age"), ">", num("30")), ast.Compare(N("vip"), "=", ast.Bool(True)))),
                 num("2")),), None)


def test_campaign_with_stages():
    text = "campaign spring_sale {\n  stage announce: email day 0\n  stage last_call: sms day 9\n}"
    assert statement(text) == ast.Campaign(N("spring_sale"), (
        ast.Stage(N("announce"), N("email"), num("0")), ast.Stage(N("last_call"), N("sms"), num("9"))))


@pytest.mark.parametrize("rule", [
    "cap email 2 per 7 days", "cap email spend 1.5 per 7 days", "gap email 2 days", "block email for true",
    "block email unless vip = true", "cooldown email 1 day after event \"x\"", "stop email after 2 unopened",
    "stop email after conversion", "honor preferences",
])
def test_every_rule_takes_as_name(rule):
    assert statement(f"{rule} as my_rule").alias == N("my_rule")
    assert statement(rule).alias is None


def test_spec_examples_parse_to_the_statements_written():
    kinds = [type(s).__name__ for s in parse_ok(SPEC_GLOBAL).statements]
    assert kinds == ["Channels", "Topics", "Consent", "Consent", "Consent", "Consent", "Segment", "Segment",
                     "Segment", "Score", "Score", "Block", "Cap", "TieredCap", "SpendCap", "Gap", "StopUnopened",
                     "Cooldown", "HonorPreferences"]
    cruises = parse_ok(SPEC_CRUISES)
    assert cruises.header == ast.Header(N("cruises"))
    assert [type(s).__name__ for s in cruises.statements] == [
        "Segment", "Cap", "Cap", "Block", "StopConversion", "Campaign"]


# --- conditions ----------------------------------------------------------------

@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_comparison_operators(op):
    assert cond(f"age {op} 3") == ast.Compare(N("age"), op, num("3"))


@pytest.mark.parametrize("text, expected", [
    ('tier in ("gold", "silver")', ast.InList(N("tier"), (S("gold"), S("silver")), False)),
    ("age not in (1, -2, 3.5)", ast.InList(N("age"), (num("1"), num("-2"), num("3.5")), True)),
    ("tier is null", ast.IsNull(N("tier"), False)),
    ("tier is not null", ast.IsNull(N("tier"), True)),
    ("days_since(last_purchase_at) > 365", ast.DaysSince(N("last_purchase_at"), ">", num("365"))),
    ("days_since(x) >= -2", ast.DaysSince(N("x"), ">=", num("-2"))),
    ("score fit < 40", ast.ScoreCompare(N("fit"), "<", num("40"))),
    ("score fit >= -2.5", ast.ScoreCompare(N("fit"), ">=", num("-2.5"))),
    ("vip != false", ast.Compare(N("vip"), "!=", ast.Bool(False))),
    ("balance > -0.75", ast.Compare(N("balance"), ">", num("-0.75"))),
    ("gold", ref("gold")),
    ("true", ast.Const(True)),
    ("false", ast.Const(False)),
])
def test_condition_forms(text, expected):
    assert cond(text) == expected


A, B, C = ref("a"), ref("b"), ref("c")


@pytest.mark.parametrize("text, expected", [
    ("a or b and c", ast.Or((A, ast.And((B, C))))),
    ("a and b or c", ast.Or((ast.And((A, B)), C))),
    ("not a and b", ast.And((ast.Not(A), B))),
    ("not a or b", ast.Or((ast.Not(A), B))),
    ("(a or b) and c", ast.And((ast.Or((A, B)), C))),
    ("not (a and b)", ast.Not(ast.And((A, B)))),
    ("not not a", ast.Not(ast.Not(A))),
    ("a or b or c", ast.Or((A, B, C))),
    ("a and (b and c)", ast.And((A, B, C))),
    ("(a or b) or c", ast.Or((A, B, C))),
    ("((a))", A),
    ("not tier = \"x\"", ast.Not(ast.Compare(N("tier"), "=", S("x")))),
])
def test_precedence_not_over_and_over_or(text, expected):
    assert cond(text) == expected


def test_strings_unescape_quote_and_backslash():
    assert cond(r'tier = "say \"hi\" \\ bye"') == ast.Compare(N("tier"), "=", S('say "hi" \\ bye'))


# --- spans and comments ----------------------------------------------------------

def test_spans_are_one_based_and_end_exclusive():
    pf = parse_ok("policy global\n  cap email 3 per 7 days as x  # note\ncap sms per 1 day {\n  gold: 2\n}\n")
    cap, tiered = pf.statements
    assert pf.header.span == Span("t.policy", 1, 1, 1, 14)
    assert cap.span == Span("t.policy", 2, 3, 2, 30)
    assert cap.selector.span == Span("t.policy", 2, 7, 2, 12)
    assert cap.limit.span == Span("t.policy", 2, 13, 2, 14)
    assert cap.window.span == Span("t.policy", 2, 19, 2, 25)
    assert cap.alias.span == Span("t.policy", 2, 29, 2, 30)
    assert tiered.span == Span("t.policy", 3, 1, 5, 2)
    assert tiered.tiers[0].span == Span("t.policy", 4, 3, 4, 10)


def test_comments_are_collected_with_their_places():
    pf = parse_ok("# top\npolicy global # header\n\n  # lone\ngap email 1 day\n")
    assert [(c.text, c.span.line, c.span.col) for c in pf.comments] == [
        ("# top", 1, 1), ("# header", 2, 15), ("# lone", 4, 3)]


# --- findings --------------------------------------------------------------------

def test_pl100_says_what_was_expected_in_words():
    assert only_error("policy global\ncap email 3 per\n") == (
        "PL100", 2, 16, 2, 17, "expected a number, found the end of the line")
    assert only_error("policy global\nblock email topic offers when x\n") == (
        "PL100", 2, 26, 2, 30, "expected one of `for`, `unless`, found `when`")
    assert only_error("policy global\ngap email 2 dayz\n") == (
        "PL100", 2, 13, 2, 17, "expected a time unit (`hours`, `days` or `weeks`), found `dayz`")
    assert only_error("policy global\nstop email after 3 unopened foo\n") == (
        "PL100", 2, 29, 2, 32, "expected one of `as`, the end of the line, found `foo`")


def test_pl100_for_a_reserved_word_as_a_name():
    code, line, col, _, _, message = only_error("policy global\nsegment cap: true\n")
    assert (code, line, col) == ("PL100", 2, 9)
    assert message == "expected a name, found `cap`; `cap` is a reserved word and cannot be a name"


def test_pl100_for_upper_case_unclosed_string_and_stray_character():
    assert only_error("policy global\ngap Email 1 day\n")[:3] == ("PL100", 2, 5)
    assert "write `email`" in only_error("policy global\ngap Email 1 day\n")[5]
    assert only_error('policy global\nsegment s: tier = "gold\n')[:3] == ("PL100", 2, 19)
    assert "not closed" in only_error('policy global\nsegment s: tier = "gold\n')[5]
    assert only_error("policy global\ngap email @ 1 day\n")[:3] == ("PL100", 2, 11)


def test_pl100_for_an_unclosed_block_keeps_the_next_statement():
    pf, diagnostics = parse_file("t.policy", "policy global\ncap email per 1 day {\n  gold: 1\ngap sms 1 day\n")
    assert [(d.code, d.span.line) for d in diagnostics] == [("PL100", 3)]
    assert "not closed" in diagnostics[0].message
    assert pf.statements == (ast.Gap(ast.Selector(N("sms"), None), days(1), None),)


def test_pl100_for_a_second_header():
    assert only_error("policy global\ngap email 1 day\npolicy global\n")[:3] == ("PL100", 3, 1)


@pytest.mark.parametrize("duration, days_text", [("1 month", "30"), ("2 months", "60"), ("1 year", "365"),
                                                 ("2 years", "730")])
def test_pl101_months_and_years_say_to_write_days(duration, days_text):
    end = 11 + len(duration)
    assert only_error(f"policy global\ngap email {duration}\n") == (
        "PL101", 2, 11, 2, end, f"durations in months or years vary in length; write `{days_text} days`")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "   "])
def test_pl102_empty_file(text):
    assert only_error(text)[:3] == ("PL102", 1, 1)


def test_pl102_missing_header_points_at_the_first_statement_and_keeps_it():
    pf, diagnostics = parse_file("t.policy", "# c\n\n  gap email 1 day\n")
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("PL102", 3, 3)]
    assert pf.header is None and pf.statements == (ast.Gap(EMAIL, days(1), None),)


@pytest.mark.parametrize("lines, line, col, what", [
    ("cap email 2.5 per 7 days", 2, 11, "a cap limit"),
    ("cap email per 7 days {\n  true: 1.5\n}", 3, 9, "a tier limit"),
    ("stop email after 0.5 unopened", 2, 18, "a stop count"),
    ("score s {\n  +2.5 when true\n}", 3, 3, "score points"),
    ("segment s: days_since(x) > 1.5", 2, 28, "a `days_since` value"),
    ("gap email 1.5 days", 2, 11, "a duration"),
])
def test_pl103_counts_must_be_whole(lines, line, col, what):
    code, at_line, at_col, _, _, message = only_error(f"policy global\n{lines}\n")
    assert (code, at_line, at_col) == ("PL103", line, col)
    assert message.startswith(f"{what} must be a whole number; write `")


def test_pl103_stage_day():
    code, line, col, _, _, message = only_error("policy business_unit u\ncampaign c {\n  stage a: email day 1.5\n}\n")
    assert (code, line, col) == ("PL103", 3, 22)
    assert message == "a stage day must be a whole number; write `1` or `2`, not `1.5`"


def test_whole_decimals_and_spend_decimals_are_fine():
    parse_ok("policy global\ncap email 3.0 per 7 days\ncap email spend 2.75 per 7 days\nsegment s: score f > 2.5\n")


def test_pl104_bad_escape_at_the_backslash():
    assert only_error('policy global\nsegment s: tier = "a\\nb"\n') == (
        "PL104", 2, 21, 2, 23,
        "`\\n` is not an escape; only `\\\"` and `\\\\` may follow a backslash, so write `\\\\` for a backslash")


def test_pl105_points_at_the_first_bad_byte():
    pf, diagnostics = parse_bytes("t.policy", "policy global\nsegment é: ".encode() + b"\xff\n")
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("PL105", 2, 12)]
    assert diagnostics[0].message == "byte `0xff` is not UTF-8 text; save the file as UTF-8"
    assert pf.statements == ()


def test_parse_bytes_skips_a_byte_order_mark():
    pf, diagnostics = parse_bytes("t.policy", b"\xef\xbb\xbfpolicy global\n")
    assert diagnostics == [] and pf.header.span.col == 1


def test_several_errors_in_one_file_and_the_statements_that_parsed():
    text = ("policy global\ngap email 1 day\ncap email 3 per\ncap sms 2 per 1 day\n"
            "block email when x\ngap sms 1 month\nstop email after conversion\n")
    pf, diagnostics = parse_file("t.policy", text)
    assert [(d.code, d.span.line) for d in diagnostics] == [("PL100", 3), ("PL100", 5), ("PL101", 6)]
    assert [type(s).__name__ for s in pf.statements] == ["Gap", "Cap", "StopConversion"]
    assert pf.header == ast.Header(None)


def test_conditions_nest_only_so_deep():
    deep = "not " * (MAX_NESTING + 1) + "true"
    code, line, _, _, _, message = only_error(f"policy global\nsegment s: {deep}\ngap email 1 day\n")
    assert (code, line) == ("PL100", 2)
    assert message.startswith(f"conditions nest deeper than {MAX_NESTING} levels")
    nested = "not " * (MAX_NESTING - 1) + "true"
    assert errors(f"policy global\nsegment s: {nested}\n") == []


# --- keywords ---------------------------------------------------------------------

def test_design_doc_lists_exactly_the_reserved_words():
    section = DESIGN.read_text().split("**Reserved words**", 1)[1].split("\n- ", 1)[0]
    assert sorted(re.findall(r"`([a-z_]+)`", section)) == list(reserved_words())


def test_every_reserved_word_is_refused_as_a_name():
    for word in reserved_words():
        code, *_ = only_error(f"policy global\nchannels email, {word}\n")
        assert code == "PL100", word


def test_blanks_before_a_stray_character_do_not_hide_where_it_is():
    for blanks in (" ", " \t " * 40):
        (found,) = errors(f"policy global\ngap email{blanks}@ 1 day\n{blanks}")
        assert found[:3] == ("PL100", 2, 10 + len(blanks))
    assert parse_ok("policy global \t\n  gap  email 1 day  # c \n \t ").comments[0].text == "# c"


def test_grammar_tables_are_cached_in_the_user_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = GRAMMAR_FILE.read_text()
    path = Path(cache_file(grammar))
    assert path.parent == tmp_path / "policylang" and not path.exists()
    built = [Lark(grammar, parser="lalr", lexer=GrammarLexer, start=["file", "chunk"], keep_all_tokens=True,
                  transformer=AstBuilder(), cache=str(path)) for _ in range(2)]  # the second loads the file
    assert path.exists()
    assert [b.parse(SPEC_GLOBAL, start="file") for b in built] == [(parse_ok(SPEC_GLOBAL).header,
                                                                    parse_ok(SPEC_GLOBAL).statements)] * 2


def test_no_grammar_cache_when_the_cache_folder_cannot_be_made(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert cache_file(GRAMMAR_FILE.read_text()) is False


def test_lark_contextual_lexer_reads_the_grammar_alike():
    contextual = Lark(GRAMMAR_FILE.read_text(), parser="lalr", lexer="contextual", start=["file", "chunk"],
                      keep_all_tokens=True, transformer=AstBuilder())
    for text in (SPEC_GLOBAL, SPEC_CRUISES):
        header, statements = contextual.parse(text, start="file")
        pf = parse_ok(text)
        assert (header, statements) == (pf.header, pf.statements)


# --- never an exception --------------------------------------------------------------

@BOUNDED
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    pf, diagnostics = parse_file("t.policy", text)
    assert isinstance(pf, ast.PolicyFile)
    assert all(d.span.line >= 1 and d.span.col >= 1 for d in diagnostics)


VOCABULARY = sorted(reserved_words()) + ["email", "gold", "1", "2.5", '"x"', "(", ")", "{", "}", ":", ",", "=", "<",
                                         "+", "-", "#", "\n", "\n  ", "\\"]


@BOUNDED
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40))
def test_token_soup_never_raises(words):
    parse_file("t.policy", "policy global\n" + " ".join(words))


@BOUNDED
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    pf, diagnostics = parse_bytes("t.policy", data)
    assert isinstance(pf, ast.PolicyFile)


@BOUNDED
@given(policy_files(), st.data())
def test_mutated_valid_policies_never_raise(text, data):
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        text = text[:at] + data.draw(st.sampled_from(VOCABULARY + ["", "\x00", "é"])) + text[at + cut:]
    pf, diagnostics = parse_file("t.policy", text)
    assert isinstance(pf, ast.PolicyFile)


@settings(max_examples=40, deadline=None)
@given(policy_sets())
def test_generated_policy_sets_parse_cleanly(files):
    for path, text in files.items():
        assert parse_file(path, text)[1] == []


def test_five_thousand_parentheses():
    deep = "(" * 5000 + "true" + ")" * 5000
    assert statement(f"segment s: {deep}") == ast.Segment(N("s"), ast.Const(True))
    code, line, *_ = only_error("policy global\nsegment s: " + "(" * 5000 + "\n")
    assert (code, line) == ("PL100", 2)
    assert only_error("policy global\nsegment s: " + "not (" * 5000 + "true" + ")" * 5000 + "\n")[0] == "PL100"


def test_a_megabyte_file():
    body = SPEC_GLOBAL.split("policy global\n", 1)[1]
    copies = 1_000_000 // len(body) + 1
    pf, diagnostics = parse_file("big.policy", "policy global\n" + body * copies)
    assert diagnostics == [] and len(pf.statements) == 19 * copies
    broken = "policy global\n" + (body + "gap email 2 dayz\n") * (copies // 10)
    pf, diagnostics = parse_file("big.policy", broken)
    assert len(diagnostics) == copies // 10 and len(pf.statements) == 19 * (copies // 10)
