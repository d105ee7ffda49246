# Who may pick a target of /proc/idle_pages, and who pays for an open
# file (tests/module/access_check.c): an unprivileged caller is refused
# L1's init even when its /proc is a user namespace's tmpfs or another
# pid namespace's procfs; 20000 files it holds open are charged to its
# own memory cgroup, not the host; SET_PID racing the exec of a
# setuid-root binary never reads that image.
source "$LAB_TOP/tests/lab/lib.sh"

# Debian's kernels can switch unprivileged user namespaces off (12: on).
userns=/proc/sys/kernel/unprivileged_userns_clone
if [ -e $userns ] && [ "$(cat $userns)" != 1 ]; then
	echo 1 >$userns
fi
echo "unprivileged_userns_clone=$(cat $userns 2>/dev/null || echo absent)" \
	"max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces)"

# A memory cgroup of its own for the opener (L1 runs no systemd).
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 cgroup2 $cg
check "cgroup v2 offers the memory controller" \
	grep -qw memory $cg/cgroup.controllers || exit 1
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/access-check

# The setuid-root helper, on a tmpfs of its own (suid honoured there).
dir=$(mktemp -d)
mount -t tmpfs -o mode=755 access-check "$dir"
install -o root -g root -m 4755 "$(command -v setuid-target)" \
	"$dir/setuid-target"

access-check --cgroup $cg/access-check --setuid-target "$dir/setuid-target"
rc=$?

umount "$dir" && rmdir "$dir"
rmdir $cg/access-check
exit $rc
