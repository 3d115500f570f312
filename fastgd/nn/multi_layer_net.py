"""The textbook's fully connected nets, ``MultiLayerNet`` and ``MultiLayerNetExtend``, with the compiled gradient.

With batch normalization the gradient also leaves the running averages where the reference's
evaluations leave them (within a few units in the last place); with dropout every evaluation
draws its masks from the net's generator in the reference's order, so the numbers are the
reference's too.
"""
from __future__ import annotations

from fastgd._docs import twin_doc
from fastgd.nn._layer_net import CompiledMLP
from fastgd.reference import multi_layer_net as reference


class MultiLayerNet(CompiledMLP, reference.MultiLayerNet):
    __doc__ = twin_doc(reference.MultiLayerNet, """
        >>> import numpy as np
        >>> from fastgd.nn import MultiLayerNet
        >>> from fastgd.reference.multi_layer_net import MultiLayerNet as Twin
        >>> np.random.seed(0)
        >>> net = MultiLayerNet(20, [10, 10], 3, weight_decay_lambda=0.1)
        >>> np.random.seed(0)
        >>> twin = Twin(20, [10, 10], 3, weight_decay_lambda=0.1)
        >>> rng = np.random.default_rng(1)
        >>> x, t = rng.random((4, 20)), np.array([0, 2, 1, 1])
        >>> grads, twin_grads = net.numerical_gradient(x, t), twin.numerical_gradient(x, t)
        >>> all(np.allclose(grads[key], twin_grads[key], rtol=0, atol=1e-9) for key in twin_grads)
        True
    """)


class MultiLayerNetExtend(CompiledMLP, reference.MultiLayerNetExtend):
    __doc__ = twin_doc(reference.MultiLayerNetExtend, """
        >>> import numpy as np
        >>> from fastgd.nn import MultiLayerNetExtend
        >>> from fastgd.reference.multi_layer_net import MultiLayerNetExtend as Twin
        >>> np.random.seed(0)
        >>> net = MultiLayerNetExtend(20, [10, 10], 3, use_batchnorm=True, use_dropout=True)
        >>> np.random.seed(0)
        >>> twin = Twin(20, [10, 10], 3, use_batchnorm=True, use_dropout=True)
        >>> rng = np.random.default_rng(1)
        >>> x, t = rng.random((4, 20)), np.array([0, 2, 1, 1])
        >>> np.random.seed(2)  # the dropout masks: the same draws in the same order
        >>> grads = net.numerical_gradient(x, t)
        >>> np.random.seed(2)
        >>> twin_grads = twin.numerical_gradient(x, t)
        >>> all(np.allclose(grads[key], twin_grads[key], rtol=0, atol=1e-9) for key in twin_grads)
        True
        >>> bool(np.allclose(net.layers["BatchNorm1"].running_mean, twin.layers["BatchNorm1"].running_mean,
        ...                  rtol=1e-12, atol=0))
        True
    """)


__all__ = ["MultiLayerNet", "MultiLayerNetExtend"]
