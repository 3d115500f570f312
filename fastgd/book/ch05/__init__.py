"""The book's chapter 5 module: the two-layer net built from layers."""
