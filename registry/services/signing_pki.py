"""A small certificate authority made at run time, for the tests and the demo (make run).

Nothing here is secret or committed: every key is generated when the folder is written. The
layout mirrors what an office keeps:

    <folder>/trust/root.pem, root.crl     the trust roots folder (SIGNING_TRUST_DIR)
    <folder>/office.p12, office.pass      the office's own key (SIGNING_PKCS12_PATH, ..._FILE)
    <folder>/<name>.pem, <name>.key.pem, <name>.p12 (password in <name>.pass) for each signer

Signers: ``office`` (the registry's organisation certificate), ``person`` and ``second`` (leaders
signing on their tokens; the second certificate has digitalSignature without nonRepudiation), ``expired`` (valid two years ago, expired a year ago), ``revoked``
(listed in root.crl), ``outside`` (issued by a CA that is not in the trust folder),
``sub_person`` and ``sub_revoked`` (issued by a subordinate CA whose certificate travels in the
signature, the second listed in trust/sub.crl) and ``tsa`` (the local timestamp server's).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_NAME = "Cơ quan chứng thực thử nghiệm Sổ thi đua"
OUTSIDE_NAME = "Nơi cấp chứng thư ngoài danh sách tin cậy"
SUB_NAME = "Cơ quan chứng thực cấp dưới thử nghiệm"
OFFICE_NAME = "Ủy ban nhân dân huyện Văn Lãng"
OFFICE_ORGANISATION = "UBND huyện Văn Lãng"


@dataclass
class PkiSigner:
    name: str
    cert: Path  # PEM
    key: Path  # PEM, PKCS#8, no password (for importing into a token)
    pkcs12: Path
    password: str
    password_file: Path
    common_name: str
    serial: int
    not_before: datetime
    not_after: datetime


@dataclass
class TestPki:
    folder: Path
    trust_dir: Path
    root_cert: Path
    crl: Path
    outside_root_cert: Path
    signers: dict[str, PkiSigner] = field(default_factory=dict)

    @property
    def office(self) -> PkiSigner:
        return self.signers["office"]

    def __getitem__(self, name: str) -> PkiSigner:
        return self.signers[name]


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, organisation: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _ca(
    common_name: str,
    now: datetime,
    *,
    parent: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed root CA, or with ``parent`` a subordinate CA issued by it."""
    key = _key()
    name = _name(common_name, "Thử nghiệm")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    issuer_name, signing_key = (parent[0].subject, parent[1]) if parent else (name, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=3650))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
    )
    if parent:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent[1].public_key()),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256()), key


def _leaf(
    *,
    common_name: str,
    organisation: str,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    tsa: bool = False,
    non_repudiation: bool = True,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation and not tsa,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256()), key


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_signer(
    folder: Path,
    name: str,
    cert: x509.Certificate,
    key: rsa.RSAPrivateKey,
    chain: list[x509.Certificate],
) -> PkiSigner:
    password = secrets.token_urlsafe(12)
    (folder / f"{name}.pem").write_bytes(_pem(cert))
    (folder / f"{name}.key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / f"{name}.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            cert,
            chain,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    (folder / f"{name}.pass").write_text(password + "\n", encoding="utf-8")
    for path in (folder / f"{name}.key.pem", folder / f"{name}.p12", folder / f"{name}.pass"):
        path.chmod(0o600)
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return PkiSigner(
        name=name,
        cert=folder / f"{name}.pem",
        key=folder / f"{name}.key.pem",
        pkcs12=folder / f"{name}.p12",
        password=password,
        password_file=folder / f"{name}.pass",
        common_name=str(common_name),
        serial=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def pki_write(folder: Path | str, *, now: datetime | None = None) -> TestPki:
    """Write a fresh test PKI into ``folder`` (made if missing); the paths of what was written."""
    folder = Path(folder)
    trust = folder / "trust"
    outside_dir = folder / "outside"
    for path in (folder, trust, outside_dir):
        path.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.now(UTC)).replace(microsecond=0)

    root, root_key = _ca(ROOT_NAME, now)
    outside_root, outside_key = _ca(OUTSIDE_NAME, now)
    # A subordinate CA, as the government's root issues through: its certificate is not in the
    # trust folder (signers carry it in their signature), its CRL is.
    sub, sub_key = _ca(SUB_NAME, now, parent=(root, root_key))
    (trust / "root.pem").write_bytes(_pem(root))
    (outside_dir / "outside-root.pem").write_bytes(_pem(outside_root))

    current = (now - timedelta(days=30), now + timedelta(days=730))
    plans = {
        "office": (OFFICE_NAME, OFFICE_ORGANISATION, root, root_key, current, False),
        "person": ("Hoàng Văn Thử", OFFICE_ORGANISATION, root, root_key, current, False),
        "second": ("Lê Thị Ký", "Trường Tiểu học Hoàng Việt", root, root_key, current, False),
        "expired": (
            "Nguyễn Văn Hết Hạn",
            OFFICE_ORGANISATION,
            root,
            root_key,
            (now - timedelta(days=730), now - timedelta(days=365)),
            False,
        ),
        "revoked": ("Trần Văn Thu Hồi", OFFICE_ORGANISATION, root, root_key, current, False),
        "outside": ("Phạm Văn Ngoài", "Đơn vị ngoài", outside_root, outside_key, current, False),
        "sub_person": ("Đỗ Thị Cấp Dưới", OFFICE_ORGANISATION, sub, sub_key, current, False),
        "sub_revoked": ("Vũ Văn Thu Hồi", OFFICE_ORGANISATION, sub, sub_key, current, False),
        "tsa": (
            "Máy chủ dấu thời gian thử nghiệm",
            "Thử nghiệm",
            root,
            root_key,
            (now - timedelta(days=1825), now + timedelta(days=1825)),
            True,
        ),
    }
    pki = TestPki(
        folder=folder,
        trust_dir=trust,
        root_cert=trust / "root.pem",
        crl=trust / "root.crl",
        outside_root_cert=outside_dir / "outside-root.pem",
    )
    for name, (cn, org, issuer, issuer_key, (start, end), tsa) in plans.items():
        cert, key = _leaf(
            common_name=cn,
            organisation=org,
            issuer=issuer,
            issuer_key=issuer_key,
            not_before=start,
            not_after=end,
            tsa=tsa,
            # Not every signing certificate asserts non-repudiation: "second" only signs.
            non_repudiation=name != "second",
        )
        chain = [issuer, root] if issuer is sub else [issuer]
        pki.signers[name] = _write_signer(folder, name, cert, key, chain)

    pki.crl.write_bytes(
        _crl(root, root_key, pki.signers["revoked"].serial, now).public_bytes(
            serialization.Encoding.DER
        )
    )
    # The subordinate CA's CRL in PEM, as CAs also publish them.
    (trust / "sub.crl").write_bytes(
        _crl(sub, sub_key, pki.signers["sub_revoked"].serial, now).public_bytes(
            serialization.Encoding.PEM
        )
    )
    return pki


def _crl(issuer: x509.Certificate, key: rsa.RSAPrivateKey, serial: int, now: datetime):
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(serial)
        .revocation_date(now - timedelta(days=1))
        .build()
    )
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=30))
        .add_revoked_certificate(revoked)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
            critical=False,
        )
        .add_extension(x509.CRLNumber(1), critical=False)
        .sign(key, hashes.SHA256())
    )


# --- A local timestamp server ----------------------------------------------------------------------


class LocalTimestampServer:
    """An RFC 3161 timestamp server on 127.0.0.1 in a thread, signing with the test TSA key.

    ``url`` stamps the present time; ``url_at(moment)`` stamps a fixed moment (a server whose
    clock says the signature was made then), for signatures made "in the past".

        with LocalTimestampServer(pki) as tsa:
            pdf_sign(data, timestamp_url=tsa.url)
    """

    def __init__(self, pki: TestPki):
        self.pki = pki
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalTimestampServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> LocalTimestampServer:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from asn1crypto import tsp
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        tsa = self.pki["tsa"]
        cert = load_cert_from_pemder(str(tsa.cert))
        key = load_private_key_from_pemder(str(tsa.key), passphrase=None)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                fixed = None
                if self.path.startswith("/at/"):
                    fixed = datetime.fromisoformat(self.path[4:].replace("Z", "+00:00"))
                length = int(self.headers.get("Content-Length") or 0)
                request = tsp.TimeStampReq.load(self.rfile.read(length))
                stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key, fixed_dt=fixed)
                body = stamper.request_tsa_response(request).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def url_at(self, moment: datetime) -> str:
        return f"{self.url}at/{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


# --- A PKCS#11 token on SoftHSM2 -------------------------------------------------------------------

SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


@dataclass
class SoftHsmToken:
    module: str
    config: Path  # SOFTHSM2_CONF must point here before the module is loaded
    token_label: str
    key_label: str
    pin: str
    pin_file: Path


def softhsm_module() -> str | None:
    import shutil

    if not shutil.which("softhsm2-util"):
        return None
    return next((m for m in SOFTHSM_MODULES if Path(m).exists()), None)


def softhsm_token_write(
    folder: Path | str,
    signer: PkiSigner,
    *,
    token_label: str = "so-thi-dua",
    key_label: str = "co-quan",
) -> SoftHsmToken:
    """Initialise a SoftHSM2 token in ``folder`` holding the signer's key and certificate.

    Sets SOFTHSM2_CONF in this process's environment (the module reads it when loaded). The key
    goes in with softhsm2-util, the certificate with python-pkcs11.
    """
    import os
    import subprocess

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    module = softhsm_module()
    if module is None:
        raise RuntimeError("SoftHSM2 is not installed (Debian package softhsm2)")
    folder = Path(folder)
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    os.environ["SOFTHSM2_CONF"] = str(config)
    pin, so_pin = secrets.token_hex(4), secrets.token_hex(4)
    pin_file = folder / "token.pin"
    pin_file.write_text(pin + "\n", encoding="utf-8")
    pin_file.chmod(0o600)
    env = {**os.environ, "SOFTHSM2_CONF": str(config)}
    run = {"check": True, "env": env, "capture_output": True}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", token_label]
        + ["--pin", pin, "--so-pin", so_pin],
        **run,
    )
    subprocess.run(
        ["softhsm2-util", "--import", str(signer.key), "--token", token_label]
        + ["--label", key_label, "--id", "01", "--pin", pin],
        **run,
    )
    cert = x509.load_pem_x509_certificate(signer.cert.read_bytes())
    lib = pkcs11.lib(module)
    token = lib.get_token(token_label=token_label)
    with token.open(rw=True, user_pin=pin) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    return SoftHsmToken(module, config, token_label, key_label, pin, pin_file)
