#!/usr/bin/env python3
"""Forges JWTs for the token tests (tests/e2e_auth.sh): signs any header and claims the way an
attacker (or a buggy issuer) would, so the registry's verifier can be shown to refuse them.

Usage: forge-jwt.py ALG CLAIMS_JSON [--key PEM] [--secret-file FILE] [--kid KID] [--typ TYP]
  ALG: ES256 (ECDSA P-256 with the PEM private key, via the openssl CLI), HS256 (HMAC-SHA256 keyed
  with the bytes of --secret-file, e.g. the registry's public key: algorithm confusion), none
  (no signature). Prints the compact JWS on stdout. Standard library + openssl only.
"""
import argparse, base64, hashlib, hmac, json, subprocess, sys


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_to_raw(der: bytes) -> bytes:
    """ECDSA-Sig-Value (SEQUENCE of two INTEGERs) -> r||s, 32 bytes each."""
    def read_len(buf, i):
        n = buf[i]
        if n < 0x80:
            return n, i + 1
        k = n & 0x7F
        return int.from_bytes(buf[i + 1:i + 1 + k], "big"), i + 1 + k
    assert der[0] == 0x30
    _, i = read_len(der, 1)
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n, i = read_len(der, i + 1)
        out += int.from_bytes(der[i:i + n], "big").to_bytes(32, "big")
        i += n
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("alg")
    p.add_argument("claims")
    p.add_argument("--key")
    p.add_argument("--secret-file")
    p.add_argument("--kid")
    p.add_argument("--typ", default="JWT")
    a = p.parse_args()
    header = {"alg": a.alg, "typ": a.typ}
    if a.kid:
        header["kid"] = a.kid
    signing_input = (b64(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64(a.claims.encode()))
    json.loads(a.claims)  # the claims must at least be JSON
    if a.alg == "none":
        sig = b""
    elif a.alg == "HS256":
        with open(a.secret_file, "rb") as f:
            sig = hmac.new(f.read(), signing_input.encode(), hashlib.sha256).digest()
    elif a.alg == "ES256":
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key],
                             input=signing_input.encode(), capture_output=True, check=True).stdout
        sig = der_to_raw(der)
    else:
        print(f"unsupported alg {a.alg}", file=sys.stderr)
        return 2
    print(signing_input + "." + b64(sig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
