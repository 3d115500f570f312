"""The book's chapter 7 module: the simple convolutional net."""
