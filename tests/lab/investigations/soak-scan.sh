# The churn of soak-common.sh for 20 minutes, two readers scanning the guests all along.
source "$LAB_TOP/tests/lab/investigations/soak-common.sh"
soak 1 1200
