"""The front end: policy text to a syntax tree, and back.

`lexer` (tokens, blanks skipped in one regex) feeds the Lark LALR parser of
`grammar/policy.lark` (`parse`; Lark internals only through `lark_shim`);
`build` turns Lark's tree into the `ast` dataclasses; `errors` words syntax
errors as diagnostics with a caret; `fmt` prints an `ast` back in the one
canonical layout. Names are resolved later, in `policylang.resolve`.
"""
