#!/usr/bin/env bats
# Name resolution with Podman 4.3.1 as the real client: on a network made by
# `podman network create` (DNS on, Podman's default), the helper runs aardvark-dns on the
# gateway and two containers find each other by name. Only container names are asked: the
# lab's /etc/resolv.conf names the remote client, where nothing answers, so no query can
# reach the machine's resolver. Run through tests/podman/run.

bats_require_minimum_version 1.5.0

setup() {
    load lab
    : "${LAB:?run these tests through tests/podman/run}"
    : >"$LAB/calls.log"
}

teardown() {
    lab_podman rm --force --time 0 fy-dns-a fy-dns-b >/dev/null 2>&1 || true
    lab_podman network rm --force fy-pm-dns >/dev/null 2>&1 || true
}

# start NAME: a detached container on fy-pm-dns that just waits.
start() {
    lab_podman run -d --name "$1" --cgroup-parent "$LAB_CGROUP" --network fy-pm-dns \
        --rootfs "$LAB/lab/rootfs" sleep 120
}

# resolve FROM NAME SERVER: busybox nslookup of NAME in container FROM, against SERVER.
resolve() {
    lab_podman exec "$1" nslookup "$2" "$3"
}

# aardvark_listening: aardvark-dns's sockets on port 53 in the fake host.
aardvark_listening() {
    in_host ss -Hlunp 'sport = :53' | grep aardvark || true
}

@test "podman network create (DNS on): two containers resolve each other by name" {
    run -0 lab_podman network create fy-pm-dns
    run -0 lab_podman network inspect fy-pm-dns \
        --format '{{.DNSEnabled}} {{range .Subnets}}{{.Gateway}}{{end}}'
    local enabled gateway
    read -r enabled gateway <<<"$output"
    [ "$enabled" = true ]
    [ -n "$gateway" ]

    run -0 start fy-dns-a
    run -0 start fy-dns-b
    local a b
    a=$(lab_podman inspect fy-dns-a --format '{{(index .NetworkSettings.Networks "fy-pm-dns").IPAddress}}')
    b=$(lab_podman inspect fy-dns-b --format '{{(index .NetworkSettings.Networks "fy-pm-dns").IPAddress}}')
    echo "fy-dns-a $a, fy-dns-b $b, gateway $gateway"
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]

    # aardvark-dns answers on the gateway, in the fake host, started by the helper.
    run -0 aardvark_listening
    echo "$output"
    [[ "$output" =~ $gateway:53 ]]

    run -0 resolve fy-dns-a fy-dns-b "$gateway"
    echo "$output"
    [[ "$output" =~ Address:\ *$b ]]
    run -0 resolve fy-dns-b fy-dns-a "$gateway"
    echo "$output"
    [[ "$output" =~ Address:\ *$a ]]

    # The containers were told to ask the gateway, under the search domain dns.podman.
    run -0 lab_podman exec fy-dns-a cat /etc/resolv.conf
    echo "$output"
    [[ "$output" =~ nameserver\ $gateway ]]
    [[ "$output" =~ search\ .*dns\.podman ]]

    # Once the second container is gone, the first no longer finds it.
    run -0 lab_podman rm -f --time 0 fy-dns-b
    run ! resolve fy-dns-a fy-dns-b "$gateway"
    echo "$output"
    [[ ! "$output" =~ Address:\ *$b ]]

    # With the last container gone, aardvark-dns is gone too, and no link is left.
    run -0 lab_podman rm -f --time 0 fy-dns-a
    for _ in $(seq 20); do
        [ -z "$(aardvark_listening)" ] && break
        sleep 0.1
    done
    [ -z "$(aardvark_listening)" ]
    [ -z "$(lab_links)" ]
    run -0 lab_podman network rm fy-pm-dns
}
