"""The AS4 codec (eDelivery AS4 profile 1.15 on ebMS3), on lxml and cryptography only.

Public surface:
- ``codec``: ``build_user_message``, ``build_receipt``, ``build_error_signal`` (-> ``OutboundMessage``),
  ``receive`` (-> ``ParsedMessage`` or ``EbmsError``), ``verify_receipt``, ``sent_references``,
  ``check_signature``, ``nri_references``, ``Payload``, ``ReceivePolicy``.
- ``ebms``: the header model (``UserMessageHeader``, ``Party``, ``Property``, ``PartInfo``).
- ``keys``: ``load_pkcs12``, ``load_certificates``, ``load_jks``, ``Truststore``, ``KeyPair``.
- ``errors``: ``EbmsError`` and the EBMS error table.
- ``report.inspect``: the verdict on any message as a JSON-ready dict.
Nothing here touches Django or the database.
"""
