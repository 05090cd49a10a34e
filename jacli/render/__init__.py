"""Printers, one module per format: plain (jacli's ASCII), latex, json, pretty (rich).

Each module has ``render(result) -> str``; only ``pretty`` imports rich.
"""
