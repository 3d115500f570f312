"""The textbook's nets with a compiled, incremental numerical gradient.

Every net is its numpy twin (:mod:`fastgd.reference`) with ``numerical_gradient`` replaced:
still every parameter perturbed by ±h (h = 1e-4) and the loss evaluated at both points, as
the book does, but each perturbed loss is computed from the unperturbed forward pass,
touching only what the parameter changes, in compiled kernels on
:func:`fastgd.get_num_threads` threads. The results agree with the twin's within 1e-9
absolute (measured: about 1e-11, the twin's own rounding of its full-loss differences).

========================  ==============================================  =========================
net                       the book's                                      module
========================  ==============================================  =========================
``SimpleNet``             ``ch04/gradient_simplenet.py`` ``simpleNet``    :mod:`.two_layer_net`
``TwoLayerNet``           ``ch04/two_layer_net.py`` (sigmoid)             :mod:`.two_layer_net`
``ReluTwoLayerNet``       ``ch05/two_layer_net.py`` (Affine/ReLU layers)  :mod:`.relu_two_layer_net`
``MultiLayerNet``         ``common/multi_layer_net.py``                   :mod:`.multi_layer_net`
``MultiLayerNetExtend``   ``common/multi_layer_net_extend.py``            :mod:`.multi_layer_net`
``SimpleConvNet``         ``ch07/simple_convnet.py``                      :mod:`.simple_convnet`
========================  ==============================================  =========================

Every net draws its initial weights with the book's ``np.random`` calls in the book's order
(``np.random.seed(s)`` gives the book's weights), or from ``rng=`` when given. Parameters
that are not finite float64 arrays of the expected shapes (or that the layers do not hold
themselves) take :func:`fastgd.numerical_gradient` over the twin's loss instead: the
reference's numbers, at the reference's pace.
"""
from fastgd.nn.check import GradientCheck, gradient_check
from fastgd.nn.multi_layer_net import MultiLayerNet, MultiLayerNetExtend
from fastgd.nn.relu_two_layer_net import ReluTwoLayerNet
from fastgd.nn.simple_convnet import SimpleConvNet
from fastgd.nn.two_layer_net import SimpleNet, TwoLayerNet
from fastgd.reference.functions import cross_entropy_error, sigmoid, softmax

__all__ = ["sigmoid", "softmax", "cross_entropy_error", "SimpleNet", "TwoLayerNet", "ReluTwoLayerNet",
           "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "GradientCheck", "gradient_check"]
