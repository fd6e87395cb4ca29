#!/bin/sh
# Benchmark (not a test): the no-op re-run of `okta-k8s setup` on a lab of
# already-configured nodes, against the floor (N parallel OpenSSH
# `ssh NODE cat /var/snap/microk8s/current/args/kube-apiserver`: the least
# work that reads every node's state) and, at 16 nodes, an equivalent
# Ansible playbook (ansible-core, forks=N, pipelining, lineinfile for the
# flags, a handler for the restart).
#
# Reports the median of RUNS runs of wall time, CPU time (user + system of
# the whole process tree) and peak RSS (the largest single process), and
# the ratios to the floor. Run as root from the source tree:
#     bench/fleet.sh [SIZES...]        (default: 16 64)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
RUNS=${RUNS:-5}
SIZES=${*:-16 64}

scripts/install-deps.sh
need=
for p in time ansible-core; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
scripts/build.sh >/dev/null

W=$(mktemp -d /tmp/okta-k8s-bench.XXXXXX)
chmod 0755 "$W"
L=$W/lab
trap '"$top/tests/lab/lab.sh" stop "$L" 2>/dev/null; rm -rf "$W"' EXIT INT TERM

# measure NAME COMMAND...: RUNS runs; "wall cpu rss_kib" medians.
measure() {
	name=$1
	shift
	: >"$W/$name.runs"
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -o "$W/time" -f '%e %U %S %M' "$@" >/dev/null 2>"$W/$name.err" ||
			{ echo "bench: $name failed:" >&2; cat "$W/$name.err" >&2; exit 1; }
		awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/time" >>"$W/$name.runs"
		i=$((i + 1))
	done
	/usr/bin/python3 - "$W/$name.runs" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
print(" ".join("%.3f" % statistics.median(c) for c in zip(*rows)))
PY
}

# The floor: N parallel OpenSSH reads of the args file, as a script.
write_floor() {
	cat >"$W/floor.sh" <<SH
#!/bin/sh
i=1
while [ \$i -le $1 ]; do
	ssh -F "$L/client/ssh_config" -o BatchMode=yes \\
		-o UserKnownHostsFile="$L/client/known_hosts" \\
		-o StrictHostKeyChecking=yes "pi-\$i" \\
		cat /var/snap/microk8s/current/args/kube-apiserver >/dev/null &
	i=\$((i + 1))
done
wait
SH
	chmod +x "$W/floor.sh"
}

write_ansible() {
	n=$1
	{
		echo "[pis]"
		i=1
		while [ $i -le "$n" ]; do
			echo "pi-$i ansible_host=127.0.0.$((10 + i)) ansible_port=$(. "$L/env"; echo "$LAB_PORT")"
			i=$((i + 1))
		done
		echo "[pis:vars]"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$L/client/id_ed25519"
		echo "ansible_ssh_common_args='-o UserKnownHostsFile=$L/client/known_hosts -o StrictHostKeyChecking=yes'"
		echo "ansible_python_interpreter=/usr/bin/python3"
	} >"$W/inventory"
	cat >"$W/ansible.cfg" <<CFG
[defaults]
forks = $n
host_key_checking = True
retry_files_enabled = False
[ssh_connection]
pipelining = True
CFG
	cat >"$W/playbook.yaml" <<'YAML'
- hosts: pis
  gather_facts: false
  vars:
    args_file: /var/snap/microk8s/current/args/kube-apiserver
  tasks:
    - name: OIDC flags
      ansible.builtin.lineinfile:
        path: "{{ args_file }}"
        regexp: '^{{ item.flag }}[= ]'
        line: "{{ item.flag }}={{ item.value }}"
      loop:
        - { flag: --oidc-issuer-url, value: "https://dev-123456.okta.com/oauth2/default" }
        - { flag: --oidc-client-id, value: 0oa1g3wxh9x9KLciv4x9 }
        - { flag: --oidc-username-claim, value: preferred_username }
        - { flag: --oidc-username-prefix, value: "oidc:" }
        - { flag: --oidc-groups-claim, value: groups }
        - { flag: --oidc-groups-prefix, value: "oidcgroup:" }
        - { flag: --authorization-mode, value: "RBAC,Node" }
      notify: restart kubelite
  handlers:
    - name: restart kubelite
      ansible.builtin.command: /snap/bin/snap restart microk8s.daemon-kubelite
YAML
}

table_row() {
	printf '| %5s | %-18s | %7s | %7s | %7s | %7s | %7s |\n' "$@"
}

echo
table_row nodes tool "wall s" "x floor" "cpu s" "x floor" "RSS MiB"
table_row ----- ------------------ ------- ------- ------- ------- -------
for n in $SIZES; do
	"$top/tests/lab/lab.sh" stop "$L" 2>/dev/null || true
	rm -rf "$L"
	"$top/tests/lab/lab.sh" start "$L" "$n"
	# One machine plays N nodes: their commands share its 2 cores, so
	# allow them more than the lab's 5 s of silence.
	sed -i 's/^  connect_timeout: .*/  connect_timeout: 60/' "$L/okta-k8s.yaml"
	"$top/okta-k8s" -q -c "$L/okta-k8s.yaml" setup >/dev/null 2>&1
	write_floor "$n"
	set -- $(measure floor "$W/floor.sh")
	fw=$1 fc=$2 fr=$3
	set -- $(measure okta "$top/okta-k8s" -q -c "$L/okta-k8s.yaml" --parallel "$n" setup)
	table_row "$n" "ssh cat (floor)" "$fw" 1.00 "$fc" 1.00 "$(awk "BEGIN{printf \"%.1f\", $fr/1024}")"
	table_row "$n" "okta-k8s setup" "$1" "$(awk "BEGIN{printf \"%.2f\", $1/$fw}")" "$2" \
		"$(awk "BEGIN{printf \"%.2f\", $2/$fc}")" "$(awk "BEGIN{printf \"%.1f\", $3/1024}")"
	if [ "$n" -le 16 ]; then
		write_ansible "$n"
		ANSIBLE_CONFIG=$W/ansible.cfg ansible-playbook -i "$W/inventory" "$W/playbook.yaml" >/dev/null
		set -- $(ANSIBLE_CONFIG=$W/ansible.cfg measure ansible \
			ansible-playbook -i "$W/inventory" "$W/playbook.yaml")
		table_row "$n" "ansible-playbook" "$1" "$(awk "BEGIN{printf \"%.2f\", $1/$fw}")" "$2" \
			"$(awk "BEGIN{printf \"%.2f\", $2/$fc}")" "$(awk "BEGIN{printf \"%.1f\", $3/1024}")"
	fi
done
