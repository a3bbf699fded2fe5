from django.core.management.base import BaseCommand

from budget import uploads


class Command(BaseCommand):
    help = "Löscht vorläufig aufbewahrte Belege abgelehnter Buchungen, deren Frist abgelaufen ist."

    def handle(self, *args, **options):
        count = uploads.purge_expired()
        if options["verbosity"]:
            self.stdout.write(f"{count} abgelaufene vorläufige Belege gelöscht.")
