"""Digital signatures on PDF papers (PAdES, with pyHanko): signing the registry's own papers with
the office's key, and checking the signatures of any PDF against the office's trust roots.

Trust is what the office puts in SIGNING_TRUST_DIR: CA certificates (.pem, .crt, .cer) and CRLs
(.crl, PEM or DER). Nothing is fetched from the network (no OCSP, no CRL download), so the answer
depends only on the file and that folder. A signature is checked at the time of its trusted
timestamp when it has one (signed while the certificate was valid stays valid after it expires),
else at the present time.

The office's key comes from a PKCS#12 file or a PKCS#11 token named in the settings; passwords
and PINs come from a file or an environment variable, never from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import logging
import os
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from registry.services.certificates import VERIFICATION_CODE_KEY as _CODE_KEY

logger = logging.getLogger(__name__)

# The Info dictionary key that carries an award's verification code on its certificate PDF.
VERIFICATION_CODE_KEY = "/" + _CODE_KEY
# What the metadata dict of pdf_sign calls it.
VERIFICATION_CODE = "verification_code"

VALID = "valid"
ALTERED = "altered"
UNTRUSTED = "untrusted"
EXPIRED = "expired"
REVOKED = "revoked"
INVALID = "invalid"
UNSIGNED = "unsigned"
# Worst first: a document's status is the worst of its signatures'.
SEVERITY = (ALTERED, INVALID, REVOKED, UNTRUSTED, EXPIRED, VALID)

MESSAGES = {
    VALID: "chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký",
    ALTERED: "tài liệu đã bị thay đổi sau khi ký",
    INVALID: "chữ ký số không hợp lệ",
    REVOKED: "chứng thư số đã bị thu hồi",
    UNTRUSTED: "chứng thư số không thuộc nơi cấp tin cậy",
    EXPIRED: "chứng thư số đã hết hạn",
}
UNSIGNED_MESSAGE = (
    "Tệp không có chữ ký số: không chứng minh được đây là bản do cơ quan phát hành "
    "và chưa bị sửa đổi."
)
NOT_PDF_MESSAGE = "Tệp này không phải là tệp PDF đọc được: không kiểm tra được chữ ký số."
ADDED_AFTER_MESSAGE = (
    "tài liệu có nội dung được thêm vào sau chữ ký cuối cùng, không được chữ ký nào bảo đảm"
)
NOT_CONFIGURED_MESSAGE = (
    "Chưa cấu hình ký số: hãy đặt SIGNING_PKCS12_PATH (tệp .p12 của cơ quan) hoặc "
    "SIGNING_PKCS11_MODULE (thư viện của USB token) trong cấu hình máy chủ."
)


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_name: str
    signer_organisation: str
    certificate_sha256: str
    certificate_serial: str
    issuer_name: str
    signed_at: datetime | None
    timestamped: bool
    status: str
    message: str
    covers_revision: int
    modifications_ok: bool
    certificate_not_after: datetime | None = None
    # Nothing after it in the file, or only validation data (DSS, document timestamps).
    covers_whole_file: bool = False

    @property
    def valid(self) -> bool:
        return self.status == VALID


@dataclass(frozen=True)
class PdfVerification:
    signatures: tuple[SignatureCheck, ...]
    status: str
    message: str
    verification_code: str | None = None
    metadata: dict = field(default_factory=dict)
    revisions: int = 0

    @property
    def valid(self) -> bool:
        return self.status == VALID

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def decision_number(self) -> str | None:
        """The number on a decision PDF the registry signed (signed_papers.decision_pdf_signed)."""
        return self.metadata.get("RegistryDecisionNumber") or None

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "message": self.message,
            "verification_code": self.verification_code,
            "revisions": self.revisions,
            "metadata": self.metadata,
            "signatures": [
                {
                    "field_name": s.field_name,
                    "signer_name": s.signer_name,
                    "signer_organisation": s.signer_organisation,
                    "certificate_sha256": s.certificate_sha256,
                    "certificate_serial": s.certificate_serial,
                    "issuer_name": s.issuer_name,
                    "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                    "timestamped": s.timestamped,
                    "status": s.status,
                    "message": s.message,
                    "covers_revision": s.covers_revision,
                    "modifications_ok": s.modifications_ok,
                    "covers_whole_file": s.covers_whole_file,
                }
                for s in self.signatures
            ],
        }


def _outside_event_loop(fn):
    """pyHanko's synchronous API runs its own event loop (asyncio.run), which fails inside a
    thread that already runs one (an async caller, Playwright's sync API in the browser tests):
    there, the work moves to a short-lived thread of its own."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fn(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return wrapper


# --- Trust roots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustMaterial:
    roots: tuple
    others: tuple
    crls: tuple


def _pem_blocks(data: bytes, label: bytes) -> list[bytes]:
    from asn1crypto import pem

    if not pem.detect(data):
        return [data]
    return [
        der for kind, _headers, der in pem.unarmor(data, multiple=True) if label in kind.encode()
    ]


def trust_material(trust_dir: Path | str | None = None) -> TrustMaterial:
    """The certificates and CRLs in the trust folder; unreadable files are logged and skipped."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509

    folder = Path(trust_dir or settings.SIGNING_TRUST_DIR)
    roots, others, crls = [], [], []
    if not folder.is_dir():
        return TrustMaterial((), (), ())
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in {".pem", ".crt", ".cer", ".crl"}:
            continue
        data = path.read_bytes()
        try:
            if suffix == ".crl":
                for der in _pem_blocks(data, b"CRL"):
                    item = asn1_crl.CertificateList.load(der)
                    _ = item.native  # parse now: a broken file is skipped, not a crash later
                    crls.append(item)
                continue
            for der in _pem_blocks(data, b"CERTIFICATE"):
                cert = asn1_x509.Certificate.load(der)
                _ = cert.native
                (roots if cert.self_signed != "no" else others).append(cert)
        except (ValueError, TypeError, OSError) as error:
            logger.warning("signing: skipping unreadable trust file %s: %s", path, error)
    if not roots:  # only intermediates given: the office trusts those directly
        roots, others = others, []
    return TrustMaterial(tuple(roots), tuple(others), tuple(crls))


def _context(trust: TrustMaterial, *, moment: datetime | None = None):
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust.roots),
        other_certs=list(trust.others),
        crls=list(trust.crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
        # A CRL issued after the signing time that does not list the certificate still clears it.
        retroactive_revinfo=True,
        moment=moment,
    )


# --- Verifying ----------------------------------------------------------------------------------


def _name_part(name, key: str) -> str:
    try:
        value = name.native.get(key, "")
    except (ValueError, TypeError):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value or "")


def _metadata(reader) -> dict[str, str]:
    try:
        info = reader.trailer["/Info"]
    except (KeyError, ValueError, TypeError):
        return {}
    out = {}
    try:
        for key, value in info.items():
            try:
                out[str(key).lstrip("/")] = str(value.get_object())
            except Exception:  # noqa: BLE001 - one odd entry must not hide the rest
                continue
    except Exception:  # noqa: BLE001
        return {}
    return out


def _status_of(status, *, last: bool) -> tuple[str, str]:
    """Our status and Vietnamese reason from pyHanko's PdfSignatureStatus."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not status.intact:
        return ALTERED, MESSAGES[ALTERED]
    if not status.valid:
        return INVALID, MESSAGES[INVALID]
    coverage = status.coverage
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return ALTERED, "chữ ký không bao trùm toàn bộ tài liệu: " + MESSAGES[ALTERED]
    level = status.modification_level
    if coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        level is None or level > ModificationLevel.FORM_FILLING or status.docmdp_ok is False
    ):
        return ALTERED, (
            "tài liệu đã bị thay đổi sau khi ký (có nội dung được thêm vào sau chữ ký này, "
            "không chỉ là chữ ký khác)"
        )
    if status.revoked:
        return REVOKED, MESSAGES[REVOKED]
    if not status.trusted:
        indic = str(getattr(status.trust_problem_indic, "name", "") or "")
        if indic in {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
            return EXPIRED, MESSAGES[EXPIRED]
        if indic == "NOT_YET_VALID":
            return EXPIRED, "chứng thư số chưa có hiệu lực vào thời điểm ký"
        if indic in {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}:
            return REVOKED, MESSAGES[REVOKED]
        if indic in {
            "SIG_CONSTRAINTS_FAILURE",
            "CRYPTO_CONSTRAINTS_FAILURE",
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        }:
            return INVALID, (
                "chứng thư số hoặc thuật toán của chữ ký không được phép dùng để ký số"
            )
        return UNTRUSTED, MESSAGES[UNTRUSTED]
    return VALID, MESSAGES[VALID]


def _key_usage():
    """A signing certificate asserts digitalSignature or nonRepudiation (pyHanko's default asks
    for nonRepudiation only, which many signers' certificates lack)."""
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    return KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
    )


def _check_one(embedded, trust: TrustMaterial, *, last: bool) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    status = validate_pdf_signature(
        embedded,
        signer_validation_context=_context(trust),
        ts_validation_context=_context(trust),
        key_usage_settings=_key_usage(),
    )
    ts = status.timestamp_validity
    trusted_time = ts.timestamp if ts is not None and ts.valid and ts.trusted else None
    if trusted_time is not None and not status.bottom_line:
        # Judge the certificate as it stood when the trusted timestamp says it signed.
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=_context(trust, moment=trusted_time),
            ts_validation_context=_context(trust),
            key_usage_settings=_key_usage(),
        )
    code, message = _status_of(status, last=last)
    cert = embedded.signer_cert
    path_certs = []
    with contextlib.suppress(Exception):
        if status.validation_path is not None:
            path_certs = list(status.validation_path.iter_certs(include_root=True))
    if code in (VALID, EXPIRED) and _revoked_in_folder(
        cert, trust, at=trusted_time, path=path_certs
    ):
        code, message = REVOKED, MESSAGES[REVOKED]
    level = status.modification_level
    modifications_ok = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )
    return SignatureCheck(
        field_name=embedded.field_name or "",
        signer_name=_name_part(cert.subject, "common_name"),
        signer_organisation=_name_part(cert.subject, "organization_name"),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        certificate_serial=format(cert.serial_number, "X"),
        issuer_name=_name_part(cert.issuer, "common_name") or cert.issuer.human_friendly,
        signed_at=trusted_time or status.signer_reported_dt,
        timestamped=trusted_time is not None,
        status=code,
        message=message,
        covers_revision=embedded.signed_revision,
        modifications_ok=bool(modifications_ok),
        certificate_not_after=cert.not_valid_after,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        or (level is not None and level <= ModificationLevel.LTA_UPDATES),
    )


def _revoked_in_folder(cert, trust: TrustMaterial, *, at: datetime | None, path=()) -> bool:
    """Whether a CRL of the trust folder, signed by its issuer, lists the certificate.

    pyHanko consults CRLs only for certificates that name a distribution point; the office's
    folder is authoritative whatever the certificate declares. Revoked after a trusted signing
    time does not count: the signature was made while the certificate stood.
    """
    from cryptography import x509 as pyca_x509

    # The issuer from the folder, or from the chain that validated up to the folder's roots.
    issuers = [c for c in (*trust.roots, *trust.others, *path) if c.subject == cert.issuer]
    for crl in trust.crls:
        if crl.issuer != cert.issuer:
            continue
        listed = None
        for entry in crl["tbs_cert_list"]["revoked_certificates"] or []:
            if entry["user_certificate"].native == cert.serial_number:
                listed = entry["revocation_date"].native
                break
        if listed is None or (at is not None and listed > at):
            continue
        try:
            parsed = pyca_x509.load_der_x509_crl(crl.dump())
            if any(
                parsed.is_signature_valid(
                    pyca_x509.load_der_x509_certificate(i.dump()).public_key()
                )
                for i in issuers
            ):
                return True
        except (ValueError, TypeError):
            continue
    return False


def _broken(embedded, error: Exception) -> SignatureCheck:
    cert = None
    with contextlib.suppress(Exception):
        cert = embedded.signer_cert
    with contextlib.suppress(Exception):
        revision = embedded.signed_revision
    return SignatureCheck(
        field_name=getattr(embedded, "field_name", "") or "",
        signer_name=_name_part(cert.subject, "common_name") if cert else "",
        signer_organisation=_name_part(cert.subject, "organization_name") if cert else "",
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest() if cert else "",
        certificate_serial=format(cert.serial_number, "X") if cert else "",
        issuer_name=_name_part(cert.issuer, "common_name") if cert else "",
        signed_at=None,
        timestamped=False,
        status=INVALID,
        message=f"{MESSAGES[INVALID]} (không đọc được chữ ký theo chuẩn PAdES/PKCS#7)",
        covers_revision=locals().get("revision", 0) or 0,
        modifications_ok=False,
    )


def _summary(checks: list[SignatureCheck], *, whole_file: bool) -> tuple[str, str]:
    if not checks:
        return UNSIGNED, UNSIGNED_MESSAGE
    worst = min((c.status for c in checks), key=SEVERITY.index)
    if worst == VALID and not whole_file:
        return ALTERED, "Không hợp lệ: " + ADDED_AFTER_MESSAGE + "."
    if worst == VALID:
        names = ", ".join(c.signer_name for c in checks)
        if len(checks) == 1:
            return VALID, f"Hợp lệ: tài liệu do {names} ký số, không bị thay đổi sau khi ký."
        return VALID, (
            f"Hợp lệ: tài liệu có {len(checks)} chữ ký số ({names}), đều hợp lệ; không bị "
            "thay đổi ngoài các chữ ký thêm vào sau."
        )
    bad = [c for c in checks if c.status == worst]
    who = ", ".join(c.signer_name or c.field_name for c in bad)
    return worst, f"Không hợp lệ: chữ ký của {who}: {bad[0].message}."


@_outside_event_loop
def pdf_verify(data: bytes, *, trust_dir: Path | str | None = None) -> PdfVerification:
    """Check every signature of a PDF against the office's trust roots; never raises on bad input.

    The document is "valid" only when it has at least one signature, all are valid, and the
    last one covers the whole file; "unsigned" when it has none; else the worst status found.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data or not bytes(data[:1024]).lstrip().startswith(b"%PDF"):
        return PdfVerification((), INVALID, NOT_PDF_MESSAGE)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        revisions = reader.xrefs.total_revisions
        metadata = _metadata(reader)
    except Exception as error:  # noqa: BLE001 - a damaged file is an answer, not a crash
        logger.info("signing: unreadable PDF: %s", error)
        return PdfVerification((), INVALID, NOT_PDF_MESSAGE)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:  # noqa: BLE001
        logger.info("signing: unreadable signature: %s", error)
        return PdfVerification(
            (),
            INVALID,
            f"Không hợp lệ: {MESSAGES[INVALID]} (chữ ký bị hỏng hoặc không theo chuẩn "
            "PAdES/PKCS#7, không đọc được).",
            metadata=metadata,
            revisions=revisions,
        )
    trust = trust_material(trust_dir)
    checks = []
    for index, sig in enumerate(embedded):
        try:
            checks.append(_check_one(sig, trust, last=index == len(embedded) - 1))
        except Exception as error:  # noqa: BLE001
            logger.info("signing: signature %s not checkable: %s", index, error)
            checks.append(_broken(sig, error))
    # The last signature must vouch for the whole file (validation data may follow it).
    whole_file = bool(checks) and checks[-1].covers_whole_file
    status, message = _summary(checks, whole_file=whole_file)
    code = metadata.get(VERIFICATION_CODE_KEY.lstrip("/")) or None
    return PdfVerification(
        signatures=tuple(checks),
        status=status,
        message=message,
        verification_code=code,
        metadata=metadata,
        revisions=revisions,
    )


# --- Signing ------------------------------------------------------------------------------------


class SigningNotConfigured(ImproperlyConfigured):
    pass


def _secret(*, file_setting: str, env_name: str) -> str | None:
    path = getattr(settings, file_setting, "")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValidationError(
                f"Không đọc được tệp mật khẩu/PIN ký số ({file_setting}={path}): {error.strerror}."
            ) from error
    value = os.environ.get(env_name)
    return value if value is not None else None


def signing_configured() -> bool:
    return bool(settings.SIGNING_PKCS11_MODULE or settings.SIGNING_PKCS12_PATH)


class UrllibTimeStamper:
    """An RFC 3161 client on the standard library (pyHanko's own one needs `requests`)."""

    def __new__(cls, url: str, timeout: float = 10):
        from asn1crypto import tsp
        from pyhanko.sign.timestamps.api import TimeStamper
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        class _Stamper(TimeStamper):
            async def async_request_tsa_response(self, req):
                request = urllib.request.Request(
                    url,
                    data=req.dump(),
                    headers={
                        "Content-Type": "application/timestamp-query",
                        "Accept": "application/timestamp-reply",
                    },
                    method="POST",
                )
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                        body = response.read()
                        kind = response.headers.get("Content-Type", "")
                except OSError as error:
                    raise TimestampRequestError(
                        f"Không liên lạc được máy chủ dấu thời gian {url}: {error}"
                    ) from error
                if kind != "application/timestamp-reply":
                    raise TimestampRequestError(
                        f"Máy chủ dấu thời gian {url} trả lời không đúng định dạng."
                    )
                return tsp.TimeStampResp.load(body)

        return _Stamper()


@contextlib.contextmanager
def office_signer() -> Iterator[object]:
    """The office's pyHanko signer from the settings, open for the duration of the block."""
    if settings.SIGNING_PKCS11_MODULE:
        from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

        pin = _secret(file_setting="SIGNING_PKCS11_PIN_FILE", env_name="SIGNING_PKCS11_PIN")
        slot = settings.SIGNING_PKCS11_SLOT
        label = settings.SIGNING_PKCS11_TOKEN_LABEL
        try:
            session = open_pkcs11_session(
                settings.SIGNING_PKCS11_MODULE,
                slot_no=int(slot) if str(slot).strip() != "" else None,
                token_criteria=TokenCriteria(label=label) if label else None,
                user_pin=pin,
            )
        except Exception as error:  # noqa: BLE001 - the token's library speaks its own errors
            raise ValidationError(
                f"Không mở được USB token/thiết bị ký số ({settings.SIGNING_PKCS11_MODULE}): "
                f"{error}. Hãy kiểm tra token đã cắm, khe (slot), nhãn và mã PIN."
            ) from error
        try:
            yield PKCS11Signer(
                session,
                key_label=settings.SIGNING_PKCS11_KEY_LABEL or None,
                cert_label=settings.SIGNING_PKCS11_CERT_LABEL
                or settings.SIGNING_PKCS11_KEY_LABEL
                or None,
            )
        finally:
            with contextlib.suppress(Exception):
                session.close()
        return
    if settings.SIGNING_PKCS12_PATH:
        password = _secret(
            file_setting="SIGNING_PKCS12_PASSWORD_FILE", env_name="SIGNING_PKCS12_PASSWORD"
        )
        yield signer_from_pkcs12(settings.SIGNING_PKCS12_PATH, password)
        return
    raise ValidationError(NOT_CONFIGURED_MESSAGE)


def _key_cached_signer(base):
    """pyHanko's SimpleSigner parses its private key again for every signature, with the
    (slow) RSA consistency checks; for a batch of certificates the key is parsed once."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

    class KeyCachedSigner(SimpleSigner):
        _loaded_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism_spec = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                mechanism = mechanism_spec.signature_algo
            except ValueError:
                mechanism = mechanism_spec["algorithm"].native
            if self._loaded_key is None:
                self._loaded_key = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            key = self._loaded_key
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            if mechanism == "rsassa_pss" and isinstance(key, RSAPrivateKey):
                padding, hash_algo = process_pss_params(mechanism_spec["parameters"])
                return key.sign(data, padding, hash_algo)
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return super().sign_raw(data, digest_algorithm)

    return KeyCachedSigner(
        signing_cert=base.signing_cert,
        signing_key=base.signing_key,
        cert_registry=base.cert_registry,
        signature_mechanism=base.signature_mechanism,
    )


def signer_from_pkcs12(path: Path | str, password: str | None):
    """A pyHanko signer from a .p12/.pfx file; a Vietnamese error if it cannot be opened."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ValidationError(f"Không đọc được tệp khóa ký số {path}: {error.strerror}.") from error
    signer = None
    with contextlib.suppress(Exception):
        signer = SimpleSigner.load_pkcs12_data(
            data, other_certs=None, passphrase=password.encode() if password else None
        )
    if signer is None:
        raise ValidationError(
            f"Không mở được tệp khóa ký số {path}: sai mật khẩu hoặc tệp không phải PKCS#12."
        )
    return _key_cached_signer(signer)


def timestamper():
    url = settings.SIGNING_TIMESTAMP_URL
    return UrllibTimeStamper(url) if url else None


@_outside_event_loop
def pdf_sign(
    data: bytes,
    *,
    reason: str = "",
    metadata: dict[str, str] | None = None,
    signer=None,
    timestamp_url: str | None = None,
) -> bytes:
    """Append a PAdES signature (and a timestamp where SIGNING_TIMESTAMP_URL is set) to a PDF.

    ``signer`` is a pyHanko signer (see office_signer, signer_from_pkcs12); by default the
    office's key from the settings. ``metadata`` entries go into the PDF's Info dictionary before
    signing, so the signature covers them ("verification_code" becomes /RegistryVerificationCode).
    """
    if signer is None:
        with office_signer() as office:
            return pdf_sign(
                data, reason=reason, metadata=metadata, signer=office, timestamp_url=timestamp_url
            )
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as error:  # noqa: BLE001
        raise ValidationError(NOT_PDF_MESSAGE) from error
    if metadata:
        info = generic.DictionaryObject()
        with contextlib.suppress(KeyError, ValueError, TypeError):
            info.update(writer.trailer["/Info"])
        for key, value in metadata.items():
            name = VERIFICATION_CODE_KEY if key == VERIFICATION_CODE else "/" + key.lstrip("/")
            info[generic.NameObject(name)] = generic.TextStringObject(str(value))
        writer.set_info(info)
    stamper = UrllibTimeStamper(timestamp_url) if timestamp_url else timestamper()
    meta = signers.PdfSignatureMetadata(
        field_name=_free_field_name(writer),
        name=_subject_name(signer),
        reason=reason or None,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=stamper)
    # Room for the signature container, so that pyHanko need not make a trial signature (and
    # ask the timestamp server twice) to measure it; if a long chain needs more, measure.
    reserved = RESERVED_BYTES_TIMESTAMPED if stamper is not None else RESERVED_BYTES
    try:
        try:
            out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
        except SigningError as error:
            if "larger than expected" not in str(error):
                raise
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
            if metadata:
                writer.set_info(info)
            out = pdf_signer.sign_pdf(writer)
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001
        raise ValidationError(f"Ký số không thành công: {error}") from error
    return out.getvalue()


def _subject_name(signer) -> str | None:
    """The signer's name for the signature dictionary, worked out once per signer (pyHanko
    would parse the certificate's subject again for every file of a batch)."""
    cached = getattr(signer, "_registry_subject_name", None)
    if cached is None:
        cert = signer.signing_cert
        if cert is None:
            return None
        cached = _name_part(cert.subject, "common_name") or _name_part(
            cert.subject, "organization_name"
        )
        with contextlib.suppress(AttributeError):
            signer._registry_subject_name = cached
    return cached or None


RESERVED_BYTES = 12 * 1024
RESERVED_BYTES_TIMESTAMPED = 20 * 1024


def _free_field_name(writer) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _value, _ref in enumerate_sig_fields(writer.prev)}
    n = len(taken) + 1
    while f"ChuKy{n}" in taken:
        n += 1
    return f"ChuKy{n}"
