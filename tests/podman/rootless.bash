# The rootless part of the Podman lab (tests/podman/lab.bash): an unprivileged user runs
# Podman 4.3.1 inside the lab's fake host network namespace and private mount namespace,
# with the binary under test as its `netavark`.
#
#   user       ferrypm, a system user with subordinate ids (65536 of each). Created when
#              missing, with its /etc/subuid and /etc/subgid ranges added through usermod,
#              which locks those files; rootless_teardown removes exactly what was added.
#   tun        slirp4netns, which Podman starts for its rootless network namespace, opens
#              /dev/net/tun as that user: the repository's `test-machine hold` makes it 666
#              and puts it back when the last holder leaves, so parallel Swift test runs and
#              bench/compare-modes, which hold it the same way, do not undo each other.
#   state      HOME, storage, runroot, tmpdir, network configs under $LAB/rootless (owned by
#              the user); XDG_RUNTIME_DIR=/run/user/UID on the lab's tmpfs /run.
#   config     $LAB/rootless/containers.conf: runc, cgroupfs, vfs, and helper_binaries_dir
#              first naming $LAB/rootless/helpers, whose `netavark` logs each call to
#              $LAB/rootless/calls.log and runs the lab's plugin entry (-> $FERRY).
#   processes  rootless Podman keeps a pause process (the holder of its user namespace) and
#              slirp4netns alive between commands; rootless_teardown ends exactly those, by
#              the pids Podman recorded.

LAB_USER=ferrypm

# rootless_setup: prepares the user and its Podman; exports LAB_UID. Needs lab_setup first.
rootless_setup() {
    local state=$LAB/rootless
    : >"$LAB/rootless.undo"
    if ! getent passwd "$LAB_USER" >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$LAB_USER"
        echo "userdel $LAB_USER" >>"$LAB/rootless.undo"
    fi
    LAB_UID=$(id -u "$LAB_USER")
    export LAB_UID
    # One start for both files: the first id after every range in either, so none overlaps.
    local start end
    start=$(awk -F: 'BEGIN { m = 1000000 } $3 > 0 && $2 + $3 > m { m = $2 + $3 }
        END { print m }' /etc/subuid /etc/subgid)
    end=$((start + 65535))
    if ! grep -q "^$LAB_USER:" /etc/subuid; then
        usermod --add-subuids "$start-$end" "$LAB_USER"
        echo "usermod --del-subuids $start-$end $LAB_USER" >>"$LAB/rootless.undo"
    fi
    if ! grep -q "^$LAB_USER:" /etc/subgid; then
        usermod --add-subgids "$start-$end" "$LAB_USER"
        echo "usermod --del-subgids $start-$end $LAB_USER" >>"$LAB/rootless.undo"
    fi
    rootless_hold_tun
    echo "rootless_release_tun" >>"$LAB/rootless.undo"

    # The lab directory is mktemp's 700: the user needs to pass through it.
    chmod 711 "$LAB"
    mkdir -p "$state"/{home,storage,runroot,tmp,networks,helpers}
    cp -a "$LAB/lab/rootfs" "$state/rootfs"
    cat >"$state/helpers/netavark" <<EOF
#!/bin/bash
"$LAB/plugin/netavark" "\$@"
status=\$?
echo "\$* -> exit \$status" >>"$state/calls.log"
exit \$status
EOF
    chmod 755 "$state/helpers/netavark"
    cat >"$state/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
helper_binaries_dir = ["$state/helpers", "/usr/lib/podman"]

[network]
network_backend = "netavark"
network_config_dir = "$state/networks"
EOF
    : >"$state/calls.log"
    chown -R "$LAB_USER:" "$state"
    lab_mount_ns install -d -o "$LAB_USER" -g "$LAB_USER" -m 700 "/run/user/$LAB_UID"
}

# shellcheck disable=SC2154 # repo: set by tests/podman/run, which sources this file
# rootless_hold_tun: starts `test-machine hold` (TEST_MACHINE, else the build's), which
# opens /dev/net/tun to everyone until its stdin closes. Its pid and stdin are copied out
# of the coproc's variables, which bash unsets when the coproc ends.
rootless_hold_tun() {
    local holder line
    holder=$(rootless_test_machine) || fail "no test-machine in $repo/.build (swift build)"
    coproc TUN_HOLDER { exec "$holder" hold 2>&1; }
    LAB_TUN_HOLDER=$TUN_HOLDER_PID
    LAB_TUN_HOLDER_IN=${TUN_HOLDER[1]}
    read -r -t 60 line <&"${TUN_HOLDER[0]}" || fail "test-machine hold did not answer"
    [[ "$line" == "{"* ]] || fail "test-machine hold: $line"
}

# rootless_release_tun: the holder leaves when its stdin closes; a process Podman left
# running may keep a copy of it open, so after 5 s it is stopped and asked to restore.
rootless_release_tun() {
    [ -n "${LAB_TUN_HOLDER:-}" ] || return 0
    local in=$LAB_TUN_HOLDER_IN
    exec {in}>&-
    for _ in $(seq 100); do kill -0 "$LAB_TUN_HOLDER" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$LAB_TUN_HOLDER" 2>/dev/null; then
        kill -TERM "$LAB_TUN_HOLDER"
        "$(rootless_test_machine)" restore
    fi
    LAB_TUN_HOLDER=
}

# rootless_test_machine: the build's test-machine, debug first.
rootless_test_machine() {
    local candidate
    for candidate in "${TEST_MACHINE:-}" "$repo/.build/debug/test-machine" \
        "$repo/.build/release/test-machine"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] && echo "$candidate" && return 0
    done
    return 1
}

# rootless_teardown: removes the user's containers, stops its pause process and
# slirp4netns, and undoes rootless_setup's changes to the machine. Best effort.
rootless_teardown() {
    [ -n "${LAB:-}" ] && [ -f "$LAB/rootless.undo" ] || return 0
    if [ -f "$LAB/ns/mnt" ] && [ -n "${LAB_UID:-}" ]; then
        rootless_podman rm --all --force --time 0 >/dev/null 2>&1 || true
        local pidfile pid
        # Podman's own records of the processes it keeps running for this user.
        for pidfile in "$LAB/rootless/tmp/pause.pid" "$LAB/rootless/tmp"/rootless-netns/*.pid; do
            pid=$(cat "$pidfile" 2>/dev/null) || continue
            [[ "$pid" =~ ^[0-9]+$ ]] || continue
            [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$LAB_USER" ] && kill "$pid"
        done
    fi
    local step
    while read -r step; do
        if [ -n "$step" ]; then
            $step 2>/dev/null || echo "# rootless teardown: '$step' failed" >&2
        fi
    done < <(tac "$LAB/rootless.undo")
    rm -f "$LAB/rootless.undo"
}

# rootless_podman ARGS: Podman as the lab's user, inside the lab's namespaces.
rootless_podman() {
    local state=$LAB/rootless
    nsenter --mount="$LAB/ns/mnt" --net="/run/netns/$LAB_HOST" \
        setpriv --reuid="$LAB_USER" --regid="$LAB_USER" --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$state/home" USER="$LAB_USER" \
        XDG_RUNTIME_DIR="/run/user/$LAB_UID" CONTAINERS_CONF="$state/containers.conf" \
        podman --root "$state/storage" --runroot "$state/runroot" --tmpdir "$state/tmp" \
        --storage-driver vfs "$@"
}

# lab_mount_ns ARGS: a command as root in the lab's mount namespace (its tmpfs /run).
lab_mount_ns() {
    nsenter --mount="$LAB/ns/mnt" "$@"
}
