# The churn of soak-common.sh for 20 minutes, the module unloaded.
source "$LAB_TOP/tests/lab/investigations/soak-common.sh"
soak 0 1200
