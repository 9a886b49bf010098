"""Read QR codes back from a poster image with an independent decoder (zxing-cpp), as a phone
camera would: the test never trusts the module that drew the code."""

from __future__ import annotations

import io


def decode_qr_codes(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG image."""
    import zxingcpp
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return [
            found.text
            for found in zxingcpp.read_barcodes(image.convert("L"))
            if found.format == zxingcpp.BarcodeFormat.QRCode
        ]
