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


def write_parts(directory, images, labels, image_code=0x08, label_code=0x09):
    for part in ("train", "t10k"):
        write_idx(directory / f"{part}-images-idx3-ubyte", images, code=image_code)
        write_idx(directory / f"{part}-labels-idx1-ubyte", labels, code=label_code)


@pytest.mark.parametrize("one_hot_label", [True, False])
@pytest.mark.parametrize("bad", [-1, 12])
def test_labels_that_are_not_classes_are_refused(tmp_path, bad, one_hot_label):
    """Issue 10, item 13: -1 silently became class 9 and 12 raised IndexError; issue 17, item 10: as integers
    they were returned silently."""
    write_parts(tmp_path, np.zeros((3, 2, 2), dtype=np.uint8), np.array([1, bad, 3], dtype=np.int8))
    with pytest.raises(ValueError, match=rf"train labels: label {bad} \(at index 1\) is not a class in 0..9"):
        datasets.load_mnist(tmp_path, one_hot_label=one_hot_label)


def test_labels_that_are_not_integers_are_refused(tmp_path):
    """A float label file (IDX 0x0D) would be cut to integers silently: 3.7 became class 3."""
    write_parts(tmp_path, np.zeros((3, 2, 2), dtype=np.uint8), np.array([1.0, 3.7, 2.0], dtype=np.float32),
                label_code=0x0D)
    with pytest.raises(ValueError, match="train labels must be integers"):
        datasets.load_mnist(tmp_path)


def test_images_that_are_not_pixels_are_refused(tmp_path):
    """Float or signed images scaled by 1/255 as if they were MNIST's bytes would be garbage."""
    write_parts(tmp_path, np.full((3, 2, 2), -5, dtype=np.int8), np.array([1, 2, 3], dtype=np.int8), image_code=0x09)
    with pytest.raises(ValueError, match="train images must be uint8"):
        datasets.load_mnist(tmp_path)


@pytest.mark.parametrize("fraction, message", [("0.2", "a number"), (1e-6, "no test images"),
                                               (0.99999, "no training images"), (float("nan"), "a number")])
def test_load_digits_refuses_fractions_that_leave_a_part_empty(fraction, message):
    pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match=message):
        datasets.load_digits(test_fraction=fraction)


def test_corrupt_gzip_stream(tmp_path):
    """Issue 10, item 15: a corrupt deflate stream raised zlib.error, not the documented ValueError."""
    payload = b"\x00\x00\x08\x01\x00\x00\x10\x00" + bytes(range(256)) * 16
    compressed = bytearray(gzip.compress(payload))
    compressed[20:40] = b"\xff" * 20
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(ValueError, match="cannot be read as gzip"):
        datasets.read_idx(path)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_header_claiming_more_than_any_array_holds(tmp_path, suffix):
    """Issue 10, item 15: dimensions whose product overflows int64 gave a negative byte count."""
    path = tmp_path / f"huge-idx{suffix}"
    data = struct.pack(">BBBB", 0, 0, 0x0E, 4) + struct.pack(">4I", *[2**32 - 1] * 4) + bytes(16)
    path.write_bytes(gzip.compress(data) if suffix else data)
    with pytest.raises(ValueError, match=r"claims \d+ bytes, more than any array can hold"):
        datasets.read_idx(path)


def test_gzip_bomb_stops_at_what_the_header_claims(tmp_path):
    """Issue 10, item 15: a small .gz inflating to 64 MB was read whole before the header was checked."""
    import tracemalloc

    path = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(struct.pack(">BBBBI", 0, 0, 0x08, 1, 10) + bytes(10))  # a valid 10-byte array...
        for _ in range(64):
            fh.write(bytes(1 << 20))  # ... and 64 MB of zeros after it
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="holds more than the 18 bytes its IDX header"):
            datasets.read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
