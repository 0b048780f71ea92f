"""The version of this package (decision #15: ``version()`` returns it)."""
__version__ = "1.0.0"
