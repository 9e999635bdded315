"""Times whole commands side by side in one run: each command is started
N times in turn (interleaved, so that machine noise hits both alike) and
the median wall time of each is printed with the ratio.

usage: bench_commands.py RUNS NAME=CMD... (CMD is a shell-free argv in JSON)
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, env):
    # posix_spawn with the output on /dev/null: the least a harness can add
    # to each run (the /bin/true line below shows how much that is).
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = subprocess.run(argv, env=env, capture_output=True).stderr.decode()
        sys.exit(f"bench: {argv[0]} failed: {err[-500:]}")
    return elapsed


def main():
    runs = int(sys.argv[1])
    cases = []
    for spec in sys.argv[2:]:
        name, argv = spec.split("=", 1)
        cases.append((name, json.loads(argv)))
    env = dict(os.environ)
    for _, argv in cases:  # warm caches, page cache and the cache files
        run_once(argv, env)
    times = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, argv in cases:
            times[name].append(run_once(argv, env))
    # What starting any program costs this harness: the floor under every
    # median above it.
    floor = statistics.median(run_once(["/bin/true"], env) for _ in range(runs))
    medians = {name: statistics.median(t) for name, t in times.items()}
    first = cases[0][0]
    for name, _ in cases:
        m = medians[name]
        line = f"  {name:<44} median {m * 1e3:9.2f} ms  (min {min(times[name]) * 1e3:.2f} ms, {runs} runs)"
        if name != first:
            line += f"  -> rolectl is {m / medians[first]:.0f}x faster"
        print(line)
    print(f"  {'(starting /bin/true, the floor)':<44} median {floor * 1e3:9.2f} ms")


if __name__ == "__main__":
    main()
