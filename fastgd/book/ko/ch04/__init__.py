"""The Korean edition's chapter 4 modules."""
