# Restarts of a domain, each followed by a move of the new guest to PMEM,
# MODE agent (see restart-common.sh). All three in one boot:
#   tests/lab/run --timeout 1500 tests/lab/investigations/restart-agent.sh \
#       tests/lab/investigations/restart-dry-run.sh tests/lab/investigations/restart-bare.sh
source "$LAB_TOP/tests/lab/investigations/restart-common.sh"
restart_rounds agent ${RESTARTS:-12}
