# A real libvirt daemon inside L1, for scenarios that run the test guest
# as a domain: source "$LAB_TOP/tests/lab/libvirt.sh"; libvirt_up.
# Logs (libvirtd, each domain's QEMU log and serial) go to $LAB_OUT.

# libvirt_up: configure and start libvirtd (monolithic, Debian 12). A
# daemon left running by an earlier scenario of the same lab run is kept.
libvirt_up() {
	virsh -c qemu:///system version >/dev/null 2>&1 && return 0
	# libvirtd resolves this user before it reads qemu.conf.
	grep -q '^libvirt-qemu:' /etc/passwd ||
		echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >>/etc/passwd
	grep -q '^libvirt-qemu:' /etc/group || echo 'libvirt-qemu:x:64055:' >>/etc/group
	grep -q '^kvm:' /etc/group || echo 'kvm:x:992:' >>/etc/group
	mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt/qemu /var/log/libvirt/qemu
	cat >/etc/libvirt/qemu.conf <<-CONF
	user = "root"
	group = "root"
	dynamic_ownership = 0
	remember_owner = 0
	security_driver = "none"
	stdio_handler = "file"
	CONF
	cat >/etc/libvirt/libvirtd.conf <<-CONF
	auth_unix_rw = "none"
	unix_sock_rw_perms = "0770"
	log_outputs = "3:file:$LAB_OUT/libvirtd.log"
	CONF
	libvirtd -d || return 1
	for _ in $(seq 300); do
		virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "libvirtd did not answer within 30 s" >&2
	return 1
}

# libvirtd_pid: the running daemon's pid (empty if none).
libvirtd_pid() {
	cat /run/libvirtd.pid 2>/dev/null
}

# The guests' serial logs live on L1's own tmpfs: a file on the 9p out
# share that is read while QEMU writes to it loses characters (seen: a
# third of the lines of a guest whose serial was followed with tail -F).
# $LAB_OUT/NAME.serial is a link to it; libvirt_logs copies it there.
LAB_SERIAL_DIR=/run/lab-serial

# tg_domain_xml NAME MEM_MIB GUEST_CMDLINE [EXTRA_XML]: a type='kvm'
# domain that boots the test guest directly (Multiboot), no disk, no
# network, serial to $LAB_SERIAL_DIR/NAME.serial; EXTRA_XML (e.g.
# <memoryBacking>) goes right after <memory>. Its vCPU stays off CPU 0
# ($LAB_NESTED_CPUS, see tests/lab/l1-init): libvirt would otherwise
# give QEMU every CPU, whatever libvirtd's own affinity.
tg_domain_xml() {
	cat <<-XML
	<domain type='kvm'>
	  <name>$1</name>
	  <memory unit='MiB'>$2</memory>
	  ${4:-}
	  <vcpu placement='static' cpuset='${LAB_NESTED_CPUS:?}'>1</vcpu>
	  <os>
	    <type arch='x86_64' machine='q35'>hvm</type>
	    <kernel>$LAB_GUEST_ELF</kernel>
	    <cmdline>$3</cmdline>
	  </os>
	  <cpu mode='host-passthrough'/>
	  <on_poweroff>destroy</on_poweroff>
	  <on_crash>destroy</on_crash>
	  <devices>
	    <emulator>/usr/bin/qemu-system-x86_64</emulator>
	    <serial type='file'>
	      <source path='$LAB_SERIAL_DIR/$1.serial'/>
	    </serial>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	XML
}

# tg_domain_start NAME MEM_MIB GUEST_CMDLINE [EXTRA_XML]: define, start,
# and wait for the guest's "TG start" line; prints the QEMU pid.
tg_domain_start() {
	mkdir -p "$LAB_SERIAL_DIR"
	ln -sfn "$LAB_SERIAL_DIR/$1.serial" "$LAB_OUT/$1.serial"
	tg_domain_xml "$@" >"$LAB_OUT/$1.xml"
	virsh -q define "$LAB_OUT/$1.xml" >/dev/null || return 1
	virsh -q start "$1" >/dev/null || return 1
	# Any of the first lines: the serial log may drop characters under TCG.
	for _ in $(seq 600); do
		grep -Eaq "TG (start|conf|image)" "$LAB_OUT/$1.serial" 2>/dev/null && break
		sleep 0.1
	done
	grep -Eaq "TG (start|conf|image)" "$LAB_OUT/$1.serial" || {
		echo "domain $1: no TG start line within 60 s" >&2
		return 1
	}
	cat "/run/libvirt/qemu/$1.pid"
}

# tg_domain_destroy NAME KEEP: destroys the domain and keeps its serial log
# so far as NAME.serial.KEEP (the next start writes a fresh one).
tg_domain_destroy() {
	virsh -q destroy "$1" >/dev/null
	cp "$LAB_OUT/$1.serial" "$LAB_OUT/$1.serial.$2"
	: >"$LAB_OUT/$1.serial"
}

# tg_domain_restart NAME: starts the destroyed domain again and waits for
# the guest's "TG init" (60 s; serial_wait is in agent.sh); prints the new
# QEMU pid, or returns 1.
tg_domain_restart() {
	virsh -q start "$1" >/dev/null || return 1
	serial_wait "$1" "TG init" 60 || return 1
	cat "/run/libvirt/qemu/$1.pid"
}

# libvirt_logs: copy the domains' QEMU logs and serial logs next to the
# scenario's files.
libvirt_logs() {
	local f
	cp /var/log/libvirt/qemu/*.log "$LAB_OUT/" 2>/dev/null
	for f in "$LAB_OUT"/*.serial; do
		[ -L "$f" ] && cp --remove-destination "$(readlink "$f")" "$f" 2>/dev/null
	done
	return 0
}
