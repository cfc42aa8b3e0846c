"""`make backup` / `make restore` round-trip the demo data on PostgreSQL."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from partners.models import Agency
from programs.models import Application, Program

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs the PostgreSQL client (pg_dump)")
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_demo_data(tmp_path):
    call_command("seed_demo", verbosity=0)
    before = (Program.objects.count(), Agency.objects.count(), Application.objects.count(),
              sorted(Program.objects.values_list("slug", flat=True)))
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media")}
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "upload.pdf").write_bytes(b"%PDF-1.4 demo")

    subprocess.run([str(ROOT / "scripts/backup.sh"), str(tmp_path / "out")], check=True, env=env, cwd=ROOT)
    dump = next((tmp_path / "out").glob("db-*.dump"))
    media = next((tmp_path / "out").glob("media-*.tar.gz"))

    Application.objects.all().delete()  # the disaster (applications protect their programs)
    Program.objects.all().delete()
    shutil.rmtree(tmp_path / "media")
    connection.close()
    subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump), str(media)], check=True, env=env, cwd=ROOT)

    after = (Program.objects.count(), Agency.objects.count(), Application.objects.count(),
             sorted(Program.objects.values_list("slug", flat=True)))
    assert after == before and before[0] >= 20
    assert (tmp_path / "media" / "upload.pdf").read_bytes() == b"%PDF-1.4 demo"
