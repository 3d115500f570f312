"""Real data with no download: scikit-learn's 8×8 digits and MNIST IDX files already on disk.

Both return the textbook's ``(x_train, t_train), (x_test, t_test)``.
"""
from __future__ import annotations

import gzip
import math
import os
import sys
import zlib
from numbers import Real
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

# IDX type codes: https://yann.lecun.com/exdb/mnist/ (the format's own description)
_IDX_DTYPES: dict[int, npt.DTypeLike] = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
                                         0x0E: ">f8"}
#: The four MNIST files, by part: the standard names, each raw or with ``.gz``.
MNIST_FILES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Labels: TypeAlias = npt.NDArray[np.float64] | npt.NDArray[np.intp]
"""Targets: one-hot rows (float64) or integer labels (intp)."""


def _classes(labels: npt.NDArray[Any], n_classes: int, name: str = "labels") -> npt.NDArray[np.intp]:
    """``labels`` as intp, each checked to be a class ``0..n_classes - 1``: else ValueError naming it and its index."""
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integers, got {labels.dtype} values")
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}: label {labels[i]} (at index {i}) is not a class in 0..{n_classes - 1}")
    return labels.astype(np.intp)


def _one_hot(labels: npt.NDArray[np.intp], n_classes: int) -> npt.NDArray[np.float64]:
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def load_digits(test_fraction: float = 0.2, normalize: bool = True, one_hot_label: bool = True, seed: int | None = 0
                ) -> tuple[tuple[npt.NDArray[np.float64], Labels], tuple[npt.NDArray[np.float64], Labels]]:
    """scikit-learn's 8×8 handwritten digits (1,797 images, shipped inside scikit-learn).

    Parameters
    ----------
    test_fraction : float, optional
        Share of the images held out for testing, in (0, 1).
    normalize : bool, optional
        Scale pixels from 0..16 to 0..1.
    one_hot_label : bool, optional
        Labels as one-hot rows (else integers 0..9).
    seed : int, optional
        Seed of the shuffle before the split.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        ``x`` of shape (n, 64), float64.

    Raises
    ------
    ImportError
        scikit-learn is not installed (``pip install "fastgd[nn]"``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgd.datasets import load_digits
    >>> (x_train, t_train), (x_test, t_test) = load_digits()
    >>> x_train.shape, t_train.shape, x_test.shape, t_test.shape
    ((1438, 64), (1438, 10), (359, 64), (359, 10))
    >>> float(x_train.min()), float(x_train.max()), bool(np.all(t_train.sum(axis=1) == 1))
    (0.0, 1.0, True)
    >>> (_, labels), _ = load_digits(one_hot_label=False)  # the same shuffle (seed=0)
    >>> labels.dtype == np.intp, bool(np.array_equal(labels, t_train.argmax(axis=1)))
    (True, True)
    """
    if not isinstance(test_fraction, Real) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}")
    try:
        # stubtest does not read pyproject's ignore_missing_imports: scikit-learn ships no type hints
        from sklearn.datasets import load_digits as sklearn_digits  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ImportError('the digits data set comes with scikit-learn: pip install "fastgd[nn]"') from None
    data = sklearn_digits()
    x = data.data.astype(np.float64) / (16.0 if normalize else 1.0)
    labels = data.target.astype(np.intp)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    if not 0 < n_test < len(x):
        raise ValueError(f"test_fraction {test_fraction} leaves no {'test' if n_test == 0 else 'training'} images "
                         f"of {len(x)}")
    test, train = order[:n_test], order[n_test:]
    t = _one_hot(_classes(labels, 10), 10) if one_hot_label else labels
    return (x[train], t[train]), (x[test], t[test])


def read_idx(path: str | os.PathLike[str]) -> npt.NDArray[np.integer[Any] | np.floating[Any]]:
    """Read one IDX file (raw or ``.gz``) into a numpy array.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a name ending in ``.gz`` is read through gzip.

    Returns
    -------
    numpy.ndarray
        The array of the file's shape and element type (native byte order).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not IDX: bad magic number, unknown type code, a size that does not match
        its header (or that no array can hold), or a corrupt or truncated gzip stream. The
        header is read first and then only the bytes it claims (and one more, to see that
        nothing follows), so a small file that inflates enormously fails at once.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> import numpy as np
    >>> from fastgd.datasets import read_idx
    >>> header = bytes([0, 0, 0x08, 2]) + np.array([2, 3], dtype=">u4").tobytes()  # uint8, 2 dimensions: 2 × 3
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     path = os.path.join(directory, "tiny-idx2-ubyte")
    ...     with open(path, "wb") as fh:
    ...         _ = fh.write(header + bytes(range(6)))
    ...     print(read_idx(path))
    [[0 1 2]
     [3 4 5]]
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no IDX file at {path!r}")
    compressed = path.endswith(".gz")
    try:
        with (gzip.open if compressed else open)(path, "rb") as fh:
            magic = fh.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
                raise ValueError(f"{path!r} is not an IDX file (its magic number does not start with two zero bytes)")
            code, ndim = magic[2], magic[3]
            if code not in _IDX_DTYPES:
                raise ValueError(f"{path!r} has unknown IDX type code 0x{code:02x}")
            dims = fh.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(f"{path!r} is truncated inside its IDX header")
            shape = tuple(int.from_bytes(dims[4 * i:4 * i + 4], "big") for i in range(ndim))
            dtype = np.dtype(_IDX_DTYPES[code])
            header = 4 + 4 * ndim
            expected = header + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            if expected > sys.maxsize:
                raise ValueError(f"{path!r}'s IDX header {shape} claims {expected} bytes, more than any array can hold")
            if not compressed and os.path.getsize(path) != expected:
                raise ValueError(f"{path!r} holds {os.path.getsize(path)} bytes, but its IDX header {shape} "
                                 f"needs {expected}")
            data = _read_exactly(fh, expected - header)
            if len(data) < expected - header:
                raise ValueError(f"{path!r} holds {header + len(data)} bytes, but its IDX header {shape} "
                                 f"needs {expected}")
            if fh.read(1):
                raise ValueError(f"{path!r} holds more than the {expected} bytes its IDX header {shape} needs")
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz
        raise ValueError(f"{path!r} cannot be read as {'gzip' if compressed else 'IDX'}: {exc}") from exc
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _read_exactly(fh: _Readable, n: int, chunk: int = 1 << 20) -> bytes:
    """Up to ``n`` bytes of ``fh`` (fewer only at its end), a chunk at a time: a gzip stream inflates no further."""
    chunks = []
    while n > 0:
        data = fh.read(min(chunk, n))
        if not data:
            break
        chunks.append(data)
        n -= len(data)
    return b"".join(chunks)


def _find(directory: str | os.PathLike[str], stem: str) -> str:
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"neither {stem} nor {stem}.gz is in {directory!r}")


def load_mnist(directory: str | os.PathLike[str], normalize: bool = True, flatten: bool = True,
               one_hot_label: bool = False
               ) -> tuple[tuple[npt.NDArray[np.floating[Any] | np.integer[Any]], Labels],
                          tuple[npt.NDArray[np.floating[Any] | np.integer[Any]], Labels]]:
    """The MNIST IDX files in ``directory`` (the four standard names, raw or ``.gz``).

    Parameters
    ----------
    directory : str or os.PathLike
        Folder holding ``train-images-idx3-ubyte`` etc.
    normalize : bool, optional
        Scale pixels from 0..255 to 0..1 (float64); else keep uint8.
    flatten : bool, optional
        Images as rows of 784 values (else (n, 1, 28, 28), as the textbook's loader).
    one_hot_label : bool, optional
        Labels as one-hot rows of 10 (else integers).

    Returns
    -------
    (x_train, t_train), (x_test, t_test)

    Raises
    ------
    FileNotFoundError
        One of the four files is in ``directory`` neither raw nor as ``.gz``.
    ValueError
        A file is not IDX, the images are not uint8 pixels, images and labels do not match, or
        a label is not a class 0..9 (named, with its index).

    Examples
    --------
    Four tiny files with the standard names, three 2 × 2 images in each part:

    >>> import gzip
    >>> import os
    >>> import tempfile
    >>> import numpy as np
    >>> from fastgd.datasets import MNIST_FILES, load_mnist
    >>> def idx(array):  # the bytes of an IDX file of uint8
    ...     return bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()
    >>> images = np.arange(12, dtype=np.uint8).reshape(3, 2, 2) * 20
    >>> labels = np.array([7, 0, 3], dtype=np.uint8)
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     for part in ("train", "test"):
    ...         with open(os.path.join(directory, MNIST_FILES[f"{part}_images"]), "wb") as fh:
    ...             _ = fh.write(idx(images))
    ...         with gzip.open(os.path.join(directory, MNIST_FILES[f"{part}_labels"] + ".gz"), "wb") as fh:
    ...             _ = fh.write(idx(labels))
    ...     (x_train, t_train), (x_test, t_test) = load_mnist(directory, one_hot_label=True)
    ...     (images_train, _), _ = load_mnist(directory, normalize=False, flatten=False)
    >>> x_train.shape, round(float(x_train.max()), 4), t_train.argmax(axis=1).tolist()  # 220 / 255
    ((3, 4), 0.8627, [7, 0, 3])
    >>> images_train.shape, images_train.dtype
    ((3, 1, 2, 2), dtype('uint8'))
    """
    out = []
    for part in ("train", "test"):
        images = read_idx(_find(directory, MNIST_FILES[f"{part}_images"]))
        labels = read_idx(_find(directory, MNIST_FILES[f"{part}_labels"]))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{part} images {images.shape} and labels {labels.shape} do not match")
        if images.dtype != np.uint8:
            raise ValueError(f"{part} images must be uint8 pixels (IDX type 0x08), got {images.dtype}")
        x = images.astype(np.float64) / 255.0 if normalize else images
        x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *images.shape[1:])
        classes = _classes(labels, 10, f"{part} labels")
        out.append((x, _one_hot(classes, 10) if one_hot_label else classes))
    return out[0], out[1]  # (train, test)
