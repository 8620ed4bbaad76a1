# Shorthands for the two commands of the README.
.PHONY: run test bench
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
bench:
	bash scripts/venv.sh && .venv/bin/python benchmarks/outbox_throughput.py
