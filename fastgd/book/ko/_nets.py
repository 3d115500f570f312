"""The nets as the Korean edition's modules define them: their generic path takes ``float(tmp_val) + h``.

The compiled gradients are the same; only parameters the kernels do not take (not float64)
differ, through the Korean ``numerical_gradient`` (:func:`fastgd.book._gradients.widened_gradient`).
"""
from collections.abc import Callable
from typing import Any

import numpy.typing as npt

from fastgd import nn
from fastgd.book._gradients import widened_gradient


class KoreanGradient:
    """Mixin: the generic path's gradient is the Korean edition's ``numerical_gradient``."""

    def generic_gradient(self, f: Callable[[Any], Any], x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return widened_gradient(f, x)


class SimpleNet(KoreanGradient, nn.SimpleNet):
    """:class:`fastgd.nn.SimpleNet` with the Korean edition's ``numerical_gradient`` on its generic path."""


class TwoLayerNet(KoreanGradient, nn.TwoLayerNet):
    """:class:`fastgd.nn.TwoLayerNet` (chapter 4) with the Korean edition's generic path."""


class ReluTwoLayerNet(KoreanGradient, nn.ReluTwoLayerNet):
    """:class:`fastgd.nn.ReluTwoLayerNet` (chapter 5) with the Korean edition's generic path."""


class MultiLayerNet(KoreanGradient, nn.MultiLayerNet):
    """:class:`fastgd.nn.MultiLayerNet` with the Korean edition's generic path."""


class MultiLayerNetExtend(KoreanGradient, nn.MultiLayerNetExtend):
    """:class:`fastgd.nn.MultiLayerNetExtend` with the Korean edition's generic path."""


class SimpleConvNet(KoreanGradient, nn.SimpleConvNet):
    """:class:`fastgd.nn.SimpleConvNet` with the Korean edition's generic path."""


__all__ = ["SimpleNet", "TwoLayerNet", "ReluTwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet"]
