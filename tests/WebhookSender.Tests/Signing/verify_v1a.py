"""Verifies Standard Webhooks v1a (Ed25519) signatures with Python's cryptography (OpenSSL), independently of the library.

Reads JSON from stdin: {"publicKeys": ["whpk_..."], "id": "...", "timestamp": "...", "body": "<base64>", "signature": "v1,... v1a,..."}.
Prints how many v1a signatures verified against any of the public keys; exits 1 when none did.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

request = json.load(sys.stdin)
signed = f"{request['id']}.{request['timestamp']}.".encode() + base64.b64decode(request["body"])
keys = [Ed25519PublicKey.from_public_bytes(base64.b64decode(k.removeprefix("whpk_"))) for k in request["publicKeys"]]
verified = 0
for entry in request["signature"].split(" "):
    scheme, _, value = entry.partition(",")
    if scheme != "v1a":
        continue
    for key in keys:
        try:
            key.verify(base64.b64decode(value), signed)
            verified += 1
            break
        except InvalidSignature:
            pass
print(verified)
sys.exit(0 if verified > 0 else 1)
