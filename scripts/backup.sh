#!/usr/bin/env bash
# Back up the database and the uploaded files into backups/ (or the folder given as $1).
#   make backup                      # uses DATABASE_URL, or the embedded SQLite file of `make run`
# PostgreSQL: pg_dump custom format (restore with scripts/restore.sh). Uploads: a tar of MEDIA_ROOT.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-backups}"
mkdir -p "$out"
stamp="$(date +%Y%m%d-%H%M%S)"
media="${MEDIA_ROOT:-var/private_media}"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  pg_dump --format=custom --no-owner --no-privileges --file "$out/db-$stamp.dump" "$DATABASE_URL"
  echo "backup: database -> $out/db-$stamp.dump"
else
  .venv/bin/python - "$out/db-$stamp.sqlite3" <<'PY'
import sqlite3, sys
src = sqlite3.connect("var/db.sqlite3")
dst = sqlite3.connect(sys.argv[1])
src.backup(dst)  # a consistent copy even while the portal is running
dst.close(); src.close()
PY
  echo "backup: database -> $out/db-$stamp.sqlite3"
fi
if [ -d "$media" ]; then
  tar -czf "$out/media-$stamp.tar.gz" -C "$media" .
  echo "backup: uploads -> $out/media-$stamp.tar.gz"
fi
