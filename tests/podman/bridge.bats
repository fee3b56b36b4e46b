#!/usr/bin/env bats
# Podman 4.3.1 as the real client: it calls the binary under test ($FERRY) as its netavark.
# Run through tests/podman/run, which builds the lab (tests/podman/lab.bash) and exports
# LAB, LAB_HOST and LAB_CGROUP.

bats_require_minimum_version 1.5.0

setup() {
    load lab
    : "${LAB:?run these tests through tests/podman/run}"
    : >"$LAB/calls.log"
}

# calls_with WORD: the helper calls whose arguments include WORD.
calls_with() {
    grep -e " $1 " "$LAB/calls.log" || true
}

@test "podman run --network bridge shows the container's address set up by the helper" {
    run -0 lab_run --network bridge -- ip -4 addr show eth0
    echo "$output"
    [[ "$output" =~ inet\ 10\.88\.[0-9]+\.[0-9]+/16 ]]

    # Podman called the helper once for setup and once for teardown, and both succeeded.
    cat "$LAB/calls.log"
    [ "$(calls_with setup | grep -c -- '-> exit 0$')" -eq 1 ]
    [ "$(calls_with teardown | grep -c -- '-> exit 0$')" -eq 1 ]

    # Teardown removed the veth and, with no container left on it, the bridge.
    run ! in_host ip link show podman0
    [ "$(in_host ip -o link show type veth | grep -cv ': fy-remote@')" -eq 0 ]
}

@test "a container on the default network talks TCP to its gateway in the fake host" {
    cat >"$LAB/reply" <<'EOF'
#!/bin/sh
read -r line
echo "fake host got: $line"
EOF
    chmod 755 "$LAB/reply"
    # Directly, not through a function, so that $! is the server; fd 3 closed for bats.
    ip netns exec "$LAB_HOST" timeout 30 busybox nc -l -p 8099 -e "$LAB/reply" 3>&- &
    local server=$!
    for _ in $(seq 50); do
        in_host ss -Hltn 'sport = :8099' | grep -q . && break
        sleep 0.1
    done

    run lab_run --network bridge -- sh -c 'echo ping | nc -w 5 10.88.0.1 8099'
    kill "$server" 2>/dev/null || true
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "fake host got: ping" ]
}

@test "podman network create --disable-dns, run on it, network rm" {
    local name=fy-pm-net
    run -0 lab_podman network create --disable-dns "$name"
    run -0 lab_podman network inspect "$name" \
        --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}} {{.NetworkInterface}}'
    echo "$output"
    local subnet gateway bridge
    read -r subnet gateway bridge <<<"$output"
    [ -n "$subnet" ] && [ -n "$gateway" ] && [ -n "$bridge" ]

    run -0 lab_run --network "$name" -- sh -c "ip -4 addr show eth0 && ping -c 1 -W 3 $gateway"
    echo "$output"
    # The container's address lies in the network's subnet (a /24 from Podman's pool).
    local prefix=${subnet%.*}
    [[ "$output" =~ inet\ ${prefix//./\\.}\.[0-9]+/${subnet#*/} ]]
    [[ "$output" =~ "1 packets received" ]]
    [ "$(calls_with setup | grep -c -- '-> exit 0$')" -eq 1 ]
    [ "$(calls_with teardown | grep -c -- '-> exit 0$')" -eq 1 ]
    run ! in_host ip link show "$bridge"

    run -0 lab_podman network rm "$name"
    [ ! -e "$LAB/lab/networks/$name.json" ]
    run -0 lab_podman network ls --format '{{.Name}}'
    [ "$output" = "podman" ]
}

@test "a helper error reaches podman, which fails the run; nothing is left behind" {
    local name=fy-pm-badmtu
    run -0 lab_podman network create --disable-dns -o mtu=10 "$name"
    run lab_run --network "$name" -- true
    echo "$output"
    # Podman wraps the helper's {"error": ...} answer as "netavark: MESSAGE", exit 126.
    [ "$status" -eq 126 ]
    [[ "$output" =~ Error:\ netavark:\ .+ ]]
    [ "$(calls_with setup | grep -c -- '-> exit 1$')" -eq 1 ]
    [ -z "$(lab_links)" ]
    run -0 lab_podman network rm "$name"
}

@test "nothing is left: no container, no link in the fake host but lo and the remote's veth" {
    run -0 lab_podman ps --all --quiet
    [ -z "$output" ]
    run -0 lab_links
    echo "$output"
    [ -z "$output" ]
}
