"""TLS for the emulated database servers: a certificate authority generated when the region starts
(its PEM file is what clients verify against, as they would Amazon RDS's regional bundle) and one
server certificate per instance naming its endpoint and its loopback address.

AWS: "Using SSL/TLS to encrypt a connection to a DB instance or cluster" (RDS User Guide) - RDS
signs each instance's certificate with its own CA and publishes the CA bundle clients verify with;
the instance's certificate carries the endpoint's DNS name, so `sslmode=verify-full` works.
AWS does not document its certificates' key types; this CA uses ECDSA P-256 (fast to generate).
"""

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=365)
# X.509's upper bound for a common name (RFC 5280, ub-common-name). An RDS endpoint can be longer
# (Terraform's identifier_prefix alone makes 78 characters): clients match the subject alternative
# names, which always hold the endpoint; the common name then holds its first label only.
COMMON_NAME_LIMIT = 64


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Emulated Amazon RDS"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + VALIDITY)


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    # PostgreSQL refuses a key file that group or others can read.
    path.chmod(0o600)


class CertificateAuthority:
    def __init__(self, directory: Path) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._subject = _name("Emulated RDS root CA")
        certificate = (
            _validity(x509.CertificateBuilder())
            .subject_name(self._subject).issuer_name(self._subject)
            .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=True, crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.certificate_file = directory / "emulated-rds-ca.pem"
        self.certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self.certificate_file.chmod(0o644)

    def issue(self, directory: Path, dns_name: str, address: str, owner: tuple[int, int] | None) -> tuple[Path, Path]:
        """Writes server.crt and server.key for `dns_name` and `address`; returns their paths."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            _validity(x509.CertificateBuilder())
            .subject_name(_name(dns_name if len(dns_name) <= COMMON_NAME_LIMIT else dns_name.split(".")[0][:64]))
            .issuer_name(self._subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name),
                                                        x509.IPAddress(ipaddress.ip_address(address))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        certificate_file, key_file = directory / "server.crt", directory / "server.key"
        certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_file)
        if owner is not None:
            for path in (certificate_file, key_file):
                os.chown(path, *owner)
        return certificate_file, key_file
