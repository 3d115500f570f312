"""The book's chapter 4 modules: the numerical gradient's first uses and the sigmoid two-layer net."""
