"""List the rows whose stored files are gone (the same check beat runs nightly)."""

from django.core.management.base import BaseCommand

from gwangmyeong_portal.uploads import stored_files_missing


class Command(BaseCommand):
    help = "List rows (application documents, evidence, logos, exports…) whose stored file is missing."

    def handle(self, *args, **options):
        count = 0
        for row in stored_files_missing():
            self.stdout.write(str(row))
            count += 1
        self.stdout.write(f"{count} missing" if count else "every stored file is in place")
