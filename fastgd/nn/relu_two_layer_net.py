"""Chapter 5's two-layer net (Affine, ReLU, Affine, SoftmaxWithLoss) with the compiled numerical gradient."""
from __future__ import annotations

from fastgd._docs import twin_doc
from fastgd.nn._layer_net import CompiledMLP
from fastgd.reference import relu_two_layer_net as reference


class ReluTwoLayerNet(CompiledMLP, reference.ReluTwoLayerNet):
    __doc__ = twin_doc(reference.ReluTwoLayerNet, """
        >>> import numpy as np
        >>> from fastgd.nn import ReluTwoLayerNet
        >>> from fastgd.reference.relu_two_layer_net import ReluTwoLayerNet as Twin
        >>> np.random.seed(0)
        >>> net = ReluTwoLayerNet(784, 50, 10)  # ch05/gradient_check.py's net, the book's weights
        >>> np.random.seed(0)
        >>> twin = Twin(784, 50, 10)
        >>> rng = np.random.default_rng(1)
        >>> x, t = rng.random((3, 784)), np.eye(10)[[3, 1, 4]]
        >>> grads, twin_grads = net.numerical_gradient(x, t), twin.numerical_gradient(x, t)
        >>> all(np.allclose(grads[key], twin_grads[key], rtol=0, atol=1e-9) for key in twin_grads)
        True
    """)


__all__ = ["ReluTwoLayerNet"]
