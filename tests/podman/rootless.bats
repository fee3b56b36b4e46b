#!/usr/bin/env bats
# Rootless Podman 4.3.1 as the real client: the lab's unprivileged user (ferrypm, see
# tests/podman/rootless.bash) runs `--network bridge -p 8083:80`. Podman starts slirp4netns
# for its rootless network namespace, calls the binary under test as
# `netavark --rootless=true` inside it, and rootlessport listens on 8083 in the namespace
# Podman runs in: the lab's fake host. Run through tests/podman/run.

bats_require_minimum_version 1.5.0

setup() {
    load lab
    : "${LAB:?run these tests through tests/podman/run}"
    : "${LAB_UID:?the rootless lab was not set up}"
    : >"$LAB/rootless/calls.log"
}

teardown() {
    rootless_podman rm --force --time 0 fy-rootless >/dev/null 2>&1 || true
}

# in_rootless_netns ARGS: a command in Podman's rootless network namespace, as the user.
in_rootless_netns() {
    rootless_podman unshare --rootless-netns "$@"
}

@test "rootless podman run --network bridge -p 8083:80 httpd: served on 127.0.0.1:8083" {
    run -0 rootless_podman run -d --name fy-rootless --network bridge -p 8083:80 \
        --rootfs "$LAB/rootless/rootfs" httpd -f -p 80 -h /var/www
    cat "$LAB/rootless/calls.log"
    # Podman called the helper as its rootless netavark, and setup succeeded.
    grep -q -- '--rootless=true .* setup /run/user/[0-9]*/netns/.* -> exit 0$' \
        "$LAB/rootless/calls.log"

    run -0 in_host bash -c "$(declare -f fetch); fetch http://127.0.0.1:8083/"
    [ "$output" = "hello from a ferry test container" ]

    # The bridge and Ferry's table live in the rootless network namespace, not the host's.
    local address
    address=$(rootless_podman inspect fy-rootless \
        --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
    echo "container address: $address"
    [[ "$address" =~ ^10\.88\.[0-9]+\.[0-9]+$ ]]
    run -0 in_rootless_netns ip -4 -o addr show podman0
    [[ "$output" =~ 10\.88\.0\.1/16 ]]
    run -0 in_rootless_netns nft list ruleset
    echo "$output"
    [[ "$output" =~ dport\ 8083\  ]]
    [[ "$output" =~ dnat\ .*$address:80 ]]
    run ! in_host ip link show podman0

    run -0 rootless_podman rm -f --time 0 fy-rootless
    cat "$LAB/rootless/calls.log"
    grep -q -- '--rootless=true .* teardown /run/user/[0-9]*/netns/.* -> exit 0$' \
        "$LAB/rootless/calls.log"
    run ! in_host curl -sf -m 2 http://127.0.0.1:8083/
}
