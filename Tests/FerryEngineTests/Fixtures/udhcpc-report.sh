#!/bin/sh
# udhcpc's script for the engine tests: reports what it was given and configures nothing.
echo "$1 ip=$ip mask=$subnet router=$router mtu=$mtu dns=$dns"
