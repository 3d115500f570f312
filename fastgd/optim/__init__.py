"""The textbook's optimizers, fused: ``update(params, grads)`` in one compiled pass per array."""
from fastgd.optim.fused import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW"]
