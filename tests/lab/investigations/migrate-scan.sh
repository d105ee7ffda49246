# Migrations of a running nested guest while a reader scans it (see
# migrate-common.sh).
source "$LAB_TOP/tests/lab/investigations/migrate-common.sh"
migrate_rounds 1
