"""Matrix-form derivatives with symbolic sizes (see api.py). Importing the package loads the
printers, which register themselves with the nodes (nodes.py never imports printing.py)."""

from . import printing as _printing  # noqa: F401 - registers the node printers
