# Migrations of a running nested guest, the module unloaded (see
# migrate-common.sh).
source "$LAB_TOP/tests/lab/investigations/migrate-common.sh"
rmmod idle_pages
migrate_rounds 0
insmod "$LAB_MODULE"
