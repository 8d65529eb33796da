"""Print the DNS records that let receivers trust the portal's mail: SPF, DKIM and DMARC."""

import base64
from email.utils import parseaddr

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand

from wmasn.mail import dkim_signing


class Command(BaseCommand):
    help = "Print the SPF, DKIM and DMARC records to publish for the sending domain."

    def handle(self, *args, **options):
        domain = dkim_signing.domain()
        reports = parseaddr(settings.NETWORK_CONTACT_EMAIL or settings.DEFAULT_FROM_EMAIL)[1]
        self.stdout.write("; Publish these TXT records (docs/deployment.md, 'Email and DNS').")
        relay = settings.EMAIL_HOST or "your-mail-relay.example"
        self.stdout.write(
            f'{domain}. TXT "v=spf1 a mx include:{relay} ~all"'
            "  ; SPF: name the relay that sends for you (include: or ip4:)"
        )
        if dkim_signing.is_enabled():
            key = serialization.load_pem_private_key(dkim_signing.private_key(), password=None)
            der = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            public = base64.b64encode(der).decode("ascii")
            self.stdout.write(
                f'{settings.DKIM_SELECTOR}._domainkey.{domain}. TXT "v=DKIM1; k=rsa; p={public}"'
            )
        else:
            self.stdout.write(
                "; DKIM: set DKIM_PRIVATE_KEY (openssl genrsa 2048) and run this again for the"
                " record; until then the portal does not sign."
            )
        self.stdout.write(
            f'_dmarc.{domain}. TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:{reports}"'
        )
