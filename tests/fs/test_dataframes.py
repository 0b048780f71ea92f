"""pandas and pyarrow read and write hcp:// URLs through the filesystem."""
from __future__ import annotations

import pytest

pd = pytest.importorskip("pandas", reason="pandas is not installed (CI installs it)")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (CI installs it)")


@pytest.fixture
def options(hcp_emulator):
    return {"user": hcp_emulator.user, "password": hcp_emulator.password,
            "port": hcp_emulator.https_port, "cafile": hcp_emulator.cafile,
            "nameserver": "{}:{}".format(*hcp_emulator.dns)}


@pytest.fixture
def frame():
    return pd.DataFrame({"name": ["a.pdf", "b.pdf", "c.pdf"], "size": [10, 2000, 30_000],
                         "kept": [True, False, True]})


def test_csv_round_trip_through_hcp_urls(hcp_emulator, options, frame, folder, fs):
    url = f"hcp://{hcp_emulator.fqdn}{folder}/t.csv"
    frame.to_csv(url, index=False, storage_options=options)
    assert fs.cat_file(f"{folder}/t.csv").startswith(b"name,size,kept\n")
    back = pd.read_csv(url, storage_options=options)
    pd.testing.assert_frame_equal(back, frame)


def test_parquet_round_trip_through_hcp_urls(hcp_emulator, options, frame, folder, fs):
    url = f"hcp://{hcp_emulator.fqdn}{folder}/t.parquet"
    frame.to_parquet(url, storage_options=options)
    assert fs.cat_file(f"{folder}/t.parquet", 0, 4) == b"PAR1"
    back = pd.read_parquet(url, storage_options=options)
    pd.testing.assert_frame_equal(back, frame)


def test_pyarrow_dataset_reads_a_directory_of_parquet_files(fs, frame, folder):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    for part in range(3):
        with fs.open(f"{folder}/part{part}.parquet", "wb") as f:
            frame.assign(part=part).to_parquet(f)
    table = ds.dataset(folder, filesystem=fs, format="parquet").to_table()
    assert table.num_rows == 9 and sorted(set(table.column("part").to_pylist())) == [0, 1, 2]
    assert pq.read_table(f"{folder}/part1.parquet", filesystem=fs).num_rows == 3
