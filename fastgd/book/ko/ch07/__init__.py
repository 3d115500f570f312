"""The Korean edition's chapter 7 module."""
