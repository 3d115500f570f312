"""The derivative engine under :mod:`fastgd.diff`'s public modules: scheme rows, step rules, argument
checks, error estimates and the evaluators that run a scheme over ``f``.

Nothing here imports a public module of :mod:`fastgd.diff`; see ``docs/architecture-diff.md`` for the
module map and the evaluator protocol.
"""
