#!/usr/bin/env bash
# A dump of the @sdr database with pg_dump (custom format: compressed, restored with pg_restore),
# written aside and renamed when complete, then the dumps older than the retention removed.
#
#   DATABASE_URL=postgres://sdr:…@host:5432/sdr BACKUP_DIR=/var/backups/sdr deploy/backup.sh
#
# BACKUP_RETENTION_DAYS: 7, 15 or 30 (default 30). Run it daily (cron, a systemd timer, or the
# compose one-off described in docs/operations.md). Exit status non-zero: no new dump was made,
# and nothing was pruned.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to dump}"
: "${BACKUP_DIR:?set BACKUP_DIR to the directory that keeps the dumps}"
retention="${BACKUP_RETENTION_DAYS:-30}"
case "$retention" in
  7 | 15 | 30) ;;
  *)
    echo "BACKUP_RETENTION_DAYS must be 7, 15 or 30 (got '$retention')" >&2
    exit 2
    ;;
esac

mkdir -p "$BACKUP_DIR"
name="sdr-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$partial"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$BACKUP_DIR/$name"
echo "wrote $BACKUP_DIR/$name ($(du -h "$BACKUP_DIR/$name" | cut -f1))"

find "$BACKUP_DIR" -maxdepth 1 -type f -name 'sdr-*.dump' -mtime "+$((retention - 1))" -print -delete |
  sed 's/^/removed /'
