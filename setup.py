"""Packaging for hcpsdk: the Python SDK for Hitachi Content Platform."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "hcpsdk" / "_version.py").read_text(),
                    re.M).group(1)

setup(
    name="hcpsdk",
    version=VERSION,
    description="Python SDK for Hitachi Content Platform (HCP), with a built-in HCP emulator",
    long_description=(HERE / "README.rst").read_text(encoding="utf-8"),
    long_description_content_type="text/x-rst",
    license="MIT",
    python_requires=">=3.11",
    packages=find_packages(include=["hcpsdk", "hcpsdk.*"]),
    package_data={"hcpsdk": ["py.typed"]},
    install_requires=["dnspython>=2"],
    extras_require={
        "emulator": ["trustme>=1.0"],
        "test": ["pytest>=7", "trustme>=1.0", "sphinx>=7", "ruff>=0.6", "mypy>=1.11"],
        "docs": ["sphinx>=7", "trustme>=1.0"],
        "fsspec": ["fsspec>=2023.12"],
        "dask": ["fsspec>=2023.12", "dask[distributed]>=2023.12"],
    },
    entry_points={"pytest11": ["hcpsdk_emulator = hcpsdk.emulator.plugin"],
                  "fsspec.specs": ["hcp = hcpsdk.fs:HcpFileSystem"]},
    classifiers=[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Topic :: Software Development :: Libraries",
    ],
)
