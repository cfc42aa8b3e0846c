#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh. It REPLACES the current data.
#   make restore BACKUP=backups/db-20270401-020000.dump [MEDIA=backups/media-20270401-020000.tar.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
backup="${1:?usage: scripts/restore.sh DB_BACKUP [MEDIA_TAR]}"
media_tar="${2:-}"
media="${MEDIA_ROOT:-var/private_media}"
case "$backup" in
  *.dump)
    [[ "${DATABASE_URL:-}" == postgres* ]] || { echo "restore: set DATABASE_URL to the PostgreSQL database to restore into" >&2; exit 2; }
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname "$DATABASE_URL" "$backup"
    ;;
  *.sqlite3)
    cp "$backup" var/db.sqlite3
    ;;
  *) echo "restore: unknown backup file $backup" >&2; exit 2 ;;
esac
echo "restore: database <- $backup"
if [ -n "$media_tar" ]; then
  mkdir -p "$media"
  tar -xzf "$media_tar" -C "$media"
  echo "restore: uploads <- $media_tar"
fi
