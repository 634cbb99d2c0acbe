"""Benchmarks and their helpers, outside the installed packages: `python -m bench.NAME`.

speed (build, embedding, answers, HTTP, scale), quality, tune, calibrate, chunks, load; with
synthesize (large indexes made from a real one), serve (the one `qa serve` launcher, used by
the benchmarks and the tests), report (tables, percentiles, memory) and public (the public
evaluation data and the options the scripts share).
"""
