# The analysis tool on a libvirt domain, picture: the test guest moves
# its hot set through four windows side by side (pattern=phases).
# `idle-pages record`, given the domain's name, then `idle-pages
# heatmap`; heatmap-check decodes the PNG (libpng) and its bright band
# must sit at each phase's hot set, phase after phase. The expected
# places are only what the guest itself reports ("TG phase P
# hot_gpa=FIRST-LAST"), turned into QEMU's host addresses by QEMU's own
# monitor (gpa2hva). The guest runs one phase more than is judged: the
# recording stops when that phase begins, so every judged phase runs to
# its end however slow the rounds are.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
trap libvirt_logs EXIT

DOM=tgheat
HOT=2048		# pages per window: 8 MiB
PHASES=3		# judged, each to its end; the guest runs PHASES + 1
PHASE_SECS=12		# 2+ band rounds a phase even at 3 s a round (CI saw 2.7 s)
serial=$LAB_OUT/$DOM.serial

# The checker, built here from the tree with the host's compiler.
checker=/tmp/heatmap-check
check "heatmap-check builds" cc -std=c11 -D_GNU_SOURCE -O1 \
	-I"$LAB_TOP/include" -I"$LAB_TOP/lib" -I"$LAB_TOP/tools/idle-pages" \
	-I"$LAB_TOP/tests/unit" -I"$LAB_TOP/tests/module" -o $checker \
	"$LAB_TOP/tests/unit/heatmap_check.c" -lpng || exit 1

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM 256 "pattern=phases hot=$HOT cold=$((HOT * PHASES)) phases=$((PHASES + 1)) phase_secs=$PHASE_SECS write=30 report_secs=0")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
check "the guest wrote its area" wait_for 60 grep -q "TG init" "$serial" || exit 1

# A first scan clears what the start-up touched (firmware, loader, the
# whole area); phase 1 begins about now.
idle-pages dump $DOM >"$LAB_OUT/dump.txt"
check "idle-pages dump by domain name lists the guest's ranges" \
	grep -q accessed "$LAB_OUT/dump.txt"
# Rounds 1 s apart until the guest begins the phase after the judged
# ones (record finishes the round in progress on SIGINT).
idle-pages record -q --no-numa -n 1000 -t 1 -o "$LAB_OUT/phases.ipr" $DOM &
rec=$!
for _ in $(seq $((PHASES * PHASE_SECS * 30))); do
	grep -q "TG phase $((PHASES + 1)) " "$serial" && break
	sleep 0.1
done
kill -INT $rec
wait $rec
idle-pages decode "$LAB_OUT/phases.ipr" >"$LAB_OUT/phases.decoded"
rounds=$(grep -c '^# round ' "$LAB_OUT/phases.decoded")
check "idle-pages record by domain name wrote $rounds rounds of domain $DOM (at least 2 a phase)" \
	test "$rounds" -ge $((PHASES * 2)) -a \
	"$(head -n1 "$LAB_OUT/phases.decoded" | grep -c "domain $DOM ")" = 1
# At least a row per round (the checker reads one row per round).
height=$((rounds * 4))
check "idle-pages heatmap draws the recording" \
	idle-pages heatmap -i "$LAB_OUT/phases.ipr" -o "$LAB_OUT/phases.png" --height $height

# hva GPA: QEMU's host address of a guest-physical one (HMP gpa2hva).
hva() {
	virsh -q qemu-monitor-command $DOM --hmp "gpa2hva $1" |
		sed -n 's/.* is \(0x[0-9a-f]*\).*/\1/p'
}

# The phases the guest reported during the recording, in order, as HVAs.
bands=()
while read -r p gpas; do
	first=${gpas%-*}
	last=${gpas#*-}
	hfirst=$(hva "$first")
	hlast=$(hva "$last")
	echo "phase $p: hot set GPA $first-$last = HVA ${hfirst:-?}-${hlast:-?}"
	# One RAM block: the HVAs are as far apart as the GPAs.
	if [ -z "$hfirst" ] || [ $((hlast - hfirst)) != $((last - first)) ]; then
		fail "QEMU's gpa2hva maps phase $p's hot set to one host range"
		continue
	fi
	bands+=("$hfirst-$hlast")
done <<<"$(grep -ao 'TG phase [0-9]* hot_gpa=0x[0-9a-f]*-0x[0-9a-f]*' "$serial" |
	   sed 's/TG phase \([0-9]*\) hot_gpa=/\1 /')"
check "the guest reported its $PHASES phases and began the next (serial lines intact)" \
	test ${#bands[@]} = $((PHASES + 1)) || exit 1
$checker --stopped-in-last "$LAB_OUT/phases.png" "${bands[@]}"
virsh -q destroy $DOM >/dev/null
