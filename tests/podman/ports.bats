#!/usr/bin/env bats
# Published ports with Podman 4.3.1 as the real client: a busybox httpd container behind
# `-p 8080:80`, fetched from the fake host and from the remote client namespace that routes
# through it; `podman rm -f` must leave none of Ferry's nft rules and no link behind.
# Run through tests/podman/run (it builds the lab, tests/podman/lab.bash).

bats_require_minimum_version 1.5.0

setup() {
    load lab
    : "${LAB:?run these tests through tests/podman/run}"
    : >"$LAB/calls.log"
}

teardown() {
    lab_podman rm --force --time 0 fy-web >/dev/null 2>&1 || true
}

# rules: the fake host's whole nft ruleset: Ferry's table inet ferry, or netavark's
# iptables-nft tables when the tests are checked against netavark.
rules() {
    in_host nft list ruleset 2>/dev/null
}

@test "podman run -d -p 8080:80 httpd serves the fake host and a remote client; rm -f cleans" {
    run -0 lab_podman run -d --name fy-web --cgroup-parent "$LAB_CGROUP" --network bridge \
        -p 8080:80 --rootfs "$LAB/lab/rootfs" httpd -f -p 80 -h /var/www
    local address
    address=$(lab_podman inspect fy-web --format '{{.NetworkSettings.IPAddress}}')
    echo "container address: $address"
    [[ "$address" =~ ^10\.88\.[0-9]+\.[0-9]+$ ]]

    # From the fake host itself, to its loopback address.
    run -0 in_host bash -c "$(declare -f fetch); fetch http://127.0.0.1:8080/"
    [ "$output" = "hello from a ferry test container" ]

    # From the remote client, to the fake host's address on their veth.
    run -0 in_remote bash -c "$(declare -f fetch); fetch http://$LAB_HOST_ADDR:8080/"
    [ "$output" = "hello from a ferry test container" ]

    # While it runs, a rule matches the port and one DNATs to the container.
    run -0 rules
    echo "$output"
    [[ "$output" =~ dport\ 8080\  ]]
    [[ "$output" =~ dnat\ .*$address:80 ]]

    run -0 lab_podman rm -f --time 0 fy-web
    cat "$LAB/calls.log"
    [ "$(grep -c ' teardown .*-> exit 0$' "$LAB/calls.log")" -eq 1 ]

    # No rule mentions the port or the address, and no chain of a container is left.
    run -0 rules
    echo "$output"
    [[ ! "$output" =~ dport\ 8080\  ]]
    [[ ! "$output" =~ $address ]]
    [[ ! "$output" =~ chain\ pub- ]]
    [ -z "$(lab_links)" ]

    # And the port is closed again for the fake host.
    run ! in_host curl -sf -m 2 http://127.0.0.1:8080/
}
