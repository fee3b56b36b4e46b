# Shared by tests/podman/run and the .bats files: a Podman lab that keeps every piece of
# Podman's state away from the machine's own.
#
#   network    Podman and the helper run in a fake host network namespace (fy-pm-...), so the
#              podman0 bridge, the veths and any firewall rules live and die there.
#   mounts     a persistent mount namespace with a tmpfs on /run hides the machine's /run:
#              Podman's netns files, /run/containers/networks (the helper's --config) and
#              the lock files land in the tmpfs. A file of the lab's is bound over
#              /etc/resolv.conf there, naming only the remote client (nothing answers on
#              53): containers and aardvark-dns never see the machine's resolver.
#   storage    --root, --runroot, --tmpdir under the lab directory; vfs storage.
#   config     CONTAINERS_CONF from ../shared/tools/podman-lab, whose network_config_dir is
#              the lab's; --network-config-dir is passed as well.
#   rootless   an unprivileged user's Podman in the same namespaces: tests/podman/rootless.bash.
#   cgroups    every container runs under --cgroup-parent /ferry-lab-..., removed at the end.
#   remote     a second namespace (fy-pm-rem-...) stands in for another machine: a veth to the
#              fake host, 198.51.100.2/24 on its side, 198.51.100.1/24 on the host's, and a
#              default route through the fake host (documentation addresses, never left).
#
# The helper Podman calls is a logger that records each call in $LAB/calls.log, then runs
# plugins/netavark installed into the lab the way `make install` installs it, pointing at
# $FERRY, the binary under test.

# shellcheck source=tests/podman/rootless.bash
. "$(dirname "${BASH_SOURCE[0]}")/rootless.bash"

# The fake host's and the remote client's addresses on the veth between them.
LAB_HOST_ADDR=198.51.100.1
LAB_REMOTE_ADDR=198.51.100.2

# lab_setup: creates the lab and exports LAB, LAB_HOST, LAB_REMOTE, LAB_CGROUP.
lab_setup() {
    local repo=$1 shared=$2

    LAB=$(mktemp -d /tmp/ferry-podman.XXXXXX)
    LAB_HOST=fy-pm-host-${LAB##*.}
    LAB_REMOTE=fy-pm-rem-${LAB##*.}
    LAB_CGROUP=/ferry-lab-${LAB##*.}
    export LAB LAB_HOST LAB_REMOTE LAB_CGROUP
    mkdir -p "$LAB"/{ns,root,runroot,tmp,plugin}

    # The helper chain: podman -> logger -> installed plugin entry -> $FERRY.
    sed "s|^ferry=.*|ferry=$FERRY|" "$repo/plugins/netavark" >"$LAB/plugin/netavark"
    chmod 755 "$LAB/plugin/netavark"
    cat >"$LAB/logger" <<EOF
#!/bin/bash
"$LAB/plugin/netavark" "\$@"
status=\$?
echo "\$* -> exit \$status" >>"$LAB/calls.log"
exit \$status
EOF
    chmod 755 "$LAB/logger"
    "$shared/tools/podman-lab" "$LAB/lab" "$LAB/logger" >/dev/null

    ip netns add "$LAB_HOST"
    ip -n "$LAB_HOST" link set lo up

    ip netns add "$LAB_REMOTE"
    ip -n "$LAB_REMOTE" link set lo up
    ip -n "$LAB_HOST" link add fy-remote type veth peer name eth0 netns "$LAB_REMOTE"
    ip -n "$LAB_HOST" addr add "$LAB_HOST_ADDR/24" dev fy-remote
    ip -n "$LAB_HOST" link set fy-remote up
    ip -n "$LAB_REMOTE" addr add "$LAB_REMOTE_ADDR/24" dev eth0
    ip -n "$LAB_REMOTE" link set eth0 up
    ip -n "$LAB_REMOTE" route add default via "$LAB_HOST_ADDR"

    # A mount namespace that outlives this call, bound to a file on a private mount.
    mount --bind "$LAB/ns" "$LAB/ns"
    mount --make-private "$LAB/ns"
    touch "$LAB/ns/mnt"
    unshare --mount="$LAB/ns/mnt" --propagation private \
        mount -t tmpfs ferry-lab-run /run
    echo "nameserver $LAB_REMOTE_ADDR" >"$LAB/resolv.conf"
    nsenter --mount="$LAB/ns/mnt" mount --bind "$LAB/resolv.conf" /etc/resolv.conf
}

# lab_teardown: removes containers, networks, the namespaces, cgroups and files, and the
# rootless user's part (rootless_teardown). Best effort, safe to call on a half-made lab.
lab_teardown() {
    [ -n "${LAB:-}" ] && [ -d "$LAB" ] || return 0
    rootless_teardown
    if [ -f "$LAB/ns/mnt" ] && ip netns list | grep -qw "$LAB_HOST"; then
        lab_podman rm --all --force --time 0 >/dev/null 2>&1 || true
        lab_podman network prune --force >/dev/null 2>&1 || true
    fi
    # Whatever still runs in the lab's namespaces was started there by the lab (a helper's
    # aardvark-dns left behind, say): end it by pid before the namespaces go.
    local pid
    for pid in $(ip netns pids "$LAB_HOST" 2>/dev/null) \
        $(ip netns pids "$LAB_REMOTE" 2>/dev/null); do
        echo "# lab teardown: ending $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
        kill "$pid" 2>/dev/null || true
    done
    ip netns del "$LAB_REMOTE" 2>/dev/null || true
    ip netns del "$LAB_HOST" 2>/dev/null || true
    umount "$LAB/ns/mnt" 2>/dev/null || true
    umount "$LAB/ns" 2>/dev/null || true
    local hierarchy
    for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/*; do
        [ -d "$hierarchy$LAB_CGROUP" ] || continue
        find "$hierarchy$LAB_CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    rm -rf "$LAB"
}

# lab_podman ARGS: podman inside the lab.
lab_podman() {
    nsenter --mount="$LAB/ns/mnt" --net="/run/netns/$LAB_HOST" \
        env CONTAINERS_CONF="$LAB/lab/containers.conf" \
        podman --root "$LAB/root" --runroot "$LAB/runroot" --tmpdir "$LAB/tmp" \
        --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
        --network-config-dir "$LAB/lab/networks" "$@"
}

# lab_run ARGS: `podman run --rm` of the lab's busybox rootfs; ARGS are podman flags, then
# "--", then the command.
lab_run() {
    local flags=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        flags+=("$1")
        shift
    done
    shift
    lab_podman run --rm --cgroup-parent "$LAB_CGROUP" "${flags[@]}" \
        --rootfs "$LAB/lab/rootfs" "$@"
}

# in_host ARGS: a command in the fake host network namespace.
in_host() {
    ip netns exec "$LAB_HOST" "$@"
}

# in_remote ARGS: a command in the remote client's network namespace.
in_remote() {
    ip netns exec "$LAB_REMOTE" "$@"
}

# lab_links: the fake host's links other than lo and the veth to the remote client.
# ip complains on stderr ("Peer netns reference is invalid") about a veth whose peer's
# namespace the kernel is still destroying; the link itself is listed on stdout regardless.
lab_links() {
    in_host ip -o link show 2>/dev/null | grep -v -e ': lo:' -e ': fy-remote@' || true
}

# fetch URL: the page at URL, through curl (the host's busybox 1.35 wget segfaults here),
# retried for up to 5 seconds while the server starts. Run it through in_host or in_remote.
fetch() {
    local attempt
    for attempt in $(seq 25); do
        curl -sf -m 2 "$1" 2>/dev/null && return 0
        [ "$attempt" -lt 25 ] && sleep 0.2
    done
    echo "fetch: nothing from $1" >&2
    return 1
}
