"""Everything only the demo needs: the Aurelia catalogue (data files + loader), ``load_demo`` and
``rundemo``, the demo authority access point, the bundled test QTSP and its ``test-qtsp`` signer.

A leaf app: no building block imports it, and production (``DJANGO_ENV=production``) runs without it.
"""
