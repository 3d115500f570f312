"""The book's ``common`` package (the Japanese original's numbers): one module per book module."""
