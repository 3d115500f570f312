"""fastgd.datasets: the digits through scikit-learn, MNIST IDX files written here."""
import gzip
import struct

import numpy as np
import pytest

from fastgd import datasets


def write_idx(path, array, code=0x08):
    data = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as fh:
        fh.write(data)


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    images = {part: rng.integers(0, 256, (n, 4, 4), dtype=np.uint8) for part, n in (("train", 6), ("test", 3))}
    labels = {part: rng.integers(0, 10, len(images[part]), dtype=np.uint8) for part in images}
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images["train"])
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels["train"])
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images["test"])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels["test"])
    return tmp_path, images, labels


def test_load_mnist_raw_and_gz(mnist_dir):
    directory, images, labels = mnist_dir
    (x, t), (x_test, t_test) = datasets.load_mnist(directory)
    assert x.shape == (6, 16) and x.dtype == np.float64 and x.max() <= 1.0
    assert np.array_equal(x * 255, images["train"].reshape(6, 16))
    assert np.array_equal(t, labels["train"]) and np.array_equal(t_test, labels["test"])
    (x, t), _ = datasets.load_mnist(directory, normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (6, 1, 4, 4) and x.dtype == np.uint8
    assert np.array_equal(t.argmax(axis=1), labels["train"]) and t.sum() == 6


@pytest.mark.parametrize("code, dtype", [(0x0D, ">f4"), (0x0E, ">f8"), (0x0C, ">i4")])
def test_read_idx_other_types(tmp_path, code, dtype):
    array = np.arange(12, dtype=dtype).reshape(3, 4)
    write_idx(tmp_path / "a.idx", array, code)
    out = datasets.read_idx(tmp_path / "a.idx")
    assert out.dtype.isnative and np.array_equal(out, array)


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no IDX file"):
        datasets.read_idx(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.load_mnist(tmp_path)


@pytest.mark.parametrize("content, message", [
    (b"\x01\x02\x08\x01", "not an IDX file"),
    (b"\x00\x00\x42\x01\x00\x00\x00\x02\x01\x02", "unknown IDX type code 0x42"),
    (b"\x00\x00\x08\x02\x00\x00", "truncated inside its IDX header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "needs 13"),
])
def test_malformed_files(tmp_path, content, message):
    path = tmp_path / "bad-idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        datasets.read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x05" + bytes(5))[:-6])
    with pytest.raises(ValueError, match="cannot be read as gzip"):
        datasets.read_idx(path)


def test_load_digits():
    pytest.importorskip("sklearn")
    (x, t), (x_test, t_test) = datasets.load_digits()
    assert x.shape == (1438, 64) and x_test.shape == (359, 64)
    assert x.min() >= 0 and x.max() == 1.0 and t.shape == (1438, 10) and np.all(t.sum(axis=1) == 1)
    (again, _), _ = datasets.load_digits()
    assert np.array_equal(x, again)  # the split is seeded
    (_, labels), _ = datasets.load_digits(one_hot_label=False, normalize=False)
    assert labels.dtype.kind == "i" and labels.max() == 9
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.load_digits(test_fraction=1.5)
