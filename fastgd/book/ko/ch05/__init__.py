"""The Korean edition's chapter 5 module."""
