// The toml-test decoder interface: TOML on stdin, tagged JSON on stdout.
print("{}")
