"""The policy grammar, installed as `policylang.grammar`: `policy.lark` is the
one Lark grammar of the language (docs/language.md)."""
from pathlib import Path

GRAMMAR_FILE = Path(__file__).with_name("policy.lark")
