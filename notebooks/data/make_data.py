#!/usr/bin/env python3
"""Generates the sample data of notebook 04 deterministically.

    python3 notebooks/data/make_data.py           # (re)write the files
    python3 notebooks/data/make_data.py --check   # fail if they differ

provider_latency.csv: 2000 observed payment-provider latencies (ms), as they
might come out of an access log: 92% of calls from the fast path,
lognormal(median 230 ms, sigma 0.40), and 8% from a slow path (3-D Secure
challenge, issuer timeouts), lognormal(median 700 ms, sigma 0.50). No
single family fits this mixture exactly, which is the point of the notebook:
the KS ranking picks the body, the tail has to be checked by eye.

arrivals.csv: 5 minutes of checkout-click timestamps (s, millisecond
resolution) from a non-homogeneous Poisson process drawn by thinning
(Lewis & Shedler 1979): 60/s, a campaign e-mail at 2 min that lifts the
rate to 180/s within 20 s, then a decay to 90/s by 5 min.

Only random.Random(seed).random() is used (the Mersenne Twister sequence
is stable across CPython versions) with inverse transforms from the
standard library, and values are rounded, so the files are byte-identical
on any machine.
"""
import math
import os
import random
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NORMAL = statistics.NormalDist()


def provider_latency():
    rnd = random.Random(20261127)
    lines = ["ts_s,provider,latency_ms"]
    t = 0.0
    for _ in range(2000):
        t += -math.log(1.0 - rnd.random()) / 20.0  # one sample every ~50 ms
        slow = rnd.random() < 0.08
        median, sigma = (700.0, 0.50) if slow else (230.0, 0.40)
        u = min(max(rnd.random(), 1e-12), 1 - 1e-12)
        ms = median * math.exp(sigma * NORMAL.inv_cdf(u))
        lines.append("%.3f,psp-a,%.1f" % (t, ms))
    return "\n".join(lines) + "\n"


def rate(t):
    """Checkout clicks per second at t seconds."""
    if t < 120:
        return 60.0
    if t < 140:
        return 60.0 + (180.0 - 60.0) * (t - 120) / 20
    return 180.0 - (180.0 - 90.0) * (t - 140) / 160


def arrivals():
    rnd = random.Random(7)
    lam_max, end = 180.0, 300.0
    lines = ["t_s"]
    t = 0.0
    while True:
        t += -math.log(1.0 - rnd.random()) / lam_max
        if t >= end:
            break
        if rnd.random() * lam_max <= rate(t):
            lines.append("%.3f" % t)
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    bad = False
    for name, text in (("provider_latency.csv", provider_latency()), ("arrivals.csv", arrivals())):
        path = os.path.join(HERE, name)
        if check:
            with open(path) as f:
                if f.read() != text:
                    print("%s differs from what make_data.py generates" % path, file=sys.stderr)
                    bad = True
        else:
            with open(path, "w") as f:
                f.write(text)
            print("wrote %s (%d lines)" % (path, text.count("\n")))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
