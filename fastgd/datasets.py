"""Real data with no download: scikit-learn's 8×8 digits and MNIST IDX files already on disk.

Both return the textbook's ``(x_train, t_train), (x_test, t_test)``.
"""
import gzip
import os

import numpy as np

# IDX type codes: https://yann.lecun.com/exdb/mnist/ (the format's own description)
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _one_hot(labels, n_classes):
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def load_digits(test_fraction=0.2, normalize=True, one_hot_label=True, seed=0):
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
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError('the digits data set comes with scikit-learn: pip install "fastgd[nn]"') from None
    data = sklearn_digits()
    x = data.data.astype(np.float64) / (16.0 if normalize else 1.0)
    labels = data.target.astype(np.intp)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    t = _one_hot(labels, 10) if one_hot_label else labels
    return (x[train], t[train]), (x[test], t[test])


def read_idx(path):
    """Read one IDX file (raw or ``.gz``) into a numpy array.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not IDX: bad magic number, unknown type code, or a size that does not
        match its header.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no IDX file at {path!r}")
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
        raise ValueError(f"{path!r} cannot be read as {'gzip' if opener is gzip.open else 'IDX'}: {exc}") from exc
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path!r} is not an IDX file (its magic number does not start with two zero bytes)")
    code, ndim = data[2], data[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path!r} has unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path!r} is truncated inside its IDX header")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{path!r} holds {len(data)} bytes, but its IDX header {shape} needs {expected}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"neither {stem} nor {stem}.gz is in {directory!r}")


def load_mnist(directory, normalize=True, flatten=True, one_hot_label=False):
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
    """
    out = []
    for part in ("train", "test"):
        images = read_idx(_find(directory, MNIST_FILES[f"{part}_images"]))
        labels = read_idx(_find(directory, MNIST_FILES[f"{part}_labels"]))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{part} images {images.shape} and labels {labels.shape} do not match")
        x = images.astype(np.float64) / 255.0 if normalize else images
        x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *images.shape[1:])
        labels = labels.astype(np.intp)
        out.append((x, _one_hot(labels, 10) if one_hot_label else labels))
    return tuple(out)
