"""The portal's signing library: validation of signed files (PAdES, ASiC, XAdES, CAdES) against
EU trusted lists and configured anchors, and ASiC-E building. Knows nothing of dossiers or delivery.

Public surface: ``validate`` (validation.py), ``ValidationReport`` (report.py), ``TrustContext``
(trust.py), ``build_asice`` (asic_build.py), the signer registry (signers.py).
"""
