# The analysis tool on a libvirt domain, numbers: the test guest accesses
# a known working set W (its hot set, uniformly, plus its own image
# pages) and leaves its cold set alone. `idle-pages report`, given the
# domain's name, must find a working set within 5% of W in every round,
# put W in the histogram's top bucket (accessed in every round) and the
# cold set in the bottom one (never accessed).
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
trap libvirt_logs EXIT

DOM=tgreport
HOT=4096		# pages: 16 MiB
COLD=8192		# pages: 32 MiB
ROUNDS=6		# 1 s apart; the guest touches each hot page ~20 times a second

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM 256 \
	"pattern=uniform hot=$HOT cold=$COLD write=30 passes=0 report_secs=0")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
check "the guest wrote its whole area" \
	wait_for 60 grep -q "TG init pages=$((HOT + COLD))" "$LAB_OUT/$DOM.serial"

# W: the hot set plus the guest's own pages (code, data, stack), which it
# reports as "TG image=FIRST-LAST" (last byte inclusive).
image=$(grep -ao 'TG image=0x[0-9a-f]*-0x[0-9a-f]*' "$LAB_OUT/$DOM.serial" | head -n1)
first=${image#TG image=}
first=${first%-*}
last=${image##*-}
check "the guest reported its image pages ($image)" test -n "$image" || exit 1
W=$((HOT + (last + 1 - first) / 4096))
echo "known working set W = $HOT hot + $(((last + 1 - first) / 4096)) image pages = $W pages"

# A first scan clears what the guest's start-up touched (its whole area).
idle-pages dump $DOM >"$LAB_OUT/dump.txt"
check "idle-pages dump by domain name lists the guest's ranges" \
	grep -q accessed "$LAB_OUT/dump.txt"
idle-pages report -q -n $ROUNDS -t 1 -w 1 --json $DOM >"$LAB_OUT/report.json"
check "idle-pages report by domain name answers" test -s "$LAB_OUT/report.json" || exit 1

# The report's figures, as shell variables.
eval "$(python3 - "$LAB_OUT/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
h = r["accessed_in_k_rounds"]
w1 = [w for w in r["working_set"] if w["window_rounds"] == 1][0]
print(f"target='{r['target']}' rounds={r['rounds']} mapped={r['mapped_pages']}")
print(f"top={h[-1]} bottom={h[0]} middle={sum(h[1:-1])}")
print(f"wss_min={w1['min_pages']} wss_max={w1['max_pages']} wss_windows={w1['windows']}")
PY
)"
echo "report: target $target, $rounds rounds, $mapped pages mapped"
echo "  working set per round: min $wss_min, max $wss_max pages over $wss_windows rounds (W = $W)"
echo "  accessed in all $rounds rounds: $top, in none: $bottom, in some: $middle pages"

within5() { [ $(($1 * 100)) -ge $((W * 95)) ] && [ $(($1 * 100)) -le $((W * 105)) ]; }
check "the report names the domain ($target)" test "${target#*domain "$DOM" }" != "$target"
check "$ROUNDS rounds reported" test "$rounds" = $ROUNDS
check "smallest working set of a round ($wss_min pages) within 5% of W ($W)" within5 "$wss_min"
check "largest working set of a round ($wss_max pages) within 5% of W ($W)" within5 "$wss_max"
check "the top bucket, accessed in every round ($top pages), is W within 5%" within5 "$top"
check "pages accessed in only some rounds ($middle) stay under 5% of W" \
	test $((middle * 20)) -le "$W"
check "the cold set ($COLD pages) is in the bottom bucket, never accessed ($bottom pages)" \
	test "$bottom" -ge $COLD
virsh -q destroy $DOM >/dev/null
