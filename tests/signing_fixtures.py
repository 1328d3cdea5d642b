"""Fixtures for digital signatures: a test PKI, a timestamp server and a SoftHSM2 token.

Everything is generated at run time in a temporary folder (nothing secret is committed):

- ``signing_pki``: the PKI of registry/services/signing_pki.py, built once per session, with the
  settings pointed at it (trust folder, the office's PKCS#12 and its password file);
- ``timestamp_server``: a local RFC 3161 server signing with the PKI's TSA certificate;
- ``sign_as`` and ``pdf_add_content``: a PDF signed as one of the PKI's signers, and content
  appended after a signature (what the pledge and upload checks must refuse);
- ``signing_pkcs11``: the office's key and certificate on a SoftHSM2 token, with the settings
  pointed at the token instead of the PKCS#12 file (skipped where softhsm2 is missing, failed
  under CI=true).
"""

from __future__ import annotations

import os

import pytest

from registry.services import signing_pki as pki_module


@pytest.fixture(scope="session")
def signing_pki_files(tmp_path_factory):
    return pki_module.pki_write(tmp_path_factory.mktemp("signing-pki"))


@pytest.fixture
def signing_pki(signing_pki_files, settings):
    """The test PKI, with the office's PKCS#12 and the trust folder in the settings."""
    pki = signing_pki_files
    settings.SIGNING_TRUST_DIR = pki.trust_dir
    settings.SIGNING_PKCS12_PATH = str(pki.office.pkcs12)
    settings.SIGNING_PKCS12_PASSWORD_FILE = str(pki.office.password_file)
    settings.SIGNING_PKCS11_MODULE = ""
    settings.SIGNING_TIMESTAMP_URL = ""
    return pki


@pytest.fixture(scope="session")
def timestamp_server(signing_pki_files):
    with pki_module.LocalTimestampServer(signing_pki_files) as server:
        yield server


@pytest.fixture(scope="session")
def softhsm_token(signing_pki_files, tmp_path_factory):
    if pki_module.softhsm_module() is None:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail("softhsm2 is missing (make system-deps installs it)")
        pytest.skip("softhsm2 is missing (Debian package softhsm2; make system-deps)")
    return pki_module.softhsm_token_write(
        tmp_path_factory.mktemp("softhsm"), signing_pki_files.office
    )


@pytest.fixture
def signing_pkcs11(signing_pki, softhsm_token, settings):
    """The settings point at the SoftHSM2 token (PIN from a file) rather than the PKCS#12."""
    settings.SIGNING_PKCS12_PATH = ""
    settings.SIGNING_PKCS11_MODULE = softhsm_token.module
    settings.SIGNING_PKCS11_TOKEN_LABEL = softhsm_token.token_label
    settings.SIGNING_PKCS11_SLOT = ""
    settings.SIGNING_PKCS11_KEY_LABEL = softhsm_token.key_label
    settings.SIGNING_PKCS11_CERT_LABEL = ""
    settings.SIGNING_PKCS11_PIN_FILE = str(softhsm_token.pin_file)
    return softhsm_token


@pytest.fixture
def sign_as(signing_pki):
    """sign_as(data, "person") signs with one of the PKI's signers (office, person, second,
    expired, revoked, outside, sub_person, sub_revoked), as a leader would on their own token."""
    from registry.services.signing import pdf_sign, signer_from_pkcs12

    def sign(data: bytes, name: str = "person", *, timestamp_url: str | None = None) -> bytes:
        signer = signer_from_pkcs12(signing_pki[name].pkcs12, signing_pki[name].password)
        return pdf_sign(data, signer=signer, timestamp_url=timestamp_url)

    return sign


def pdf_add_content(data: bytes) -> bytes:
    """An incremental update that paints a box on the first page: content added after a
    signature, which pdf_verify must refuse (signatures and form fields alone are allowed)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    stream = generic.StreamObject(stream_data=b"q 0 0 1 rg 50 50 200 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
