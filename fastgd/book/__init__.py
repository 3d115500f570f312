"""The textbook's modules, one import away: each book module's mirror, with fastgd's compiled code inside.

Swap the import and keep the script: ``from common.gradient import numerical_gradient``
becomes ``from fastgd.book.common.gradient import numerical_gradient``, chapter 5's
``from two_layer_net import TwoLayerNet`` becomes
``from fastgd.book.ch05.two_layer_net import TwoLayerNet``. Each mirror module holds what
the book's module defines — the same model, never a different one — and the names its star
import leaks (``np`` through ``from common.optimizer import *``). ``fastgd.book`` mirrors the
Japanese original (oreilly-japan/deep-learning-from-scratch); :mod:`fastgd.book.ko` the
Korean edition (WegraLee/deep-learning-from-scratch), where its numbers differ.

====================================  ===============================================
book module                           fastgd import (what runs compiled)
====================================  ===============================================
``common/functions.py``               ``fastgd.book.common.functions`` (numpy)
``common/gradient.py``                ``fastgd.book.common.gradient`` (the gradients)
``common/layers.py``                  ``fastgd.book.common.layers`` (numpy)
``common/util.py``                    ``fastgd.book.common.util`` (numpy)
``common/optimizer.py``               ``fastgd.book.common.optimizer`` (``update``)
``common/multi_layer_net.py``         ``fastgd.book.common.multi_layer_net``
``common/multi_layer_net_extend.py``  ``fastgd.book.common.multi_layer_net_extend``
``common/trainer.py``                 ``fastgd.book.common.trainer`` (the optimizers)
``ch04/gradient_1d.py``               ``fastgd.book.ch04.gradient_1d`` (``numerical_diff``)
``ch04/gradient_2d.py``               ``fastgd.book.ch04.gradient_2d``
``ch04/gradient_method.py``           ``fastgd.book.ch04.gradient_method``
``ch04/gradient_simplenet.py``        ``fastgd.book.ch04.gradient_simplenet``
``ch04/two_layer_net.py``             ``fastgd.book.ch04.two_layer_net``
``ch05/two_layer_net.py``             ``fastgd.book.ch05.two_layer_net``
``ch07/simple_convnet.py``            ``fastgd.book.ch07.simple_convnet``
====================================  ===============================================

The nets' ``numerical_gradient`` is compiled (:mod:`fastgd.nn`), and so are
``numerical_gradient``, ``numerical_gradient_2d``, ``gradient_descent`` and the optimizers.
The scripts' own code (plots, loops, the MNIST loader ``dataset/mnist.py``) is not mirrored:
keep it as it is.

Examples
--------
>>> import numpy as np
>>> from fastgd.book.common.optimizer import *  # np comes along, as in the book
>>> from fastgd.book.ch05.two_layer_net import TwoLayerNet
>>> np.random.seed(0)
>>> network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
>>> x_batch, t_batch = np.random.rand(3, 784), np.eye(10)[[7, 2, 1]]
>>> grad_numerical = network.numerical_gradient(x_batch, t_batch)  # compiled
>>> grad_backprop = network.gradient(x_batch, t_batch)
>>> all(np.abs(grad_backprop[key] - grad_numerical[key]).mean() < 1e-6 for key in grad_numerical)
True
"""
