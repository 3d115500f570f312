"""The textbook's nets with a compiled, incremental numerical gradient.

Each net is the book's (same constructor, ``params``, ``layers``, ``predict``, ``loss``,
``accuracy``, ``gradient``; the book's ``np.random`` draws in the book's order), its
``numerical_gradient`` compiled: still every parameter perturbed by ±h (h = 1e-4) and the
loss evaluated at both points, as the book does, but each perturbed loss computed from the
unperturbed forward pass, touching only what the parameter changes, in compiled kernels on
:func:`fastgd.get_num_threads` threads. The results agree with the book's within 1e-9
absolute (measured: about 1e-11, the book's own rounding of its full-loss differences);
``fastgd.reference`` holds the book's numpy code to compare with.

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

The layers are :mod:`fastgd.nn.layers`, the functions :mod:`fastgd.nn.functions`. Every net
draws its initial weights with the book's ``np.random`` calls in the book's order
(``np.random.seed(s)`` gives the book's weights), or from ``rng=`` when given. Parameters
that are not finite float64 arrays of the expected shapes (or that the layers do not hold
themselves), and batches that are not finite, take :func:`fastgd.numerical_gradient` over
the net's own loss instead: the book's evaluations one by one, at the book's pace.
"""
from fastgd.nn.check import GradientCheck, gradient_check
from fastgd.nn.functions import cross_entropy_error, sigmoid, softmax
from fastgd.nn.multi_layer_net import MultiLayerNet, MultiLayerNetExtend
from fastgd.nn.relu_two_layer_net import ReluTwoLayerNet
from fastgd.nn.simple_convnet import SimpleConvNet
from fastgd.nn.two_layer_net import SimpleNet, TwoLayerNet

__all__ = ["sigmoid", "softmax", "cross_entropy_error", "SimpleNet", "TwoLayerNet", "ReluTwoLayerNet",
           "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "GradientCheck", "gradient_check"]
