"""The Korean edition's ``common`` package: one module per book module."""
