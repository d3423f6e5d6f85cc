"""crispcall: real-time restoration of blurry, low-bandwidth video-call frames."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crispcall")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
