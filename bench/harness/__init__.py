"""What the benchmark scripts in bench/ share: the corpus, both sides' set-up and the load client.

Kept in a package so that `make bench-quick`, which runs every bench/*.py, runs only the
benchmarks themselves. `kontakt_side` runs in Kontakt's venv, `helpdesk_side` in the peer's
throwaway venv; both import `corpus` so that both databases hold the same rows.
"""
