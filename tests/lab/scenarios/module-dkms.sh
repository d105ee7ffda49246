# DKMS, the way operators install out-of-tree modules: the module's
# sources laid out for it (scripts/dkms-source), `dkms install` builds and
# installs it for the running kernel, modprobe loads that build (not the
# lab's), and it scans a process exactly. Then (on 6.1) a kernel installed
# later: the kernel packages' postinst hook has dkms build it for that one.
# Where the running kernel's kbuild needs Debian 13 (7.x), dkms runs in
# the Debian 13 root (tests/lab/kbuild-env), as it would on such a host.
# At the end the lab's own module is loaded again.
source "$LAB_TOP/tests/lab/lib.sh"
kver=$(uname -r)
kbuild_env() {
	"$LAB_TOP/tests/lab/kbuild-env" "/lib/modules/$1/build" -- "${@:2}"
}
# the dkms commands' root: / or the Debian 13 root
root=$("$LAB_TOP/tests/lab/kbuild-env" "/lib/modules/$kver/build" --which)
echo "dkms runs in $root for $kver"
restore() {
	rmmod idle_pages 2>/dev/null
	insmod "$LAB_MODULE"
}
trap restore EXIT

src=$("$LAB_TOP/scripts/dkms-source" "$root/usr/src")
version=${src##*-}
check "dkms install idle_pages/$version for $kver" \
	kbuild_env "$kver" dkms install "idle_pages/$version" -k "$kver"
ko=/lib/modules/$kver/updates/dkms/idle_pages.ko
[ -f "$ko" ] || ko=$(ls /lib/modules/"$kver"/updates/dkms/idle_pages.ko* 2>/dev/null | head -n1)
check "dkms installed the module in /lib/modules/$kver/updates/dkms" test -n "$ko"
check "modinfo: built for $kver" \
	test "$(modinfo -F vermagic "$ko" | awk '{ print $1 }')" = "$kver"

for _ in $(seq 20); do rmmod idle_pages 2>/dev/null && break; sleep 0.2; done
check "modprobe idle_pages loads the dkms build" modprobe idle_pages
check "the loaded module is the dkms build (srcversion)" \
	test "$(cat /sys/module/idle_pages/srcversion)" = "$(modinfo -F srcversion "$ko")"
rep=$LAB_OUT/dkms.report
touch-proc "$rep" 1024 "0-9,100,500-515" &
pid=$!
if wait_stopped "$pid"; then
	echo "the dkms build scans a process: step 1 wrote every mapped page"
	scan-check "$rep"
	kill -CONT "$pid"
	wait_stopped "$pid" || fail "touch-proc reached step 2"
	echo "step 2 touched a known set"
	scan-check "$rep"
	kill -CONT "$pid"
	wait "$pid"
	check "touch-proc exited cleanly" test $? = 0
else
	fail "touch-proc reached step 1"
fi

# A kernel installed after the module: its headers arrive, the packages'
# postinst hook runs dkms for it. On 6.1, the lab's 6.12 stands in for it
# (once is enough: each dkms build costs minutes under TCG).
case "$kver" in
6.1.*)
	new=$(cat "$LAB_TOP/build/lab/kernel-6.12/kver" 2>/dev/null)
	newdir=$LAB_TOP/build/lab/kernel-6.12/modules
	if [ -z "$new" ] || [ ! -d "$newdir/kernel" ]; then
		fail "the lab's 6.12 kernel for the later-kernel case (make lab-kernel-6.12)"
	else
		mkdir -p "/lib/modules/$new" && mount --bind "$newdir" "/lib/modules/$new"
		hook=/etc/kernel/postinst.d/dkms
		check "the kernel's postinst hook ($hook $new) ran dkms" \
			"$hook" "$new" "/boot/vmlinuz-$new"
		newko=$(ls /lib/modules/"$new"/updates/dkms/idle_pages.ko* 2>/dev/null | head -n1)
		check "dkms built and installed the module for the new kernel $new" \
			test -n "$newko"
		[ -z "$newko" ] || check "modinfo: built for $new" \
			test "$(modinfo -F vermagic "$newko" | awk '{ print $1 }')" = "$new"
	fi ;;
*) echo "the later-kernel case runs on 6.1" ;;
esac
kbuild_env "$kver" dkms status 2>/dev/null | sed 's/^/dkms status: /'
